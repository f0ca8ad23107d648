"""The real `skinbot run` process through its life: it answers while the models load, a model that fails to
load stops it with one line, SIGTERM in the middle of a long report exits at once and the report is written
again later, and a kill between the saved report and its PDF still ends with exactly one PDF."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

from casework.translator import Translator
from tests.engine.servers import sse
from tests.hardening.process import (
    SlowFirstReport,
    bot_on_engine,
    bot_running,
    case_statuses,
    engine_settings,
    fake_api,
    fake_engine,
    is_probe,
    pdfs,
    polling,
    whole_intake,
)
from tests.polling import until

PROBE_S = 45.0  # how long the engine takes to answer its start-up probe: "the models are loading"


async def test_answers_while_the_models_load(
    tmp_path: Path, trained_classifier_weights: Path, photo_bytes: bytes
) -> None:
    def script(number: int, body: dict) -> tuple[int, list[str]]:
        if is_probe(body):
            return 200, [f"SLEEP {PROBE_S}", *sse(["ok"])]
        return 200, sse(["A ", "short ", "report."])

    t = Translator()
    async with fake_engine(script) as engine, fake_api() as api:
        started = time.monotonic()
        async with bot_running(api, tmp_path, **engine_settings(engine, trained_classifier_weights)) as bot:
            await polling(api, 0)
            user = api.user(1201, "en")
            await whole_intake(api, user, "en", photo_bytes, t)
            starting = t("en", "queue-starting", position=1)
            await api.wait_for(lambda: any(m.text == starting for m in user.inbox()), 30)
            # The whole conversation happened while the report model was still being set up.
            assert time.monotonic() - started < PROBE_S
            await api.wait_for(lambda: pdfs(user) == 1, 120)
            # The PDF reaches the chat a moment before the case is marked done.
            await until(lambda: case_statuses(bot.data) == ["done"], 15, "the case to be done")
            bot.proc.terminate()
            bot.proc.wait(15)


async def test_a_model_that_fails_to_load_stops_the_bot_with_one_line(tmp_path: Path) -> None:
    settings = {"SKINBOT_CLASSIFIER": str(tmp_path / "missing.pt"), "SKINBOT_LLM": str(tmp_path)}
    async with fake_api() as api, bot_running(api, tmp_path, **settings) as bot:
        code = await asyncio.to_thread(bot.proc.wait, 120)
    output = bot.output()
    assert code == 2
    assert output.strip().splitlines()[-1].startswith("skinbot: models could not be loaded: ")
    assert "Traceback" not in output


async def test_sigterm_during_a_long_report_exits_at_once_and_it_is_written_again(
    tmp_path: Path, trained_classifier_weights: Path, photo_bytes: bytes
) -> None:
    script = SlowFirstReport(words=300, pause=0.2, then=["The ", "second ", "try."])  # the first: 60 s
    t = Translator()
    async with bot_on_engine(tmp_path, trained_classifier_weights, script) as bot:
        api = bot.api
        await polling(api, 0)
        user = api.user(1202, "en")
        await whole_intake(api, user, "en", photo_bytes, t)
        await api.wait_for(
            lambda: any("word word" in d.text for d in api.drafts_in(user.id)), 60
        )  # streaming

        stopping = time.monotonic()
        bot.proc.send_signal(signal.SIGTERM)
        code = await asyncio.to_thread(bot.proc.wait, 30)
        assert time.monotonic() - stopping < 10
        assert code == 0
        assert case_statuses(bot.data) == ["running"]  # kept, to be written again

        mark = await bot.restart()
        regenerating = t("en", "regenerating")
        await api.wait_for(lambda: any(c.params.get("text") == regenerating for c in api.calls[mark:]), 60)
        await api.wait_for(lambda: pdfs(user) == 1, 90)
        await until(lambda: case_statuses(bot.data) == ["done"], 15, "the case to be done")
        assert len(script.reports) == 2


async def test_sigkill_after_the_report_is_saved_still_delivers_one_pdf(
    tmp_path: Path, trained_classifier_weights: Path, photo_bytes: bytes
) -> None:
    def script(number: int, body: dict) -> tuple[int, list[str]]:
        return 200, sse(["ok"] if is_probe(body) else ["A ", "finished ", "report."])

    t = Translator()
    async with fake_engine(script) as engine, fake_api() as api:
        # The first PDF upload hangs: the process is killed while its report is saved and its PDF unsent.
        api.inject("sendDocument", 504, "Gateway Timeout", delay=120)
        async with bot_running(api, tmp_path, **engine_settings(engine, trained_classifier_weights)) as bot:
            await polling(api, 0)
            user = api.user(1203, "vi")
            await whole_intake(api, user, "vi", photo_bytes, t)
            await until(lambda: case_statuses(bot.data) == ["reported"], 90, "the report to be saved")
            await asyncio.sleep(1.0)  # the PDF upload is under way, hanging
            bot.proc.send_signal(signal.SIGKILL)
            await asyncio.to_thread(bot.proc.wait, 10)
            assert pdfs(user) == 0

            await bot.restart()
            await api.wait_for(lambda: pdfs(user) == 1, 90)
            await until(lambda: case_statuses(bot.data) == ["done"], 15, "the case to be done")
            await asyncio.sleep(2.0)  # nothing else is on its way
            assert pdfs(user) == 1
