"""Typed callback data, as aiogram's CallbackData: one enum of actions builds both buttons and handlers.

Telegram lets a client send any callback string, so every field is checked when a press is unpacked:
an unknown action, a malformed owner or step, or more than 64 bytes reaches no handler's logic.

A button names what it acts on, never a place in a list that may have shifted since: a case, review or
clinic by its id, an intake button the intake state it was shown for (`Intake.key`). Each handler checks
that the thing is still current and the presser's, and answers a stale press with "out of date".
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from telegram import InlineKeyboardButton
from telegram.ext import CallbackQueryHandler

from conversations.intake_state import IntakeAction, Step


class Action(StrEnum):
    """Every button outside the intake's questions (those are `IntakeAction`)."""

    AGREE = "agree"  # consent, value: the language the notes were shown in, then ".<clinic link token>"
    LANGUAGE = "lang"  # /language, value: the chosen language
    PDF = "pdf"  # /cases re-download, value: case id
    RETRY = "retry"  # a failed report, value: case id
    DELETE = "delete"  # /delete confirmation, value: "yes.<consent ms>" (the account asked about) | no
    REVIEW = "review"  # "send to a doctor", value: case id
    REVIEW_ALL = "rvall"  # "send all unreviewed", value: "all@<ms>", the cases the listing counted
    REVIEW_CLINIC = "rvpick"  # which clinic, value: "<which>.<clinic id>"
    REVIEW_SEND = "rvsend"  # the explicit consent to share, value as above
    REVIEW_KEEP = "rvno"  # not now
    VERDICT = "vd"  # a clinic's verdict, value: "<review id>.<verdict code>"
    REMIND = "rmd"  # "remind me to re-check this spot", value: "<case id>.<weeks>"
    REMIND_CANCEL = "rmx"  # /reminders, value: "<case id>.<due day, yyyymmdd>"
    FOLLOW_UP = "fup"  # a reminder's "start a follow-up", value: the earlier case's id
    STOP = "stop"  # under a report being written, value: case id
    ASK = "ask"  # "Ask about this report", value: case id
    STOP_ANSWER = "stpa"  # under an answer being written, value: the question's id


AnyAction = Action | IntakeAction


def private_only(action: AnyAction) -> bool:
    """Every button but a clinic's verdict belongs to the patient's private chat. A press of such a button
    anywhere else (forged data carrying the presser's own id, in a group) must reach nothing, or the
    patient's report would be delivered into that group."""
    return action != Action.VERDICT


# Steps travel as one letter, followed by the intake's key: callback data is limited to 64 bytes.
_STEP_CODES = {step: chr(ord("a") + i) for i, step in enumerate(Step)}
_CODE_STEPS = {code: step for step, code in _STEP_CODES.items()}
_INTAKE_KEY = re.compile(r"[0-9a-f]{1,16}\.[0-9]{1,9}")
_ACTIONS: dict[str, AnyAction] = {a.value: a for a in (*Action, *IntakeAction)}
MAX_BYTES = 64


@dataclass(frozen=True)
class Callback:
    action: AnyAction
    value: str = ""
    owner: int = 0  # the Telegram user the button was shown to; 0 for a clinic chat's buttons
    step: Step | None = None  # the intake step it was shown at, to spot stale presses
    intake: str = ""  # the intake state it was shown for (`Intake.key`); intake buttons only

    def pack(self) -> str:
        where = f"{_STEP_CODES[self.step]}{self.intake}" if self.step else ""
        data = f"{self.action.value}|{self.value}|{where}|{self.owner}"
        if len(data.encode()) > MAX_BYTES:
            raise ValueError("callback data over 64 bytes")
        return data

    @classmethod
    def unpack(cls, data: str | None) -> Callback | None:
        if not data or len(data.encode()) > MAX_BYTES:
            return None
        parts = data.split("|")
        if len(parts) != 4 or not parts[3].isdigit():
            return None
        action, value, where, owner = parts
        step, intake = where[:1], where[1:]
        if action not in _ACTIONS or (step and step not in _CODE_STEPS):
            return None
        if intake and not _INTAKE_KEY.fullmatch(intake):
            return None
        return cls(_ACTIONS[action], value, int(owner), _CODE_STEPS.get(step), intake)


def button(
    text: str,
    action: AnyAction,
    value: str = "",
    owner: int = 0,
    step: Step | None = None,
    intake: str = "",
) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=Callback(action, value, owner, step, intake).pack())


def pattern(*actions: AnyAction) -> str:
    """The regular expression that matches presses of these actions and no other."""
    return rf"^({'|'.join(re.escape(a.value) for a in actions)})\|"


def on_press(
    callback: Callable[[Any, Any], Awaitable[None]], *actions: AnyAction
) -> CallbackQueryHandler[Any, None]:
    return CallbackQueryHandler(callback, pattern=pattern(*actions))
