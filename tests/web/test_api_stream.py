"""The SSE stream, a client that goes away in the middle of it, a stop in the middle of it, and the one
queue the API shares with the Telegram bot."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from pathlib import Path

from httpx_sse import aconnect_sse

from inference.events import Cancelled
from testkit.skin_photos import skin_photo
from tests.bot.helpers import agree, answer_until_summary, confirm
from tests.bot.test_report_delivery import wait_pdf
from tests.conftest import Harness
from tests.fakes import ScriptedWriter
from tests.polling import until
from tests.web.helpers import client, form, new_key, use_tiny_models, with_web

WORDS = " ".join(f"word{i}" for i in range(400))


def slow_words() -> ScriptedWriter:
    """WORDS at 50 tokens a second: a report long enough to leave or stop in the middle of."""
    return ScriptedWriter(script=lambda r: WORDS, token_delay=0.02)


async def started(h: Harness, weights: Path, writer: ScriptedWriter, **settings: object) -> tuple[int, str]:
    """The bot and its API running with `writer`; a new API key's id and secret."""
    use_tiny_models(h, weights, lambda services: writer, **settings)
    with_web(h)
    await h.start()
    return await new_key(h)


def files_of(h: Harness, owner: int) -> list[Path]:
    root = h.settings.data_dir
    return [p for kind in ("images", "reports") for p in (root / kind / str(owner)).rglob("*") if p.is_file()]


async def test_stream_sends_typed_events_in_order(harness: Harness, trained_classifier_weights: Path) -> None:
    text = "## Summary\nA calm patch of skin.\n\n## Care\nMoisturise daily."
    public = "https://skin.example.org"
    _, secret = await started(
        harness, trained_classifier_weights, ScriptedWriter(script=lambda r: text), web_url=public
    )
    data, files = form(skin_photo(seed=5), language="vi")
    kinds, deltas, done = [], "", None
    async with client(harness, secret) as http:
        forged = {"Host": "evil.example"}  # links are built on SKINBOT_WEB_URL only, never on the Host
        stream = aconnect_sse(http, "POST", "/api/v1/diagnose-stream", data=data, files=files, headers=forged)
        async with stream as source:
            assert source.response.headers["content-type"].startswith("text/event-stream")
            async for event in source.aiter_sse():
                kinds.append(event.event)
                if event.event == "classified":
                    classified = event.json()
                elif event.event == "delta":
                    deltas += event.json()["text"]
                elif event.event == "done":
                    done = event.json()
        assert done is not None
        assert done["pdf_url"] == f"{public}/api/v1/reports/{done['case_id']}.pdf"
        pdf = await http.get(done["pdf_url"].removeprefix(public))
    # queued (one or more), then classified, then the deltas, then done, and nothing after it.
    first_other = next(i for i, kind in enumerate(kinds) if kind != "queued")
    assert first_other >= 1 and kinds[first_other] == "classified"
    assert set(kinds[first_other + 1 : -1]) == {"delta"} and kinds[-1] == "done"
    assert classified["triage"]["title"] == harness.t("vi", f"triage-{classified['triage']['level']}-title")
    assert deltas == text == done["report"]
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


async def test_a_client_that_leaves_mid_stream_cancels_its_job_and_leaves_nothing(
    harness: Harness, trained_classifier_weights: Path
) -> None:
    writer = slow_words()
    key_id, secret = await started(harness, trained_classifier_weights, writer)
    jobs = harness.web_server.app.jobs  # type: ignore[union-attr]
    queue = harness.services.queue
    assert queue is not None
    data, files = form(skin_photo(seed=6))
    async with client(harness, secret) as http:
        async with aconnect_sse(http, "POST", "/api/v1/diagnose-stream", data=data, files=files) as source:
            async for event in source.aiter_sse():
                if event.event == "delta":
                    break  # the client goes away with the report half written
        (run,) = jobs.runs
        job = run.job
        assert files_of(harness, -key_id)  # the photo was there while it ran
        await until(lambda: job.finished and not jobs.runs, what="the job to end")
        assert isinstance(job.result, Cancelled)
        assert queue.active_for(-key_id) is None
        await until(lambda: not queue._running, what="the batch to end")
        assert await harness.services.store.api_cases.of_key(key_id) == []
        assert files_of(harness, -key_id) == []
        # The key is free again at once: the next request runs.
        data, files = form(skin_photo(seed=7))
        again = await http.post("/api/v1/classify", data=data, files=files)
    assert again.status_code == 200, again.text


