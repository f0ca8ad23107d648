"""The composition root: settings, then store, then inference, then the Application.

Everything is built here and handed down; nothing else constructs a service or reads settings.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from telegram import Bot, BotCommand
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder

from bot.rate_limits import rate_limiter
from bot.routers import account, cases, export, intake, reminders, review, start
from bot.services import HoldQueued, Pipeline, Services
from bot.telegram_calls import ObservedRequest, with_retries
from bot.webhook import Webhook
from bot.webhook_server import WebhookUpdater
from casework.flood import FloodGate
from casework.housekeeping import Housekeeping
from casework.metrics import Metrics
from casework.pdf.renderers import ProcessRenderer, ThreadRenderer
from casework.translator import Translator
from conversations.domain import Language
from conversations.files import DataKeyError, FileStore
from conversations.store import Store, utcnow
from inference.worker import ReportWriter
from skinbot.health import model_queue
from skinbot.inference_setup import StartupError
from skinbot.ops_server import OpsServer, OpsServerError
from skinbot.settings import Settings

log = logging.getLogger(__name__)

PipelineFactory = Callable[[Services, Application], Pipeline]
COMMANDS = ("new", "cancel", "cases", "reminders", "language", "help", "privacy", "export", "delete")


def default_pipeline(services: Services, app: Application, writer: ReportWriter | None = None) -> Pipeline:
    """The real models on the worker queue, as the settings describe them (or with the given writer)."""
    from bot.delivery import Delivery
    from skinbot.inference_setup import build_queue

    queue = build_queue(
        services.settings, services.store.jobs, writer, read=services.files.read, observer=services.metrics
    )
    services.queue = queue  # shared with the web API; Delivery alone starts and stops it
    return Delivery(services, app.bot, queue, on_fatal=services.on_fatal)


def hold_queued(services: Services, app: Application) -> Pipeline:
    """No models: confirmed cases stay queued in the store (for intake-only tests and demos)."""
    return HoldQueued()


def stop_with_error(app: Application, message: str) -> None:
    """The bot cannot go on (a model failed to load): remember why, log it once, and stop polling.
    `skinbot run` then prints the reason as its one line and exits with an error."""
    app.bot_data["fatal"] = message
    log.critical("%s", message)
    app.stop_running()


def warm_fonts_in_background() -> None:
    """The first start on a machine instances the variable Noto fonts (tens of seconds): not on the way to
    the first getUpdates. A daemon thread, so a stop never waits for it; the first PDF waits if it must."""

    def warm() -> None:
        from casework.pdf import ensure_fonts

        try:
            ensure_fonts()
        except Exception as exc:  # the first PDF will raise it again, where it can be reported
            log.error("PDF fonts could not be prepared: %s", exc)

    threading.Thread(target=warm, name="font-warmup", daemon=True).start()


async def _set_commands(bot: Bot, t: Translator) -> None:
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


def build_application(
    settings: Settings,
    *,
    pipeline_factory: PipelineFactory = default_pipeline,
    clock: Callable[[], datetime] = utcnow,
    translator: Translator | None = None,
    flood_gate: FloodGate | None = None,
    on_fatal: Callable[[Application, str], None] = stop_with_error,
    metrics: Metrics | None = None,
) -> Application:
    t = translator or Translator()
    flood = flood_gate if flood_gate is not None else FloodGate()  # an empty gate is falsy (len 0)
    # One registry per Application: tests run several bots in one process.
    measured = metrics or Metrics()

    async def post_init(app: Application) -> None:
        web = None
        if settings.web_port is not None:
            from bot import web_setup

            web = web_setup.bind(settings)  # a port in use stops start-up here, before anything runs
        files = FileStore(settings.data_dir, settings.data_key.get() or None)
        try:
            files.check_key()
        except DataKeyError as exc:
            raise StartupError(str(exc)) from None
        export.remove_old_exports(settings.data_dir)
        store = await Store.open(settings.db_path, clock)
        await store.clinics.seed((c.chat_id, c.name, c.language) for c in settings.review_chats)
        number = settings.emergency_number
        renderer = (
            ProcessRenderer(t, settings.pdf_workers, number)
            if settings.pdf_workers
            else ThreadRenderer(t, number)
        )
        renderer.start()
        app.bot_data["pdf_renderer"] = renderer
        services = Services(
            settings=settings,
            store=store,
            files=files,
            t=t,
            flood=flood,
            render_pdf=renderer.render,
            metrics=measured,
        )
        services.on_fatal = lambda message: on_fatal(app, message)
        warm_fonts_in_background()
        services.pipeline = pipeline_factory(services, app)
        app.bot_data["services"] = services
        await services.pipeline.start()
        if settings.health_port:
            ops = OpsServer(services)
            try:
                await ops.start(settings.health_listen, settings.health_port)
            except OpsServerError as exc:
                raise StartupError(str(exc)) from None
            app.bot_data["ops_server"] = ops
        services.housekeeping = Housekeeping(services, app.bot)
        services.housekeeping.start()
        if web is not None:
            await web_setup.serve(web, services, app.bot)
        await _set_commands(app.bot, t)
        log.info("skinbot started")

    async def post_shutdown(app: Application) -> None:
        services: Services | None = app.bot_data.get("services")
        if services is None:
            return
        ops: OpsServer | None = app.bot_data.pop("ops_server", None)
        if ops is not None:
            await ops.stop()
        if services.web is not None:  # open API streams end and their jobs are cancelled first
            await services.web.stop()
        if services.housekeeping is not None:
            await services.housekeeping.stop()
        await services.albums.stop()
        await services.pipeline.stop()
        queue = model_queue(services)
        app.bot_data["load_abandoned"] = queue is not None and queue.load_abandoned
        await services.store.close()
        await services.downloads.close()
        app.bot_data["pdf_renderer"].stop()
        log.info("skinbot stopped")

    app = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get())
        .base_url(settings.telegram_api_url)
        .base_file_url(settings.telegram_file_url)
        .local_mode(settings.telegram_local_mode)
        # httpx looks through its whole pool for each request: PTB's default of 256 connections costs more
        # CPU than it saves, and 32 carry far more than Telegram's 30 messages a second.
        .request(ObservedRequest(measured, connection_pool_size=32, pool_timeout=5.0))
        .concurrent_updates(64)
        .rate_limiter(rate_limiter())
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    # Our webhook server in place of python-telegram-bot's (bot/webhook_server.py); polling is the same.
    app.updater = WebhookUpdater(
        app.bot, app.update_queue, settings.http_header_timeout_s, settings.http_body_timeout_s
    )
    # Order matters: the intake router's catch-all message handler goes last.
    for router in (start, account, cases, reminders, export):
        app.add_handlers(router.handlers())
    app.add_handlers(review.handlers())
    app.add_handlers(intake.handlers())
    return app


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
