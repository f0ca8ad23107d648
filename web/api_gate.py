"""In front of every /api/v1 request, before its body is read: the API key, the key's rate limit, and the
upload size. A request that fails here costs no parsing, no disk and no model time."""

from __future__ import annotations

import math

from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.flood import FloodGate
from web.context import WebContext
from web.errors import accepted_language, error_body

API_PREFIX = "/api/v1/"
KEY_HEADER = "X-API-Key"
# Room for the form's other fields and the multipart framing around the photo.
FORM_OVERHEAD = 64 * 1024


class ApiGate:
    def __init__(self, app: ASGIApp, ctx: WebContext) -> None:
        self.app, self.ctx = app, ctx
        rate = ctx.settings.api_rate_per_minute
        # A bucket of one minute's requests, refilled evenly: a burst is allowed, a flood is not.
        self.limits = FloodGate(burst=rate, refill_per_s=rate / 60.0, notice_window_s=0.0)
        self.max_photo = ctx.settings.max_download_mb * 1024 * 1024

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        lang = accepted_language(connection)
        t = self.ctx.t

        async def refuse(
            status: int, code: str, key: str, headers: dict[str, str] | None = None, **args: object
        ) -> None:
            response = JSONResponse(error_body(t, lang, code, key, **args), status, headers=headers)
            await response(scope, receive, send)

        secret = connection.headers.get(KEY_HEADER, "")
        key = await self.ctx.store.api_keys.authenticate(secret) if secret else None
        if key is None:
            await refuse(401, "unauthorized", "api-error-unauthorized", {"WWW-Authenticate": KEY_HEADER})
            return
        if not self.limits.check(key.id).allowed:
            wait = math.ceil(1 / self.limits.refill_per_s)
            await refuse(
                429, "rate_limited", "api-error-rate-limited", {"Retry-After": str(wait)}, seconds=wait
            )
            return
        if scope["method"] == "POST":
            length = connection.headers.get("content-length")
            if length is None or not length.isdigit():
                await refuse(411, "length_required", "api-error-length-required")
                return
            if int(length) > self.max_photo + FORM_OVERHEAD:
                max_mb = self.ctx.settings.max_download_mb
                await refuse(413, "too_large", "api-error-too-large", max_mb=max_mb)
                return
        scope.setdefault("state", {})["api_key"] = key
        await self.app(scope, receive, send)
