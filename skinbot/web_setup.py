"""The web side wired to the case services: the same store, files, translator and model queue as the bot,
and the case services' channel (Telegram's, handed in by the composition root) for telling patients a
verdict given in the browser.

`skinbot run` serves it inside the bot's event loop when SKINBOT_WEB_PORT is set (or with --web);
`skinbot web` serves it alone (skinbot/web_run.py).
"""

from __future__ import annotations

from casework.case_pdf import render_case_pdf, services_case_pdf
from casework.channel import CaseChannel
from casework.review_desk import VERDICTS, ReviewDesk
from casework.services import CaseServices
from conversations.domain import Case, Review
from skinbot.configs import web_config
from skinbot.inference_setup import StartupError
from skinbot.settings import Settings
from web.app import WebApp
from web.config import WebConfig
from web.context import WebContext
from web.server import WebServer, WebStartError

CODES = {name: code for code, name in VERDICTS.items()}


class DeskVerdicts:
    """The desk's verdicts go through the same ReviewDesk as the clinic chat's buttons."""

    def __init__(self, services: CaseServices, channel: CaseChannel) -> None:
        self.services = services
        self.desk = ReviewDesk(services, channel)

    async def decide(
        self, review: Review, verdict: str, reviewer: str, note: str | None, staff_id: int
    ) -> tuple[bool, str | None]:
        clinic = await self.services.store.clinics.by_chat(review.clinic_chat_id)
        if clinic is None:
            return False, None
        return await self.desk.verdict(
            review, clinic, CODES[verdict], reviewer, note, source="web", staff_id=staff_id
        )


def web_context(services: CaseServices, config: WebConfig, channel: CaseChannel | None) -> WebContext:
    """`channel` is what tells patients their verdicts; without one there is no desk. The clinics are the
    store's (SKINBOT_REVIEW_CHAT_ID seeded, `skinbot clinic add`), read at each request, so a clinic
    added while the bot runs has its desk at once."""
    files, store = services.files, services.store

    async def render(case: Case) -> bytes:
        referral = services.case_config.carcinoma_referral
        return await render_case_pdf(case, files, services.render_pdf, referral, store=store)

    async def stored(case: Case) -> bytes:
        return await services_case_pdf(services, case)

    verdicts = DeskVerdicts(services, channel) if channel is not None else None
    return WebContext(
        web_config=config,
        case_config=services.case_config,
        store=store,
        files=files,
        t=services.t,
        queue=services.queue,
        render_pdf=render,
        case_pdf=stored,
        verdicts=verdicts,
    )


def bind(settings: Settings) -> WebServer:
    """Take the port first, so a port in use stops start-up before anything else has started."""
    port = settings.DEFAULT_WEB_PORT if settings.web_port is None else settings.web_port
    try:
        return WebServer.bind(settings.web_host, port, web_config(settings).limits)
    except WebStartError as exc:
        raise StartupError(f"{exc} (SKINBOT_WEB_HOST, SKINBOT_WEB_PORT)") from None


async def serve(
    server: WebServer, services: CaseServices, config: WebConfig, channel: CaseChannel | None
) -> None:
    await server.start(WebApp(web_context(services, config, channel)))
