"""The Telegram Application: python-telegram-bot's builder with our request, rate limiter and webhook server,
every router's handlers, the localized command menu, and starting and stopping it on a caller's loop.

The composition root (`skinbot.app`) builds it with its own start-up and shut-down, which wire the store, the
models and the case services to it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import Bot, BotCommand
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder

from bot.config import BotConfig
from bot.rate_limits import rate_limiter
from bot.routers import account, cases, export, intake, questions, reminders, review, start
from bot.telegram_calls import CallObserver, ObservedRequest, with_retries
from bot.webhook import Webhook
from bot.webhook_server import WebhookUpdater
from casework.translator import Translator
from conversations.domain import Language

log = logging.getLogger(__name__)

COMMANDS = ("new", "cancel", "cases", "reminders", "language", "help", "privacy", "export", "delete")
Hook = Callable[[Application], Awaitable[None]]


def telegram_application(
    config: BotConfig, observer: CallObserver, post_init: Hook, post_shutdown: Hook
) -> Application:
    """The Application, its handlers registered; `observer` hears of 429s and retries."""
    app = (
        ApplicationBuilder()
        .token(config.telegram_bot_token.get())
        .base_url(config.telegram_api_url)
        .base_file_url(config.telegram_file_url)
        .local_mode(config.telegram_local_mode)
        # httpx looks through its whole pool for each request: PTB's default of 256 connections costs more
        # CPU than it saves, and 32 carry far more than Telegram's 30 messages a second.
        .request(ObservedRequest(observer, connection_pool_size=32, pool_timeout=5.0))
        .concurrent_updates(64)
        .rate_limiter(rate_limiter())
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    # Our webhook server in place of python-telegram-bot's (bot/webhook_server.py); polling is the same.
    app.updater = WebhookUpdater(
        app.bot, app.update_queue, config.http_header_timeout_s, config.http_body_timeout_s
    )
    # Order matters: the intake router's catch-all message handler goes last.
    for router in (start, account, cases, reminders, export, questions):
        app.add_handlers(router.handlers())
    app.add_handlers(review.handlers())
    app.add_handlers(intake.handlers())
    return app


async def set_commands(bot: Bot, t: Translator) -> None:
    """The command menu in each language. Telegram keeps it between runs, so a start during an outage
    logs and goes on rather than refusing to serve the users who can reach it."""
    try:
        for lang in Language:
            commands = [BotCommand(c, t(lang, f"command-{c}")) for c in COMMANDS]
            code = None if lang == "en" else lang
            await with_retries(
                lambda c=commands, code=code: bot.set_my_commands(c, language_code=code), chat_id=0
            )
    except TelegramError as exc:
        log.warning("could not set the command menu: %s", type(exc).__name__)


async def start_app(app: Application, poll_timeout: float = 10.0, webhook: Webhook | None = None) -> None:
    """What run_polling (or run_webhook) does, for callers that own the event loop (tests, benchmarks)."""
    await app.initialize()
    if app.post_init:
        await app.post_init(app)
    assert app.updater is not None
    if webhook is not None:
        await app.updater.start_webhook(**webhook.options())
    else:
        await app.updater.start_polling(
            poll_interval=0.0, timeout=int(poll_timeout), drop_pending_updates=False
        )
    await app.start()


async def stop_app(app: Application) -> None:
    assert app.updater is not None
    if app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    if app.post_shutdown:
        await app.post_shutdown(app)
    await app.shutdown()
