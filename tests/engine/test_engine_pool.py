"""Engine rows as a pool: a finished row's slot goes to the next job at once, and each job is finished
the moment its own row ends, not when the slowest row of its batch does."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from inference.engine_writer import EngineWriter
from inference.events import Classified, Done, Event, Failed, JobSpec, WriterResult
from inference.labels import Classification
from inference.quality import QualityThresholds
from inference.report_request import ReportRequest
from inference.worker import ModelWorker, WorkItem
from testkit.skin_photos import skin_photo
from tests.engine.servers import CountingProxy, FakeEngine, sse
from tests.fakes import FixedClassifier

SLOW_AGE = 77  # the engine takes its time over this patient's report
SCORES = Classification((0.6, 0.05, 0.15, 0.1, 0.05, 0.05))


def age_of(body: dict) -> int:
    text = next(p["text"] for m in body["messages"] if m["role"] == "user" for p in m["content"])
    return int(text.split("Age: ", 1)[1].split("\n", 1)[0])


def script(n: int, body: dict) -> tuple[int, list[str]]:
    age = age_of(body)
    lines = sse([f"Report for {age}. ", "Done.\n"])
    if age == SLOW_AGE:
        lines.insert(2, "SLEEP 1.5")
    return 200, lines


@pytest.fixture
async def engine() -> AsyncIterator[CountingProxy]:
    fake = FakeEngine(script=script)
    await fake.start()
    try:
        async with CountingProxy(fake.url) as proxy:
            yield proxy
    finally:
        await fake.stop()


def writer_for(engine: CountingProxy, concurrency: int) -> EngineWriter:
    writer = EngineWriter(engine.url, "fake/model", images=False, concurrency=concurrency, retries=0)
    writer.setup()
    return writer


def request(age: int) -> ReportRequest:
    return ReportRequest(age, "female", None, "en", SCORES)


class Results:
    def __init__(self) -> None:
        self.order: list[tuple[int, str, float]] = []  # (row, text, when)

    def __call__(self, row: int, result: WriterResult) -> None:
        self.order.append((row, result.text, time.monotonic()))


async def test_a_slow_row_does_not_hold_the_other_slot(engine: CountingProxy) -> None:
    writer = await asyncio.to_thread(writer_for, engine, 2)
    waiting = [(request(age), None) for age in (SLOW_AGE, 30, 31, 32, 33)]
    results = Results()

    def take(free: int):
        taken, waiting[:] = waiting[:free], waiting[free:]
        return taken

    await asyncio.to_thread(writer.pool, take, lambda r, t: None, on_result=results)
    assert [row for row, _, _ in results.order] == [1, 2, 3, 4, 0]
    assert results.order[-1][1] == f"Report for {SLOW_AGE}. Done.\n"
    assert engine.max_in_flight == 2 and engine.chat_requests == 5
    # The fast rows were over well before the slow one: each was reported the moment it ended.
    assert results.order[3][2] < results.order[4][2] - 0.5


async def test_work_that_arrives_while_rows_stream_starts_at_once(engine: CountingProxy) -> None:
    writer = await asyncio.to_thread(writer_for, engine, 2)
    results = Results()
    arrived = threading.Event()
    later = [(request(40), None)]
    first = [(request(SLOW_AGE), None)]

    def take(free: int):
        if first:
            return [first.pop()]
        if arrived.is_set() and later:
            return [later.pop()]
        return []

    run = asyncio.create_task(asyncio.to_thread(writer.pool, take, lambda r, t: None, on_result=results))
    await asyncio.sleep(0.4)  # the slow row is streaming; the pool keeps asking for more
    arrived.set()
    await run
    assert [(row, text) for row, text, _ in results.order] == [
        (1, "Report for 40. Done.\n"),
        (0, f"Report for {SLOW_AGE}. Done.\n"),
    ]


def test_take_may_not_hand_out_more_than_the_free_slots() -> None:
    writer = EngineWriter("http://127.0.0.1:9/v1", "m", images=False, concurrency=1)
    with pytest.raises(ValueError, match="take"):
        writer.pool(lambda free: [(request(30), None)] * 2, lambda r, t: None)


# --- the worker ---------------------------------------------------------------------------------


class Log:
    """Every job's events with the time they were emitted (emit is called on the worker's threads)."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Event, float]] = []
        self._lock = threading.Lock()

    def emit_for(self, name: str):
        def emit(event: Event) -> None:
            with self._lock:
                self.events.append((name, event, time.monotonic()))

        return emit

    def end(self, name: str) -> tuple[Event, float]:
        [(event, at)] = [(e, at) for n, e, at in self.events if n == name and isinstance(e, Done | Failed)]
        return event, at


