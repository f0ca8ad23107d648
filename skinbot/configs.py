"""The settings, told to each package as typed values of its own: the case services (`CaseConfig`), the
Telegram adapter (`BotConfig`, and the webhook it runs, if any) and the HTTP adapter (`WebConfig`). Only
the composition root reads `Settings`; everything below it is handed what this module builds."""

from __future__ import annotations

from dataclasses import fields
from typing import Any, TypeVar

from bot.config import BotConfig
from bot.webhook import Webhook
from casework.config import CaseConfig
from inference.photo_checks import PhotoChecks
from skinbot.inference_setup import quality_thresholds
from skinbot.settings import Settings, SettingsError
from web.config import HttpLimits, WebConfig

Config = TypeVar("Config")


def _from_settings(kind: type[Config], settings: Settings, **derived: Any) -> Config:
    """A config whose fields are the settings of the same name, but for the `derived` ones the root works
    out itself: one mapping for every package, so a new setting is passed down by naming it in the config."""
    same = {f.name: getattr(settings, f.name) for f in fields(kind) if f.name not in derived}  # type: ignore[arg-type]
    return kind(**same, **derived)


def case_config(settings: Settings) -> CaseConfig:
    return _from_settings(
        CaseConfig,
        settings,
        desk_app_url=f"{settings.web_url}/desk/telegram" if settings.web_url.startswith("https://") else "",
        photo_checks=PhotoChecks(quality_thresholds(settings)),
    )


def bot_config(settings: Settings) -> BotConfig:
    return _from_settings(BotConfig, settings, report_engine_url=settings.llm if settings.llm_is_url else "")


def web_config(settings: Settings) -> WebConfig:
    limits = HttpLimits(
        max_connections=settings.web_max_connections,
        max_concurrency=settings.web_max_concurrency,
        header_timeout_s=settings.http_header_timeout_s,
        body_timeout_s=settings.http_body_timeout_s,
    )
    return _from_settings(WebConfig, settings, limits=limits)


def webhook_of(settings: Settings, requested: bool = False) -> Webhook | None:
    """The webhook to run, or None for long polling. Raises SettingsError (one line) when it cannot run."""
    if not requested and not settings.webhook_url:
        return None
    if not settings.webhook_url:
        raise SettingsError(
            "TELEGRAM_WEBHOOK_URL is not set: --webhook needs the public https:// URL Telegram posts to"
        )
    if not settings.webhook_secret.get():
        raise SettingsError(
            "TELEGRAM_WEBHOOK_SECRET is not set: a webhook refuses to run without a secret token "
            "(make one with `openssl rand -hex 32`)"
        )
    return Webhook(
        settings.webhook_url, settings.webhook_secret, settings.webhook_listen, settings.webhook_port
    )
