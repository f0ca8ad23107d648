"""Turn the flow's Says into Telegram text and inline keyboards, through Fluent."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardMarkup

from bot.callbacks import button
from casework.translator import Translator
from conversations.intake_prompts import Button, Msg, Say
from conversations.intake_state import Intake


def _translated(t: Translator, lang: str, args: dict[str, Any]) -> dict[str, Any]:
    return {k: t(lang, v.key) if isinstance(v, Msg) else v for k, v in args.items()}


def text_of(t: Translator, lang: str, say: Say) -> str:
    return t(lang, say.key, **_translated(t, lang, say.args))


def keyboard(
    t: Translator, lang: str, rows: tuple[tuple[Button, ...], ...], owner: int, intake: Intake | None
) -> InlineKeyboardMarkup | None:
    """The buttons of a Say, each naming the intake state it is shown for (see bot.callbacks)."""
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [
            [
                button(
                    ("✓ " if b.selected else "") + t(lang, b.label, **_translated(t, lang, b.args)),
                    b.action,
                    b.value,
                    owner,
                    intake.step if intake else None,
                    intake.key if intake else "",
                )
                for b in row
            ]
            for row in rows
        ]
    )
