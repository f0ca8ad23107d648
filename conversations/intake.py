"""The intake conversation, as data plus one pure transition function.

The bot adapter turns Telegram updates into Answers, calls `advance`, persists the returned state
and renders the returned Says. Nothing here does I/O, so the whole flow is tested without Telegram.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import Any

from conversations.domain import Language
from conversations.validation import HISTORY_MAX, NAME_MAX, clean_history, clean_name, parse_age

GENDERS = ("female", "male", "other", "undisclosed")


class IntakeAction(StrEnum):
    """What a button of the intake does."""

    ANSWER = "answer"  # value: the option chosen
    SKIP = "skip"
    CONFIRM = "confirm"
    EDIT = "edit"
    CANCEL = "cancel"
    FIELD = "field"  # value: the step to edit


class Step(StrEnum):
    PHOTO = "photo"
    NAME = "name"
    AGE = "age"
    GENDER = "gender"
    HISTORY = "history"
    REPORT_LANGUAGE = "report_language"
    SUMMARY = "summary"
    EDIT_MENU = "edit_menu"


# --- what the user did -------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Photo:
    image: str  # token of an image already checked and stored by the adapter


@dataclass(frozen=True)
class Choice:
    action: IntakeAction
    value: str = ""


@dataclass(frozen=True)
class Other:
    """A sticker, voice note, location or anything else we cannot use."""


Answer = Text | Photo | Choice | Other


# --- what the bot says --------------------------------------------------------------------------


@dataclass(frozen=True)
class Msg:
    """A reference to a Fluent message, used as an argument that must be translated first."""

    key: str


@dataclass(frozen=True)
class Button:
    label: str  # Fluent message id
    action: IntakeAction
    value: str = ""
    selected: bool = False


@dataclass(frozen=True)
class Say:
    key: str
    args: dict[str, Any] = field(default_factory=dict)
    buttons: tuple[tuple[Button, ...], ...] = ()


# --- state --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    photo: str | None = None
    name: str | None = None
    age: int | None = None
    gender: str | None = None
    history: str | None = None
    history_answered: bool = False
    report_language: str | None = None


@dataclass(frozen=True)
class Intake:
    step: Step = Step.PHOTO
    draft: Draft = Draft()
    editing: bool = False

    def to_json(self) -> str:
        return json.dumps({"step": self.step.value, "draft": asdict(self.draft), "editing": self.editing})

    @classmethod
    def from_json(cls, raw: str) -> Intake:
        data = json.loads(raw)
        return cls(Step(data["step"]), Draft(**data["draft"]), bool(data.get("editing", False)))


@dataclass(frozen=True)
class Outcome:
    intake: Intake | None  # None: the intake ended (cancelled)
    says: tuple[Say, ...] = ()
    confirmed: bool = False
    discard_images: tuple[str, ...] = ()


# --- the questions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Invalid:
    key: str
    args: dict[str, Any] = field(default_factory=dict)


Parser = Callable[[str], Any]


@dataclass(frozen=True)
class Question:
    step: Step
    field: str
    prompt: str
    prompt_args: dict[str, Any] = field(default_factory=dict)
    parse: Parser | None = None  # free-text questions
    options: tuple[tuple[str, str], ...] = ()  # button questions: (value, label message id)
    skippable: bool = False


def _name(text: str) -> str | Invalid:
    name = clean_name(text)
    if not name:
        return Invalid("invalid-name-empty")
    if len(name) > NAME_MAX:
        return Invalid("invalid-name-long", {"length": len(name), "max": NAME_MAX})
    return name


def _age(text: str) -> int | Invalid:
    age = parse_age(text)
    # Echo at most a short prefix: the hint must stay readable even for a pasted essay.
    return Invalid("invalid-age", {"text": text.strip()[:20]}) if age is None else age


def _history(text: str) -> str | Invalid:
    history = clean_history(text)
    if len(history) > HISTORY_MAX:
        return Invalid("invalid-history-long", {"length": len(history), "max": HISTORY_MAX})
    return history


QUESTIONS: tuple[Question, ...] = (
    Question(Step.PHOTO, "photo", "ask-photo"),
    Question(Step.NAME, "name", "ask-name", {"max": NAME_MAX}, parse=_name),
    Question(Step.AGE, "age", "ask-age", parse=_age),
    Question(Step.GENDER, "gender", "ask-gender", options=tuple((g, f"gender-{g}") for g in GENDERS)),
    Question(Step.HISTORY, "history", "ask-history", parse=_history, skippable=True),
    Question(
        Step.REPORT_LANGUAGE,
        "report_language",
        "ask-report-language",
        options=tuple((lang.value, f"lang-{lang}") for lang in Language),
    ),
)
BY_STEP: dict[Step, Question] = {q.step: q for q in QUESTIONS}
EDITABLE: tuple[tuple[str, Step], ...] = (
    ("field-photo", Step.PHOTO),
    ("field-name", Step.NAME),
    ("field-age", Step.AGE),
    ("field-gender", Step.GENDER),
    ("field-history", Step.HISTORY),
    ("field-report-language", Step.REPORT_LANGUAGE),
)


def ask(question: Question, ui_language: str) -> Say:
    rows: list[tuple[Button, ...]] = []
    options = question.options
    is_language = question.step == Step.REPORT_LANGUAGE
    if is_language:
        # The report language defaults to the UI language: it is marked and listed first.
        options = tuple(sorted(options, key=lambda option: option[0] != ui_language))
    for value, label in options:
        rows.append(
            (Button(label, IntakeAction.ANSWER, value, selected=is_language and value == ui_language),)
        )
    if question.skippable:
        rows.append((Button("btn-skip", IntakeAction.SKIP),))
    return Say(question.prompt, dict(question.prompt_args), tuple(rows))


def summary(draft: Draft) -> Say:
    history = draft.history if draft.history else Msg("summary-no-history")
    args = {
        "name": draft.name,
        "age": draft.age,
        "gender": Msg(f"gender-{draft.gender}"),
        "history": history,
        "language": Msg(f"lang-{draft.report_language}"),
    }
    buttons = (
        (Button("btn-confirm", IntakeAction.CONFIRM),),
        (Button("btn-edit", IntakeAction.EDIT), Button("btn-cancel", IntakeAction.CANCEL)),
    )
    return Say("summary", args, buttons)


def start() -> Intake:
    return Intake()


def current_prompt(intake: Intake, ui_language: str) -> Say:
    """The question to show again, e.g. after a nudge or a restart."""
    if intake.step == Step.SUMMARY:
        return summary(intake.draft)
    if intake.step == Step.EDIT_MENU:
        return _edit_menu()
    return ask(BY_STEP[intake.step], ui_language)


def _edit_menu() -> Say:
    rows = tuple((Button(label, IntakeAction.FIELD, step.value),) for label, step in EDITABLE)
    return Say("edit-which", {}, rows)


def _next_step(intake: Intake) -> Step:
    if intake.editing:
        return Step.SUMMARY
    order = [q.step for q in QUESTIONS]
    index = order.index(intake.step)
    return order[index + 1] if index + 1 < len(order) else Step.SUMMARY


def _move_on(intake: Intake, draft: Draft, ui_language: str, discard: tuple[str, ...] = ()) -> Outcome:
    moved = Intake(_next_step(intake), draft, editing=False)
    return Outcome(moved, (current_prompt(moved, ui_language),), discard_images=discard)


def _again(intake: Intake, ui_language: str, nudge: Say | None = None) -> Outcome:
    says = (nudge,) if nudge else ()
    return Outcome(intake, (*says, current_prompt(intake, ui_language)))


def advance(intake: Intake, answer: Answer, ui_language: str) -> Outcome:
    """The whole intake: given where we are and what the user did, where we go and what we say."""
    if intake.step == Step.SUMMARY:
        return _at_summary(intake, answer, ui_language)
    if intake.step == Step.EDIT_MENU:
        if (
            isinstance(answer, Choice)
            and answer.action == IntakeAction.FIELD
            and answer.value in {s.value for _, s in EDITABLE}
        ):
            editing = Intake(Step(answer.value), intake.draft, editing=True)
            return Outcome(editing, (current_prompt(editing, ui_language),))
        return _again(intake, ui_language, Say("nudge-buttons"))

    question = BY_STEP[intake.step]
    if question.step == Step.PHOTO:
        if isinstance(answer, Photo):
            old = intake.draft.photo
            draft = replace(intake.draft, photo=answer.image)
            return _move_on(intake, draft, ui_language, (old,) if old and old != answer.image else ())
        return _again(intake, ui_language, Say("nudge-photo"))

    if question.skippable and isinstance(answer, Choice) and answer.action == IntakeAction.SKIP:
        draft = replace(intake.draft, **{question.field: None}, history_answered=True)
        return _move_on(intake, draft, ui_language)

    if question.options:
        values = {value for value, _ in question.options}
        if isinstance(answer, Choice) and answer.action == IntakeAction.ANSWER and answer.value in values:
            return _move_on(intake, replace(intake.draft, **{question.field: answer.value}), ui_language)
        return _again(intake, ui_language, Say("nudge-buttons"))

    if not isinstance(answer, Text):
        return _again(intake, ui_language, Say("nudge-text"))
    assert question.parse is not None
    parsed = question.parse(answer.text)
    if isinstance(parsed, Invalid):
        return _again(intake, ui_language, Say(parsed.key, parsed.args))
    extra = {"history_answered": True} if question.step == Step.HISTORY else {}
    return _move_on(intake, replace(intake.draft, **{question.field: parsed}, **extra), ui_language)


def _at_summary(intake: Intake, answer: Answer, ui_language: str) -> Outcome:
    if isinstance(answer, Choice):
        if answer.action == IntakeAction.CONFIRM:
            return Outcome(intake, (), confirmed=True)
        if answer.action == IntakeAction.EDIT:
            menu = Intake(Step.EDIT_MENU, intake.draft)
            return Outcome(menu, (_edit_menu(),))
        if answer.action == IntakeAction.CANCEL:
            return cancel(intake)
    return _again(intake, ui_language, Say("nudge-buttons"))


def cancel(intake: Intake) -> Outcome:
    """/cancel: leave an edit and return to the summary, or end the intake and drop its photo."""
    if intake.editing or intake.step == Step.EDIT_MENU:
        back = Intake(Step.SUMMARY, intake.draft)
        return Outcome(back, (Say("step-cancelled"), summary(back.draft)))
    photo = (intake.draft.photo,) if intake.draft.photo else ()
    return Outcome(None, (Say("intake-cancelled"),), discard_images=photo)


def is_complete(draft: Draft) -> bool:
    return all(
        (
            draft.photo,
            draft.name,
            draft.age is not None,
            draft.gender,
            draft.history_answered,
            draft.report_language,
        )
    )
