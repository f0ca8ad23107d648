"""The composition root: settings, then store, then inference, then the adapters.

Everything is built here and handed down; nothing else constructs a service or reads settings. The
Telegram Application comes from `bot.application`; its start-up and shut-down, below, open the store,
start the model worker and the case services, and serve the web side when its port is set.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from telegram.ext import Application

from bot.application import set_commands, telegram_application
from bot.delivery import Delivery
from bot.routers import export
from bot.services import HoldQueued, Pipeline, Services
from bot.telegram_channel import TelegramChannel
from casework.flood import FloodGate
from casework.housekeeping import Housekeeping
from casework.metrics import Metrics
from casework.pdf.renderers import ProcessRenderer, ThreadRenderer
from casework.translator import Translator
from conversations.files import DataKeyError, FileStore
from conversations.store import Store, utcnow
from inference.worker import ReportWriter
from skinbot.configs import bot_config, case_config, web_config
from skinbot.health import model_queue
from skinbot.inference_setup import StartupError, build_queue
from skinbot.ops_server import OpsServer, OpsServerError
from skinbot.settings import Settings

if TYPE_CHECKING:
    from web.server import WebServer

log = logging.getLogger(__name__)

PipelineFactory = Callable[[Settings, Services, Application], Pipeline]


def default_pipeline(
    settings: Settings, services: Services, app: Application, writer: ReportWriter | None = None
) -> Pipeline:
    """The real models on the worker queue, as the settings describe them (or with the given writer)."""
    queue = build_queue(
        settings, services.store.jobs, writer, read=services.files.read, observer=services.metrics
    )
    services.queue = queue  # shared with the web API; Delivery alone starts and stops it
    return Delivery(services, app.bot, queue, on_fatal=services.on_fatal)


def hold_queued(settings: Settings, services: Services, app: Application) -> Pipeline:
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
    chat = bot_config(settings)

    async def post_init(app: Application) -> None:
        web = None
        if settings.web_port is not None:
            from skinbot import web_setup  # the web side's packages load only when it is served

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
            case_config=case_config(settings),
            bot_config=chat,
            store=store,
            files=files,
            t=t,
            flood=flood,
            render_pdf=renderer.render,
            metrics=measured,
        )
        services.on_fatal = lambda message: on_fatal(app, message)
        warm_fonts_in_background()
        services.pipeline = pipeline_factory(settings, services, app)
        app.bot_data["services"] = services
        await services.pipeline.start()
        if settings.health_port:
            ops = OpsServer(services, settings.health_max_lag_s)
            try:
                await ops.start(settings.health_listen, settings.health_port)
            except OpsServerError as exc:
                raise StartupError(str(exc)) from None
            app.bot_data["ops_server"] = ops
        # Verdicts, reminders and re-flags reach chats through Telegram, from housekeeping and the desk.
        channel = TelegramChannel(app.bot)
        services.housekeeping = Housekeeping(services, channel)
        services.housekeeping.start()
        if web is not None:
            await web_setup.serve(web, services, web_config(settings), channel)
            app.bot_data["web_server"] = web
        await set_commands(app.bot, t)
        log.info("skinbot started")

    async def post_shutdown(app: Application) -> None:
        services: Services | None = app.bot_data.get("services")
        if services is None:
            return
        ops: OpsServer | None = app.bot_data.pop("ops_server", None)
        if ops is not None:
            await ops.stop()
        web: WebServer | None = app.bot_data.pop("web_server", None)
        if web is not None:  # open API streams end and their jobs are cancelled first
            await web.stop()
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

    return telegram_application(chat, measured, post_init, post_shutdown)
