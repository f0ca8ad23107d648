"""Every inline-keyboard label fits a narrow phone in every language, so Telegram does not cut it with "…".

The limit, in columns (a Latin or Vietnamese letter is one, a Hangul syllable or an emoji two), follows
from a 360 dp wide Android phone: Telegram draws a keyboard row about 320 dp wide under the message; each
button spends about 16 dp on its padding and neighbours are 4 dp apart; a label is set at 15 sp in a
medium weight, where a letter averages about 8 dp and a Hangul syllable or emoji about 16 dp. So a button
alone in its row holds 38 columns, two in a row 17 each, three in a row 11 each.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

import pytest
from fluent.syntax import FluentParser, ast

from bot.keyboards import keyboard
from casework.reminders import REMINDER_WEEKS
from casework.translator import LOCALES_DIR, Translator
from conversations import intake_prompts as prompts
from conversations.domain import Language
from conversations.intake_state import Draft, Earlier, Intake, Step

ROW_DP, PADDING_DP, GAP_DP, COLUMN_DP = 320, 16, 4, 8
# Names as long as common ones: a label that carries the patient's name is measured with it.
NAMES = {"en": "Henry", "ko": "김민지", "vi": "Hằng"}
# Labels made of the patient's data only (date · name · site · class): their width is the data's.
DATA_ONLY = {"follow-up-option"}
ZWJ, VS16 = "\u200d", "\ufe0f"


def columns_for(per_row: int) -> int:
    width_dp = (ROW_DP - GAP_DP * (per_row - 1)) / per_row - PADDING_DP
    return int(width_dp // COLUMN_DP)


def display_width(text: str) -> int:
    """Columns a label takes: wide (East Asian) characters and emoji count two; a character joined by a
    zero-width joiner is part of the emoji before it (👩‍⚕️ is one glyph); marks and selectors count none."""
    width, joined = 0, False
    for index, char in enumerate(text):
        if joined:
            joined = False
            continue
        if char == ZWJ:
            joined = True
            continue
        if char == VS16 or unicodedata.combining(char):
            continue
        emoji = unicodedata.category(char) == "So" or text[index + 1 : index + 2] == VS16
        width += 2 if emoji or unicodedata.east_asian_width(char) in "WF" else 1
    return width


def test_display_width_counts_what_a_phone_draws() -> None:
    assert display_width("Skip") == 4
    assert display_width("Bỏ qua") == 6  # composed or not, a Vietnamese letter is one column
    assert display_width(unicodedata.normalize("NFD", "Bỏ qua")) == 6
    assert display_width("건너뛰기") == 8
    assert display_width("👩‍⚕️ ok") == 5
    assert display_width("✏️ Edit") == 7


def _intake_keyboards() -> Iterator[tuple[tuple[prompts.Button, ...], ...]]:
    """The keyboards the intake flow builds: each question's, the summary's, the edit menu's, the photos'
    and the follow-up question's."""
    for question in prompts.QUESTIONS:
        if question.options or question.skippable:  # a free-text question without "Skip" has none
            yield prompts.ask(question, "en").buttons
    yield prompts.summary(Draft()).buttons
    for step, draft in (
        (Step.EDIT_MENU, Draft()),
        (Step.MORE_PHOTOS, Draft(photos=("a",))),
        (Step.MORE_PHOTOS, Draft(photos=("a", "b"))),
    ):
        yield prompts.current_prompt(Intake(step, draft), "en").buttons
    earlier = Earlier("0" * 32, "2026-11-22", "Henry", 40, "female", "en", "face", "acne")
    yield prompts.current_prompt(Intake(Step.FOLLOW_UP, offers=(earlier,)), "en").buttons


def _button_ids() -> set[str]:
    found: set[str] = set()
    for path in (LOCALES_DIR / "en").glob("*.ftl"):
        resource = FluentParser().parse(path.read_text(encoding="utf-8"))
        found |= {e.id.name for e in resource.body if isinstance(e, ast.Message)}
    return {key for key in found if key.startswith("btn-")}


def labels(t: Translator, lang: str) -> Iterator[tuple[str, str, int]]:
    """(message id, label as sent, buttons in its row) for every button the bot shows."""
    seen = set()
    for rows in _intake_keyboards():
        markup = keyboard(t, lang, rows, owner=1, intake=None)
        assert markup is not None
        for row, sent in zip(rows, markup.inline_keyboard, strict=True):
            for button, shown in zip(row, sent, strict=True):
                seen.add(button.label)
                if button.label not in DATA_ONLY:
                    yield button.label, shown.text, len(row)
    args = {"count": 12, "weeks": max(REMINDER_WEEKS), "due": "2026-11-22", "name": NAMES[lang]}
    # The bot's own buttons (consent, delete, review, verdicts, retry, stop, reminders) stand one to a row,
    # but the reminder offer's weeks, which share one.
    for key in sorted(_button_ids() - seen):
        per_row = len(REMINDER_WEEKS) if key == "btn-remind-weeks" else 1
        yield key, t(lang, key, **args), per_row


@pytest.mark.parametrize("lang", list(Language))
def test_every_button_label_fits_a_narrow_phone(lang: str) -> None:
    t = Translator()
    measured = list(labels(t, lang))
    assert {"btn-agree", "btn-review-all", "btn-remind-weeks", "site-genital", "btn-edit"} <= {
        key for key, _, _ in measured
    }
    too_wide = [
        f"{key}: {text!r} is {display_width(text)} columns, {per_row} to a row allows {columns_for(per_row)}"
        for key, text, per_row in measured
        if display_width(text) > columns_for(per_row)
    ]
    assert not too_wide, f"{lang}:\n" + "\n".join(too_wide)
