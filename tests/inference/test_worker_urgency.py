"""The worker as the bot and `skinbot diagnose` build it settles every finished report on the triage's
urgency, whichever writer wrote it: the in-process writer's batch or an engine's pool of rows."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

import skinbot.inference_setup
from casework.translator import Translator
from inference.engine_writer import EngineWriter
from inference.events import Done, Event, JobSpec, TextDelta
from inference.labels import Classification
from inference.worker import ReportWriter, WorkItem
from skinbot.inference_setup import build_worker
from skinbot.settings import Settings
from testkit.skin_photos import skin_photo
from tests.engine.servers import FakeEngine, sse
from tests.fakes import FixedClassifier, ScriptedWriter

URGENT = Classification((0.1, 0.6, 0.1, 0.1, 0.05, 0.05))  # carcinoma on top
ROUTINE = Classification((0.8, 0.02, 0.1, 0.04, 0.02, 0.02))
HEAD = "## 4. When to see a doctor\n- **Urgency: "
REPORT = HEAD + "Self-care.**\n- it bleeds or grows\n"


@pytest.fixture
async def engine() -> AsyncIterator[FakeEngine]:
    fake = FakeEngine(script=lambda n, body: (200, sse([HEAD, REPORT.removeprefix(HEAD)])))
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


def in_process(engine: FakeEngine) -> ReportWriter:
    return ScriptedWriter(script=lambda request: REPORT)


def engine_rows(engine: FakeEngine) -> ReportWriter:
    return EngineWriter(engine.url, "fake/model", images=False, retries=0)


async def written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, writer: ReportWriter, scores: Classification
) -> list[Event]:
    monkeypatch.setattr(skinbot.inference_setup, "build_classifier", lambda settings: FixedClassifier(scores))
    worker = build_worker(Settings.from_env({}, env_file=None, telegram=False), writer)
    image = tmp_path / "photo.jpg"
    image.write_bytes(skin_photo())
    events: list[Event] = []
    spec = JobSpec("a" * 32, 1, image, 70, "male", None, "en")
    try:
        await asyncio.wrap_future(worker.start())
        await asyncio.wrap_future(worker.run([WorkItem(spec, events.append, time.monotonic() + 60)]))
    finally:
        await asyncio.to_thread(worker.stop)
    return events


@pytest.fixture(params=[in_process, engine_rows], ids=["in_process", "engine_rows"])
def write(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: FakeEngine
) -> Callable[[Classification], Awaitable[list[Event]]]:
    """The worker's events for a report on these scores, by each of the two writers in turn."""
    return lambda scores: written(tmp_path, monkeypatch, request.param(engine), scores)


async def test_a_report_contradicting_an_urgent_triage_ends_urgent(
    write: Callable[[Classification], Awaitable[list[Event]]],
) -> None:
    events = await write(URGENT)
    t = Translator()
    level = t("en", "report-urgency-within-days")
    note = t("en", "report-urgency-set", level=level)
    done = events[-1]
    assert isinstance(done, Done)
    # What streamed is what the model wrote; what the report ends as is corrected, the note right after.
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == REPORT
    assert done.text == f"## 4. When to see a doctor\n- **Urgency: {level}.**\n{note}\n- it bleeds or grows\n"
    assert done.urgency_note == note


async def test_a_routine_triage_leaves_the_report_as_written(
    write: Callable[[Classification], Awaitable[list[Event]]],
) -> None:
    done = (await write(ROUTINE))[-1]
    assert isinstance(done, Done) and done.text == REPORT and done.urgency_note is None
