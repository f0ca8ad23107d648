"""ModelQueue.health() and the observer callbacks, with the real classifier, store and worker thread."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from conversations.store import Store
from inference.classifier import SkinClassifier
from inference.events import Done, Failed, JobSpec, Rejected
from inference.model_queue import ModelQueue
from inference.quality import QualityThresholds
from inference.worker import ModelWorker, ReportWriter
from testkit.skin_photos import skin_photo
from tests.drafts import answered
from tests.fakes import ScriptedWriter
from tests.ops.helpers import HangingWriter


@dataclass
class Recorder:
    """An InferenceObserver that keeps every call."""

    calls: list[tuple[str, tuple]] = field(default_factory=list)

    def classified(self, seconds: float, images: int) -> None:
        self.calls.append(("classified", (seconds, images)))

    def first_text(self, seconds: float) -> None:
        self.calls.append(("first_text", (seconds,)))

    def report_written(self, tokens: int, seconds: float) -> None:
        self.calls.append(("report_written", (tokens, seconds)))

    def job_finished(self, outcome: str) -> None:
        self.calls.append(("job_finished", (outcome,)))

    def of(self, name: str) -> list[tuple]:
        return [args for call, args in self.calls if call == name]


async def _spec(store: Store, tmp_path: Path, user_id: int, photo: bytes | None = None) -> JobSpec:
    image = tmp_path / f"{user_id}.jpg"
    image.write_bytes(photo if photo is not None else skin_photo(seed=user_id))
    draft = answered(
        "0" * 32,
        photos_done=False,
        body_site_answered=False,
        name="Not In Prompt",
        age=40,
        gender="male",
        report_language="en",
    )
    await store.users.add_consent(user_id, "en")
    case = await store.cases.create(user_id, user_id, draft, "en")
    return JobSpec(case.id, user_id, image, case.age, case.gender, case.history, "en")


def _queue(
    classifier: SkinClassifier, writer: ReportWriter, store: Store, observer: Recorder, **kw
) -> ModelQueue:
    worker = ModelWorker(classifier, writer, QualityThresholds(), explain=False, observer=observer)
    return ModelQueue(worker, store.jobs, **kw)


async def _last(job) -> object:
    return [event async for event in job.events()][-1]


async def test_observer_hears_timings_and_outcomes(classifier, store, tmp_path) -> None:
    report = "Pre-screening only. The patch looks even and regular. " * 4
    recorder = Recorder()
    queue = _queue(classifier, ScriptedWriter(script=lambda r: report, token_delay=0.002), store, recorder)
    await queue.start()
    try:
        assert isinstance(await _last(await queue.submit(await _spec(store, tmp_path, 11))), Done)
        dark = Image.new("RGB", (400, 400), (5, 5, 5))
        path = tmp_path / "dark.jpg"
        dark.save(path)
        assert isinstance(
            await _last(await queue.submit(await _spec(store, tmp_path, 12, path.read_bytes()))), Rejected
        )
    finally:
        await queue.stop()
    (seconds, images), *more = recorder.of("classified")
    assert more == [] and images == 1 and seconds > 0  # the dark photo never reached the classifier
    assert len(recorder.of("first_text")) == 1
    [(tokens, streamed)] = recorder.of("report_written")
    assert tokens == len(report.split()) and streamed > 0
    assert [args[0] for args in recorder.of("job_finished")] == ["done", "rejected"]


async def test_health_follows_loading_ready_and_stop(classifier, store, tmp_path) -> None:
    import threading

    gate = threading.Event()
    queue = _queue(classifier, ScriptedWriter(setup_gate=gate), store, Recorder())
    await queue.start()
    await queue.submit(await _spec(store, tmp_path, 21))
    loading = queue.health()
    assert (loading.models, loading.problem, loading.waiting) == ("loading", None, 1)
    gate.set()
    await queue.wait_ready()
    deadline = time.monotonic() + 30
    while queue.health().waiting or queue.health().running:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)
    ready = queue.health()
    assert (ready.models, ready.worker_alive, ready.busy_s, ready.problem) == ("ready", True, None, None)
    await queue.stop()
    assert queue.health().problem == "the model worker thread is not running"


async def test_a_worker_busy_past_its_deadline_is_stuck(classifier, store, tmp_path) -> None:
    writer = HangingWriter()
    recorder = Recorder()
    queue = _queue(classifier, writer, store, recorder, job_timeout_s=0.3)
    await queue.start()
    job = await queue.submit(await _spec(store, tmp_path, 31))
    try:
        assert await asyncio.to_thread(writer.entered.wait, 60)
        assert queue.health().problem is None  # within its deadline: busy, not stuck
        await asyncio.sleep(0.7)  # past 0.3 s and as much again
        health = queue.health()
        assert health.stuck and health.busy_s is not None and health.busy_s > 0.6
        assert health.problem is not None and "past the job timeout" in health.problem
    finally:
        writer.release.set()
    assert await _last(job) == Failed("timeout")
    assert queue.health().problem is None
    assert recorder.of("job_finished") == [("failed",)]
    await queue.stop()
