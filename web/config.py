"""The settings the HTTP adapter reads, as the composition root hands them down (`skinbot.configs`). What a
case is (the referral threshold, photo limits) is `casework.config.CaseConfig`'s."""

from __future__ import annotations

from dataclasses import dataclass

from casework.secret import Secret


@dataclass(frozen=True)
class HttpLimits:
    """What one client may hold of the web port (`web.http_limits`)."""

    max_connections: int = 256
    max_concurrency: int = 128
    header_timeout_s: float = 10.0
    body_timeout_s: float = 60.0


@dataclass(frozen=True)
class WebConfig:
    # The public base URL (SKINBOT_WEB_URL): PDF links are built on it and the desk's cookie is HTTPS-only
    # under https; "" leaves links relative.
    web_url: str
    web_docs: bool  # the API reference at /docs and /openapi.json
    web_session_hours: float  # how long a desk sign-in lasts
    api_rate_per_minute: int  # requests one API key may make a minute
    web_trusted_proxies: tuple[str, ...]  # whose X-Forwarded-For is believed
    limits: HttpLimits  # connections, concurrency, and the time to send a request
    # The bot's token (TELEGRAM_BOT_TOKEN): the key Telegram signs a Mini App's sign-in data with, so the
    # desk can tell staff who open it inside Telegram (`web.telegram_login`). Empty: nobody signs in so.
    telegram_bot_token: Secret
