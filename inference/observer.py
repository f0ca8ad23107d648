"""What the queue and the worker report about their work, for whoever measures it (`casework.metrics`).

A protocol of plain callbacks keeps inference free of any metrics library. The worker calls these from its
own thread, so an implementation must be thread-safe (prometheus_client's metrics are).
"""

from __future__ import annotations

from typing import Protocol


class InferenceObserver(Protocol):
    def classified(self, seconds: float, images: int) -> None:
        """The classifier scored a batch of `images` photos in `seconds`."""

    def first_text(self, seconds: float) -> None:
        """A report's first text arrived `seconds` after the worker took its batch."""

    def report_written(self, tokens: int, seconds: float) -> None:
        """A report of `tokens` generated tokens streamed for `seconds` from its first text to its last
        (0 when all of it came at once)."""

    def job_finished(self, outcome: str) -> None:
        """A job ended: done, rejected, failed or cancelled."""


class NoObserver:
    """Measures nothing: the default where nobody asked for metrics (tests, `skinbot diagnose`)."""

    def classified(self, seconds: float, images: int) -> None:
        return None

    def first_text(self, seconds: float) -> None:
        return None

    def report_written(self, tokens: int, seconds: float) -> None:
        return None

    def job_finished(self, outcome: str) -> None:
        return None
