"""The real `skinbot run` process: SIGKILL mid-intake loses nothing, SIGTERM exits cleanly within 10 s."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bot.i18n import Translator
from testkit.fake_bot_api import FakeBotApi
from tests.bot.helpers import button
from tests.conftest import TOKEN
from tests.hardening.process import photo_then_name

ROOT = Path(__file__).resolve().parents[2]


def _start(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run"],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


async def _polling(api: FakeBotApi, since: int, timeout: float = 120) -> None:
    """The process is up once it polls the fake server for updates again."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(c.method == "setMyCommands" for c in api.calls[since:]):
            return
        await asyncio.sleep(0.2)
    raise AssertionError("the bot process did not start")


async def test_sigkill_then_sigterm(
    tmp_path: Path, trained_classifier_weights: Path, tiny_gemma_dir: Path, photo_bytes: bytes
) -> None:
    t = Translator()
    api = FakeBotApi(TOKEN)
    await api.start()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SKINBOT_"))},
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": api.api_url,
        "TELEGRAM_FILE_URL": api.file_url,
        "SKINBOT_DATA_DIR": str(tmp_path / "var"),
        "SKINBOT_CLASSIFIER": str(trained_classifier_weights),
        "SKINBOT_LLM": str(tiny_gemma_dir),
        "SKINBOT_DEVICE": "cpu",
        "SKINBOT_MAX_NEW_TOKENS": "16",
        "HF_HUB_OFFLINE": "1",
        "YOLO_OFFLINE": "1",
        "PYTHONPATH": str(ROOT),
    }
    log = tmp_path / "bot.log"
    proc = _start(env, log)
    try:
        await _polling(api, 0)
        user = api.user(1001, "vi")

        async def expect(key: str, **args: object) -> None:
            text = t("vi", key, **args)
            await api.wait_for(lambda: any(m.text == text for m in user.inbox()), 60)

        await user.send("/start")
        await expect("consent-ask")
        consent = next(m for m in user.inbox() if m.text == t("vi", "consent-ask"))
        await user.press(consent, button(consent, "agree", "vi"))
        await expect("ask-photo")
        await photo_then_name(api, user, "vi", photo_bytes, t)
        await user.send("Lanthuy Qx")
        await expect("ask-age")

        proc.send_signal(signal.SIGKILL)  # no cleanup of any kind
        proc.wait(10)
        mark = len(api.calls)
        proc = _start(env, log)
        await _polling(api, mark)
        await user.send("41")
        await expect("ask-gender")  # resumed at the same step with the earlier answers

        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(15)
        assert time.monotonic() - started < 10
        assert code == 0
        output = log.read_text(errors="replace")
        assert TOKEN not in output and "Lanthuy" not in output
    finally:
        if proc.poll() is None:
            proc.kill()
        await api.stop()


async def test_sigkill_during_generation_and_while_queued(
    tmp_path: Path, trained_classifier_weights: Path, photo_bytes: bytes
) -> None:
    """A real `skinbot run` on an engine that streams slowly: killed mid-report with a second case
    queued; after restart the first report is regenerated (and the user told), the queued one runs,
    and each user gets exactly one PDF."""
    from tests.engine.servers import FakeEngine, sse

    real_requests = []

    def script(number: int, body: dict) -> tuple[int, list[str]]:
        if body.get("max_tokens", 0) <= 1:  # the start-up image probe
            return 200, sse(["ok"])
        real_requests.append(number)
        if len(real_requests) == 1:  # the first report: slow enough to be killed in the middle
            return 200, [
                line for chunk in ["word "] * 200 for line in (*sse([chunk], done=False)[1:2], "SLEEP 0.1")
            ]
        return 200, sse(["Short ", "final ", "report."])

    engine = FakeEngine(script=script)
    await engine.start()
    t = Translator()
    api = FakeBotApi(TOKEN)
    await api.start()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SKINBOT_"))},
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": api.api_url,
        "TELEGRAM_FILE_URL": api.file_url,
        "SKINBOT_DATA_DIR": str(tmp_path / "var"),
        "SKINBOT_CLASSIFIER": str(trained_classifier_weights),
        "SKINBOT_LLM": engine.url,
        "SKINBOT_LLM_MODEL": "fake/model",
        "SKINBOT_LLM_CONCURRENCY": "1",
        "SKINBOT_DEVICE": "cpu",
        "SKINBOT_EDIT_INTERVAL": "0.2",
        "HF_HUB_OFFLINE": "1",
        "YOLO_OFFLINE": "1",
        "PYTHONPATH": str(ROOT),
    }
    log = tmp_path / "bot.log"
    proc = _start(env, log)
    try:
        await _polling(api, 0)
        users = [api.user(1101, "en"), api.user(1102, "ko")]

        async def intake(user, lang: str) -> None:
            def has(key: str, **args: object) -> bool:
                return any(m.text == t(lang, key, **args) for m in user.inbox())

            await user.send("/start")
            await api.wait_for(lambda: has("consent-ask"), 60)
            consent = next(m for m in user.inbox() if m.text == t(lang, "consent-ask"))
            await user.press(consent, button(consent, "agree", lang))
            await api.wait_for(lambda: has("ask-photo"), 60)
            await photo_then_name(api, user, lang, photo_bytes, t)
            await user.send(f"Patient {user.id}")
            await api.wait_for(lambda: has("ask-age"), 60)
            await user.send("30")
            await api.wait_for(lambda: has("ask-gender"), 60)
            ask = next(m for m in user.inbox() if m.text == t(lang, "ask-gender"))
            await user.press(ask, button(ask, "answer", "male"))
            await api.wait_for(lambda: has("ask-history"), 60)
            ask = next(m for m in user.inbox() if m.text == t(lang, "ask-history"))
            await user.press(ask, button(ask, "skip"))
            await api.wait_for(lambda: has("ask-report-language"), 60)
            ask = next(m for m in user.inbox() if m.text == t(lang, "ask-report-language"))
            await user.press(ask, button(ask, "answer", lang))
            await api.wait_for(
                lambda: any(
                    b["callback_data"].startswith("confirm|") for m in user.inbox() for b in m.buttons()
                ),
                60,
            )
            summary = next(
                m for m in user.inbox() if any(b["callback_data"].startswith("confirm|") for b in m.buttons())
            )
            await user.press(summary, button(summary, "confirm"))

        await intake(users[0], "en")
        await api.wait_for(lambda: any("word word" in d.text for d in api.drafts_in(users[0].id)), 60)
        await intake(users[1], "ko")  # waits in the queue behind the slow report
        position = t("ko", "queue-position", position=1)
        await api.wait_for(lambda: any(m.text == position for m in users[1].inbox()), 60)

        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        mark = len(api.calls)
        proc = _start(env, log)
        await _polling(api, mark)

        regenerating = t("en", "regenerating")
        await api.wait_for(lambda: any(c.params.get("text") == regenerating for c in api.calls[mark:]), 60)
        for user in users:
            await api.wait_for(lambda u=user: any(m.document is not None for m in u.inbox()), 90)
        await asyncio.sleep(1)
        assert [sum(m.document is not None for m in u.inbox()) for u in users] == [1, 1]
        assert len(real_requests) == 3  # the killed one, its rerun, and the queued case: nothing twice more
        output = log.read_text(errors="replace")
        assert "Patient 1101" not in output and TOKEN not in output
    finally:
        if proc.poll() is None:
            proc.kill()
        await api.stop()
        await engine.stop()
