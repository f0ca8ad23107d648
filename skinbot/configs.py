"""The settings, told to each package as typed values of its own: the case services (`CaseConfig`), the
Telegram adapter (`BotConfig`, and the webhook it runs, if any) and the HTTP adapter (`WebConfig`). Only
the composition root reads `Settings`; everything below it is handed what this module builds."""

from __future__ import annotations

from bot.config import BotConfig
from bot.webhook import Webhook
from casework.config import CaseConfig
from inference.photo_checks import PhotoChecks
from skinbot.inference_setup import quality_thresholds
from skinbot.settings import Settings, SettingsError
from web.config import HttpLimits, WebConfig


def case_config(settings: Settings) -> CaseConfig:
    return CaseConfig(
        carcinoma_referral=settings.carcinoma_referral,
        retention_days=settings.retention_days,
        review_reflag_hours=settings.review_reflag_hours,
        clinic_access=settings.clinic_access,
        emergency_number=settings.emergency_number,
        max_download_mb=settings.max_download_mb,
        min_side=settings.min_side,
        desk_app_url=f"{settings.web_url}/desk/telegram" if settings.web_url.startswith("https://") else "",
        photo_checks=PhotoChecks(quality_thresholds(settings)),
    )


def bot_config(settings: Settings) -> BotConfig:
    return BotConfig(
        telegram_bot_token=settings.telegram_bot_token,
        telegram_api_url=settings.telegram_api_url,
        telegram_file_url=settings.telegram_file_url,
        telegram_local_mode=settings.telegram_local_mode,
        edit_interval_s=settings.edit_interval_s,
        stream_mode=settings.stream_mode,
        daily_cases=settings.daily_cases,
        qa_per_case=settings.qa_per_case,
        report_engine_url=settings.llm if settings.llm_is_url else "",
        http_header_timeout_s=settings.http_header_timeout_s,
        http_body_timeout_s=settings.http_body_timeout_s,
    )


def web_config(settings: Settings) -> WebConfig:
    return WebConfig(
        web_url=settings.web_url,
        web_docs=settings.web_docs,
        web_session_hours=settings.web_session_hours,
        api_rate_per_minute=settings.api_rate_per_minute,
        web_trusted_proxies=settings.web_trusted_proxies,
        limits=HttpLimits(
            max_connections=settings.web_max_connections,
            max_concurrency=settings.web_max_concurrency,
            header_timeout_s=settings.http_header_timeout_s,
            body_timeout_s=settings.http_body_timeout_s,
        ),
        telegram_bot_token=settings.telegram_bot_token,
    )


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
