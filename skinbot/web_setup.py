"""The web side wired to the bot's services: the same store, files, translator, settings and model queue,
and Telegram (through the review desk) for telling patients a verdict given in the browser.

`skinbot run` serves it inside the bot's event loop when SKINBOT_WEB_PORT is set (or with --web);
`skinbot web` serves it alone (skinbot/web_cli.py).
"""

from __future__ import annotations

from typing import Any

from bot.services import Services
from casework.case_pdf import render_case_pdf, services_case_pdf
from casework.review_desk import VERDICTS, ReviewDesk
from conversations.domain import Case, Review
from skinbot.inference_setup import StartupError
from skinbot.settings import Settings
from web.app import WebApp
from web.context import WebContext
from web.http_limits import HttpLimits
from web.server import WebServer, WebStartError

CODES = {name: code for code, name in VERDICTS.items()}


class TelegramVerdicts:
    """The desk's verdicts go through the same ReviewDesk as the clinic chat's buttons."""

    def __init__(self, services: Services, bot: Any) -> None:
        self.services = services
        self.desk = ReviewDesk(services, bot)

    async def decide(
        self, review: Review, verdict: str, reviewer: str, note: str | None, staff_id: int
    ) -> tuple[bool, str | None]:
        clinic = await self.services.store.clinics.by_chat(review.clinic_chat_id)
        if clinic is None:
            return False, None
        return await self.desk.verdict(
            review, clinic, CODES[verdict], reviewer, note, source="web", staff_id=staff_id
        )


def web_context(services: Services, bot: Any | None) -> WebContext:
    """`bot` is what tells patients their verdicts; without one there is no desk. The clinics are the
    store's (SKINBOT_REVIEW_CHAT_ID seeded, `skinbot clinic add`), read at each request, so a clinic
    added while the bot runs has its desk at once."""
    settings, files, t, store = services.settings, services.files, services.t, services.store

    async def render(case: Case) -> bytes:
        return await render_case_pdf(
            case, files, services.render_pdf, settings.carcinoma_referral, store=store
        )

    async def stored(case: Case) -> bytes:
        return await services_case_pdf(services, case)

    verdicts = TelegramVerdicts(services, bot) if bot is not None else None
    return WebContext(
        settings=settings,
        store=store,
        files=files,
        t=t,
        queue=services.queue,
        render_pdf=render,
        case_pdf=stored,
        verdicts=verdicts,
    )


def bind(settings: Settings) -> WebServer:
    """Take the port first, so a port in use stops start-up before anything else has started."""
    port = settings.DEFAULT_WEB_PORT if settings.web_port is None else settings.web_port
    try:
        return WebServer.bind(settings.web_host, port, HttpLimits.of(settings))
    except WebStartError as exc:
        raise StartupError(f"{exc} (SKINBOT_WEB_HOST, SKINBOT_WEB_PORT)") from None


async def serve(server: WebServer, services: Services, bot: Any | None) -> WebServer:
    await server.start(WebApp(web_context(services, bot)))
    services.web = server
    return server
