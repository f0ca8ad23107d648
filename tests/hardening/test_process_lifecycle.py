"""The real `skinbot run` process through its life: it answers while the models load, a model that fails to
load stops it with one line, SIGTERM in the middle of a long report exits at once and the report is written
again later, and a kill between the saved report and its PDF still ends with exactly one PDF."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

from casework.translator import Translator
from testkit.bot_process import start_bot
from testkit.fake_bot_api import FakeBotApi
from tests.conftest import TOKEN
from tests.engine.servers import FakeEngine, sse
from tests.hardening.process import bot_env, case_statuses, pdfs, polling, restarted, whole_intake
from tests.polling import until

PROBE_S = 45.0  # how long the engine takes to answer its start-up probe: "the models are loading"


def engine_settings(engine: FakeEngine, classifier: Path) -> dict[str, str]:
    return {
        "SKINBOT_CLASSIFIER": str(classifier),
        "SKINBOT_LLM": engine.url,
        "SKINBOT_LLM_MODEL": "fake/model",
        "SKINBOT_LLM_CONCURRENCY": "1",
        "SKINBOT_EDIT_INTERVAL": "0.2",
    }


def is_probe(body: dict) -> bool:
    return body.get("max_tokens", 0) <= 1


async def test_answers_while_the_models_load(
    tmp_path: Path, trained_classifier_weights: Path, photo_bytes: bytes
) -> None:
    def script(number: int, body: dict) -> tuple[int, list[str]]:
        if is_probe(body):
            return 200, [f"SLEEP {PROBE_S}", *sse(["ok"])]
        return 200, sse(["A ", "short ", "report."])

    engine = FakeEngine(script=script)
    await engine.start()
    api = FakeBotApi(TOKEN)
    await api.start()
    t = Translator()
    env = bot_env(api, tmp_path / "var", **engine_settings(engine, trained_classifier_weights))
    started = time.monotonic()
    proc = start_bot(env, tmp_path / "bot.log")
    try:
        await polling(api, 0)
        user = api.user(1201, "en")
        await whole_intake(api, user, "en", photo_bytes, t)
        starting = t("en", "queue-starting", position=1)
        await api.wait_for(lambda: any(m.text == starting for m in user.inbox()), 30)
        # The whole conversation happened while the report model was still being set up.
        assert time.monotonic() - started < PROBE_S
        await api.wait_for(lambda: pdfs(user) == 1, 120)
        # The PDF reaches the chat a moment before the case is marked done.
        await until(lambda: case_statuses(tmp_path / "var") == ["done"], 15, "the case to be done")
    finally:
        proc.terminate()
        proc.wait(15)
        await api.stop()
        await engine.stop()


async def test_a_model_that_fails_to_load_stops_the_bot_with_one_line(tmp_path: Path) -> None:
    api = FakeBotApi(TOKEN)
    await api.start()
    env = bot_env(
        api, tmp_path / "var", SKINBOT_CLASSIFIER=str(tmp_path / "missing.pt"), SKINBOT_LLM=str(tmp_path)
    )
    log = tmp_path / "bot.log"
    proc = start_bot(env, log)
    try:
        code = await asyncio.to_thread(proc.wait, 120)
    finally:
        if proc.poll() is None:
            proc.kill()
        await api.stop()
    output = log.read_text(errors="replace")
    assert code == 2
    assert output.strip().splitlines()[-1].startswith("skinbot: models could not be loaded: ")
    assert "Traceback" not in output


async def test_sigterm_during_a_long_report_exits_at_once_and_it_is_written_again(
    tmp_path: Path, trained_classifier_weights: Path, photo_bytes: bytes
) -> None:
    reports = []

    def script(number: int, body: dict) -> tuple[int, list[str]]:
        if is_probe(body):
            return 200, sse(["ok"])
        reports.append(number)
        if len(reports) == 1:  # would take 60 s
            return 200, [line for _ in range(300) for line in (*sse(["word "], done=False)[1:2], "SLEEP 0.2")]
        return 200, sse(["The ", "second ", "try."])

    engine = FakeEngine(script=script)
    await engine.start()
    api = FakeBotApi(TOKEN)
    await api.start()
    t = Translator()
    data = tmp_path / "var"
    env = bot_env(api, data, **engine_settings(engine, trained_classifier_weights))
    log = tmp_path / "bot.log"
    proc = start_bot(env, log)
    try:
        await polling(api, 0)
        user = api.user(1202, "en")
        await whole_intake(api, user, "en", photo_bytes, t)
        await api.wait_for(
            lambda: any("word word" in d.text for d in api.drafts_in(user.id)), 60
        )  # streaming

        stopping = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.to_thread(proc.wait, 30)
        assert time.monotonic() - stopping < 10
        assert code == 0
        assert case_statuses(data) == ["running"]  # kept, to be written again

        proc, mark = await restarted(api, env, log)
        regenerating = t("en", "regenerating")
        await api.wait_for(lambda: any(c.params.get("text") == regenerating for c in api.calls[mark:]), 60)
        await api.wait_for(lambda: pdfs(user) == 1, 90)
        await until(lambda: case_statuses(data) == ["done"], 15, "the case to be done")
        assert len(reports) == 2
    finally:
        if proc.poll() is None:
            proc.kill()
        await api.stop()
        await engine.stop()


async def test_sigkill_after_the_report_is_saved_still_delivers_one_pdf(
    tmp_path: Path, trained_classifier_weights: Path, photo_bytes: bytes
) -> None:
    def script(number: int, body: dict) -> tuple[int, list[str]]:
        return 200, sse(["ok"] if is_probe(body) else ["A ", "finished ", "report."])

    engine = FakeEngine(script=script)
    await engine.start()
    api = FakeBotApi(TOKEN)
    await api.start()
    # The first PDF upload hangs: the process is killed while its report is saved and its PDF unsent.
    api.inject("sendDocument", 504, "Gateway Timeout", delay=120)
    t = Translator()
    data = tmp_path / "var"
    env = bot_env(api, data, **engine_settings(engine, trained_classifier_weights))
    log = tmp_path / "bot.log"
    proc = start_bot(env, log)
    try:
        await polling(api, 0)
        user = api.user(1203, "vi")
        await whole_intake(api, user, "vi", photo_bytes, t)
        await until(lambda: case_statuses(data) == ["reported"], 90, "the report to be saved")
        await asyncio.sleep(1.0)  # the PDF upload is under way, hanging
        proc.send_signal(signal.SIGKILL)
        await asyncio.to_thread(proc.wait, 10)
        assert pdfs(user) == 0

        proc, _ = await restarted(api, env, log)
        await api.wait_for(lambda: pdfs(user) == 1, 90)
        await until(lambda: case_statuses(data) == ["done"], 15, "the case to be done")
        await asyncio.sleep(2.0)  # nothing else is on its way
        assert pdfs(user) == 1
    finally:
        if proc.poll() is None:
            proc.kill()
        await api.stop()
        await engine.stop()
