"""Report writer backed by an OpenAI-compatible engine (vLLM, llama.cpp server, transformers serve).

The bot process then holds no language model: each report row is one streamed `POST /chat/completions`
with the same prompt as the in-process backend (inference.prompt.chat_messages). The ModelWorker calls
`generate` or `pool` from its single thread; inside, rows run as asyncio tasks on a private event loop,
at most `concurrency` at once, because a task can be cancelled cleanly (the HTTP response is closed at
once) where a blocked sync read cannot. The engine batches on its own side, so a row that finishes hands
its slot to the next row straight away: `pool` keeps asking its source for more while rows stream.

Where the rest is: engine_probe.py what `setup()` asks the engine (its models, whether it takes images;
`images=True/False` skips that), engine_request.py what is sent, engine_stream.py one row's stream,
engine_skin.py the skin question, engine_errors.py the errors and what of them is logged.

Secrets and patient data: the API key only ever goes into the Authorization header, and logs carry the
row number, HTTP status and the server's (scrubbed, truncated) reason, never the prompt or history.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

import httpx

from inference.batch_writer import BatchWriter, WriterBatch
from inference.engine_errors import EngineError, Fatal, Retryable, scrub_history
from inference.engine_probe import detect_images, list_models
from inference.engine_request import report_body
from inference.engine_skin import EngineSkinQuestion
from inference.engine_stream import Row, RowTiming, row_result, stream_row
from inference.events import WriterResult
from inference.prompt import sanitize_history
from inference.repetition import RepetitionGuard
from inference.report_request import ReportRequest
from inference.row_images import RowImages, row_images

if TYPE_CHECKING:
    from PIL.Image import Image

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 10.0
PROBE_TIMEOUT_S = 120.0  # a CPU llama.cpp server may take a while to encode the probe image
POLL_S = 0.2  # how often should_stop and the deadline are checked while rows stream


class EngineWriter(BatchWriter):
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
        self._skin_question = EngineSkinQuestion(self.url, model)

    def __repr__(self) -> str:
        return f"EngineWriter(url={self.url!r}, model={self.model!r}, concurrency={self.concurrency})"

    # ------------------------------------------------------------------ setup

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}

    def setup(self) -> None:
        """Check the engine is up and serves `model`, and find out whether it takes images."""
        started = time.perf_counter()
        with httpx.Client(headers=self._headers(), timeout=_timeout(PROBE_TIMEOUT_S)) as client:
            served = list_models(client, self.url)
            if self.model not in served:
                listed = ", ".join(served) if served else "none"
                raise EngineError(
                    f"engine at {self.url} does not serve model {self.model!r}; it lists: {listed} "
                    "(set SKINBOT_LLM_MODEL to one of them)"
                )
            if self.images_setting is None:
                self.image_input, self.image_note = detect_images(client, self.url, self.model)
        log.info(
            "engine %s serves %s; image input: %s (%s); concurrency %d; ready in %.1f s",
            self.url,
            self.model,
            "yes" if self.image_input else "no",
            self.image_note,
            self.concurrency,
            time.perf_counter() - started,
        )

    # ------------------------------------------------------------ skin question

    def skin_yes(self, images: Sequence[Image]) -> list[float | None]:
        """For each photo, the model's P(yes) to the skin question (0 or 1 when read from a worded answer);
        None when the engine takes no images, fails, or answers neither yes nor no.

        One request at a time, from the worker's thread: while rows stream, the worker asks only when a slot
        is free, so the engine never has more than `concurrency` of our requests at once."""
        if not self.image_input:
            return [None] * len(images)
        with httpx.Client(headers=self._headers(), timeout=_timeout(PROBE_TIMEOUT_S)) as client:
            return [self._skin_question.ask(client, image) for image in images]

    # ------------------------------------------------------------- generation

    def write_batch(self, batch: WriterBatch) -> list[WriterResult]:
        """Stream one report per request, at most `concurrency` requests in flight; a row that finishes
        hands its slot to the next waiting row at once.

        `on_delta(row, text)` and `on_restart(row)` are called from a thread of this writer's own; after
        on_restart the row's earlier deltas are void. `should_stop(row)` is polled every POLL_S.
        """
        requests, images = batch.requests, batch.images
        if batch.min_new_tokens is not None:
            raise ValueError("an engine is not told min_new_tokens (vLLM's ignore_eos, in extra_body, is)")
        if len(requests) != len(images):
            raise ValueError(f"{len(requests)} requests but {len(images)} images")
        if not requests:
            return []
        waiting = list(zip(requests, images, strict=True))
        results: dict[int, WriterResult] = {}

        def take(free: int) -> list[tuple[ReportRequest, RowImages]]:
            taken, waiting[:] = waiting[:free], waiting[free:]
            return taken

        self.pool(take, batch.on_delta, batch.should_stop, batch.on_restart, on_result=results.__setitem__)
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
        rows: list[Row] = []
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

    def _row(self, index: int, request: ReportRequest, images: RowImages) -> Row:
        photos = row_images(images)
        seen = bool(photos) and bool(self.image_input)
        if seen and len(photos) != request.image_count:
            raise ValueError(f"a request for {request.image_count} image(s) came with {len(photos)}")
        payload = report_body(self.model, request, photos if seen else [], self.max_tokens, self.extra_body)
        guard = RepetitionGuard() if self.repetition_guard else None
        deadline = time.monotonic() + self.timeout_s  # counted from when the row gets its slot
        return Row(index, payload, seen, sanitize_history(request.history), guard, deadline)

    async def _pool(
        self,
        take: Callable[[int], list[tuple[ReportRequest, RowImages]]],
        rows: list[Row],
        on_delta: Callable[[int, str], None],
        should_stop: Callable[[int], bool],
        on_restart: Callable[[int], None] | None,
        on_result: Callable[[int, WriterResult], None],
    ) -> None:
        limits = httpx.Limits(max_connections=self.concurrency, max_keepalive_connections=self.concurrency)
        async with httpx.AsyncClient(
            headers=self._headers(), timeout=_timeout(self.timeout_s), limits=limits
        ) as client:
            running: dict[asyncio.Task[WriterResult], Row] = {}
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
                            attempts = functools.partial(self._attempts, client, row, on_delta, on_restart)
                            task = asyncio.create_task(_until_cancelled(row, attempts))
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

    async def _attempts(
        self,
        client: httpx.AsyncClient,
        row: Row,
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
                return await stream_row(client, self.url, row, on_delta)
            except Fatal as exc:
                log.error(
                    "engine row %d failed (not retried): %s", row.index, scrub_history(str(exc), row.history)
                )
                return row_result(row, "error")
            except Retryable as exc:
                last_problem = scrub_history(str(exc), row.history)
                log.warning(
                    "engine row %d attempt %d/%d failed: %s",
                    row.index,
                    attempt + 1,
                    self.retries + 1,
                    last_problem,
                )
        log.error("engine row %d failed after %d attempts: %s", row.index, self.retries + 1, last_problem)
        return row_result(row, "error")


async def _until_cancelled(row: Row, attempts: Callable[[], Awaitable[WriterResult]]) -> WriterResult:
    """The row's result, also when the watcher cancels it midway."""
    try:
        return await attempts()
    except asyncio.CancelledError:
        # Only the watcher cancels a row; leaving `async with client.stream` closed the response.
        return row_result(row, row.stop_reason or "cancelled")


def probe(url: str, model: str, api_key: str | None = None) -> tuple[bool, str]:
    """For `skinbot check`: (True, what the engine serves) or (False, the one-line reason it cannot)."""
    writer = EngineWriter(url, model, api_key=api_key)
    try:
        writer.setup()
    except EngineError as exc:
        return False, str(exc)
    images = "yes" if writer.image_input else "no"
    return True, f"engine at {writer.url} serves {model}; image input: {images} ({writer.image_note})"


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
