"""Cutting a long report into Telegram-sized messages. Pure functions.

Telegram allows 4096 characters a message. A report is cut after a paragraph, else after a sentence,
else after a space: never inside a word.
"""

from __future__ import annotations

MESSAGE_LIMIT = 4096
_SENTENCE_ENDS = (". ", "! ", "? ", ".\n", "!\n", "?\n", "。", "…")


def cut_point(text: str, limit: int) -> int:
    """Where to end the first piece of `text`, at most `limit` characters in."""
    if len(text) <= limit:
        return len(text)
    window = text[:limit]
    floor = limit // 2  # prefer a good boundary, but not one that leaves a tiny message
    for marks in (("\n\n",), ("\n",), _SENTENCE_ENDS):
        end = max((window.rfind(m) + len(m) for m in marks if window.rfind(m) >= 0), default=-1)
        if end > floor:
            return end
    space = max(window.rfind(" "), window.rfind("\n"), window.rfind("\t"))
    if space > 0:
        return space + 1
    return limit  # one "word" longer than a message: nothing better exists
