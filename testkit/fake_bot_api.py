"""A fake Telegram Bot API server on 127.0.0.1, for tests and the load benchmark.

It speaks the HTTP protocol python-telegram-bot speaks (form or multipart bodies, JSON answers),
holds the updates users send until the bot polls for them, records every call the bot makes with a
timestamp, keeps each chat's messages (edits applied), serves uploaded files, and can inject faults.
Only Telegram's servers are faked: the bot under test is the real Application.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from testkit.fake_user import FakeUser
from testkit.loopback import serve_on_loopback
from testkit.sent_messages import BOT_USER, SentMessage, as_message

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
DRAFT_LIFETIME_S = 30.0  # a draft is an ephemeral preview: gone 30 s after its last update


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float  # time.monotonic()
    result: Any = None
    error: tuple[int, str] | None = None


@dataclass
class Draft:
    """A streamed draft (sendMessageDraft) as the chat shows it: changes with one draft id animate."""

    chat_id: int
    draft_id: int
    text: str  # "" shows the "Thinking…" placeholder
    updates: list[tuple[float, str]] = field(default_factory=list)  # (monotonic time, text)
    expired: int = 0  # times it vanished (no update for the lifetime) while the stream was still going
    ended_at: float | None = None  # a real message in the chat took its place

    def visible(self, at: float, lifetime: float) -> bool:
        return self.ended_at is None and bool(self.updates) and at - self.updates[-1][0] < lifetime


@dataclass
class Fault:
    method: str
    status: int
    description: str
    retry_after: int | None = None
    remaining: int = 1
    delay: float = 0.0  # seconds to stall before answering, to simulate a timeout
    match: Callable[[dict[str, Any]], bool] | None = None  # only calls whose parameters match
    # Apply the call first, then stall and fail: Telegram did it, but the answer never reached the bot.
    applied: bool = False


class FakeBotApi:
    def __init__(self, token: str) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.messages: dict[tuple[int, int], SentMessage] = {}
        self.faults: list[Fault] = []
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._file_ids = itertools.count(1)
        self._files: dict[str, tuple[bytes, str]] = {}
        self._undeclared: set[str] = set()  # file ids whose getFile answer leaves file_size out
        self.served: dict[str, int] = {}  # file path -> bytes written to the bot before it stopped reading
        self._changed = asyncio.Condition()
        self.groups: dict[int, str] = {}  # chats the bot is a member of, by id: title
        self.polls: list[float] = []  # when the bot asked for updates (not recorded as calls: too many)
        self.drafts: dict[tuple[int, int], Draft] = {}
        self.draft_lifetime_s = DRAFT_LIFETIME_S
        self.drafts_supported = True  # False: an older Bot API server that does not know sendMessageDraft
        self.actions: list[tuple[int, str, float]] = []  # sendChatAction: chat, action, monotonic time
        self.down_until = 0.0  # time.monotonic() until which every call fails, as in an outage
        # Share of Bot API calls (getUpdates aside) answered 502 at random, as a flaky Telegram would.
        self.fail_rate = 0.0
        self._chance = random.Random(0)
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

    def add_group(self, chat_id: int, title: str) -> None:
        """A group chat with the bot as a member; its members are any FakeUser that speaks in it."""
        self.groups[chat_id] = title

    def add_file(self, data: bytes, suffix: str = "jpg", declare_size: bool = True) -> tuple[str, str]:
        """`declare_size=False`: getFile answers without file_size, which the Bot API allows."""
        number = next(self._file_ids)
        file_id = f"file{number}"
        path = f"uploads/{number}.{suffix}"
        self._files[path] = (data, file_id)
        self._files[file_id] = (data, path)
        if not declare_size:
            self._undeclared.add(file_id)
        return file_id, path

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

    def inject(
        self, method: str, status: int = 500, description: str = "Internal Server Error", **kw: Any
    ) -> None:
        self.faults.append(Fault(method, status, description, **kw))

    def outage(self, seconds: float) -> None:
        """Every call, getUpdates included, fails with 502 for the next `seconds`: Telegram is away."""
        self.down_until = time.monotonic() + seconds

    # --- what the bot did -----------------------------------------------------------------------

    def chat(self, chat_id: int) -> list[SentMessage]:
        return [m for (c, _), m in sorted(self.messages.items()) if c == chat_id and not m.deleted]

    def calls_of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def drafts_in(self, chat_id: int) -> list[Draft]:
        """The chat's drafts, in the order they were first sent."""
        return [d for (c, _), d in self.drafts.items() if c == chat_id]

    def visible_drafts(self, chat_id: int) -> list[Draft]:
        now = time.monotonic()
        return [d for d in self.drafts_in(chat_id) if d.visible(now, self.draft_lifetime_s)]

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
        if time.monotonic() < self.down_until:
            await self._record(Call(method, params, time.monotonic(), error=(502, "Bad Gateway")))
            return web.json_response(
                {"ok": False, "error_code": 502, "description": "Bad Gateway"}, status=502
            )
        if method != "getUpdates" and self.fail_rate and self._chance.random() < self.fail_rate:
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
        fault = next(
            (
                f
                for f in self.faults
                if f.method == method and f.remaining > 0 and (f.match is None or f.match(params))
            ),
            None,
        )
        if fault is not None:
            fault.remaining -= 1
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

    async def _file(self, request: web.Request) -> web.StreamResponse:
        """Served in chunks without Content-Length (as a chunked proxy would), counting what was written,
        so a test can tell a download that stopped early from one that read everything."""
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        path = request.match_info["path"]
        entry = self._files.get(path)
        if entry is None:
            return web.Response(status=404)
        data = entry[0]
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        self.served[path] = 0
        try:
            for start in range(0, len(data), 64 * 1024):
                await response.write(data[start : start + 64 * 1024])
                self.served[path] = min(len(data), start + 64 * 1024)
            await response.write_eof()
        except (ConnectionResetError, ConnectionError):
            pass  # the bot hung up: it has read enough
        return response

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

    def _new_message(self, chat_id: int, **fields: Any) -> SentMessage:
        ids = self._message_ids.setdefault(chat_id, itertools.count(1_000_000))
        message = SentMessage(chat_id, next(ids), **fields)
        self.messages[(chat_id, message.message_id)] = message
        return message

    def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        _check_buttons(params)
        text = params["text"]
        if not visible_text(text, params.get("parse_mode")).strip():
            raise BotApiError(400, "Bad Request: message text is empty")
        if len(visible_text(text, params.get("parse_mode"))) > 4096:
            raise BotApiError(400, "Bad Request: message is too long")
        _check_html(params)
        self._end_drafts(params["chat_id"])
        m = self._new_message(
            params["chat_id"],
            text=text,
            reply_markup=params.get("reply_markup"),
            parse_mode=params.get("parse_mode"),
        )
        return as_message(m)

    def _target(self, params: dict[str, Any]) -> SentMessage:
        m = self.messages.get((params["chat_id"], params["message_id"]))
        if m is None or m.deleted:
            raise BotApiError(400, "Bad Request: message to edit not found")
        return m

    def _m_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        m = self._target(params)
        text = params["text"]
        if len(visible_text(text, params.get("parse_mode"))) > 4096:
            raise BotApiError(400, "Bad Request: message is too long")
        _check_html(params)
        markup = params.get("reply_markup")
        if text == m.text and markup == m.reply_markup:
            raise BotApiError(400, "Bad Request: message is not modified")
        m.text, m.reply_markup, m.parse_mode = text, markup, params.get("parse_mode")
        m.edits.append(time.monotonic())
        return as_message(m)

    def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        m = self._target(params)
        markup = params.get("reply_markup") or None
        if markup == m.reply_markup:
            raise BotApiError(400, "Bad Request: message is not modified")
        m.reply_markup = markup
        return as_message(m)

    def _m_editMessageCaption(self, params: dict[str, Any]) -> dict[str, Any]:
        m = self.messages.get((params["chat_id"], params["message_id"]))
        if m is None or m.deleted:
            raise BotApiError(400, "Bad Request: message to edit not found")
        if m.document is None and m.photo is None:
            raise BotApiError(400, "Bad Request: there is no caption in the message to edit")
        caption = params.get("caption")
        if caption == m.caption and params.get("reply_markup") == m.reply_markup:
            raise BotApiError(400, "Bad Request: message is not modified")
        m.caption = caption
        return as_message(m)

    def _m_deleteMessage(self, params: dict[str, Any]) -> bool:
        self._target(params).deleted = True
        return True

    def _m_sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        document = params["document"]
        if not isinstance(document, tuple):
            raise BotApiError(400, "Bad Request: wrong file identifier")
        name, data = document
        caption = params.get("caption")
        if caption is not None and len(caption) > 1024:
            raise BotApiError(400, "Bad Request: message caption is too long")
        m = self._new_message(
            params["chat_id"],
            text=None,
            reply_markup=params.get("reply_markup"),
            document=data,
            document_name=name,
            caption=caption,
        )
        return as_message(m)

    def _m_sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        photo = params["photo"]
        if not isinstance(photo, tuple):
            raise BotApiError(400, "Bad Request: wrong file identifier")
        _, data = photo
        if not data:
            raise BotApiError(400, "Bad Request: IMAGE_PROCESS_FAILED")
        caption = params.get("caption")
        if caption is not None and len(caption) > 1024:
            raise BotApiError(400, "Bad Request: message caption is too long")
        self._end_drafts(params["chat_id"])
        m = self._new_message(
            params["chat_id"], text=None, reply_markup=params.get("reply_markup"), photo=data, caption=caption
        )
        return as_message(m)

    def _m_sendMessageDraft(self, params: dict[str, Any]) -> bool:
        """Drafts exist only in private chats: a group gets 400 TEXTDRAFT_PEER_INVALID, as from Telegram."""
        chat_id, draft_id = params["chat_id"], params.get("draft_id") or 0
        if chat_id < 0 or chat_id in self.groups:
            raise BotApiError(400, "Bad Request: TEXTDRAFT_PEER_INVALID")
        if draft_id == 0:
            raise BotApiError(400, "Bad Request: draft_id must be non-zero")
        text = params.get("text") or ""
        if len(visible_text(text, params.get("parse_mode"))) > 4096:
            raise BotApiError(400, "Bad Request: message is too long")
        _check_html({**params, "text": text})
        now = time.monotonic()
        draft = self.drafts.get((chat_id, draft_id))
        if draft is None or draft.ended_at is not None:
            draft = self.drafts[(chat_id, draft_id)] = Draft(chat_id, draft_id, text)
        elif now - draft.updates[-1][0] >= self.draft_lifetime_s:
            draft.expired += 1  # it had disappeared before this update brought it back
        draft.text = text
        draft.updates.append((now, text))
        return True

    def _end_drafts(self, chat_id: int) -> None:
        """A real message ends the chat's drafts; one that had expired first left a gap in the chat."""
        now = time.monotonic()
        for draft in self.drafts_in(chat_id):
            if draft.ended_at is None:
                if now - draft.updates[-1][0] >= self.draft_lifetime_s:
                    draft.expired += 1
                draft.ended_at = now

    def _m_sendChatAction(self, params: dict[str, Any]) -> bool:
        action = params.get("action")
        if action not in {
            "typing",
            "upload_photo",
            "record_video",
            "upload_video",
            "record_voice",
            "upload_voice",
            "upload_document",
            "choose_sticker",
            "find_location",
            "record_video_note",
            "upload_video_note",
        }:
            raise BotApiError(400, "Bad Request: wrong parameter action in request")
        self.actions.append((params["chat_id"], action, time.monotonic()))
        return True

    def _m_getFile(self, params: dict[str, Any]) -> dict[str, Any]:
        entry = self._files.get(params["file_id"])
        if entry is None:
            raise BotApiError(400, "Bad Request: invalid file_id")
        data, path = entry
        answer = {"file_id": params["file_id"], "file_unique_id": params["file_id"], "file_path": path}
        if params["file_id"] not in self._undeclared:
            answer["file_size"] = len(data)
        return answer

    def _m_getChat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = params["chat_id"]
        full = {"accent_color_id": 0, "max_reaction_count": 11}  # required in ChatFullInfo
        if chat_id in self.groups:
            return {"id": chat_id, "type": "supergroup", "title": self.groups[chat_id], **full}
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "Doctor", **full}
        raise BotApiError(400, "Bad Request: chat not found")

    def _m_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        return True

    def _m_setMyCommands(self, params: dict[str, Any]) -> bool:
        return True


