"""The bot's Prometheus metrics, on a registry of its own: several bots in one process never share one.

The composition root builds one `Metrics` and hands it down. It is the inference side's observer
(`inference.observer.InferenceObserver`), the Telegram request's observer (`bot.telegram_calls`), and the
routing layer times every handler with it. Gauges that describe state (queue depth, intakes in progress)
are set when /metrics is scraped, from the queue and the store, so they cannot drift.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    generate_latest,
)

if TYPE_CHECKING:
    from inference.model_queue import QueueHealth

OUTCOMES = ("done", "rejected", "failed", "cancelled")
RETRY_REASONS = ("flood", "network")
SECONDS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)
FAST_SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
RATES = (0.5, 1, 2, 5, 10, 20, 30, 50, 100, 200, 500)
CONTENT_TYPE = CONTENT_TYPE_LATEST


class Metrics:
    def __init__(self) -> None:
        r = self.registry = CollectorRegistry()
        ProcessCollector(registry=r)  # memory, CPU and open files of the process
        gauge, counter = partial(Gauge, registry=r), partial(Counter, registry=r)
        histogram = partial(Histogram, registry=r)
        self.queue_depth = gauge("skinbot_queue_depth", "Jobs waiting for the models")
        self.jobs_running = gauge("skinbot_jobs_running", "Jobs the model worker has in hand")
        self.models_ready = gauge("skinbot_models_ready", "1 once the models are loaded")
        self.jobs = counter("skinbot_jobs", "Jobs finished, by outcome", ["outcome"])
        self.classifier_seconds = histogram(
            "skinbot_classifier_seconds", "Classifier time per batch of photos", buckets=FAST_SECONDS
        )
        self.classified_images = counter("skinbot_classified_images", "Photos the classifier scored")
        self.first_text_seconds = histogram(
            "skinbot_report_first_text_seconds",
            "From the worker taking a job to the report's first text",
            buckets=SECONDS,
        )
        self.report_tokens_per_second = histogram(
            "skinbot_report_tokens_per_second",
            "Decoding speed of one report, first text to last",
            buckets=RATES,
        )
        self.report_tokens = counter("skinbot_report_tokens", "Report tokens generated")
        self.telegram_flood_waits = counter(
            "skinbot_telegram_flood_waits", "Bot API answers 429 (flood control)"
        )
        self.telegram_retries = counter(
            "skinbot_telegram_retries", "Bot API calls sent again, by why", ["reason"]
        )
        self.update_seconds = histogram(
            "skinbot_update_seconds",
            "Handling one update, waiting for the user's earlier updates included",
            ["handler"],
            buckets=FAST_SECONDS,
        )
        self.active_intakes = gauge("skinbot_active_intakes", "Intakes in progress")
        # Zero rather than absent, so rate() and alerts work from the first scrape.
        for outcome in OUTCOMES:
            self.jobs.labels(outcome)
        for reason in RETRY_REASONS:
            self.telegram_retries.labels(reason)

    # --- inference.observer.InferenceObserver (called from the model worker thread too) -----------

    def classified(self, seconds: float, images: int) -> None:
        self.classifier_seconds.observe(seconds)
        self.classified_images.inc(images)

    def first_text(self, seconds: float) -> None:
        self.first_text_seconds.observe(seconds)

    def report_written(self, tokens: int, seconds: float) -> None:
        self.report_tokens.inc(tokens)
        if tokens > 1 and seconds > 0:
            # The first token opens the interval; the rest arrive within it.
            self.report_tokens_per_second.observe((tokens - 1) / seconds)

    def job_finished(self, outcome: str) -> None:
        self.jobs.labels(outcome if outcome in OUTCOMES else "failed").inc()

    # --- bot.telegram_calls ----------------------------------------------------------------------

    def flood_wait(self) -> None:
        self.telegram_flood_waits.inc()

    def retry(self, reason: str) -> None:
        self.telegram_retries.labels(reason).inc()

    # --- bot.routing ----------------------------------------------------------------------------

    def update_handled(self, handler: str, seconds: float) -> None:
        self.update_seconds.labels(handler).observe(seconds)

    # --- at scrape time -------------------------------------------------------------------------

    def set_state(self, queue: QueueHealth | None, intakes: int | None) -> None:
        if queue is not None:
            self.queue_depth.set(queue.waiting)
            self.jobs_running.set(queue.running)
            self.models_ready.set(1 if queue.models == "ready" else 0)
        if intakes is not None:
            self.active_intakes.set(intakes)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
