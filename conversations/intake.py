"""The intake conversation, as data plus one pure transition function.

The bot adapter turns Telegram updates into Answers, calls `advance`, persists the returned state
and renders the returned Says. Nothing here does I/O, so the whole flow is tested without Telegram.

The questions are asked in `ORDER`; after each answer the flow goes to the first question that has no
answer yet, so answers that are already known (copied from an earlier case of the same spot, or photos
sent before the first question) are not asked again.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import Any

from conversations.domain import BODY_SITES, GENDERS, PHOTO_KINDS, Language
from conversations.validation import HISTORY_MAX, NAME_MAX, clean_history, clean_name, parse_age

MAX_PHOTOS = 3
MAX_OFFERS = 5  # earlier cases offered for a follow-up; more would not fit a keyboard
# An offer's button names its case by this many hex digits of the case id (48 bits: never two of one user's
# cases), not by its place in the list, which shifts as cases are added. Callback data has 64 bytes.
OFFER_ID_CHARS = 12


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
    # Appended, not inserted: buttons carry a step as its index (bot.callbacks), and buttons sent before an
    # upgrade must keep naming the same step.
    MORE_PHOTOS = "more_photos"
    BODY_SITE = "body_site"
    FOLLOW_UP = "follow_up"


def photo_kind(position: int) -> str:
    """The kind of the photo at 0-based `position` of a case."""
    return PHOTO_KINDS[min(position, len(PHOTO_KINDS) - 1)]


# --- what the user did -------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Photo:
    image: str  # token of an image already checked and stored by the adapter


@dataclass(frozen=True)
class Album:
    """Several photos sent at once (a Telegram media group): one answer, not one per photo."""

    images: tuple[str, ...]


@dataclass(frozen=True)
class Choice:
    action: IntakeAction
    value: str = ""


@dataclass(frozen=True)
class Other:
    """A sticker, voice note, location or anything else we cannot use."""


Answer = Text | Photo | Album | Choice | Other


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


# --- state --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Earlier:
    """An earlier case of this user that a new case may follow up: what the offer shows, and the answers a
    follow-up takes over (the same patient, the same spot)."""

    case_id: str
    day: str  # ISO date the earlier case was made
    patient_name: str
    age: int
    gender: str
    report_language: str
    body_site: str | None
    top_label: str  # the classifier's top class then


@dataclass(frozen=True)
class Draft:
    photos: tuple[str, ...] = ()  # image tokens: the close-up first, then an overview, then one more
    photos_done: bool = False  # the user said they have no more photos to add
    body_site: str | None = None
    body_site_answered: bool = False
    follow_up: str | None = None  # the earlier case this one follows up
    follow_up_day: str | None = None  # its date, for the summary
    follow_up_answered: bool = False
    name: str | None = None
    age: int | None = None
    gender: str | None = None
    history: str | None = None
    history_answered: bool = False
    report_language: str | None = None


def _draft_from(data: dict[str, Any]) -> Draft:
    data = dict(data)
    if "photo" in data:
        # State saved before cases had several photos: one photo, and none of the newer questions.
        photo = data.pop("photo")
        data["photos"] = (photo,) if photo else ()
        data["photos_done"] = bool(photo)
        data["follow_up_answered"] = True
    data["photos"] = tuple(data.get("photos", ()))
    return Draft(**data)


def new_intake_id() -> str:
    """32 random bits: an earlier intake's buttons never match the one open now."""
    return secrets.token_hex(4)