def item(tmp_path: Path, log: Log, name: str, age: int, photo: bool = True) -> WorkItem:
    image = tmp_path / f"{name}.jpg"
    if photo:
        image.write_bytes(skin_photo(seed=age))
    spec = JobSpec(name.ljust(32, "0"), age, image, age, "female", None, "en")
    return WorkItem(spec, log.emit_for(name), time.monotonic() + 60)


def worker_for(writer: EngineWriter) -> ModelWorker:
    worker = ModelWorker(FixedClassifier(SCORES), writer, QualityThresholds(), explain=False)
    worker.start().result(timeout=30)
    return worker


async def test_each_job_is_finished_when_its_own_row_ends(engine: CountingProxy, tmp_path: Path) -> None:
    worker = await asyncio.to_thread(worker_for, EngineWriter(engine.url, "fake/model", images=False))
    log = Log()
    batch = [item(tmp_path, log, "slow", SLOW_AGE), item(tmp_path, log, "fast", 30)]
    try:
        await asyncio.wrap_future(worker.run(batch))
    finally:
        await asyncio.to_thread(worker.stop)
    (slow, slow_at), (fast, fast_at) = log.end("slow"), log.end("fast")
    assert isinstance(slow, Done) and isinstance(fast, Done)
    assert fast.text == "Report for 30. Done.\n"
    assert fast_at < slow_at - 0.5  # the fast job did not wait for the slow one


async def test_freed_slots_go_to_jobs_pulled_from_the_queue(engine: CountingProxy, tmp_path: Path) -> None:
    writer = EngineWriter(engine.url, "fake/model", images=False, concurrency=2)
    worker = await asyncio.to_thread(worker_for, writer)
    log = Log()
    queued = [
        item(tmp_path, log, "q1", 31),
        item(tmp_path, log, "gone", 32, photo=False),  # its photo was deleted meanwhile
        item(tmp_path, log, "q2", 33),
        item(tmp_path, log, "q3", 34),
    ]
    asked: list[int] = []

    def more(n: int) -> list[WorkItem]:
        asked.append(n)
        return [queued.pop(0)] if queued else []

    try:
        await asyncio.wrap_future(worker.run([item(tmp_path, log, "slow", SLOW_AGE)], more=more))
    finally:
        await asyncio.to_thread(worker.stop)
    # While the slow row streamed it held one of the two slots; once it was over, both were free.
    assert set(asked[:-1]) == {1} and asked[-1] == 2
    slow_at = log.end("slow")[1]
    for name, age in (("q1", 31), ("q2", 33), ("q3", 34)):
        done, at = log.end(name)
        assert isinstance(done, Done) and done.text == f"Report for {age}. Done.\n"
        assert at < slow_at  # all of them ran in the slot the slow row left free
        assert next(type(e) for n, e, _ in log.events if n == name) is Classified
    gone, _ = log.end("gone")
    assert isinstance(gone, Failed) and gone.reason == "image_missing"
    assert engine.max_in_flight == 2 and engine.chat_requests == 4


async def test_the_queue_tells_each_job_when_its_row_ends_and_refills_the_slot(
    engine: CountingProxy, tmp_path: Path
) -> None:
    """Through the real ModelQueue and store: with two slots, a slow report and three quick ones submitted
    together, the quick ones are stored and told while the slow one still streams."""
    from conversations.intake_state import Draft
    from conversations.store import Store
    from inference.model_queue import ModelQueue

    store = await Store.open(tmp_path / "db.sqlite3")
    writer = EngineWriter(engine.url, "fake/model", images=False, concurrency=2)
    worker = ModelWorker(FixedClassifier(SCORES), writer, QualityThresholds(), explain=False)
    queue = ModelQueue(worker, store.jobs, batch_size=2)
    await queue.start()
    await queue.wait_ready()
    ended: dict[str, float] = {}

    async def follow(job, name: str) -> None:  # type: ignore[no-untyped-def]
        async for event in job.events():
            if isinstance(event, Done):
                ended[name] = time.monotonic()
                assert (await store.cases.by_id(job.id)).status == "reported"  # stored before told

    try:
        followers = []
        for name, age in (("slow", SLOW_AGE), ("a", 41), ("b", 42), ("c", 43)):
            image = tmp_path / f"{name}.jpg"
            image.write_bytes(skin_photo(seed=age))
            user = 9000 + age
            await store.users.add_consent(user, "en")
            draft = Draft(
                photos=(image.name,),
                name="X",
                age=age,
                gender="female",
                history_answered=True,
                report_language="en",
            )
            case = await store.cases.create(user, user, draft, "en")
            job = await queue.submit(JobSpec(case.id, user, image, age, "female", None, "en"))
            followers.append(asyncio.create_task(follow(job, name)))
        await asyncio.wait_for(asyncio.gather(*followers), 60)
    finally:
        await queue.stop()
        await store.close()
    assert max(ended["a"], ended["b"], ended["c"]) < ended["slow"] - 0.3
    assert engine.max_in_flight == 2
