"""The chats on the fake Bot API: the messages the bot sends, edits and deletes (with Telegram's refusals),
the drafts it streams (sendMessageDraft), its chat actions, and the group chats it is a member of."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Any

from testkit.bot_api_rules import BotApiError, check_buttons, check_html, visible_text
from testkit.sent_messages import SentMessage, as_message

DRAFT_LIFETIME_S = 30.0  # a draft is an ephemeral preview: gone 30 s after its last update
CHAT_ACTIONS = {
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
}


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


class ChatMethods:
    """The fake server's chats (a part of FakeBotApi)."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: dict[tuple[int, int], SentMessage] = {}
        self._message_ids: dict[int, itertools.count[int]] = {}
        self.groups: dict[int, str] = {}  # chats the bot is a member of, by id: title
        self.drafts: dict[tuple[int, int], Draft] = {}
        self.draft_lifetime_s = DRAFT_LIFETIME_S
        self.drafts_supported = True  # False: an older Bot API server that does not know sendMessageDraft
        self.actions: list[tuple[int, str, float]] = []  # sendChatAction: chat, action, monotonic time

    def add_group(self, chat_id: int, title: str) -> None:
        """A group chat with the bot as a member; its members are any FakeUser that speaks in it."""
        self.groups[chat_id] = title

    def chat(self, chat_id: int) -> list[SentMessage]:
        return [m for (c, _), m in sorted(self.messages.items()) if c == chat_id and not m.deleted]

    def drafts_in(self, chat_id: int) -> list[Draft]:
        """The chat's drafts, in the order they were first sent."""
        return [d for (c, _), d in self.drafts.items() if c == chat_id]

    def visible_drafts(self, chat_id: int) -> list[Draft]:
        now = time.monotonic()
        return [d for d in self.drafts_in(chat_id) if d.visible(now, self.draft_lifetime_s)]

    def _new_message(self, chat_id: int, **fields: Any) -> SentMessage:
        ids = self._message_ids.setdefault(chat_id, itertools.count(1_000_000))
        message = SentMessage(chat_id, next(ids), **fields)
        self.messages[(chat_id, message.message_id)] = message
        return message

    def _target(self, params: dict[str, Any]) -> SentMessage:
        m = self.messages.get((params["chat_id"], params["message_id"]))
        if m is None or m.deleted:
            raise BotApiError(400, "Bad Request: message to edit not found")
        return m

    def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        check_buttons(params)
        text = params["text"]
        if not visible_text(text, params.get("parse_mode")).strip():
            raise BotApiError(400, "Bad Request: message text is empty")
        if len(visible_text(text, params.get("parse_mode"))) > 4096:
            raise BotApiError(400, "Bad Request: message is too long")
        check_html(params)
        self._end_drafts(params["chat_id"])
        m = self._new_message(
            params["chat_id"],
            text=text,
            reply_markup=params.get("reply_markup"),
            parse_mode=params.get("parse_mode"),
        )
        return as_message(m)

    def _m_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        m = self._target(params)
        text = params["text"]
        if len(visible_text(text, params.get("parse_mode"))) > 4096:
            raise BotApiError(400, "Bad Request: message is too long")
        check_html(params)
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
        m = self._target(params)
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
        check_html({**params, "text": text})
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
        if action not in CHAT_ACTIONS:
            raise BotApiError(400, "Bad Request: wrong parameter action in request")
        self.actions.append((params["chat_id"], action, time.monotonic()))
        return True

    def _m_getChat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = params["chat_id"]
        full = {"accent_color_id": 0, "max_reaction_count": 11}  # required in ChatFullInfo
        if chat_id in self.groups:
            return {"id": chat_id, "type": "supergroup", "title": self.groups[chat_id], **full}
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "Doctor", **full}
        raise BotApiError(400, "Bad Request: chat not found")
