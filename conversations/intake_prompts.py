"""What the intake says: the questions and how each is asked, the summary and the edit menu, as data
(Fluent ids and arguments) that the adapter renders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from conversations.domain import BODY_SITES, GENDERS, Language
from conversations.intake_state import MAX_PHOTOS, OFFER_ID_CHARS, Draft, Earlier, Intake, IntakeAction, Step
from conversations.validation import HISTORY_MAX, NAME_MAX, clean_history, clean_name, parse_age

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
    args: dict[str, Any] = field(default_factory=dict)  # the label's Fluent arguments (Msg: translated first)


@dataclass(frozen=True)
class Say:
    key: str
    args: dict[str, Any] = field(default_factory=dict)
    buttons: tuple[tuple[Button, ...], ...] = ()


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
    columns: int = 1  # buttons per keyboard row


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
    Question(
        Step.BODY_SITE,
        "body_site",
        "ask-body-site",
        options=tuple((site, f"site-{site}") for site in BODY_SITES),
        skippable=True,
        columns=3,
    ),
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
    ("field-body-site", Step.BODY_SITE),
    ("field-name", Step.NAME),
    ("field-age", Step.AGE),
    ("field-gender", Step.GENDER),
    ("field-history", Step.HISTORY),
    ("field-report-language", Step.REPORT_LANGUAGE),
)
NEW_SPOT = "new"  # the follow-up question's "no, a new spot"; other answers name an offer (OFFER_ID_CHARS)
ADD_PHOTO, PHOTOS_DONE = "add", "done"


def ask(question: Question, ui_language: str) -> Say:
    buttons: list[Button] = []
    options = question.options
    is_language = question.step == Step.REPORT_LANGUAGE
    if is_language:
        # The report language defaults to the UI language: it is marked and listed first.
        options = tuple(sorted(options, key=lambda option: option[0] != ui_language))
    for value, label in options:
        buttons.append(
            Button(label, IntakeAction.ANSWER, value, selected=is_language and value == ui_language)
        )
    width = question.columns
    rows: list[tuple[Button, ...]] = [tuple(buttons[i : i + width]) for i in range(0, len(buttons), width)]
    if question.skippable:
        rows.append((Button("btn-skip", IntakeAction.SKIP),))
    return Say(question.prompt, dict(question.prompt_args), tuple(rows))


def ask_follow_up(offers: tuple[Earlier, ...]) -> Say:
    rows = [
        (
            Button(
                "follow-up-option",
                IntakeAction.ANSWER,
                offer.case_id[:OFFER_ID_CHARS],
                args={
                    "date": offer.day,
                    "name": offer.patient_name,
                    "site": Msg(f"site-{offer.body_site}" if offer.body_site else "site-unknown"),
                    "result": Msg(f"label-{offer.top_label}"),
                },
            ),
        )
        for offer in offers
    ]
    rows.append((Button("btn-follow-up-new", IntakeAction.ANSWER, NEW_SPOT),))
    return Say("ask-follow-up", {}, tuple(rows))


def ask_more_photos(draft: Draft) -> Say:
    count = len(draft.photos)
    add = "btn-add-overview" if count == 1 else "btn-add-photo"
    buttons = (
        (Button(add, IntakeAction.ANSWER, ADD_PHOTO),),
        (Button("btn-photos-done", IntakeAction.ANSWER, PHOTOS_DONE),),
    )
    return Say("ask-more-photos", {"count": count, "max": MAX_PHOTOS}, buttons)


def summary(draft: Draft) -> Say:
    history = draft.history if draft.history else Msg("summary-no-history")
    args = {
        "photos": len(draft.photos),
        "site": Msg(f"site-{draft.body_site}" if draft.body_site else "summary-no-site"),
        "follow_up": draft.follow_up_day if draft.follow_up else Msg("summary-new-spot"),
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


def current_prompt(intake: Intake, ui_language: str) -> Say:
    """The question to show again, e.g. after a nudge or a restart."""
    match intake.step:
        case Step.SUMMARY:
            return summary(intake.draft)
        case Step.EDIT_MENU:
            return edit_menu()
        case Step.FOLLOW_UP:
            return ask_follow_up(intake.offers)
        case Step.PHOTO:
            return Say("ask-photo")
        case Step.MORE_PHOTOS:
            return ask_more_photos(intake.draft)
    return ask(BY_STEP[intake.step], ui_language)


def edit_menu() -> Say:
    rows = tuple((Button(label, IntakeAction.FIELD, step.value),) for label, step in EDITABLE)
    return Say("edit-which", {}, rows)
