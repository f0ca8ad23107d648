"""The real `skinbot run` process: SIGKILL mid-intake loses nothing, SIGTERM exits cleanly within 10 s."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bot.fake_bot_api import FakeBotApi
from bot.i18n import Translator
from conversations.validation import NAME_MAX
from tests.bot.helpers import button
from tests.conftest import TOKEN

ROOT = Path(__file__).resolve().parents[2]


def _start(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run"], cwd=ROOT, env=env,
        stdout=log.open("ab"), stderr=subprocess.STDOUT,
    )  # fmt: skip


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
        "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": api.api_url, "TELEGRAM_FILE_URL": api.file_url,
        "SKINBOT_DATA_DIR": str(tmp_path / "var"), "SKINBOT_CLASSIFIER": str(trained_classifier_weights),
        "SKINBOT_LLM": str(tiny_gemma_dir), "SKINBOT_DEVICE": "cpu", "SKINBOT_MAX_NEW_TOKENS": "16",
        "HF_HUB_OFFLINE": "1", "YOLO_OFFLINE": "1", "PYTHONPATH": str(ROOT),
    }  # fmt: skip
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
        await user.send_photo(photo_bytes)
        await expect("ask-name", max=NAME_MAX)
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
