"""The review desk opened inside Telegram, as a Mini App: staff sign in with the data Telegram signs for
them (`initData`, checked by `web.init_data`) instead of a one-time link.

The bot's "Open the review desk" button opens `/desk/telegram?clinic=<clinic id>`; Telegram adds its
sign-in data to the URL's fragment, which the page's script (static/telegram.js) posts here. A Telegram
account registered as staff of that clinic (`skinbot clinic staff --telegram-id`) gets the same session a
login link gives; anyone else a page that says why, and no session. Cookie, CSRF and clinic scoping are
the desk's, unchanged.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response

from casework.translator import pick_language
from conversations.web_domain import Staff
from web.desk import Desk, DeskRefusal
from web.errors import accepted_language
from web.init_data import InitDataRefused, TelegramUser, verify_init_data

log = logging.getLogger(__name__)

# The entry page alone may load Telegram's script (its own script does so only inside Telegram).
ENTRY_CSP = (
    "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self' https://telegram.org; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
REFUSALS = {
    "invalid": "desk-telegram-invalid",
    "stale": "desk-telegram-stale",
    "early": "desk-telegram-early",
}


class TelegramSignIn:
    def __init__(self, desk: Desk) -> None:
        self.desk, self.ctx = desk, desk.ctx

    def router(self) -> APIRouter:
        router = APIRouter(prefix="/desk", include_in_schema=False)
        desk, store = self.desk, self.ctx.store

        @router.get("/telegram")
        async def entry(request: Request) -> Response:
            clinic = request.query_params.get("clinic", "")
            response = desk.page(
                request,
                "telegram.html",
                accepted_language(request),
                clinic=clinic if clinic.isdigit() else "",
            )
            response.headers["Content-Security-Policy"] = ENTRY_CSP
            return response

        @router.post("/telegram")
        async def sign_in(request: Request) -> Response:
            lang = accepted_language(request)
            desk.refuse_cross_site(request, lang)
            form = await request.form()
            user = self.verified(str(form.get("init_data", "")), lang)
            lang = pick_language(user.language_code) if user.language_code else lang
            staff = await self.staff_of(str(form.get("clinic", "")), user)
            session = await store.staff.open_session(staff.id, self.session_for) if staff else None
            if staff is None or session is None:
                log.info("a Telegram sign-in to the desk was refused: not staff of that clinic")
                raise DeskRefusal(403, "desk-telegram-not-staff", lang)
            await store.staff.purge_expired()
            await store.audit.add(
                staff.clinic_chat_id, staff.name, "login", source="telegram", staff_id=staff.id
            )
            return desk.signed_in(session)

        return router

    @property
    def session_for(self) -> timedelta:
        return timedelta(hours=self.ctx.web_config.web_session_hours)

    def verified(self, init_data: str, lang: str) -> TelegramUser:
        token = self.ctx.web_config.telegram_bot_token.get()
        try:
            return verify_init_data(init_data, token, self.ctx.store.clock())
        except InitDataRefused as refused:
            log.info("a Telegram sign-in to the desk was refused: %s", refused.reason)
            raise DeskRefusal(403, REFUSALS[refused.reason], lang) from None

    async def staff_of(self, clinic_id: str, user: TelegramUser) -> Staff | None:
        """The clinic's active staff member with this Telegram account; None for anyone else, and for a
        clinic that does not exist."""
        if not clinic_id.isdigit() or len(clinic_id) > 12:
            return None
        clinic = await self.ctx.store.clinics.get(int(clinic_id))
        return await self.ctx.store.staff.by_telegram(clinic.chat_id, user.id) if clinic else None
