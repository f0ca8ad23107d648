"""The report-writer port as the stand-in writers of the tests and benchmarks serve it.

inference.worker.ReportWriter asks for `setup()` and a five-argument `generate`; a stand-in has no model
to load and wants the batch as one value, so this base class answers both and hands each batch to `write`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from inference.events import WriterResult


@dataclass(frozen=True)
class Batch:
    """One `generate` call: the rows to write and the worker's callbacks."""

    requests: list[Any]
    images: list[Any]
    on_delta: Callable[[int, str], None]
    should_stop: Callable[[int], bool]
    on_restart: Callable[[int], None] | None


class StandInWriter:
    """A report writer without a model: `setup` has nothing to load and `write` does the batch."""

    def setup(self) -> None:
        return None

    def generate(
        self,
        requests: list[Any],
        images: list[Any],
        on_delta: Callable[[int, str], None],
        should_stop: Callable[[int], bool] = lambda row: False,
        on_restart: Callable[[int], None] | None = None,
    ) -> list[WriterResult]:
        return self.write(Batch(requests, images, on_delta, should_stop, on_restart))

    def write(self, batch: Batch) -> list[WriterResult]:
        raise NotImplementedError(f"{type(self).__name__} writes no batch")
