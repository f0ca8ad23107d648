"""A fake Telegram Bot API server on 127.0.0.1, for tests and the load benchmark.

It speaks the HTTP protocol python-telegram-bot speaks (form or multipart bodies, JSON answers),
holds the updates users send until the bot polls for them (or posts them to its webhook), records every call
the bot makes with a timestamp, keeps each chat's messages (edits applied, fake_chats.py), serves uploaded
files (fake_files.py), and can inject faults (fake_faults.py). Only Telegram's servers are faked: the bot
under test is the real Application.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from testkit.bot_api_rules import BotApiError
from testkit.fake_chats import ChatMethods
from testkit.fake_faults import FaultInjection
from testkit.fake_files import FileMethods
from testkit.fake_user import FakeUser
from testkit.loopback import serve_on_loopback
from testkit.sent_messages import BOT_USER

_JSON_FIELDS = {
    "reply_markup",
    "entities",
    "caption_entities",
    "commands",
    "allowed_updates",
    "link_preview_options",
}
_INT_FIELDS = {
    "chat_id",
    "message_id",
    "offset",
    "limit",
    "timeout",
    "user_id",
    "reply_to_message_id",
    "draft_id",
    "message_thread_id",
}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float  # time.monotonic()
    result: Any = None
    error: tuple[int, str] | None = None


class FakeBotApi(ChatMethods, FileMethods, FaultInjection):
    """The server: its HTTP routes, the updates waiting for the bot, and every call the bot made. A Bot API
    method `m` is answered by the `_m_m` of whichever part holds that state (chats, files); a method nobody
    answers returns true."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token
        self.calls: list[Call] = []
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self.polls: list[float] = []  # when the bot asked for updates (not recorded as calls: too many)
        self._runner: web.AppRunner | None = None
        self.port = 0
        # The webhook the bot set (setWebhook's parameters), None while it polls. While one is set, updates
        # are POSTed to `webhook_upstream` (where the reverse proxy would pass them on) with its secret
        # header, and getUpdates is refused with 409, as Telegram does.
        self.webhook: dict[str, Any] | None = None
        self.webhook_upstream: str | None = None
        self.webhook_answers: list[int] = []  # the HTTP status of each webhook delivery

    # --- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.*}", self._file)
        self._runner, self.port = await serve_on_loopback(app)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # --- what users do --------------------------------------------------------------------------

    def user(self, user_id: int, language_code: str | None = "en", first_name: str = "Test") -> FakeUser:
        return FakeUser(self, user_id, language_code, first_name)

    async def push_update(self, payload: dict[str, Any]) -> int:
        update_id = next(self._update_ids)
        if self.webhook is not None and self.webhook_upstream is not None:
            await self._post_webhook({"update_id": update_id, **payload})
            return update_id
        async with self._changed:
            self._updates.append({"update_id": update_id, **payload})
            self._changed.notify_all()
        return update_id

    async def _post_webhook(self, update: dict[str, Any]) -> None:
        import aiohttp

        assert self.webhook is not None and self.webhook_upstream is not None
        headers = {}
        if self.webhook.get("secret_token"):
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook["secret_token"]
        async with (
            aiohttp.ClientSession() as session,
            session.post(self.webhook_upstream, json=update, headers=headers) as response,
        ):
            await response.read()
        async with self._changed:
            self.webhook_answers.append(response.status)
            self._changed.notify_all()

    # --- what the bot did -----------------------------------------------------------------------

    def calls_of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(predicate), timeout)

    # --- HTTP -----------------------------------------------------------------------------------

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            params.update(await request.json())
            return params
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                if part.filename:
                    params[part.name] = (part.filename, bytes(await part.read()))
                else:
                    params[part.name] = await part.text()
        elif request.can_read_body:
            params.update(await request.post())
        for key in list(params):
            value = params[key]
            if key in _JSON_FIELDS and isinstance(value, str):
                params[key] = json.loads(value)
            elif key in _INT_FIELDS and isinstance(value, str):
                params[key] = int(value)
        return params

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        method = request.match_info["method"]
        params = await self._params(request)
        if self._bad_gateway(method):
            await self._record(Call(method, params, time.monotonic(), error=(502, "Bad Gateway")))
            return web.json_response(
                {"ok": False, "error_code": 502, "description": "Bad Gateway"}, status=502
            )
        if method == "getUpdates":
            self.polls.append(time.monotonic())
            if self.webhook is not None:
                await self._record(Call(method, params, time.monotonic(), error=(409, "Conflict")))
                description = "Conflict: can't use getUpdates method while webhook is active"
                return web.json_response(
                    {"ok": False, "error_code": 409, "description": description}, status=409
                )
            return web.json_response({"ok": True, "result": await self._get_updates(params)})
        if method == "sendMessageDraft" and not self.drafts_supported:
            # An older server answers a method it does not know with 404, as for any unknown method.
            await self._record(Call(method, params, time.monotonic(), error=(404, "Not Found")))
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found: method not found"}, status=404
            )
        call = Call(method, params, time.monotonic())
        fault = self._take_fault(method, params)
        if fault is not None:
            handler = getattr(self, f"_m_{method}", None)
            if fault.applied and handler is not None:
                handler(params)
            if fault.delay:
                await asyncio.sleep(fault.delay)
            call.error = (fault.status, fault.description)
            await self._record(call)
            body: dict[str, Any] = {"ok": False, "error_code": fault.status, "description": fault.description}
            if fault.retry_after is not None:
                body["parameters"] = {"retry_after": fault.retry_after}
            return web.json_response(body, status=fault.status)
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            call.result = True
            await self._record(call)
            return web.json_response({"ok": True, "result": True})
        try:
            call.result = handler(params)
        except BotApiError as exc:
            call.error = (exc.status, exc.description)
            await self._record(call)
            return web.json_response(
                {"ok": False, "error_code": exc.status, "description": exc.description}, status=exc.status
            )
        await self._record(call)
        return web.json_response({"ok": True, "result": call.result})

    async def _record(self, call: Call) -> None:
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        limit = int(params.get("limit") or 100)
        async with self._changed:
            # Confirming an offset forgets older updates, as Telegram does.
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            if not self._updates and timeout > 0:
                try:
                    await asyncio.wait_for(self._changed.wait_for(lambda: bool(self._updates)), timeout)
                except TimeoutError:
                    return []
            return self._updates[:limit]

    # --- Bot API methods ------------------------------------------------------------------------

    def _m_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **BOT_USER,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _m_setWebhook(self, params: dict[str, Any]) -> bool:
        if not str(params.get("url", "")).startswith("https://"):
            raise BotApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook = dict(params)
        return True

    def _m_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = None
        return True

    def _m_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        return True

    def _m_setMyCommands(self, params: dict[str, Any]) -> bool:
        return True
