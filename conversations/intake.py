"""The intake conversation, as data plus one pure transition function.

The bot adapter turns Telegram updates into Answers, calls `advance`, persists the returned state
and renders the returned Says. Nothing here does I/O, so the whole flow is tested without Telegram.

The questions are asked in `ORDER`; after each answer the flow goes to the first question that has no
answer yet, so answers that are already known (copied from an earlier case of the same spot, or photos
sent before the first question) are not asked again.

What an intake holds (its steps, the user's answers, the draft) is `conversations.intake_state`; what each
step says is `conversations.intake_prompts`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from conversations.intake_prompts import (
    ADD_PHOTO,
    BY_STEP,
    EDITABLE,
    NEW_SPOT,
    PHOTOS_DONE,
    Invalid,
    Say,
    current_prompt,
    edit_menu,
    summary,
)
from conversations.intake_state import (
    MAX_OFFERS,
    MAX_PHOTOS,
    OFFER_ID_CHARS,
    Album,
    Answer,
    Choice,
    Draft,
    Earlier,
    Intake,
    IntakeAction,
    Photo,
    Step,
    Text,
    photo_kind,
)

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


@dataclass(frozen=True)
class Outcome:
    intake: Intake | None  # None: the intake ended (cancelled)
    says: tuple[Say, ...] = ()
    confirmed: bool = False
    discard_images: tuple[str, ...] = ()


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


def photo_slots(intake: Intake) -> int:
    """How many photos the current step takes (0: a photo is not an answer here)."""
    if intake.step == Step.PHOTO:
        return MAX_PHOTOS
    if intake.step in (Step.FOLLOW_UP, Step.MORE_PHOTOS):
        return MAX_PHOTOS - len(intake.draft.photos)
    return 0


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
            return Outcome(menu, (edit_menu(),))
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
