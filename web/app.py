"""The ASGI app: the API under /api/v1, the review desk under /desk, the API reference at /docs and
/openapi.json (unless SKINBOT_WEB_DOCS=off)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from conversations.validation import HISTORY_MAX, NAME_MAX
from web.api import build_router
from web.api_gate import API_PREFIX, WRONG_KEYS_PER_MINUTE, ApiGate
from web.context import WebContext
from web.desk import Desk, DeskRefusal, SignInNeeded
from web.docs import ApiReference
from web.errors import ApiError, accepted_language, error_body, request_language
from web.jobs import ApiJobs
from web.telegram_login import TelegramSignIn

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"

DESCRIPTION = f"""\
Skin pre-screening over HTTP: the same quality gate, classifier, triage, report model and PDF as the
Telegram bot, on the same queue.

**This is pre-screening, not a diagnosis.** Every answer carries a `notice` saying so: show it with
the result.

Every request needs an API key in the `X-API-Key` header (`skinbot api-key create NAME`). Each key may
make `SKINBOT_API_RATE` requests a minute and have one request in line at a time; one client address
may send {WRONG_KEYS_PER_MINUTE} requests a minute without a valid key. Requests are multipart forms: the
photo, `age`, `gender`, `language` (ko, en or vi: the report's language and that of every message, errors
included), optional `history`, and an optional patient `name`, which goes into the PDF and never to a
model. Errors are JSON: `{{"error": {{"code": ..., "message": ...}}}}`.

Which language an error speaks: the form's `language` wherever the form has been read. Some refusals
come before it is: a missing or wrong key (401), a rate limit (429) and a missing Content-Length (411)
follow the `Accept-Language` header. An upload over the size limit (413) reads only the fields sent
before the photo, so send `language` first (as `curl -F` and browsers do in the order given); sent after
the photo, it cannot be read and `Accept-Language` decides.
"""

# What a desk page (and the API reference) may load: only its own files. Nothing inline, no framing, and
# no referrer to other sites (login links carry a token in their URL). "same-origin" rather than
# "no-referrer": under the latter a browser sends `Origin: null` with the desk's own form posts, which
# the cross-site check (Desk.refuse_cross_site) could not tell from a sandboxed attacker's.
DESK_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


# Pages for people, which a browser renders: the desk and the API reference.
PAGES = ("/desk", "/docs", "/openapi.json")


class DeskHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(PAGES):
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                for name, value in DESK_HEADERS.items():
                    if name.lower().encode() not in names:
                        headers.append((name.lower().encode(), value.encode()))
                if b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


# A field's own message when it is invalid, with its arguments.
FIELD_ERRORS: dict[str, tuple[str, dict[str, Any]]] = {
    "age": ("api-error-age", {}),
    "gender": ("api-error-gender", {}),
    "language": ("api-error-language", {}),
    "history": ("api-error-history", {"max": HISTORY_MAX}),
    "name": ("api-error-name", {"max": NAME_MAX}),
}


class WebApp:
    def __init__(self, ctx: WebContext) -> None:
        self.ctx = ctx
        self.jobs = ApiJobs(ctx)
        self.desk = Desk(ctx) if ctx.verdicts is not None else None
        self.asgi = self._build()

    async def start(self) -> None:
        await self.jobs.start()

    async def close(self) -> None:
        await self.jobs.close()

    def _build(self) -> FastAPI:
        ctx, t = self.ctx, self.ctx.t
        docs = ctx.web_config.web_docs
        app = FastAPI(
            title="Skin pre-screening API",
            version="1",
            description=DESCRIPTION,
            docs_url=None,  # our own page (web.docs), not Swagger UI from a CDN
            redoc_url=None,
            openapi_url="/openapi.json" if docs else None,
            openapi_tags=[{"name": "pre-screening", "description": "Classification, analysis and reports."}],
        )
        app.include_router(build_router(ctx, self.jobs), tags=["pre-screening"])
        if self.desk is not None:
            app.include_router(self.desk.router())
            app.include_router(TelegramSignIn(self.desk).router())
        # The desk's style sheet serves the API reference as well.
        app.mount("/desk/static", StaticFiles(directory=STATIC), name="desk-static")
        if docs:
            app.get("/docs", include_in_schema=False)(ApiReference(t, app.openapi).page)
        home = "/desk" if self.desk is not None else "/docs" if docs else None

        @app.get("/", include_in_schema=False)
        async def root() -> Response:
            if home is None:
                raise StarletteHTTPException(404)
            return RedirectResponse(home, 303)

        @app.exception_handler(ApiError)
        async def on_api_error(request: Request, exc: ApiError) -> Response:
            lang = exc.lang or request_language(request)
            return JSONResponse(exc.body(t, lang), exc.status, headers=exc.headers)

        @app.exception_handler(RequestValidationError)
        async def on_invalid(request: Request, exc: RequestValidationError) -> Response:
            body: Any = exc.body
            form_language = body.get("language") if hasattr(body, "get") else None
            lang = request_language(request, form_language)
            errors = exc.errors()
            first = errors[0] if errors else {"loc": ("body",), "type": "invalid"}
            field = str(first["loc"][-1]) if first.get("loc") else "body"
            if first.get("type") == "missing":
                content = error_body(
                    t, lang, "missing_field", "api-error-missing", {"field": field}, field=field
                )
            else:
                key, args = FIELD_ERRORS.get(field, ("api-error-invalid", {}))
                content = error_body(t, lang, "invalid_field", key, {"field": field}, field=field, **args)
            return JSONResponse(content, 422)

        @app.exception_handler(StarletteHTTPException)
        async def on_http_error(request: Request, exc: StarletteHTTPException) -> Response:
            lang = accepted_language(request)
            if request.url.path.startswith(API_PREFIX) or self.desk is None:
                code = "not_found" if exc.status_code == 404 else "http_error"
                key = "api-error-not-found" if exc.status_code == 404 else "api-error-invalid-request"
                return JSONResponse(error_body(t, lang, code, key), exc.status_code, headers=exc.headers)
            return self.desk.page(request, "message.html", lang, exc.status_code, key="desk-not-found")

        if self.desk is not None:
            desk = self.desk

            @app.exception_handler(SignInNeeded)
            async def on_signed_out(request: Request, exc: SignInNeeded) -> Response:
                return desk.page(
                    request, "message.html", accepted_language(request), 401, key="desk-login-needed"
                )

            @app.exception_handler(DeskRefusal)
            async def on_refused(request: Request, exc: DeskRefusal) -> Response:
                return desk.page(request, "message.html", exc.lang, exc.status, key=exc.key)

        app.add_middleware(ApiGate, ctx=ctx)
        app.add_middleware(DeskHeaders)
        return app
