"""Callback data: what each button carries to name the thing it acts on fits Telegram's 64 bytes, and what
does not parse reaches no handler."""

from __future__ import annotations

import pytest

from bot.callbacks import Action, Callback
from conversations.intake_state import OFFER_ID_CHARS, IntakeAction, Step

CASE = "f" * 32  # case and review ids: 128 random bits as hex
OWNER = 2**52  # Telegram user ids have up to 52 significant bits
KEY = "deadbeef.123456789"  # an intake's id and a turn count no intake will reach

# The longest value each button is made with.
WORST: list[Callback] = [
    Callback(Action.AGREE, "vi." + "x" * 16, OWNER),
    Callback(Action.PDF, CASE, OWNER),
    Callback(Action.RETRY, CASE, OWNER),
    Callback(Action.DELETE, "yes.9999999999999", OWNER),
    Callback(Action.REVIEW, CASE, OWNER),
    Callback(Action.REVIEW_ALL, "all@9999999999999", OWNER),
    Callback(Action.REVIEW_CLINIC, f"{CASE}.999999", OWNER),
    Callback(Action.REVIEW_SEND, f"{CASE}.999999", OWNER),
    Callback(Action.VERDICT, f"{CASE}.u"),
    Callback(Action.REMIND, f"{CASE}.12", OWNER),
    Callback(Action.REMIND_CANCEL, f"{CASE}.20261205", OWNER),
    Callback(Action.FOLLOW_UP, CASE, OWNER),
    Callback(Action.STOP, CASE, OWNER),
    Callback(IntakeAction.ANSWER, CASE[:OFFER_ID_CHARS], OWNER, Step.FOLLOW_UP, KEY),
    Callback(IntakeAction.FIELD, Step.REPORT_LANGUAGE.value, OWNER, Step.EDIT_MENU, KEY),
    Callback(IntakeAction.ANSWER, "undisclosed", OWNER, Step.GENDER, KEY),
]


@pytest.mark.parametrize("callback", WORST, ids=lambda c: c.action.value)
def test_every_button_fits_and_comes_back_as_it_was_made(callback: Callback) -> None:
    data = callback.pack()
    assert len(data.encode()) <= 64
    assert Callback.unpack(data) == callback


@pytest.mark.parametrize(
    "data",
    [
        "confirm||g|5",  # fine: an intake button from before intakes had keys (stale, not malformed)
        f"confirm||gdeadbeef.0|{OWNER}",
    ],
)
def test_intake_buttons_carry_their_key(data: str) -> None:
    unpacked = Callback.unpack(data)
    assert unpacked is not None and unpacked.step == Step.SUMMARY
    assert unpacked.intake == data.split("|")[2][1:]


@pytest.mark.parametrize(
    "data",
    [
        "confirm||h../x|5",
        "confirm||hDEADBEEF.0|5",
        "confirm||hdeadbeef|5",
        "confirm||hdeadbeef.0.1|5",
        "confirm||zdeadbeef.0|5",
        "confirm|" + "x" * 60 + "||5",
        "nope|x||5",
        "pdf|x||-5",
    ],
)
def test_malformed_data_does_not_parse(data: str) -> None:
    assert Callback.unpack(data) is None
