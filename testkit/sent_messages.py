"""The messages the fake Bot API holds for each chat, and how a Message carrying one looks on the wire: shared
by the server (`testkit.fake_chats`) and its users (`testkit.fake_user`)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

BOT_USER = {"id": 1000, "is_bot": True, "first_name": "skinbot", "username": "skin_test_bot"}


@dataclass
class SentMessage:
    chat_id: int
    message_id: int
    text: str | None
    reply_markup: dict[str, Any] | None
    document: bytes | None = None
    document_name: str | None = None
    caption: str | None = None
    photo: bytes | None = None
    parse_mode: str | None = None
    edits: list[float] = field(default_factory=list)  # monotonic times of edits
    deleted: bool = False

    def buttons(self) -> list[dict[str, Any]]:
        if not self.reply_markup:
            return []
        return [b for row in self.reply_markup.get("inline_keyboard", []) for b in row]


def as_message(m: SentMessage) -> dict[str, Any]:
    """The Bot API Message the bot's chat shows for `m`, as updates and method results carry it."""
    data: dict[str, Any] = {
        "message_id": m.message_id,
        "date": int(time.time()),
        "chat": {"id": m.chat_id, "type": "private"}
        if m.chat_id > 0
        else {"id": m.chat_id, "type": "supergroup", "title": "group"},
        "from": BOT_USER,
    }
    if m.text is not None:
        data["text"] = m.text
    if m.reply_markup and "inline_keyboard" in m.reply_markup:
        # A Message echoes only an inline keyboard; ForceReply and reply keyboards are not echoed.
        data["reply_markup"] = m.reply_markup
    if m.photo is not None:
        data["photo"] = [
            {
                "file_id": f"photo{m.message_id}",
                "file_unique_id": f"p{m.message_id}",
                "width": 1280,
                "height": 960,
                "file_size": len(m.photo),
            }
        ]
        if m.caption:
            data["caption"] = m.caption
    if m.document is not None:
        data["document"] = {
            "file_id": f"doc{m.message_id}",
            "file_unique_id": f"u{m.message_id}",
            "file_name": m.document_name,
            "mime_type": "application/pdf",
            "file_size": len(m.document),
        }
        if m.caption:
            data["caption"] = m.caption
    return data
