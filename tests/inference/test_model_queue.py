"""The worker queue with the real classifier (tiny trained YOLO), the real store, and a scripted writer."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import threading
import time
from pathlib import Path

import pytest
from PIL import Image

from conversations.intake_state import Draft
from conversations.store import Store
from inference.classifier import SkinClassifier
from inference.events import (
    Cancelled,
    Classified,
    Done,
    Event,
    Failed,
    JobSpec,
    Queued,
    Rejected,
    Started,
    TextDelta,
)
from inference.labels import LABELS
from inference.model_queue import Job, ModelQueue, UserBusy
from inference.quality import QualityThresholds
from inference.worker import ModelWorker
from testkit.skin_photos import skin_photo
from tests.fakes import ScriptedWriter


async def _case(store: Store, tmp_path: Path, user_id: int, seed: int = 0, language: str = "en") -> JobSpec:
    image = tmp_path / f"{user_id}-{seed}.jpg"
    image.write_bytes(skin_photo(seed=seed))
    draft = Draft(
        photos=("0" * 32,),
        name="Never In Prompt",
        age=30 + user_id % 50,
        gender="female",
        history="itchy",
        history_answered=True,
        report_language=language,
    )
    if await store.users.get(user_id) is None:
        await store.users.add_consent(user_id, language)
    case = await store.cases.create(user_id, user_id, draft, language)
    return JobSpec(case.id, user_id, image, case.age, case.gender, case.history, language)


def _queue(classifier: SkinClassifier, writer: ScriptedWriter, store: Store, **kw) -> ModelQueue:
    worker = ModelWorker(classifier, writer, QualityThresholds(), explain=False)
    return ModelQueue(worker, store.jobs, **kw)


async def _collect(job: Job) -> list[Event]:
    return [event async for event in job.events()]


def _text(events: list[Event]) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta))


async def test_fifo_positions_and_complete_streams(classifier, store, tmp_path) -> None:
    writer = ScriptedWriter(script=lambda r: f"Report for age {r.age}. " * 3, token_delay=0.01)
    queue = _queue(classifier, writer, store, batch_size=1)
    await queue.start()
    specs = [await _case(store, tmp_path, uid, seed=uid) for uid in (1, 2, 3)]
    jobs = [await queue.submit(s) for s in specs]
    streams = await asyncio.gather(*(_collect(j) for j in jobs))
    await queue.stop()

    for spec, events in zip(specs, streams, strict=True):
        assert isinstance(events[-1], Done)
        assert _text(events) == events[-1].text == f"Report for age {spec.age}. " * 3
        kinds = [type(e) for e in events]
        assert kinds.index(Started) < kinds.index(Classified) < kinds.index(TextDelta)
        case = await store.cases.by_id(spec.id)
        assert case is not None and case.status == "reported" and case.report == events[-1].text
        assert case.classification is not None and set(case.classification["probs"]) >= {"acne", "carcinoma"}
    # The third job saw the line move: 3 -> 2 -> 1 (its first position may already be 2 if job 1 started).
    positions = [e.position for e in streams[2] if isinstance(e, Queued)]
    assert positions[-1] == 1 and positions == sorted(positions, reverse=True) and len(positions) >= 2
    # FIFO: batches ran one at a time, in submission order.
    assert writer.batches == [1, 1, 1]
    starts = [min(i for i, e in enumerate(s) if isinstance(e, Started)) for s in streams]
    assert len(starts) == 3


async def test_batch_of_three_gives_three_separate_streams(classifier, store, tmp_path) -> None:
    gate = threading.Event()
    writer = ScriptedWriter(script=lambda r: f"[{r.language}:{r.age}] " + "word " * 20, setup_gate=gate)
    queue = _queue(classifier, writer, store, batch_size=4)
    specs = [
        await _case(store, tmp_path, uid, seed=uid, language=lang)
        for uid, lang in ((11, "ko"), (12, "en"), (13, "vi"))
    ]
    # Submitted before the worker is ready, so the three wait together and go as one batch.
    await queue.start()
    jobs = [await queue.submit(s) for s in specs]
    gate.set()
    streams = await asyncio.gather(*(_collect(j) for j in jobs))
    await queue.stop()
    assert writer.batches == [3]
    for spec, events in zip(specs, streams, strict=True):
        assert _text(events) == f"[{spec.language}:{spec.age}] " + "word " * 20


async def test_one_active_job_per_user(classifier, store, tmp_path) -> None:
    queue = _queue(classifier, ScriptedWriter(token_delay=0.05), store)
    await queue.start()
    first = await queue.submit(await _case(store, tmp_path, 21))
    with pytest.raises(UserBusy):
        await queue.submit(await _case(store, tmp_path, 21, seed=5))
    await _collect(first)
    # Once the first is finished, the same user may submit again.
    again = await queue.submit(await _case(store, tmp_path, 21, seed=6))
    assert isinstance((await _collect(again))[-1], Done)
    await queue.stop()


async def test_cancel_mid_stream_and_while_waiting(classifier, store, tmp_path) -> None:
    writer = ScriptedWriter(script=lambda r: "token " * 500, token_delay=0.01)
    queue = _queue(classifier, writer, store, batch_size=1)
    await queue.start()
    running = await queue.submit(await _case(store, tmp_path, 31))
    waiting = await queue.submit(await _case(store, tmp_path, 32))
    seen: list[Event] = []
    async for event in running.events():
        seen.append(event)
        if isinstance(event, TextDelta) and sum(isinstance(e, TextDelta) for e in seen) == 5:
            loop = asyncio.get_running_loop()
            asked = loop.time()
            assert await queue.cancel(running)
    assert isinstance(seen[-1], Cancelled)
    assert loop.time() - asked < 1.0  # stops within a second
    assert len(_text(seen)) < len("token " * 500)
    assert await queue.cancel(waiting) or waiting.finished
    assert isinstance((await _collect(waiting))[-1], Cancelled)
    await queue.stop()
    assert (await store.cases.by_id(running.id)).status == "cancelled"
    assert (await store.cases.by_id(waiting.id)).status == "cancelled"


async def test_timeout_fails_the_job(classifier, store, tmp_path) -> None:
    writer = ScriptedWriter(script=lambda r: "slow " * 1000, token_delay=0.02)
    queue = _queue(classifier, writer, store, job_timeout_s=0.5)
    await queue.start()
    job = await queue.submit(await _case(store, tmp_path, 41))
    events = await _collect(job)
    await queue.stop()
    assert events[-1] == Failed("timeout")
    assert (await store.cases.by_id(job.id)).status == "failed"


async def test_worker_failure_is_reported_and_worker_recovers(classifier, store, tmp_path) -> None:
    writer = ScriptedWriter(
        fail_with=RuntimeError("CUDA out of memory. Tried to allocate 2 GiB"), fail_after_tokens=2
    )
    queue = _queue(classifier, writer, store)
    await queue.start()
    job = await queue.submit(await _case(store, tmp_path, 51))
    events = await _collect(job)
    assert events[-1] == Failed("out_of_memory")
    assert _text(events) != ""  # the partial text was delivered before the failure
    writer.fail_with = None
    nxt = await queue.submit(await _case(store, tmp_path, 52))
    assert isinstance((await _collect(nxt))[-1], Done)
    await queue.stop()


async def test_quality_gate_rejects_before_any_model(classifier, store, tmp_path) -> None:
    from PIL import Image

    writer = ScriptedWriter()
    queue = _queue(classifier, writer, store)
    await queue.start()
    spec = await _case(store, tmp_path, 61)
    Image.new("RGB", (640, 480), (3, 3, 3)).save(spec.image_paths[0])  # a black frame
    events = await _collect(await queue.submit(spec))
    await queue.stop()
    assert isinstance(events[-1], Rejected) and "too_dark" in events[-1].issues
    assert writer.batches == []
    assert (await store.cases.by_id(spec.id)).status == "rejected"


async def test_requeue_after_crash_with_reopened_database(classifier, tmp_path) -> None:
    db = tmp_path / "crash.sqlite3"
    store = await Store.open(db)
    spec = await _case(store, tmp_path, 71)
    await store.jobs.mark_running(spec.id)  # the process died here, mid-generation
    await store.close()

    reopened = await Store.open(db)
    requeued, failed = await reopened.jobs.requeue_interrupted()
    assert (requeued, failed) == ([spec.id], [])
    pending = [
        (
            JobSpec(c.id, c.user_id, spec.image_paths[0], c.age, c.gender, c.history, c.report_language),
            c.attempts,
            c.interruptions > 0,
        )
        for c in await reopened.jobs.queued()
    ]
    queue = _queue(classifier, ScriptedWriter(), reopened)
    [job] = await queue.start(pending)
    events = await _collect(job)
    await queue.stop()
    started = next(e for e in events if isinstance(e, Started))
    assert started.attempt == 2  # the bot tells the user the report is being regenerated
    assert isinstance(events[-1], Done)
    case = await reopened.cases.by_id(spec.id)
    assert case.status == "reported" and case.attempts == 2
    assert len(await reopened.cases.recent(71)) == 1  # not duplicated
    await reopened.close()


async def test_stop_cancels_a_report_being_written_and_keeps_it_running(classifier, store, tmp_path) -> None:
    """A 60-s report: stop() must not wait for it, and the store must keep it 'running' so that the next
    start writes it again (it was not the user who cancelled it)."""
    writer = ScriptedWriter(script=lambda r: "word " * 600, token_delay=0.1)
    queue = _queue(classifier, writer, store, batch_size=2)
    await queue.start()
    spec = await _case(store, tmp_path, 81)
    await queue.submit(spec)
    await asyncio.to_thread(writer.started.wait, 30)
    began = time.monotonic()
    await queue.stop()
    assert time.monotonic() - began < 5
    assert (await store.cases.by_id(spec.id)).status == "running"


async def test_an_interrupted_job_runs_alone_and_twice_interrupted_fails(classifier, store, tmp_path) -> None:
    specs = [await _case(store, tmp_path, uid, seed=uid) for uid in (91, 92, 93)]
    for spec in specs[:2]:
        await store.jobs.mark_running(spec.id)  # the process died with these two in its batch
    requeued, failed = await store.jobs.requeue_interrupted()
    assert (requeued, failed) == ([specs[0].id, specs[1].id], [])
    await store.jobs.mark_running(specs[0].id)  # ... and died again, on the first one
    requeued, failed = await store.jobs.requeue_interrupted()
    assert (requeued, failed) == ([], [specs[0].id])
    failed_case = await store.cases.by_id(specs[0].id)
    assert failed_case.status == "failed" and failed_case.error == "interrupted"

    writer = ScriptedWriter()
    queue = _queue(classifier, writer, store, batch_size=4)
    cases = await store.jobs.queued()
    pending = [(spec, c.attempts, c.interruptions > 0) for c in cases for spec in specs if spec.id == c.id]
    jobs = await queue.start(pending)
    for job in jobs:
        await _collect(job)
    await queue.stop()
    # The once-interrupted case ran in a batch of its own; the one never interrupted ran after it.
    assert [c.id for c in cases] == [specs[1].id, specs[2].id]
    assert writer.batches == [1, 1]
    # A user's Retry clears the count: the case may be interrupted once more before it is failed.
    await store.jobs.requeue(specs[0].id)
    assert (await store.cases.by_id(specs[0].id)).interruptions == 0


# --- several photos a case --------------------------------------------------------------------------------


async def _photos_case(store: Store, tmp_path: Path, user_id: int, images: list[Image.Image]) -> JobSpec:
    spec = await _case(store, tmp_path, user_id)
    paths = []
    for n, image in enumerate(images):
        path = tmp_path / f"{user_id}-photo-{n}.jpg"
        image.save(path, "JPEG")
        paths.append(path)
    return dataclasses.replace(spec, image_paths=tuple(paths), body_site="chest")


def _photo(seed: int) -> Image.Image:
    return Image.open(io.BytesIO(skin_photo(seed=seed))).convert("RGB")


async def test_each_photo_is_scored_and_the_case_gets_their_mean(classifier, store, tmp_path) -> None:
    writer = ScriptedWriter()
    queue = _queue(classifier, writer, store)
    await queue.start()
    photos = [_photo(81), _photo(82), _photo(83)]
    spec = await _photos_case(store, tmp_path, 81, photos)
    events = await _collect(await queue.submit(spec))
    await queue.stop()
    assert isinstance(events[-1], Done)
    [classified] = [e for e in events if isinstance(e, Classified)]
    # The photos as the worker read them back from their files.
    each = classifier.predict([Image.open(path).convert("RGB") for path in spec.image_paths])
    result = classified.classification
    assert len(result.photos) == 3
    for got, expected in zip(result.photos, each, strict=True):
        assert got.probs == pytest.approx(expected.probs, abs=1e-4)
    assert result.probs == pytest.approx([sum(r.probs[i] for r in result.photos) / 3 for i in range(6)])
    # The writer got all three photos, their kinds and the body site.
    [(request, images)] = writer.rows
    assert images == 3 and request.photo_kinds == ("close_up", "overview", "extra")
    assert request.body_site == "chest" and request.classification == result
    # The store keeps each photo's scores with the mean.
    case = await store.cases.by_id(spec.id)
    assert case is not None and len(case.classification["photos"]) == 3


async def test_a_case_with_one_bad_photo_is_rejected_naming_it(classifier, store, tmp_path) -> None:
    writer = ScriptedWriter()
    queue = _queue(classifier, writer, store)
    await queue.start()
    spec = await _photos_case(store, tmp_path, 82, [_photo(84), Image.new("RGB", (640, 480), (3, 3, 3))])
    events = await _collect(await queue.submit(spec))
    await queue.stop()
    assert events[-1] == Rejected(("too_dark",), photo=2)
    assert writer.rows == [] and not any(isinstance(e, Classified) for e in events)
    assert (await store.cases.by_id(spec.id)).status == "rejected"


async def test_a_follow_up_sends_the_earlier_scores_and_close_up(classifier, store, tmp_path) -> None:
    from inference.events import EarlierSpec

    writer = ScriptedWriter()
    queue = _queue(classifier, writer, store)
    await queue.start()
    earlier_path = tmp_path / "earlier.jpg"
    _photo(85).save(earlier_path, "JPEG")
    then = {"probs": dict(zip(LABELS, (0.1, 0.1, 0.5, 0.1, 0.1, 0.1), strict=True)), "uncertain": False}
    spec = dataclasses.replace(
        await _photos_case(store, tmp_path, 83, [_photo(86)]),
        earlier=EarlierSpec("2026-01-05", then, earlier_path),
    )
    gone = dataclasses.replace(
        await _photos_case(store, tmp_path, 84, [_photo(87)]),
        earlier=EarlierSpec("2026-01-06", then, tmp_path / "purged.jpg"),
    )
    for job_spec in (spec, gone):
        events = await _collect(await queue.submit(job_spec))
        assert isinstance(events[-1], Done)
    await queue.stop()
    (with_photo, two), (without_photo, one) = writer.rows
    assert with_photo.earlier is not None and with_photo.earlier.day == "2026-01-05"
    assert with_photo.earlier.classification.prob("eczema") == 0.5
    assert with_photo.earlier.photo_attached and two == 2
    assert without_photo.earlier is not None and not without_photo.earlier.photo_attached and one == 1


async def test_stop_while_loading_does_not_wait_for_the_load_even_after_a_waiter_gave_up(
    classifier, store, tmp_path
) -> None:
    """The bot's watcher awaits the load and is cancelled first at shutdown; that must not make the queue
    think the load is over and wait for it (SIGTERM while loading on a busy machine took over 10 s)."""
    release = threading.Event()

    class SlowToLoad(ScriptedWriter):
        def setup(self) -> None:
            release.wait(30)

    queue = _queue(classifier, SlowToLoad(script=lambda r: "never"), store)
    await queue.start()
    try:
        watcher = asyncio.create_task(queue.wait_ready())
        await asyncio.sleep(0.05)
        watcher.cancel()
        with pytest.raises(asyncio.CancelledError):
            await watcher
        assert not queue.ready and queue.health().models == "loading"
        began = time.monotonic()
        await asyncio.wait_for(queue.stop(), 5)
        assert time.monotonic() - began < 2
        assert queue.load_abandoned
    finally:
        release.set()
