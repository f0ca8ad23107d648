"""Webhook mode: Telegram posts updates to `TELEGRAM_WEBHOOK_URL`, a TLS reverse proxy passes them to
the bot's webhook server (bot/webhook_server.py) on `SKINBOT_WEBHOOK_LISTEN:SKINBOT_WEBHOOK_PORT`.

The secret token is not optional: Telegram sends it in `X-Telegram-Bot-Api-Secret-Token` with every
update, and the server answers 403 to a request without it, so nobody who finds the URL can post updates.
The composition root decides from the settings whether the bot runs one (`skinbot.configs.webhook_of`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from casework.secret import Secret


class WebhookStartError(Exception):
    """The webhook's port cannot be opened; the message names the settings."""


@dataclass(frozen=True)
class Webhook:
    url: str
    secret: Secret
    listen: str
    port: int

    @property
    def path(self) -> str:
        """Where the local server listens: the URL's path, as the proxy passes it on."""
        return urlsplit(self.url).path.strip("/")

    def options(self) -> dict[str, Any]:
        """Arguments for Application.run_webhook and Updater.start_webhook (it calls setWebhook with them)."""
        return {
            "listen": self.listen,
            "port": self.port,
            "url_path": self.path,
            "webhook_url": self.url,
            "secret_token": self.secret.get(),
            "allowed_updates": None,
            "drop_pending_updates": False,
        }
