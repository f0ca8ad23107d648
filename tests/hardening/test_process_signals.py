"""The real `skinbot run` process: SIGKILL mid-intake loses nothing, SIGTERM exits cleanly within 10 s."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

from casework.translator import Translator
from tests.bot.helpers import button
from tests.conftest import TOKEN
from tests.hardening.process import (
    SlowFirstReport,
    bot_on_engine,
    bot_running,
    fake_api,
    photo_then_name,
    polling,
    whole_intake,
)


async def test_sigkill_then_sigterm(
    tmp_path: Path, trained_classifier_weights: Path, tiny_gemma_dir: Path, photo_bytes: bytes
) -> None:
    t = Translator()
    settings = {
        "SKINBOT_CLASSIFIER": str(trained_classifier_weights),
        "SKINBOT_LLM": str(tiny_gemma_dir),
        "SKINBOT_MAX_NEW_TOKENS": "16",
    }
    async with fake_api() as api, bot_running(api, tmp_path, **settings) as bot:
        await polling(api, 0)
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

        bot.proc.send_signal(signal.SIGKILL)  # no cleanup of any kind
        bot.proc.wait(10)
        await bot.restart()
        await user.send("41")
        await expect("ask-gender")  # resumed at the same step with the earlier answers

        started = time.monotonic()
        bot.proc.send_signal(signal.SIGTERM)
        code = bot.proc.wait(15)
        assert time.monotonic() - started < 10
        assert code == 0
        output = bot.output()
        assert TOKEN not in output and "Lanthuy" not in output


async def test_sigkill_during_generation_and_while_queued(
    tmp_path: Path, trained_classifier_weights: Path, photo_bytes: bytes
) -> None:
    """A real `skinbot run` on an engine that streams slowly: killed mid-report with a second case
    queued; after restart the first report is regenerated (and the user told), the queued one runs,
    and each user gets exactly one PDF."""
    script = SlowFirstReport(words=200, pause=0.1, then=["Short ", "final ", "report."])
    t = Translator()
    async with bot_on_engine(tmp_path, trained_classifier_weights, script) as bot:
        api = bot.api
        await polling(api, 0)
        users = [api.user(1101, "en"), api.user(1102, "ko")]

        await whole_intake(api, users[0], "en", photo_bytes, t)
        await api.wait_for(lambda: any("word word" in d.text for d in api.drafts_in(users[0].id)), 60)
        await whole_intake(api, users[1], "ko", photo_bytes, t)  # waits in the queue behind the slow report
        position = t("ko", "queue-position", position=1)
        await api.wait_for(lambda: any(m.text == position for m in users[1].inbox()), 60)

        bot.proc.send_signal(signal.SIGKILL)
        bot.proc.wait(10)
        mark = await bot.restart()

        regenerating = t("en", "regenerating")
        await api.wait_for(lambda: any(c.params.get("text") == regenerating for c in api.calls[mark:]), 60)
        for user in users:
            await api.wait_for(lambda u=user: any(m.document is not None for m in u.inbox()), 90)
        await asyncio.sleep(1)
        assert [sum(m.document is not None for m in u.inbox()) for u in users] == [1, 1]
        assert len(script.reports) == 3  # the killed one, its rerun, and the queued case: nothing twice more
        output = bot.output()
        assert "Patient 1101" not in output and TOKEN not in output
