"""Webhook mode: the real Application behind python-telegram-bot's webhook server, the fake Bot API in
Telegram's place. An update without the secret token is refused with 403 and never handled; with it, the
bot answers over the Bot API. Start-up refuses a webhook without a secret, in one line."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.cli import main
from tests.bot.helpers import button
from tests.conftest import TOKEN, Harness, settings_for
from tests.ops.helpers import WEBHOOK_SECRET, WEBHOOK_URL, free_port, post_update

PATH = "telegram/skinbot"


def start_update(update_id: int, user_id: int) -> dict:
    """A /start message exactly as Telegram posts it to a webhook."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "Webhook"},
            "from": {"id": user_id, "is_bot": False, "first_name": "Webhook", "language_code": "en"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


async def test_webhook_needs_the_secret_and_answers_with_it(harness: Harness, tmp_path: Path) -> None:
    port = free_port()
    harness.settings = settings_for(
        harness.api,
        tmp_path / "var",
        TELEGRAM_WEBHOOK_URL=WEBHOOK_URL,
        TELEGRAM_WEBHOOK_SECRET=WEBHOOK_SECRET,
        SKINBOT_WEBHOOK_PORT=str(port),
    )
    await harness.start()
    api = harness.api

    # The bot registered its public URL and the secret with Telegram, and does not poll.
    assert api.webhook is not None
    assert api.webhook["url"] == WEBHOOK_URL
    assert api.webhook["secret_token"] == WEBHOOK_SECRET
    assert api.calls_of("getUpdates") == []

    user = api.user(601, "en")
    refused = [
        await post_update(port, PATH, start_update(9001, user.id), secret=None),
        await post_update(port, PATH, start_update(9002, user.id), secret="wrong-secret-0123456789"),
    ]
    assert [r.status_code for r in refused] == [403, 403]

    accepted = await post_update(port, PATH, start_update(9003, user.id), secret=WEBHOOK_SECRET)
    assert accepted.status_code == 200
    await harness.wait_key(user, "en", "consent-ask")

    # Updates from here on arrive the way Telegram sends them: posted with the secret the bot registered,
    # passed on unchanged by the proxy. A button press works too.
    api.webhook_upstream = f"http://127.0.0.1:{port}/{PATH}"
    consent = next(m for m in user.inbox() if m.text == harness.t("en", "consent-ask"))
    await user.press(consent, button(consent, "agree", "en"))
    await harness.wait_key(user, "en", "ask-photo")
    assert api.webhook_answers == [200]

    # Only the update with the secret was handled: one greeting, however long we look.
    greetings = [m for m in user.inbox() if m.text == harness.t("en", "consent-ask")]
    assert len(greetings) == 1
    assert api.calls_of("getUpdates") == []


async def test_polling_stays_the_default_and_clears_a_webhook(harness: Harness) -> None:
    harness.api.webhook = {"url": WEBHOOK_URL, "secret_token": WEBHOOK_SECRET}  # left by an earlier run
    await harness.start()
    assert harness.api.webhook is None
    assert harness.api.calls_of("deleteWebhook")
    user = harness.api.user(602, "en")
    await user.send("/start")
    await harness.wait_key(user, "en", "consent-ask")


@pytest.mark.parametrize(
    ("args", "env", "named"),
    [
        (["run", "--webhook"], {}, "TELEGRAM_WEBHOOK_URL is not set"),
        (["run", "--webhook"], {"TELEGRAM_WEBHOOK_URL": WEBHOOK_URL}, "TELEGRAM_WEBHOOK_SECRET is not set"),
        # The URL alone selects webhook mode, and still needs the secret.
        (["run"], {"TELEGRAM_WEBHOOK_URL": WEBHOOK_URL}, "TELEGRAM_WEBHOOK_SECRET is not set"),
        (["run"], {"TELEGRAM_WEBHOOK_URL": "http://bot.example.org/hook"}, "TELEGRAM_WEBHOOK_URL="),
        (["run"], {"TELEGRAM_WEBHOOK_URL": WEBHOOK_URL, "TELEGRAM_WEBHOOK_SECRET": "short"}, "(hidden)"),
    ],
)
def test_start_up_refuses_a_webhook_it_cannot_run_in_one_line(
    args: list[str],
    env: dict[str, str],
    named: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import os

    for key in list(os.environ):
        if key.startswith(("TELEGRAM_", "SKINBOT_")):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:9/bot")  # never reached: refused before
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and named in err, err
    assert "short" not in err and "Traceback" not in err
