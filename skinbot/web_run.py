"""`skinbot web`: the API and the review desk without Telegram polling, with their own model worker.

The review desk tells patients their verdicts over the Bot API, so with clinics (the store's list:
SKINBOT_REVIEW_CHAT_ID seeded, `skinbot clinic add`) this needs TELEGRAM_BOT_TOKEN (a `telegram.Bot` that
sends, never polls) and runs the bot's housekeeping: verdicts that did not reach a patient are retried,
unanswered reviews re-flagged, due reminders sent, old data purged. Without clinics it serves the API
alone and only purges. Telegram cases left queued stay queued for `skinbot run`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Any

from casework.channel import CaseChannel
from casework.housekeeping import PURGE_EVERY, Housekeeping
from casework.services import CaseServices
from casework.translator import Translator
from conversations.files import DataKeyError, FileStore
from conversations.store import Store
from skinbot import web_setup
from skinbot.configs import case_config, web_config
from skinbot.inference_setup import StartupError, build_queue
from skinbot.settings import Settings
from web.server import WebServer

log = logging.getLogger(__name__)


async def _purge_daily(housekeeping: Housekeeping) -> None:
    while True:
        try:
            await housekeeping.purge()
        except Exception as exc:  # the next day tries again
            log.error("retention purge failed: %s", type(exc).__name__, exc_info=exc)
        await asyncio.sleep(PURGE_EVERY.total_seconds())


def _telegram_bot(settings: Settings) -> Any:
    from telegram import Bot

    return Bot(
        settings.telegram_bot_token.get(),
        base_url=settings.telegram_api_url,
        base_file_url=settings.telegram_file_url,
        local_mode=settings.telegram_local_mode,
    )


NO_TOKEN = (
    "the review desk tells patients their verdicts over Telegram: set TELEGRAM_BOT_TOKEN, or leave "
    "SKINBOT_REVIEW_CHAT_ID empty to serve the API alone"
)


async def serve_alone(settings: Settings) -> int:
    if settings.review_chats and not settings.telegram_bot_token.get():
        raise StartupError(NO_TOKEN)
    server = web_setup.bind(settings)
    files = FileStore(settings.data_dir, settings.data_key.get() or None)
    try:
        files.check_key()
    except DataKeyError as exc:
        raise StartupError(str(exc)) from None
    store = await Store.open(settings.db_path)
    await store.clinics.seed((c.chat_id, c.name, c.language) for c in settings.review_chats)
    clinics = await store.clinics.any()
    if clinics and not settings.telegram_bot_token.get():  # clinics added with `skinbot clinic add`
        await store.close()
        raise StartupError(
            "the review desk tells patients their verdicts over Telegram: set TELEGRAM_BOT_TOKEN (the "
            "store has clinics: skinbot clinic list)"
        )
    services = CaseServices(case_config=case_config(settings), store=store, files=files, t=Translator())
    bot = None
    channel: CaseChannel | None = None
    served: WebServer | None = None
    running: Housekeeping | None = None
    stopped = asyncio.Event()
    fatal: list[str] = []
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopped.set)
    tasks: list[asyncio.Task[None]] = []
    queue = None
    try:
        if clinics:
            from bot.telegram_channel import TelegramChannel

            bot = _telegram_bot(settings)
            await bot.initialize()
            channel = TelegramChannel(bot)
        queue = build_queue(settings, store.jobs, read=files.read)
        services.queue = queue
        await queue.start(())

        async def watch_models() -> None:
            try:
                await queue.wait_ready()
            except Exception as exc:
                fatal.append(f"models could not be loaded: {exc}")
                stopped.set()

        tasks.append(asyncio.create_task(watch_models(), name="model-loading"))
        housekeeping = Housekeeping(services, channel)
        if channel is not None:
            housekeeping.start()
            running = housekeeping
        else:
            tasks.append(asyncio.create_task(_purge_daily(housekeeping), name="purge"))
        await web_setup.serve(server, services, web_config(settings), channel)
        served = server
        log.info("skinbot web started")
        await stopped.wait()
    finally:
        if served is not None:
            await served.stop()
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if running is not None:
            await running.stop()
        if queue is not None:
            await queue.stop()
        if bot is not None:
            with contextlib.suppress(Exception):
                await bot.shutdown()
        await store.close()
        log.info("skinbot web stopped")
    if fatal:
        raise StartupError(fatal[0])
    return 0
