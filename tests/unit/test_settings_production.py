"""The production settings: webhook, health and metrics port."""

from __future__ import annotations

import pytest

from skinbot.configs import webhook_of
from skinbot.settings import Settings, SettingsError

TOKEN = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ"
SECRET = "abcdef0123456789-_ABCDEF"


def settings(**env: str) -> Settings:
    return Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, **env}, env_file=None)


def test_defaults_poll_and_serve_no_health_port() -> None:
    s = settings()
    assert (s.webhook_url, s.webhook_secret.get()) == ("", "")
    assert (s.webhook_listen, s.webhook_port) == ("127.0.0.1", 8443)
    assert (s.health_listen, s.health_port, s.health_max_lag_s) == ("127.0.0.1", 0, 10.0)
    assert webhook_of(s) is None


def test_the_webhook_listens_on_the_urls_path() -> None:
    s = settings(
        TELEGRAM_WEBHOOK_URL="https://bot.example.org/telegram/skinbot/",
        TELEGRAM_WEBHOOK_SECRET=SECRET,
        SKINBOT_WEBHOOK_LISTEN="0.0.0.0",
        SKINBOT_WEBHOOK_PORT="9000",
    )
    webhook = webhook_of(s)
    assert webhook is not None and webhook.path == "telegram/skinbot"
    options = webhook.options()
    assert (options["listen"], options["port"], options["url_path"]) == ("0.0.0.0", 9000, "telegram/skinbot")
    assert (options["webhook_url"], options["secret_token"]) == (
        "https://bot.example.org/telegram/skinbot/",
        SECRET,
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"TELEGRAM_WEBHOOK_URL": "http://bot.example.org/hook"}, "TELEGRAM_WEBHOOK_URL"),
        ({"TELEGRAM_WEBHOOK_URL": "https://bot.example.org/hook?x=1"}, "TELEGRAM_WEBHOOK_URL"),
        ({"TELEGRAM_WEBHOOK_SECRET": "has spaces in it 0123456789"}, "TELEGRAM_WEBHOOK_SECRET"),
        ({"TELEGRAM_WEBHOOK_SECRET": "x" * 257}, "TELEGRAM_WEBHOOK_SECRET"),
        ({"SKINBOT_WEBHOOK_PORT": "0"}, "SKINBOT_WEBHOOK_PORT"),
        ({"SKINBOT_HEALTH_PORT": "70000"}, "SKINBOT_HEALTH_PORT"),
        ({"SKINBOT_HEALTH_LISTEN": "http://127.0.0.1"}, "SKINBOT_HEALTH_LISTEN"),
        ({"SKINBOT_HEALTH_MAX_LAG": "0"}, "SKINBOT_HEALTH_MAX_LAG"),
    ],
)
def test_bad_production_settings_name_themselves(env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError) as err:
        settings(**env)
    assert str(err.value).startswith(f"{named}=") and "\n" not in str(err.value)


def test_the_webhook_secret_never_shows() -> None:
    bad = "short-" + "é" * 20  # invalid, so it would be quoted if it were not a secret
    with pytest.raises(SettingsError) as err:
        settings(TELEGRAM_WEBHOOK_SECRET=bad)
    assert bad not in str(err.value) and "(hidden)" in str(err.value)
    s = settings(TELEGRAM_WEBHOOK_SECRET=SECRET)
    assert SECRET not in repr(s) and SECRET not in str(s)
