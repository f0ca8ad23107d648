"""In front of every /api/v1 request, before its body is read: the client address's wrong-key limit, the
API key, the key's rate limit, and the upload size. A request that fails here costs no parsing of its
photo, no disk and no model time; only an upload refused for its size has the head of its form read,
for the language of the answer (`web.form_head`). Everything refused here is answered in that language
or, where the form was not read, in Accept-Language's."""

from __future__ import annotations

import ipaddress
import math

from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from casework.flood import FloodGate
from conversations.domain import Language
from web.context import WebContext
from web.errors import accepted_language, error_body
from web.form_head import HEAD_BYTES, form_language, read_head

API_PREFIX = "/api/v1/"
KEY_HEADER = "X-API-Key"
# Room for the form's other fields and the multipart framing around the photo.
FORM_OVERHEAD = HEAD_BYTES
# Requests without a valid key that one client address may make (a burst of that many, refilled evenly).
# A key is 256 random bits, so this is not what stops guessing; it stops a flood of lookups.
WRONG_KEYS_PER_MINUTE = 10


def client_address(connection: HTTPConnection) -> int:
    """The client as one number for the per-address limit: an IPv4 address (also mapped into IPv6) as
    itself, an IPv6 one by its /64, which is one subscriber's whole network; -1 when unknown. Behind a
    reverse proxy this is the address the proxy names (SKINBOT_WEB_TRUSTED_PROXIES)."""
    try:
        ip = ipaddress.ip_address(connection.client.host if connection.client else "")
    except ValueError:
        return -1
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return int(ip.ipv4_mapped)
        return int(ipaddress.IPv6Network((ip, 64), strict=False).network_address)
    return int(ip)


class ApiGate:
    def __init__(self, app: ASGIApp, ctx: WebContext) -> None:
        self.app, self.ctx = app, ctx
        rate = ctx.web_config.api_rate_per_minute
        # A bucket of one minute's requests, refilled evenly: a burst is allowed, a flood is not.
        self.limits = FloodGate(burst=rate, refill_per_s=rate / 60.0, notice_window_s=0.0)
        # Only failures take from an address's bucket; an empty one refuses before any key is looked up.
        self.wrong_keys = FloodGate(
            burst=WRONG_KEYS_PER_MINUTE, refill_per_s=WRONG_KEYS_PER_MINUTE / 60.0, notice_window_s=0.0
        )
        self.max_photo = ctx.case_config.max_download_mb * 1024 * 1024

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        t = self.ctx.t

        async def refuse(
            status: int,
            code: str,
            key: str,
            headers: dict[str, str] | None = None,
            lang: Language | None = None,
            **args: object,
        ) -> None:
            body = error_body(t, lang or accepted_language(connection), code, key, **args)
            await JSONResponse(body, status, headers=headers)(scope, receive, send)

        address = client_address(connection)
        if self.wrong_keys.exhausted(address):
            wait = math.ceil(60 / WRONG_KEYS_PER_MINUTE)
            retry = {"Retry-After": str(wait)}
            await refuse(429, "rate_limited", "api-error-wrong-keys", retry, seconds=wait)
            return
        secret = connection.headers.get(KEY_HEADER, "")
        key = await self.ctx.store.api_keys.authenticate(secret) if secret else None
        if key is None:
            self.wrong_keys.check(address)
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
                lang = form_language(await read_head(receive), connection.headers.get("content-type", ""))
                max_mb = self.ctx.case_config.max_download_mb
                await refuse(413, "too_large", "api-error-too-large", lang=lang, max_mb=max_mb)
                return
        await self.ctx.store.api_keys.mark_used(key)  # only a request let through is a use of the key
        scope.setdefault("state", {})["api_key"] = key
        await self.app(scope, receive, send)
