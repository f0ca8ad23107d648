"""The call every report writer answers, written once: `generate(requests, images, on_delta, ...)`.

The writers (in-process transformers, llama.cpp, an OpenAI-compatible engine, and the scripted stand-ins
of testkit.token_writer) differ only in how they write a batch: `BatchWriter.generate` takes the call the
ModelWorker makes and hands it, as one `WriterBatch`, to the writer's own `write_batch`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from inference.events import WriterResult
from inference.report_request import ReportRequest
from inference.row_images import RowImages


@dataclass(frozen=True)
class WriterBatch:
    """One generate call: a report to write per request, each with its row's images, and the callbacks."""

    requests: list[ReportRequest]
    images: list[RowImages]
    on_delta: Callable[[int, str], None]
    should_stop: Callable[[int], bool]
    on_restart: Callable[[int], None] | None
    min_new_tokens: int | None


class BatchWriter:
    """A report writer: `setup()` once, then `generate` batches; subclasses write them in `write_batch`."""

    def generate(
        self,
        requests: list[ReportRequest],
        images: list[RowImages],
        on_delta: Callable[[int, str], None],
        should_stop: Callable[[int], bool] = lambda row: False,
        on_restart: Callable[[int], None] | None = None,
        min_new_tokens: int | None = None,
    ) -> list[WriterResult]:
        """Write one report per request, streaming text per row through `on_delta(row, text)`: a row's
        deltas concatenate to its WriterResult.text. `should_stop(row)` is polled while the row is written;
        a stopped row ends as "cancelled". A writer that must start a row over (an engine retry) calls
        `on_restart(row)` first, and the row's deltas so far are void. `min_new_tokens` (the benchmark)
        keeps an in-process model from ending its rows sooner."""
        return self.write_batch(
            WriterBatch(requests, images, on_delta, should_stop, on_restart, min_new_tokens)
        )

    def write_batch(self, batch: WriterBatch) -> list[WriterResult]:
        raise NotImplementedError