@dataclass(frozen=True)
class Intake:
    """Where the conversation is, and what it holds.

    `id` and `turn` say which state a button was shown for (the adapter puts `key` on every intake button):
    a new intake has a new id, and every answer that changes the state counts a turn, so a button shown
    before the change (an earlier summary, an offer from another intake) is stale. They are not part of
    equality: two intakes are equal when they ask the same and hold the same answers."""

    step: Step = Step.PHOTO
    draft: Draft = Draft()
    editing: bool = False
    offers: tuple[Earlier, ...] = ()  # earlier cases the follow-up question lists
    id: str = field(default_factory=new_intake_id, compare=False)
    turn: int = field(default=0, compare=False)

    @property
    def key(self) -> str:
        return f"{self.id}.{self.turn}"

    def to_json(self) -> str:
        return json.dumps(
            {
                "step": self.step.value,
                "draft": asdict(self.draft),
                "editing": self.editing,
                "offers": [asdict(offer) for offer in self.offers],
                "id": self.id,
                "turn": self.turn,
            }
        )

    @classmethod
    def from_json(cls, raw: str) -> Intake:
        data = json.loads(raw)
        offers = tuple(Earlier(**offer) for offer in data.get("offers", ()))
        return cls(
            Step(data["step"]),
            _draft_from(data["draft"]),
            bool(data.get("editing", False)),
            offers,
            # State saved before intakes had ids gets one from its contents, the same at every load until it
            # is saved with it. Buttons shown before then carry none: they are stale.
            str(data.get("id") or hashlib.sha256(raw.encode()).hexdigest()[:8]),
            int(data.get("turn", 0)),
        )


@dataclass(frozen=True)
class Outcome:
    intake: Intake | None  # None: the intake ended (cancelled)
    says: tuple[Say, ...] = ()
    confirmed: bool = False
    discard_images: tuple[str, ...] = ()


# --- the questions ---------------------------------------------------------------------------------


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
# The order questions are asked in; each is skipped while it already has an answer (see `answered`).
ORDER: tuple[Step, ...] = (
    Step.FOLLOW_UP,
    Step.PHOTO,
    Step.MORE_PHOTOS,
    Step.BODY_SITE,
    Step.NAME,
    Step.AGE,
    Step.GENDER,
    Step.HISTORY,
    Step.REPORT_LANGUAGE,
)
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


def answered(step: Step, intake: Intake) -> bool:
    """Whether the question at `step` already has its answer in the draft (so it is not asked)."""
    draft = intake.draft
    match step:
        case Step.FOLLOW_UP:
            return draft.follow_up_answered or not intake.offers
        case Step.PHOTO:
            return bool(draft.photos)
        case Step.MORE_PHOTOS:
            return draft.photos_done or len(draft.photos) >= MAX_PHOTOS
        case Step.BODY_SITE:
            return draft.body_site_answered
        case Step.HISTORY:
            return draft.history_answered
        case _:
            return getattr(draft, BY_STEP[step].field) is not None


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


def _ask_follow_up(offers: tuple[Earlier, ...]) -> Say:
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


def _ask_more_photos(draft: Draft) -> Say:
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


def start(offers: tuple[Earlier, ...] = ()) -> Intake:
    """A new intake. With earlier cases to offer, it begins by asking whether this is one of those spots."""
    offers = offers[:MAX_OFFERS]
    return Intake(Step.FOLLOW_UP if offers else Step.PHOTO, Draft(), offers=offers)


def _take_over(draft: Draft, earlier: Earlier) -> Draft:
    """A follow-up is the same patient and the same spot: those answers come from the earlier case."""
    site = {"body_site": earlier.body_site, "body_site_answered": True} if earlier.body_site else {}
    return replace(
        draft,
        follow_up=earlier.case_id,
        follow_up_day=earlier.day,
        follow_up_answered=True,
        name=earlier.patient_name,
        age=earlier.age,
        gender=earlier.gender,
        report_language=earlier.report_language,
        **site,
    )


def start_follow_up(earlier: Earlier) -> Intake:
    """A new intake that follows up `earlier` (a reminder's button): it begins at the photos."""
    draft = _take_over(Draft(), earlier)
    return Intake(_first_open(Intake(Step.PHOTO, draft)), draft)


def current_prompt(intake: Intake, ui_language: str) -> Say:
    """The question to show again, e.g. after a nudge or a restart."""
    match intake.step:
        case Step.SUMMARY:
            return summary(intake.draft)
        case Step.EDIT_MENU:
            return _edit_menu()
        case Step.FOLLOW_UP:
            return _ask_follow_up(intake.offers)
        case Step.PHOTO:
            return Say("ask-photo")
        case Step.MORE_PHOTOS:
            return _ask_more_photos(intake.draft)
    return ask(BY_STEP[intake.step], ui_language)


def photo_slots(intake: Intake) -> int:
    """How many photos the current step takes (0: a photo is not an answer here)."""
    if intake.step == Step.PHOTO:
        return MAX_PHOTOS
    if intake.step in (Step.FOLLOW_UP, Step.MORE_PHOTOS):
        return MAX_PHOTOS - len(intake.draft.photos)
    return 0


