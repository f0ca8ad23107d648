"""One report row streamed from an OpenAI-compatible engine: its state, and its server-sent events read
into text as they arrive (through the repetition guard), with what each way of ending means."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from inference.engine_errors import RETRY_STATUSES, Fatal, Retryable, first_line, server_reason
from inference.events import StoppedBy, WriterResult
from inference.repetition import RepetitionGuard


@dataclass
class RowTiming:
    """Wall-clock facts about one row's last attempt (the benchmark reads these)."""

    sent_at: float = 0.0  # perf_counter when the request was sent
    first_token_at: float | None = None
    last_token_at: float | None = None
    tokens: int = 0
    attempts: int = 0


@dataclass
class Row:
    index: int
    payload: dict[str, Any]
    image_seen: bool
    history: str | None  # only to scrub it out of server messages before logging them
    guard: RepetitionGuard | None
    deadline: float  # time.monotonic() after which the row is stopped
    text: str = ""
    delivered: bool = False  # something went to on_delta since the last restart
    stop_reason: StoppedBy | None = None  # set by the watcher: cancelled or timeout
    stopped_by: StoppedBy | None = None  # how the row ended, once it has
    timing: RowTiming = field(default_factory=RowTiming)


def row_result(row: Row, stopped_by: StoppedBy) -> WriterResult:
    error = "engine" if stopped_by == "error" else None
    return WriterResult(row.text, stopped_by, row.timing.tokens, row.image_seen, error)


async def stream_row(
    client: httpx.AsyncClient, url: str, row: Row, on_delta: Callable[[int, str], None]
) -> WriterResult:
    """One attempt at the row: POST its payload to `url`/chat/completions and read the stream to its end.
    Raises Retryable or Fatal when the attempt failed."""

    def deliver(text: str) -> None:
        if text:
            row.text += text
            row.delivered = True
            on_delta(row.index, text)

    finish: str | None = None
    done, valid, content_chunks = False, 0, 0
    usage_tokens: int | None = None
    try:
        async with client.stream("POST", f"{url}/chat/completions", json=row.payload) as response:
            if response.status_code >= 400:
                reason = server_reason(await response.aread(), row.history)
                problem = f"HTTP {response.status_code}: {reason}"
                if response.status_code >= 500 or response.status_code in RETRY_STATUSES:
                    raise Retryable(problem)
                raise Fatal(problem)
            async for line in response.aiter_lines():
                chunk = parse_sse(line)
                if chunk is None:
                    continue  # blank line, comment, keep-alive or garbage: skipped
                if chunk == "[DONE]":
                    done = True
                    break
                if "error" in chunk:
                    raise Retryable(
                        f"error event in the stream: {server_reason(json.dumps(chunk['error']), row.history)}"
                    )
                usage = chunk.get("usage")
                if isinstance(usage, dict) and isinstance(usage.get("completion_tokens"), int):
                    usage_tokens = usage["completion_tokens"]
                choices = chunk.get("choices")
                if not isinstance(choices, list):
                    continue
                valid += 1
                if not choices or not isinstance(choices[0], dict):
                    continue
                choice = choices[0]
                delta = choice.get("delta") or {}
                content = delta.get("content") if isinstance(delta, dict) else None
                if isinstance(content, str) and content:
                    now = time.perf_counter()
                    row.timing.first_token_at = row.timing.first_token_at or now
                    row.timing.last_token_at = now
                    content_chunks += 1
                    row.timing.tokens = content_chunks
                    deliver(row.guard.feed(content) if row.guard is not None else content)
                    if row.guard is not None and row.guard.stopped:
                        return row_result(row, "repetition")  # leaving the block closes the stream
                if choice.get("finish_reason"):
                    finish = str(choice["finish_reason"])
    except httpx.TransportError as exc:
        # A break after the last chunk (finish_reason seen) loses nothing; any other break does.
        if finish is None:
            raise Retryable(f"{type(exc).__name__} after {content_chunks} chunks: {first_line(exc)}") from exc
    if not done and finish is None:
        if valid == 0:
            raise Fatal("the stream ended without a single valid chunk")
        raise Retryable(f"the stream broke off after {content_chunks} chunks")
    if row.guard is not None:
        deliver(row.guard.finish())
    if usage_tokens:
        row.timing.tokens = usage_tokens
    return row_result(row, "length" if finish == "length" else "eos")


def parse_sse(line: str) -> dict[str, Any] | str | None:
    """One SSE line: "[DONE]", a JSON object, or None for anything else (skipped)."""
    line = line.strip()
    if not line.startswith("data:"):
        return None
    data = line[5:].strip()
    if data == "[DONE]":
        return "[DONE]"
    try:
        chunk = json.loads(data)
    except ValueError:
        return None
    return chunk if isinstance(chunk, dict) else None
