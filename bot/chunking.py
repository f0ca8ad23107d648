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
    return best_cut(text[:limit], limit // 2)


def settled_point(text: str, limit: int) -> int:
    """How much of a growing first piece is sure to stay in it whatever text follows: all of it while it is
    short, else up to where it would be cut now. Text that comes later only adds boundaries after the ones
    seen, so the cut can move later but never earlier than this."""
    floor = limit // 2
    return len(text) if len(text) <= floor else best_cut(text[:limit], floor)


def best_cut(window: str, floor: int) -> int:
    """The best boundary in `window`: after a paragraph, a line or a sentence that ends past `floor` (a
    good boundary, but not one that leaves a tiny message), else after the last space."""
    for marks in (("\n\n",), ("\n",), _SENTENCE_ENDS):
        end = max((window.rfind(m) + len(m) for m in marks if window.rfind(m) >= 0), default=-1)
        if end > floor:
            return end
    space = max(window.rfind(" "), window.rfind("\n"), window.rfind("\t"))
    if space > 0:
        return space + 1
    return len(window)  # one "word" longer than a message: nothing better exists