def _edit_menu() -> Say:
    rows = tuple((Button(label, IntakeAction.FIELD, step.value),) for label, step in EDITABLE)
    return Say("edit-which", {}, rows)


def _first_open(intake: Intake) -> Step:
    return next((step for step in ORDER if not answered(step, intake)), Step.SUMMARY)


def _next(intake: Intake, draft: Draft) -> Intake:
    # The offers are only needed until the follow-up question is answered.
    moved = replace(intake, draft=draft, offers=() if draft.follow_up_answered else intake.offers)
    if intake.editing:
        # A new first photo starts the photos over: the others may be offered again before the summary.
        if intake.step == Step.PHOTO and not answered(Step.MORE_PHOTOS, moved):
            return replace(moved, step=Step.MORE_PHOTOS)
        return replace(moved, step=Step.SUMMARY, editing=False)
    return replace(moved, step=_first_open(moved))


def _move_on(
    intake: Intake,
    draft: Draft,
    ui_language: str,
    discard: tuple[str, ...] = (),
    before: tuple[Say, ...] = (),
) -> Outcome:
    moved = _next(intake, draft)
    return Outcome(moved, (*before, current_prompt(moved, ui_language)), discard_images=discard)


def _again(intake: Intake, ui_language: str, nudge: Say | None = None) -> Outcome:
    says = (nudge,) if nudge else ()
    return Outcome(intake, (*says, current_prompt(intake, ui_language)))


def _images(answer: Answer) -> tuple[str, ...] | None:
    if isinstance(answer, Photo):
        return (answer.image,)
    if isinstance(answer, Album):
        return answer.images
    return None


def _added(
    draft: Draft, images: tuple[str, ...], replace_all: bool
) -> tuple[Draft, tuple[str, ...], tuple[Say, ...]]:
    """The draft with these photos (replacing or after the ones it has, up to MAX_PHOTOS), the tokens to
    delete (replaced ones and those over the limit), and what to tell the user about the latter."""
    kept = () if replace_all else draft.photos
    room = MAX_PHOTOS - len(kept)
    taken, over = images[:room], images[room:]
    photos = (*kept, *taken)
    dropped = tuple(token for token in draft.photos if token not in photos) if replace_all else ()
    says = (Say("photos-over-limit", {"max": MAX_PHOTOS}),) if over else ()
    done = len(photos) >= MAX_PHOTOS
    return replace(draft, photos=photos, photos_done=done), (*dropped, *over), says


def _turned(before: Intake, outcome: Outcome) -> Outcome:
    """An outcome that changed the intake counts a turn: buttons shown before it are stale."""
    after = outcome.intake
    if after is None or after == before:
        return outcome
    return replace(outcome, intake=replace(after, turn=before.turn + 1))


def advance(intake: Intake, answer: Answer, ui_language: str) -> Outcome:
    """The whole intake: given where we are and what the user did, where we go and what we say."""
    return _turned(intake, _advance(intake, answer, ui_language))


def _advance(intake: Intake, answer: Answer, ui_language: str) -> Outcome:
    if intake.step == Step.SUMMARY:
        return _at_summary(intake, answer, ui_language)
    if intake.step == Step.EDIT_MENU:
        if (
            isinstance(answer, Choice)
            and answer.action == IntakeAction.FIELD
            and answer.value in {s.value for _, s in EDITABLE}
        ):
            editing = replace(intake, step=Step(answer.value), editing=True)
            return Outcome(editing, (current_prompt(editing, ui_language),))
        return _again(intake, ui_language, Say("nudge-buttons"))
    if intake.step == Step.FOLLOW_UP:
        return _at_follow_up(intake, answer, ui_language)
    if intake.step == Step.PHOTO:
        images = _images(answer)
        if images:
            draft, discard, says = _added(intake.draft, images, replace_all=True)
            return _move_on(intake, draft, ui_language, discard, says)
        return _again(intake, ui_language, Say("nudge-photo"))
    if intake.step == Step.MORE_PHOTOS:
        return _at_more_photos(intake, answer, ui_language)

    question = BY_STEP[intake.step]
    if question.skippable and isinstance(answer, Choice) and answer.action == IntakeAction.SKIP:
        flag = "history_answered" if question.step == Step.HISTORY else "body_site_answered"
        draft = replace(intake.draft, **{question.field: None, flag: True})
        return _move_on(intake, draft, ui_language)

    if question.options:
        values = {value for value, _ in question.options}
        if isinstance(answer, Choice) and answer.action == IntakeAction.ANSWER and answer.value in values:
            extra = {"body_site_answered": True} if question.step == Step.BODY_SITE else {}
            draft = replace(intake.draft, **{question.field: answer.value}, **extra)
            return _move_on(intake, draft, ui_language)
        return _again(intake, ui_language, Say("nudge-buttons"))

    if not isinstance(answer, Text):
        return _again(intake, ui_language, Say("nudge-text"))
    assert question.parse is not None
    parsed = question.parse(answer.text)
    if isinstance(parsed, Invalid):
        return _again(intake, ui_language, Say(parsed.key, parsed.args))
    extra = {"history_answered": True} if question.step == Step.HISTORY else {}
    return _move_on(intake, replace(intake.draft, **{question.field: parsed}, **extra), ui_language)