def visible_text(text: str, parse_mode: str | None) -> str:
    """What the reader sees: Telegram counts the 4096 limit after parsing entities."""
    if parse_mode != "HTML":
        return text
    import html
    import re

    return html.unescape(re.sub(r"<[^>]*>", "", text))


class BotApiError(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, description


def _check_buttons(params: dict[str, Any]) -> None:
    """As Telegram: a Mini App (web_app) button only in a private chat, and only to an https:// page."""
    rows = (params.get("reply_markup") or {}).get("inline_keyboard", [])
    for button in (b for row in rows for b in row):
        if "web_app" not in button:
            continue
        if int(params["chat_id"]) < 0:
            raise BotApiError(400, "Bad Request: BUTTON_TYPE_INVALID")
        if not str(button["web_app"].get("url", "")).startswith("https://"):
            raise BotApiError(400, "Bad Request: BUTTON_URL_INVALID")


def _check_html(params: dict[str, Any]) -> None:
    """Reject unbalanced or unknown HTML tags, as Telegram does, so fallbacks get exercised."""
    if params.get("parse_mode") != "HTML":
        return
    import re

    allowed = {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "code",
        "pre",
        "a",
        "tg-spoiler",
        "blockquote",
        "span",
    }
    stack: list[str] = []
    for match in re.finditer(r"<(/?)([a-zA-Z-]+)[^>]*>", params["text"]):
        closing, tag = match.group(1) == "/", match.group(2).lower()
        if tag not in allowed:
            raise BotApiError(400, f'Bad Request: can\'t parse entities: unsupported start tag "{tag}"')
        if closing:
            if not stack or stack.pop() != tag:
                raise BotApiError(400, "Bad Request: can't parse entities: unmatched end tag")
        else:
            stack.append(tag)
    if stack:
        raise BotApiError(400, "Bad Request: can't parse entities: unclosed start tag")
    stripped = re.sub(r"<[^>]*>", "", params["text"])
    if re.search(r"&(?!(lt|gt|amp|quot);)", stripped) or "<" in stripped or ">" in stripped:
        raise BotApiError(400, "Bad Request: can't parse entities: unescaped character")