async def test_a_stop_mid_stream_ends_it_with_an_error_and_the_restart_forgets_it(
    harness: Harness, trained_classifier_weights: Path
) -> None:
    key_id, secret = await started(harness, trained_classifier_weights, slow_words())
    data, files = form(skin_photo(seed=8), language="ko")
    events: list[tuple[str, dict]] = []
    stopping: asyncio.Task[None] | None = None
    async with (
        client(harness, secret) as http,
        aconnect_sse(http, "POST", "/api/v1/diagnose-stream", data=data, files=files) as source,
    ):
        async for event in source.aiter_sse():
            events.append((event.event, event.json()))
            if event.event == "delta" and stopping is None:
                stopping = asyncio.create_task(harness.stop())
    assert stopping is not None
    await stopping
    kind, body = events[-1]
    assert kind == "error" and body["code"] == "stopping"
    assert body["message"] == harness.t("ko", "api-error-stopping")
    # A request cut off by a crash instead (its row left "running") is forgotten at the next start.
    store_path = harness.settings.db_path
    assert store_path.exists()
    await harness.start()
    store = harness.services.store
    image = harness.services.files.save_image(-key_id, skin_photo(seed=9))
    left = await store.api_cases.create(
        key_id, "diagnose", patient_name="", age=30, gender="male", history=None, language="en", image=image
    )  # type: ignore[arg-type]
    await store.api_cases.mark_running(left.id)
    await harness.restart()
    assert await harness.services.store.api_cases.of_key(key_id) == []
    assert files_of(harness, -key_id) == []


async def test_the_api_waits_in_the_same_queue_as_the_bot_one_request_per_key(
    harness: Harness, trained_classifier_weights: Path
) -> None:
    writer = ScriptedWriter(script=lambda r: " ".join(["word"] * 120), token_delay=0.02)
    _, secret = await started(harness, trained_classifier_weights, writer, batch=1)
    patient = harness.api.user(601, "en")
    await agree(harness, patient, "en")
    summary = await answer_until_summary(harness, patient, "en", skin_photo(seed=10), report_language="en")
    await confirm(harness, patient, "en", summary)
    await asyncio.to_thread(writer.started.wait, 30)  # the patient's report is being written

    data, files = form(skin_photo(seed=11))
    async with (
        client(harness, secret) as http,
        aconnect_sse(http, "POST", "/api/v1/diagnose-stream", data=data, files=files) as source,
    ):
        events = source.aiter_sse()
        first = await anext(events)
        assert first.event == "queued" and first.json()["position"] == 1  # behind the patient
        busy = await http.post("/api/v1/classify", data=data, files=files)
        assert busy.status_code == 429 and busy.json()["error"]["code"] == "busy"
        kinds = [first.event] + [event.event async for event in events]
    assert kinds[-1] == "done"
    await wait_pdf(harness, patient)  # and the patient still got their PDF
    assert writer.batches == [1, 1]


def test_settings_default_off() -> None:
    from skinbot.settings import Settings

    settings = Settings.from_env({}, env_file=None, telegram=False)
    assert settings.web_port is None
    assert dataclasses.replace(settings, web_port=0).public_url(4321) == "http://127.0.0.1:4321"


async def test_a_client_that_leaves_a_plain_diagnose_cancels_it_too(
    harness: Harness, trained_classifier_weights: Path
) -> None:
    key_id, secret = await started(harness, trained_classifier_weights, slow_words())
    jobs = harness.web_server.app.jobs  # type: ignore[union-attr]
    data, files = form(skin_photo(seed=15))
    async with client(harness, secret) as http:
        waiting = asyncio.create_task(http.post("/api/v1/diagnose", data=data, files=files))
        await until(lambda: bool(jobs.runs) and next(iter(jobs.runs)).job.classification is not None)
        (run,) = jobs.runs
        waiting.cancel()  # the client hangs up while the report is being written
        with contextlib.suppress(asyncio.CancelledError):
            await waiting
    await until(lambda: run.job.finished and not jobs.runs, what="the job to end")
    assert isinstance(run.job.result, Cancelled)
    assert await harness.services.store.api_cases.of_key(key_id) == []
    assert files_of(harness, -key_id) == []
