"""The review desk: clinic staff work through the cases sent to their clinic, in the browser.

Server-rendered (Jinja2), no build step; a few lines of JavaScript only for zooming the photo. Staff sign
in with a one-time link (`skinbot clinic staff add`), or from Telegram (`web.telegram_login`), then a
cookie session. Every page and file is scoped
by the staff member's clinic, every form carries the session's CSRF token, and every case opened, PDF
downloaded and verdict given is written to the audit log.
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from conversations.domain import Case, Clinic, Language
from conversations.store.desk import DeskItem
from conversations.web_domain import AuditEntry, StaffSession
from inference.labels import Classification
from inference.triage import Triage, triage
from web.context import VERDICTS, WebContext
from web.errors import accepted_language

COOKIE = "skinbot_desk"
NOTE_MAX = 1000  # as in the clinic chat (casework.review_desk.NOTE_MAX)
TRIAGE_ORDER = {Triage.URGENT: 0, Triage.UNCERTAIN: 1, Triage.ROUTINE: 2}
TEMPLATES = Path(__file__).resolve().parent / "templates"
STATUSES = ("waiting", "answered", "all")


class SignInNeeded(Exception):
    """No valid session: the page says how to sign in."""


class DeskRefusal(Exception):
    def __init__(self, status: int, key: str, lang: str) -> None:
        super().__init__(key)
        self.status, self.key, self.lang = status, key, lang


@dataclass(frozen=True)
class QueueRow:
    item: DeskItem
    level: Triage
    result: Classification

    @property
    def case(self) -> Case:
        return self.item.case


@dataclass(frozen=True)
class Filters:
    triage: str = ""
    status: str = "waiting"
    language: str = ""
    sent_from: str = ""
    sent_until: str = ""

    @classmethod
    def of(cls, request: Request) -> Filters:
        q = request.query_params
        return cls(
            triage=q.get("triage", "") if q.get("triage", "") in {t.value for t in Triage} else "",
            status=q.get("status", "waiting") if q.get("status") in STATUSES else "waiting",
            language=q.get("language", "") if Language.of(q.get("language")) else "",
            sent_from=q.get("from", "") if _day(q.get("from")) else "",
            sent_until=q.get("until", "") if _day(q.get("until")) else "",
        )


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else ""


def report_blocks(report: str | None) -> list[tuple[str, str]]:
    """The report as the model wrote it, split into headings ("## Care") and paragraphs, for the page.
    The text itself is shown as written (escaped by the template), never interpreted as HTML."""
    blocks: list[tuple[str, str]] = []
    for chunk in (report or "").split("\n\n"):
        lines = chunk.strip("\n").splitlines()
        while lines and lines[0].lstrip().startswith("#"):
            blocks.append(("heading", lines.pop(0).lstrip("# ").strip()))
        if any(line.strip() for line in lines):
            blocks.append(("text", "\n".join(lines)))
    return blocks


class Desk:
    def __init__(self, ctx: WebContext) -> None:
        assert ctx.verdicts is not None
        self.ctx, self.verdicts = ctx, ctx.verdicts
        self.templates = Jinja2Templates(directory=str(TEMPLATES))
        self.templates.env.globals.update(
            when=when, report_blocks=report_blocks, verdicts=VERDICTS, languages=list(Language)
        )
        self.secure_cookie = ctx.web_config.web_url.startswith("https://")

    # --- sessions -------------------------------------------------------------------------------

    async def clinic_of(self, session: StaffSession) -> Clinic | None:
        # The store's clinic list (`skinbot clinic`), read each time: a clinic added while it runs counts.
        return await self.ctx.store.clinics.by_chat(session.staff.clinic_chat_id)

    async def session(self, request: Request) -> tuple[StaffSession, Clinic]:
        token = request.cookies.get(COOKIE)
        session = await self.ctx.store.staff.session(token) if token else None
        clinic = await self.clinic_of(session) if session else None
        if session is None or clinic is None:
            raise SignInNeeded
        return session, clinic

    async def checked(self, request: Request) -> tuple[StaffSession, Clinic, Any]:
        """A form post: a valid session, sent from the desk's own pages, with its CSRF token; or a refusal."""
        session, clinic = await self.session(request)
        self.refuse_cross_site(request, session.staff.language)
        form = await request.form()
        sent = str(form.get("csrf", ""))
        if not hmac.compare_digest(sent.encode(), session.csrf.encode()):
            raise DeskRefusal(403, "desk-csrf", session.staff.language)
        return session, clinic, form

    def page(self, request: Request, name: str, lang: str, status: int = 200, **context: Any) -> HTMLResponse:
        t = self.ctx.t

        def tr(key: str, **args: Any) -> str:
            return t(lang, key, **args)

        response = self.templates.TemplateResponse(
            request, name, {"t": tr, "lang": lang, **context}, status_code=status
        )
        return response

    def shell(self, session: StaffSession, clinic: Clinic, request: Request) -> dict[str, Any]:
        """What every signed-in page shows around its content."""
        return {
            "signed_in": True,
            "staff": session.staff,
            "clinic": clinic,
            "csrf": session.csrf,
            "here": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        }

    # --- the routes -----------------------------------------------------------------------------

    def router(self) -> APIRouter:
        router = APIRouter(prefix="/desk", include_in_schema=False)
        ctx, store = self.ctx, self.ctx.store

        @router.get("/login/{token}")
        async def login_page(request: Request, token: str) -> Response:
            staff = await store.staff.link_owner(token)
            clinic = await store.clinics.by_chat(staff.clinic_chat_id) if staff else None
            if staff is None or clinic is None:
                return self.invalid_link(request)
            # Signing in takes a press: a link preview (a chat app fetching the URL) must not spend it.
            return self.page(request, "login.html", staff.language, staff=staff, clinic=clinic, token=token)

        @router.post("/login/{token}")
        async def login(request: Request, token: str) -> Response:
            # Before the link is spent: another site must not sign a browser in as someone else.
            owner = await store.staff.link_owner(token)
            self.refuse_cross_site(request, owner.language if owner else accepted_language(request))
            used = await store.staff.use_link(token, timedelta(hours=ctx.web_config.web_session_hours))
            clinic = await store.clinics.by_chat(used[0].clinic_chat_id) if used else None
            if used is None or clinic is None:
                return self.invalid_link(request)
            staff, session_token = used
            await store.staff.purge_expired()
            await store.audit.add(clinic.chat_id, staff.name, "login", staff_id=staff.id)
            return self.signed_in(session_token)

        @router.post("/logout")
        async def logout(request: Request) -> Response:
            session, clinic, _ = await self.checked(request)
            await store.staff.end_session(request.cookies.get(COOKIE, ""))
            await store.audit.add(clinic.chat_id, session.staff.name, "logout", staff_id=session.staff.id)
            response = self.page(request, "message.html", session.staff.language, key="desk-signed-out")
            response.delete_cookie(COOKIE, path="/desk")
            return response

        @router.post("/language")
        async def language(request: Request) -> Response:
            session, _, form = await self.checked(request)
            chosen = Language.of(form.get("language"))
            if chosen is not None:
                await store.staff.set_language(session.staff.id, chosen)
            back = str(form.get("next", "/desk"))
            return RedirectResponse(back if back.startswith("/desk") and "//" not in back else "/desk", 303)

        @router.get("")
        async def queue(request: Request) -> Response:
            session, clinic = await self.session(request)
            filters = Filters.of(request)
            rows = await self.rows(clinic, filters)
            return self.page(
                request,
                "queue.html",
                session.staff.language,
                rows=rows,
                filters=filters,
                statuses=STATUSES,
                levels=[t.value for t in Triage],
                **self.shell(session, clinic, request),
            )

        @router.get("/audit")
        async def audit(request: Request) -> Response:
            session, clinic = await self.session(request)
            entries = await store.audit.of_clinic(clinic.chat_id)
            return self.page(
                request,
                "audit.html",
                session.staff.language,
                entries=entries,
                **self.shell(session, clinic, request),
            )

        @router.get("/cases/{review_id}")
        async def case_page(request: Request, review_id: str) -> Response:
            session, clinic = await self.session(request)
            item = await self.item(session, clinic, review_id)
            await self.audit_case(session, clinic, item, "view")
            result = request.query_params.get("result", "")
            return await self.case_view(request, session, clinic, item, result=result)

        @router.post("/cases/{review_id}/verdict")
        async def verdict(request: Request, review_id: str) -> Response:
            session, clinic, form = await self.checked(request)
            item = await self.item(session, clinic, review_id)
            chosen = str(form.get("verdict", ""))
            note = str(form.get("note", "")).strip()
            problem = ""
            if chosen not in VERDICTS:
                problem = "desk-verdict-missing"
            elif len(note) > NOTE_MAX:
                problem = "desk-note-too-long"
            elif chosen == "note" and not note:
                problem = "desk-note-required"
            if problem:
                return await self.case_view(
                    request, session, clinic, item, problem=problem, note=note, status=400
                )
            won, _first = await self.verdicts.decide(
                item.review, chosen, session.staff.name, note or None, session.staff.id
            )
            return RedirectResponse(f"/desk/cases/{item.review.id}?result={'won' if won else 'lost'}", 303)

        async def case_file(
            request: Request, review_id: str, path: Callable[[Case], Path], mime: str
        ) -> Response:
            session, clinic = await self.session(request)
            case = (await self.item(session, clinic, review_id)).case
            data = await asyncio.to_thread(ctx.files.read_optional, path(case))
            return self.private_file(data, mime, session)

        @router.get("/cases/{review_id}/photo")
        async def photo(request: Request, review_id: str) -> Response:
            return await case_file(
                request, review_id, lambda case: ctx.files.image_path(case.user_id, case.image), "image/jpeg"
            )

        @router.get("/cases/{review_id}/heatmap")
        async def heatmap(request: Request, review_id: str) -> Response:
            return await case_file(
                request, review_id, lambda case: ctx.files.heatmap_path(case.user_id, case.id), "image/png"
            )

        @router.get("/cases/{review_id}/report.pdf")
        async def pdf(request: Request, review_id: str) -> Response:
            session, clinic = await self.session(request)
            item = await self.item(session, clinic, review_id)
            case = item.case
            if case.report is None:
                raise DeskRefusal(404, "desk-not-found", session.staff.language)
            data = await ctx.case_pdf(case)
            await self.audit_case(session, clinic, item, "pdf")
            name = f"skin-report-{case.short_id}-{case.created_at.date().isoformat()}.pdf"
            return Response(
                data,
                media_type="application/pdf",
                headers={
                    "Content-Disposition": f'inline; filename="{name}"',
                    "Cache-Control": "private, no-store",
                },
            )

        return router

    # --- helpers --------------------------------------------------------------------------------

    def refuse_cross_site(self, request: Request, lang: str) -> None:
        """A post from another site's page is refused, whatever it carries. Browsers say where a request
        comes from and a page cannot forge it: Sec-Fetch-Site where they send it (every current one),
        else Origin. A client that sends neither is no browser, so no victim's cookies ride along."""
        site = request.headers.get("sec-fetch-site")
        if site is not None:
            if site not in ("same-origin", "none"):  # "none": the user's own doing (typed, a bookmark)
                raise DeskRefusal(403, "desk-cross-site", lang)
            return
        origin = request.headers.get("origin")
        if origin is not None and urlsplit(origin).netloc.lower() not in self.own_hosts(request):
            # Also "null" (a sandboxed frame, a redirect): the desk's Referrer-Policy lets its own pages
            # send their real origin.
            raise DeskRefusal(403, "desk-cross-site", lang)

    def own_hosts(self, request: Request) -> set[str]:
        """host[:port] of the desk: as SKINBOT_WEB_URL names it, and as this request reached it (a page
        elsewhere cannot choose the Host header its visitor's browser sends)."""
        hosts = {request.headers.get("host", "").lower()}
        if self.ctx.web_config.web_url:
            hosts.add(urlsplit(self.ctx.web_config.web_url).netloc.lower())
        return hosts - {""}

    def signed_in(self, session_token: str) -> RedirectResponse:
        """To the queue, with the session's cookie: however the staff member proved who they are."""
        response = RedirectResponse("/desk", 303)
        response.set_cookie(
            COOKIE,
            session_token,
            max_age=int(self.ctx.web_config.web_session_hours * 3600),
            path="/desk",
            httponly=True,
            samesite="lax",
            secure=self.secure_cookie,
        )
        return response

    def invalid_link(self, request: Request) -> HTMLResponse:
        return self.page(request, "message.html", accepted_language(request), 404, key="desk-login-invalid")

    def private_file(self, data: bytes | None, media_type: str, session: StaffSession) -> Response:
        if data is None:
            raise DeskRefusal(404, "desk-not-found", session.staff.language)
        return Response(data, media_type=media_type, headers={"Cache-Control": "private, no-store"})

    async def audit_case(self, session: StaffSession, clinic: Clinic, item: DeskItem, action: str) -> None:
        """Note in the clinic's audit log that this staff member opened one of its cases."""
        await self.ctx.store.audit.add(
            clinic.chat_id,
            session.staff.name,
            action,
            staff_id=session.staff.id,
            review_id=item.review.id,
            case_id=item.case.id,
        )

    async def item(self, session: StaffSession, clinic: Clinic, review_id: str) -> DeskItem:
        """A review of this staff member's clinic, or 404: another clinic's case does not exist here."""
        item = await self.ctx.store.desk.item(clinic.chat_id, review_id) if len(review_id) == 32 else None
        if item is None:
            raise DeskRefusal(404, "desk-not-found", session.staff.language)
        return item

    def level(self, case: Case) -> tuple[Triage, Classification] | None:
        if case.classification is None:
            return None
        result = Classification.from_record(case.classification)
        return triage(result, self.ctx.case_config.carcinoma_referral), result

    async def rows(self, clinic: Clinic, filters: Filters) -> list[QueueRow]:
        answered = {"waiting": False, "answered": True}.get(filters.status)
        items = await self.ctx.store.desk.items(
            clinic.chat_id,
            answered=answered,
            language=filters.language or None,
            sent_from=_day(filters.sent_from),
            sent_until=_day(filters.sent_until),
        )
        rows = []
        for item in items:
            graded = self.level(item.case)
            if graded is None or (filters.triage and graded[0].value != filters.triage):
                continue
            rows.append(QueueRow(item, *graded))
        # Urgent first; within a triage level the store's order stands: newest first.
        return sorted(rows, key=lambda row: TRIAGE_ORDER[row.level])

    async def case_view(
        self,
        request: Request,
        session: StaffSession,
        clinic: Clinic,
        item: DeskItem,
        *,
        result: str = "",
        problem: str = "",
        note: str = "",
        status: int = 200,
    ) -> HTMLResponse:
        case, review = item.case, item.review
        graded = self.level(case)
        files = self.ctx.files
        has_heatmap = await asyncio.to_thread(files.heatmap_path(case.user_id, case.id).is_file)
        entries: list[AuditEntry] = await self.ctx.store.audit.of_review(clinic.chat_id, review.id)
        return self.page(
            request,
            "case.html",
            session.staff.language,
            status,
            case=case,
            review=review,
            level=graded[0].value if graded else None,
            ranked=graded[1].ranked() if graded else [],
            has_heatmap=has_heatmap,
            entries=entries,
            questions=await self.ctx.store.questions.answered(case.id),  # "Ask about this report"
            result=result if result in ("won", "lost") else "",
            problem=problem,
            note=note,
            note_max=NOTE_MAX,
            **self.shell(session, clinic, request),
        )