def _at_follow_up(intake: Intake, answer: Answer, ui_language: str) -> Outcome:
    images = _images(answer)
    if images:
        # Photos sent before the question is answered are kept, and the question is asked again.
        draft, discard, says = _added(intake.draft, images, replace_all=False)
        kept = replace(intake, draft=draft)
        return Outcome(kept, (*says, current_prompt(kept, ui_language)), discard_images=discard)
    if isinstance(answer, Choice) and answer.action == IntakeAction.ANSWER:
        if answer.value == NEW_SPOT:
            return _move_on(intake, replace(intake.draft, follow_up_answered=True), ui_language)
        named = [offer for offer in intake.offers if offer.case_id[:OFFER_ID_CHARS] == answer.value]
        if len(named) == 1:
            return _move_on(intake, _take_over(intake.draft, named[0]), ui_language)
    return _again(intake, ui_language, Say("nudge-buttons"))


def _at_more_photos(intake: Intake, answer: Answer, ui_language: str) -> Outcome:
    images = _images(answer)
    if images:
        draft, discard, says = _added(intake.draft, images, replace_all=False)
        if draft.photos_done:
            return _move_on(intake, draft, ui_language, discard, says)
        kept = replace(intake, draft=draft)
        return Outcome(kept, (*says, current_prompt(kept, ui_language)), discard_images=discard)
    if isinstance(answer, Choice) and answer.action == IntakeAction.ANSWER:
        if answer.value == PHOTOS_DONE:
            return _move_on(intake, replace(intake.draft, photos_done=True), ui_language)
        if answer.value == ADD_PHOTO:
            kind = photo_kind(len(intake.draft.photos))
            return Outcome(intake, (Say(f"ask-photo-{kind.replace('_', '-')}"),))
    return _again(intake, ui_language, Say("nudge-more-photos"))


def _at_summary(intake: Intake, answer: Answer, ui_language: str) -> Outcome:
    if isinstance(answer, Choice):
        if answer.action == IntakeAction.CONFIRM:
            return Outcome(intake, (), confirmed=True)
        if answer.action == IntakeAction.EDIT:
            menu = replace(intake, step=Step.EDIT_MENU, editing=False)
            return Outcome(menu, (_edit_menu(),))
        if answer.action == IntakeAction.CANCEL:
            return _cancelled(intake)
    return _again(intake, ui_language, Say("nudge-buttons"))


def cancel(intake: Intake) -> Outcome:
    """/cancel: leave an edit and return to the summary, or end the intake and drop its photos."""
    return _turned(intake, _cancelled(intake))


def _cancelled(intake: Intake) -> Outcome:
    if (intake.editing or intake.step == Step.EDIT_MENU) and is_complete(intake.draft):
        back = replace(intake, step=Step.SUMMARY, editing=False)
        return Outcome(back, (Say("step-cancelled"), summary(back.draft)))
    return Outcome(None, (Say("intake-cancelled"),), discard_images=intake.draft.photos)


def is_complete(draft: Draft) -> bool:
    return all(
        (
            draft.photos,
            draft.name,
            draft.age is not None,
            draft.gender,
            draft.history_answered,
            draft.report_language,
        )
    )
