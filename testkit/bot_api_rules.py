"""What the fake Bot API refuses as Telegram does: its error, the 4096-character limit counted after entities
are parsed, and HTML that Telegram cannot parse (so the bot's fallbacks get exercised)."""

from __future__ import annotations

import html
import re
from typing import Any


class BotApiError(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, description


def visible_text(text: str, parse_mode: str | None) -> str:
    """What the reader sees: Telegram counts the 4096 limit after parsing entities."""
    if parse_mode != "HTML":
        return text
    return html.unescape(re.sub(r"<[^>]*>", "", text))


def check_buttons(params: dict[str, Any]) -> None:
    """As Telegram: a Mini App (web_app) button only in a private chat, and only to an https:// page."""
    rows = (params.get("reply_markup") or {}).get("inline_keyboard", [])
    for button in (b for row in rows for b in row):
        if "web_app" not in button:
            continue
        if int(params["chat_id"]) < 0:
            raise BotApiError(400, "Bad Request: BUTTON_TYPE_INVALID")
        if not str(button["web_app"].get("url", "")).startswith("https://"):
            raise BotApiError(400, "Bad Request: BUTTON_URL_INVALID")


def check_html(params: dict[str, Any]) -> None:
    """Reject unbalanced or unknown HTML tags, as Telegram does, so fallbacks get exercised."""
    if params.get("parse_mode") != "HTML":
        return
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
