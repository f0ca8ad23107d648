"""Report writer backed by an OpenAI-compatible engine (vLLM, llama.cpp server, transformers serve).

The bot process then holds no language model: each report row is one streamed `POST /chat/completions`
with the same prompt as the in-process backend (inference.prompt.chat_messages). The ModelWorker calls
`generate` or `pool` from its single thread; inside, rows run as asyncio tasks on a private event loop,
at most `concurrency` at once, because a task can be cancelled cleanly (the HTTP response is closed at
once) where a blocked sync read cannot. The engine batches on its own side, so a row that finishes hands
its slot to the next row straight away: `pool` keeps asking its source for more while rows stream.

Image input. vLLM lists no modality flag in /models, so `setup()` asks the engine itself: a one-token
completion of a short text, with and without a tiny JPEG. The engine takes images when the image request
succeeds and counts more prompt tokens than the text-only one. It does not when the image request is
refused (vLLM answers 400 for a text-only model, llama.cpp without --mmproj answers 500 "image input is not
supported") or when the prompt tokens are equal (transformers serve silently drops images for a text-only
model). `images=True/False` skips the probe.

The skin question (`inference.skin_question`) is one short non-streamed completion per photo. It asks for
the first token's top log-probabilities, which vLLM returns; an engine that refuses them (once) or leaves
them out is read from its one-word answer instead.

Secrets and patient data: the API key only ever goes into the Authorization header, and logs carry the
row number, HTTP status and the server's (scrubbed, truncated) reason, never the prompt or history.
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import io
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx

from inference.events import StoppedBy, WriterResult
from inference.prompt import chat_messages, sanitize_history
from inference.repetition import RepetitionGuard
from inference.report_request import ReportRequest
from inference.row_images import RowImages, row_images
from inference.skin_question import question_messages, yes_share_from_text, yes_share_from_top

if TYPE_CHECKING:
    from PIL.Image import Image

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 10.0
PROBE_TIMEOUT_S = 120.0  # a CPU llama.cpp server may take a while to encode the probe image
POLL_S = 0.2  # how often should_stop and the deadline are checked while rows stream
MAX_IMAGE_SIDE = 1536  # MedGemma's processor resizes to 896 px anyway; this only bounds the upload
REASON_CHARS = 300
MAX_SCRUBBED_CHARS = 20_000  # of a server's error message; bounds the scrubbing work
HISTORY_RUN = 10  # characters shared with the history that count as an echo of it
RETRY_STATUSES = frozenset({408, 409, 425, 429})  # 4xx that mean "try again", not "your request is wrong"
SKIN_TOP_LOGPROBS = 10  # "yes" and "no" in any spelling are among them unless the model ignores the question
_IMAGE_REFUSAL_WORDS = ("image", "multimodal", "multi-modal", "mmproj", "vision")


class EngineError(RuntimeError):
    """The engine cannot serve reports; the message is one line naming the URL and what is wrong."""


@dataclass
class RowTiming:
    """Wall-clock facts about one row's last attempt (the benchmark reads these)."""

    sent_at: float = 0.0  # perf_counter when the request was sent
    first_token_at: float | None = None
    last_token_at: float | None = None
    tokens: int = 0
    attempts: int = 0


class _Retryable(Exception):
    """Connection refused or broken, a 5xx, an error event mid-stream: worth another attempt."""


class _Fatal(Exception):
    """A 4xx or a stream with nothing valid in it: another attempt would fail the same way."""


@dataclass
class _Row:
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


class EngineWriter:
    """ReportWriter for an OpenAI-compatible engine at `url` (e.g. http://host:8000/v1)."""

    def __init__(
        self,
        url: str,
        model: str,
        api_key: str | None = None,
        max_tokens: int = 700,
        timeout_s: float = 600,
        concurrency: int = 8,
        retries: int = 3,
        backoff_s: float = 0.5,
        images: bool | None = None,
        repetition_guard: bool = True,
        extra_body: dict[str, Any] | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.url = url.rstrip("/")
        self.model = model
        self._api_key = api_key or None  # never logged, never in repr
        self.max_tokens = max_tokens
        self.timeout_s = timeout_s
        self.concurrency = concurrency
        self.retries = retries
        self.backoff_s = backoff_s
        self.images_setting = images
        self.image_input: bool | None = images  # decided by setup() when images is None
        self.image_note = "" if images is None else "set explicitly"
        # The benchmark forces long outputs, which the guard would rightly cut short.
        self.repetition_guard = repetition_guard
        # Engine-specific request fields (vLLM's ignore_eos for the benchmark); not for production use.
        self.extra_body = dict(extra_body or {})
        self.last_timing: list[RowTiming] = []
        self.skin_logprobs = True  # until the engine refuses them

    def __repr__(self) -> str:
        return f"EngineWriter(url={self.url!r}, model={self.model!r}, concurrency={self.concurrency})"

    # ------------------------------------------------------------------ setup

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}

    def setup(self) -> None:
        """Check the engine is up and serves `model`, and find out whether it takes images."""
        started = time.perf_counter()
        with httpx.Client(headers=self._headers(), timeout=_timeout(PROBE_TIMEOUT_S)) as client:
            served = self._list_models(client)
            if self.model not in served:
                listed = ", ".join(served) if served else "none"
                raise EngineError(
                    f"engine at {self.url} does not serve model {self.model!r}; it lists: {listed} "
                    "(set SKINBOT_LLM_MODEL to one of them)"
                )
            if self.images_setting is None:
                self.image_input, self.image_note = self._detect_images(client)
        log.info(
            "engine %s serves %s; image input: %s (%s); concurrency %d; ready in %.1f s",
            self.url,
            self.model,
            "yes" if self.image_input else "no",
            self.image_note,
            self.concurrency,
            time.perf_counter() - started,
        )

    def _list_models(self, client: httpx.Client) -> list[str]:
        try:
            response = client.get(f"{self.url}/models")
        except httpx.ConnectError as exc:
            raise EngineError(f"engine at {self.url} refused the connection: {_short(exc)}") from exc
        except httpx.TimeoutException as exc:
            raise EngineError(f"engine at {self.url} did not answer GET /models in time") from exc
        except httpx.HTTPError as exc:
            raise EngineError(f"engine at {self.url}: GET /models failed: {_short(exc)}") from exc
        if response.status_code != 200:
            hint = " (check SKINBOT_LLM_API_KEY)" if response.status_code in (401, 403) else ""
            raise EngineError(
                f"engine at {self.url} answered GET /models with HTTP {response.status_code}: "
                f"{_reason(response.content)}{hint}"
            )
        try:
            data = response.json()["data"]
            return [str(m["id"]) for m in data]
        except (ValueError, KeyError, TypeError) as exc:
            raise EngineError(
                f"engine at {self.url}: GET /models did not return an OpenAI model list"
            ) from exc

    def _detect_images(self, client: httpx.Client) -> tuple[bool, str]:
        def ask(with_image: bool) -> httpx.Response:
            content: list[dict[str, Any]] = [{"type": "text", "text": "Reply with the word OK."}]
            if with_image:
                content.insert(0, _image_part(_probe_image()))
            body = {
                "model": self.model,
                "messages": [{"role": "user", "content": content}],
                "max_tokens": 1,
                "temperature": 0,
                "stream": False,
            }
            try:
                return client.post(f"{self.url}/chat/completions", json=body)
            except httpx.HTTPError as exc:
                raise EngineError(f"engine at {self.url}: probe request failed: {_short(exc)}") from exc

        text = ask(with_image=False)
        if text.status_code != 200:
            raise EngineError(
                f"engine at {self.url} cannot generate with model {self.model!r}: "
                f"HTTP {text.status_code}: {_reason(text.content)}"
            )
        image = ask(with_image=True)
        reason = _reason(image.content)
        if 400 <= image.status_code < 500:
            return False, f"the engine refused an image: HTTP {image.status_code}: {reason}"
        if image.status_code >= 500:
            if any(word in reason.lower() for word in _IMAGE_REFUSAL_WORDS):
                return False, f"the engine refused an image: HTTP {image.status_code}: {reason}"
            raise EngineError(
                f"engine at {self.url}: image probe failed with HTTP {image.status_code}: {reason}"
            )
        with_tokens, without_tokens = _prompt_tokens(image), _prompt_tokens(text)
        if with_tokens is None or without_tokens is None:
            return True, "the engine accepted an image (it reports no token usage to confirm)"
        if with_tokens > without_tokens:
            return True, f"an image adds {with_tokens - without_tokens} prompt tokens"
        return False, "the engine accepted an image but did not count it: it drops images"

    # ------------------------------------------------------------ skin question

    def skin_yes(self, images: Sequence[Image]) -> list[float | None]:
        """For each photo, the model's P(yes) to the skin question (0 or 1 when read from a worded answer);
        None when the engine takes no images, fails, or answers neither yes nor no.

        One request at a time, from the worker's thread: while rows stream, the worker asks only when a slot
        is free, so the engine never has more than `concurrency` of our requests at once."""
        if not self.image_input:
            return [None] * len(images)
        with httpx.Client(headers=self._headers(), timeout=_timeout(PROBE_TIMEOUT_S)) as client:
            return [self._ask_skin(client, image) for image in images]

    def _ask_skin(self, client: httpx.Client, image: Image) -> float | None:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": _openai_messages(question_messages(), [image]),
            "max_tokens": 2,
            "temperature": 0,
            "stream": False,
        }
        if self.skin_logprobs:
            body |= {"logprobs": True, "top_logprobs": SKIN_TOP_LOGPROBS}
        try:
            response = client.post(f"{self.url}/chat/completions", json=body)
            if response.status_code == 400 and self.skin_logprobs:
                self.skin_logprobs = False  # the engine has no log-probabilities: read its answer
                return self._ask_skin(client, image)
            response.raise_for_status()
            choice = response.json()["choices"][0]
        except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as exc:
            log.warning("skin question: the engine gave no answer (%s); the photo passes", _short(exc))
            return None
        top = _first_top_logprobs(choice)
        if top:
            return yes_share_from_top(top)
        return yes_share_from_text(str((choice.get("message") or {}).get("content") or ""))

    # ------------------------------------------------------------- generation

    def generate(
        self,
        requests: list[ReportRequest],
        images: list[RowImages],
        on_delta: Callable[[int, str], None],
        should_stop: Callable[[int], bool] = lambda row: False,
        on_restart: Callable[[int], None] | None = None,
    ) -> list[WriterResult]:
        """Stream one report per request, at most `concurrency` requests in flight; a row that finishes
        hands its slot to the next waiting row at once.

        `on_delta(row, text)` and `on_restart(row)` are called from a thread of this writer's own; after
        on_restart the row's earlier deltas are void. `should_stop(row)` is polled every POLL_S.
        """
        if len(requests) != len(images):
            raise ValueError(f"{len(requests)} requests but {len(images)} images")
        if not requests:
            return []
        waiting = list(zip(requests, images, strict=True))
        results: dict[int, WriterResult] = {}

        def take(free: int) -> list[tuple[ReportRequest, RowImages]]:
            taken, waiting[:] = waiting[:free], waiting[free:]
            return taken

        self.pool(take, on_delta, should_stop, on_restart, on_result=results.__setitem__)
        return [results[row] for row in range(len(requests))]

    def pool(
        self,
        take: Callable[[int], list[tuple[ReportRequest, RowImages]]],
        on_delta: Callable[[int, str], None],
        should_stop: Callable[[int], bool] = lambda row: False,
        on_restart: Callable[[int], None] | None = None,
        on_result: Callable[[int, WriterResult], None] = lambda row, result: None,
    ) -> None:
        """Stream reports for rows pulled from `take` until it has none and none is running.

        Rows are numbered from 0 in the order `take(free)` hands them out (at most `free` at a time).
        `take` is asked whenever a slot is free: at the start, the moment a row finishes, and every POLL_S
        while a slot stays free, so work that arrives while other rows stream starts at once instead of
        waiting for the slowest of them. `on_result(row, result)` reports each row as soon as it ends.
        All callbacks run on the thread that called `pool` (or this writer's own, from inside a running
        event loop); `take` may block briefly, which pauses reading the streams, not losing them.
        """
        if self.image_input is None:
            raise RuntimeError("EngineWriter.setup() has not been called")
        rows: list[_Row] = []
        started = time.perf_counter()
        try:
            _run(self._pool(take, rows, on_delta, should_stop, on_restart, on_result))
        finally:
            self.last_timing = [row.timing for row in rows]
        log.info(
            "engine generated %d report(s): %s, %.1f s",
            len(rows),
            ", ".join(f"{row.stopped_by}/{row.timing.tokens}" for row in rows),
            time.perf_counter() - started,
        )

    def _row(self, index: int, request: ReportRequest, images: RowImages) -> _Row:
        photos = row_images(images)
        seen = bool(photos) and bool(self.image_input)
        if seen and len(photos) != request.image_count:
            raise ValueError(f"a request for {request.image_count} image(s) came with {len(photos)}")
        messages = _openai_messages(chat_messages(request, with_image=seen), photos if seen else [])
        payload = {
            "model": self.model,
            "messages": messages,
            "stream": True,
            "stream_options": {"include_usage": True},
            "temperature": 0,
            "max_tokens": self.max_tokens,
            **self.extra_body,
        }
        guard = RepetitionGuard() if self.repetition_guard else None
        deadline = time.monotonic() + self.timeout_s  # counted from when the row gets its slot
        return _Row(index, payload, seen, sanitize_history(request.history), guard, deadline)

    async def _pool(
        self,
        take: Callable[[int], list[tuple[ReportRequest, RowImages]]],
        rows: list[_Row],
        on_delta: Callable[[int, str], None],
        should_stop: Callable[[int], bool],
        on_restart: Callable[[int], None] | None,
        on_result: Callable[[int, WriterResult], None],
    ) -> None:
        limits = httpx.Limits(max_connections=self.concurrency, max_keepalive_connections=self.concurrency)
        async with httpx.AsyncClient(
            headers=self._headers(), timeout=_timeout(self.timeout_s), limits=limits
        ) as client:
            running: dict[asyncio.Task[WriterResult], _Row] = {}
            try:
                while True:
                    free = self.concurrency - len(running)
                    if free > 0:
                        fresh = take(free)
                        if len(fresh) > free:
                            raise ValueError(f"take({free}) handed out {len(fresh)} rows")
                        for request, images in fresh:
                            row = self._row(len(rows), request, images)
                            rows.append(row)
                            task = asyncio.create_task(self._run_row(client, row, on_delta, on_restart))
                            running[task] = row
                    if not running:
                        return
                    # The watcher: a row waiting for a retry or for the next chunk stops here too.
                    now = time.monotonic()
                    for task, row in running.items():
                        if row.stop_reason is not None:
                            continue
                        if should_stop(row.index):
                            row.stop_reason = "cancelled"
                        elif now > row.deadline:
                            row.stop_reason = "timeout"
                        if row.stop_reason is not None:
                            task.cancel()
                    done, _ = await asyncio.wait(
                        set(running), timeout=POLL_S, return_when=asyncio.FIRST_COMPLETED
                    )
                    for task in done:
                        row = running.pop(task)
                        result = task.result()
                        row.stopped_by = result.stopped_by
                        on_result(row.index, result)
            finally:
                for task in running:
                    task.cancel()
                if running:
                    await asyncio.wait(set(running))

    async def _run_row(
        self,
        client: httpx.AsyncClient,
        row: _Row,
        on_delta: Callable[[int, str], None],
        on_restart: Callable[[int], None] | None,
    ) -> WriterResult:
        try:
            return await self._attempts(client, row, on_delta, on_restart)
        except asyncio.CancelledError:
            # Only the watcher cancels a row; leaving `async with client.stream` closed the response.
            return self._result(row, row.stop_reason or "cancelled")

    async def _attempts(
        self,
        client: httpx.AsyncClient,
        row: _Row,
        on_delta: Callable[[int, str], None],
        on_restart: Callable[[int], None] | None,
    ) -> WriterResult:
        last_problem = ""
        for attempt in range(self.retries + 1):
            if attempt:
                if row.delivered:
                    # The user saw part of the failed attempt: clear it, so no text appears twice.
                    if on_restart is not None:
                        on_restart(row.index)
                    row.text, row.delivered = "", False
                    row.guard = RepetitionGuard() if self.repetition_guard else None
                await asyncio.sleep(self.backoff_s * 2 ** (attempt - 1))
            row.timing = RowTiming(sent_at=time.perf_counter(), attempts=attempt + 1)
            try:
                return await self._stream(client, row, on_delta)
            except _Fatal as exc:
                log.error("engine row %d failed (not retried): %s", row.index, self._scrub(row, str(exc)))
                return self._result(row, "error")
            except _Retryable as exc:
                last_problem = self._scrub(row, str(exc))
                log.warning(
                    "engine row %d attempt %d/%d failed: %s",
                    row.index,
                    attempt + 1,
                    self.retries + 1,
                    last_problem,
                )
        log.error("engine row %d failed after %d attempts: %s", row.index, self.retries + 1, last_problem)
        return self._result(row, "error")

    async def _stream(
        self, client: httpx.AsyncClient, row: _Row, on_delta: Callable[[int, str], None]
    ) -> WriterResult:
        def deliver(text: str) -> None:
            if text:
                row.text += text
                row.delivered = True
                on_delta(row.index, text)

        finish: str | None = None
        done, valid, content_chunks = False, 0, 0
        usage_tokens: int | None = None
        try:
            async with client.stream("POST", f"{self.url}/chat/completions", json=row.payload) as response:
                if response.status_code >= 400:
                    reason = _reason(await response.aread(), row.history)
                    problem = f"HTTP {response.status_code}: {reason}"
                    if response.status_code >= 500 or response.status_code in RETRY_STATUSES:
                        raise _Retryable(problem)
                    raise _Fatal(problem)
                async for line in response.aiter_lines():
                    chunk = _parse_sse(line)
                    if chunk is None:
                        continue  # blank line, comment, keep-alive or garbage: skipped
                    if chunk == "[DONE]":
                        done = True
                        break
                    if "error" in chunk:
                        raise _Retryable(
                            f"error event in the stream: {_reason(json.dumps(chunk['error']), row.history)}"
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
                            return self._result(row, "repetition")  # leaving the block closes the stream
                    if choice.get("finish_reason"):
                        finish = str(choice["finish_reason"])
        except httpx.TransportError as exc:
            # A break after the last chunk (finish_reason seen) loses nothing; any other break does.
            if finish is None:
                raise _Retryable(
                    f"{type(exc).__name__} after {content_chunks} chunks: {_short(exc)}"
                ) from exc
        if not done and finish is None:
            if valid == 0:
                raise _Fatal("the stream ended without a single valid chunk")
            raise _Retryable(f"the stream broke off after {content_chunks} chunks")
        if row.guard is not None:
            deliver(row.guard.finish())
        if usage_tokens:
            row.timing.tokens = usage_tokens
        return self._result(row, "length" if finish == "length" else "eos")

    def _result(self, row: _Row, stopped_by: StoppedBy) -> WriterResult:
        error = "engine" if stopped_by == "error" else None
        return WriterResult(row.text, stopped_by, row.timing.tokens, row.image_seen, error)

    @staticmethod
    def _scrub(row: _Row, message: str) -> str:
        return scrub_history(message, row.history)


def probe(url: str, model: str, api_key: str | None = None) -> tuple[bool, str]:
    """For `skinbot check`: (True, what the engine serves) or (False, the one-line reason it cannot)."""
    writer = EngineWriter(url, model, api_key=api_key)
    try:
        writer.setup()
    except EngineError as exc:
        return False, str(exc)
    images = "yes" if writer.image_input else "no"
    return True, f"engine at {writer.url} serves {model}; image input: {images} ({writer.image_note})"


# ------------------------------------------------------------------ helpers


def _run(coro: Any) -> Any:
    """Run on a private event loop; from inside a running loop (a test, a notebook) on a helper thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _timeout(read_s: float) -> httpx.Timeout:
    return httpx.Timeout(connect=CONNECT_TIMEOUT_S, read=read_s, write=60.0, pool=None)


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:REASON_CHARS]


def scrub_history(message: str, history: str | None) -> str:
    """`message` on one line, with every run of HISTORY_RUN or more characters that also occurs in the
    history replaced by "[history]".

    Servers sometimes echo the request in an error: as the prompt (the history's line breaks intact), as
    the JSON body (line breaks and non-ASCII escaped), or cut off part-way. Both sides are compared with
    whitespace collapsed, against the history as it was sent and in both JSON escapings, so none of these
    forms reaches a log line.
    """
    text = " ".join(message[:MAX_SCRUBBED_CHARS].split())
    if not history:
        return text
    forms = (history, json.dumps(history)[1:-1], json.dumps(history, ensure_ascii=False)[1:-1])
    for form in dict.fromkeys(" ".join(f.split()) for f in forms):
        text = _replace_shared_runs(text, form)
    return text


def _replace_shared_runs(text: str, source: str) -> str:
    out: list[str] = []
    start = at = 0
    while at <= len(text) - HISTORY_RUN:
        if text[at : at + HISTORY_RUN] not in source:
            at += 1
            continue
        end = at + HISTORY_RUN
        while end < len(text) and text[at : end + 1] in source:
            end += 1
        out += [text[start:at], "[history]"]
        start = at = end
    out.append(text[start:])
    return "".join(out)


def _reason(body: bytes | str, history: str | None = None) -> str:
    """The server's error message on one line: OpenAI's {"error": {"message"}}, FastAPI's {"detail"}, text.

    Scrubbed of the history before it is cut to REASON_CHARS, so a cut-off echo cannot slip through."""
    raw = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    message: Any = raw
    try:
        data = json.loads(raw)
    except ValueError:
        data = None
    if isinstance(data, dict):
        error = data.get("error", data.get("detail", data.get("message")))
        if isinstance(error, dict):
            error = error.get("message", error)
        message = error if error is not None else raw
    text = scrub_history(str(message), history)
    return (text[:REASON_CHARS] + "…") if len(text) > REASON_CHARS else (text or "(no message)")


def _parse_sse(line: str) -> dict[str, Any] | str | None:
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


def _prompt_tokens(response: httpx.Response) -> int | None:
    try:
        value = response.json()["usage"]["prompt_tokens"]
    except (ValueError, KeyError, TypeError):
        return None
    return value if isinstance(value, int) else None


def _first_top_logprobs(choice: dict[str, Any]) -> dict[str, float]:
    """{token: logprob} of the first answer token, from an OpenAI chat choice; {} when it has none."""
    try:
        first = choice["logprobs"]["content"][0]["top_logprobs"]
        return {str(entry["token"]): float(entry["logprob"]) for entry in first}
    except (KeyError, IndexError, TypeError, ValueError):
        return {}


def _jpeg_data_url(image: Image) -> str:
    picture = image.convert("RGB")
    if max(picture.size) > MAX_IMAGE_SIDE:
        picture = picture.copy()
        picture.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=90)
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def _image_part(image: Image) -> dict[str, Any]:
    return {"type": "image_url", "image_url": {"url": _jpeg_data_url(image)}}


def _probe_image() -> Image:
    from PIL import Image as PILImage

    return PILImage.new("RGB", (64, 64), (180, 120, 110))


def _openai_messages(messages: list[dict], images: Sequence[Image]) -> list[dict[str, Any]]:
    """Gemma chat messages (inference.prompt) in OpenAI form: each image placeholder becomes the next of
    `images`, as an `image_url` part (several per prompt for a case of several photos).

    The system turn goes as a plain string, which every engine accepts; Gemma 3's chat template renders
    a string and a one-part list identically, so the prompt is the in-process one.
    """
    out: list[dict[str, Any]] = []
    pending = list(images)
    for message in messages:
        parts: list[dict[str, Any]] = []
        for part in message["content"]:
            if part["type"] == "image":
                if pending:
                    parts.append(_image_part(pending.pop(0)))
            else:
                parts.append({"type": "text", "text": part["text"]})
        if message["role"] == "system":
            out.append({"role": "system", "content": "".join(p["text"] for p in parts)})
        else:
            out.append({"role": message["role"], "content": parts})
    return out
