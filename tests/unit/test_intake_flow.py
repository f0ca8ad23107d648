"""The intake conversation as data: (state, answer, UI language) -> (next state, what is said), no Telegram.

Expected prompts, keys and buttons are written out by hand here rather than read from the module's own
tables, so a renamed key, a reordered keyboard or a changed step order breaks these tests.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

import pytest

from casework.translator import Translator
from conversations.domain import BODY_SITES
from conversations.intake import (
    ORDER,
    Outcome,
    advance,
    cancel,
    is_complete,
    photo_slots,
    start,
    start_follow_up,
)
from conversations.intake_prompts import Msg, Say, current_prompt
from conversations.intake_state import Album, Answer, Choice, Draft, Earlier, Intake, Other, Photo, Step, Text
from tests.drafts import answered

UI = ("ko", "en", "vi")
# The questions the summary can send the patient back to: every step but the follow-up choice and the
# "more photos?" prompt, which are no answers of their own.
QUESTION_STEPS = tuple(step for step in ORDER if step not in (Step.FOLLOW_UP, Step.MORE_PHOTOS))
FULL = Draft(
    photos=("img-1",),
    photos_done=True,
    body_site="arm",
    body_site_answered=True,
    name="Hoa",
    age=15,
    gender="female",
    history="itchy for a week",
    history_answered=True,
    report_language="vi",
)
ONE_PHOTO = Draft(photos=("img-1",))
PHOTOS_DONE = replace(ONE_PHOTO, photos_done=True)
SITE_DONE = replace(PHOTOS_DONE, body_site="arm", body_site_answered=True)

# Earlier cases the follow-up question offers: one with a body site, one without.
OFFERS = (
    Earlier("a" * 32, "2025-05-01", "Hoa", 14, "female", "vi", "arm", "eczema"),
    Earlier("b" * 32, "2025-04-02", "Minh", 40, "male", "ko", None, "acne"),
)

# The draft as it stands when each step is reached for the first time.
BEFORE: dict[Step, Draft] = {
    Step.FOLLOW_UP: Draft(),
    Step.PHOTO: Draft(),
    Step.MORE_PHOTOS: ONE_PHOTO,
    Step.BODY_SITE: PHOTOS_DONE,
    Step.NAME: SITE_DONE,
    Step.AGE: replace(SITE_DONE, name="Hoa"),
    Step.GENDER: replace(SITE_DONE, name="Hoa", age=15),
    Step.HISTORY: replace(SITE_DONE, name="Hoa", age=15, gender="female"),
    Step.REPORT_LANGUAGE: replace(FULL, report_language=None),
    Step.SUMMARY: FULL,
    Step.EDIT_MENU: FULL,
}


def at(step: Step) -> Intake:
    return Intake(step, BEFORE[step], offers=OFFERS if step == Step.FOLLOW_UP else ())


# --- what each step says, written out ------------------------------------------------------------

Row = tuple[tuple[str, str, str, bool], ...]  # (label, action, value, selected) per button


def _answers(*pairs: tuple[str, str], selected: str = "") -> tuple[Row, ...]:
    return tuple(((label, "answer", value, value == selected),) for value, label in pairs)


GENDER_ROWS = _answers(
    ("female", "gender-female"),
    ("male", "gender-male"),
    ("other", "gender-other"),
    ("undisclosed", "gender-undisclosed"),
)
# The report language offers the UI language first and marks it.
LANGUAGE_ROWS = {
    "ko": _answers(("ko", "lang-ko"), ("en", "lang-en"), ("vi", "lang-vi"), selected="ko"),
    "en": _answers(("en", "lang-en"), ("ko", "lang-ko"), ("vi", "lang-vi"), selected="en"),
    "vi": _answers(("vi", "lang-vi"), ("ko", "lang-ko"), ("en", "lang-en"), selected="vi"),
}
SKIP_ROW: tuple[Row, ...] = ((("btn-skip", "skip", "", False),),)
# Body sites three to a row, then Skip: the question is optional.
SITE_ROWS: tuple[Row, ...] = (
    tuple((f"site-{s}", "answer", s, False) for s in ("face", "scalp", "neck")),
    tuple((f"site-{s}", "answer", s, False) for s in ("chest", "back", "abdomen")),
    tuple((f"site-{s}", "answer", s, False) for s in ("arm", "hand", "leg")),
    tuple((f"site-{s}", "answer", s, False) for s in ("foot", "genital", "other")),
    *SKIP_ROW,
)
FOLLOW_UP_ROWS: tuple[Row, ...] = (
    (("follow-up-option", "answer", "a" * 12, False),),  # an offer is named by its case, not its place
    (("follow-up-option", "answer", "b" * 12, False),),
    (("btn-follow-up-new", "answer", "new", False),),
)


def more_photos_rows(count: int) -> tuple[Row, ...]:
    add = "btn-add-overview" if count == 1 else "btn-add-photo"
    return (((add, "answer", "add", False),), (("btn-photos-done", "answer", "done", False),))


SUMMARY_ROWS: tuple[Row, ...] = (
    (("btn-confirm", "confirm", "", False),),
    (("btn-edit", "edit", "", False), ("btn-cancel", "cancel", "", False)),
)
EDIT_MENU_ROWS: tuple[Row, ...] = (
    (("field-photo", "field", "photo", False),),
    (("field-body-site", "field", "body_site", False),),
    (("field-name", "field", "name", False),),
    (("field-age", "field", "age", False),),
    (("field-gender", "field", "gender", False),),
    (("field-history", "field", "history", False),),
    (("field-report-language", "field", "report_language", False),),
)


def summary_args(draft: Draft) -> dict[str, Any]:
    return {
        "photos": len(draft.photos),
        "site": Msg(f"site-{draft.body_site}") if draft.body_site else Msg("summary-no-site"),
        "follow_up": draft.follow_up_day if draft.follow_up else Msg("summary-new-spot"),
        "name": draft.name,
        "age": draft.age,
        "gender": Msg(f"gender-{draft.gender}"),
        "history": draft.history or Msg("summary-no-history"),
        "language": Msg(f"lang-{draft.report_language}"),
    }


def expected_prompt(step: Step, ui: str, draft: Draft) -> tuple[str, dict[str, Any], tuple[Row, ...]]:
    table: dict[Step, tuple[str, dict[str, Any], tuple[Row, ...]]] = {
        Step.FOLLOW_UP: ("ask-follow-up", {}, FOLLOW_UP_ROWS),
        Step.PHOTO: ("ask-photo", {}, ()),
        Step.MORE_PHOTOS: (
            "ask-more-photos",
            {"count": len(draft.photos), "max": 3},
            more_photos_rows(len(draft.photos)),
        ),
        Step.BODY_SITE: ("ask-body-site", {}, SITE_ROWS),
        Step.NAME: ("ask-name", {"max": 100}, ()),
        Step.AGE: ("ask-age", {}, ()),
        Step.GENDER: ("ask-gender", {}, GENDER_ROWS),
        Step.HISTORY: ("ask-history", {}, SKIP_ROW),
        Step.REPORT_LANGUAGE: ("ask-report-language", {}, LANGUAGE_ROWS[ui]),
        Step.SUMMARY: ("summary", summary_args(draft), SUMMARY_ROWS),
        Step.EDIT_MENU: ("edit-which", {}, EDIT_MENU_ROWS),
    }
    return table[step]


def plain(say: Say) -> tuple[str, dict[str, Any], tuple[Row, ...]]:
    rows = tuple(tuple((b.label, b.action, b.value, b.selected) for b in row) for row in say.buttons)
    return say.key, say.args, rows


def nudge(key: str, **args: Any) -> tuple[str, dict[str, Any], tuple[Row, ...]]:
    return key, args, ()


# --- every question, in every UI language --------------------------------------------------------


@pytest.mark.parametrize("ui", UI)
@pytest.mark.parametrize("step", list(Step))
def test_each_step_asks_its_question(step: Step, ui: str) -> None:
    assert plain(current_prompt(at(step), ui)) == expected_prompt(step, ui, BEFORE[step])


@pytest.mark.parametrize("ui", UI)
def test_summary_without_history_says_none_given(ui: str) -> None:
    draft = replace(FULL, history=None)
    key, args, _ = plain(current_prompt(Intake(Step.SUMMARY, draft), ui))
    assert key == "summary" and args["history"] == Msg("summary-no-history")


def test_a_new_intake_starts_at_the_photo_with_nothing_answered() -> None:
    assert start() == Intake(Step.PHOTO, Draft(), editing=False)
    assert not is_complete(start().draft)


def test_with_earlier_cases_it_starts_by_asking_about_a_follow_up() -> None:
    assert start(OFFERS) == Intake(Step.FOLLOW_UP, Draft(), offers=OFFERS)
    many = tuple(replace(OFFERS[0], case_id=f"{i:032x}") for i in range(8))
    assert start(many).offers == many[:5]  # a keyboard of five earlier cases at most


@pytest.mark.parametrize("ui", UI)
def test_each_follow_up_offer_shows_date_patient_site_and_result(ui: str) -> None:
    say = current_prompt(at(Step.FOLLOW_UP), ui)
    args = [b.args for row in say.buttons for b in row]
    assert args == [
        {"date": "2025-05-01", "name": "Hoa", "site": Msg("site-arm"), "result": Msg("label-eczema")},
        {"date": "2025-04-02", "name": "Minh", "site": Msg("site-unknown"), "result": Msg("label-acne")},
        {},
    ]


# --- good answers ------------------------------------------------------------------------------

TAKEN_OVER = {
    "follow_up": "a" * 32,
    "follow_up_day": "2025-05-01",
    "follow_up_answered": True,
    "name": "Hoa",
    "age": 14,
    "gender": "female",
    "report_language": "vi",
    "body_site": "arm",
    "body_site_answered": True,
}

GOOD: list[Any] = [
    # (step, answer, changes to the draft, next step)
    pytest.param(
        Step.FOLLOW_UP, Choice("answer", "new"), {"follow_up_answered": True}, Step.PHOTO, id="follow-up-new"
    ),
    pytest.param(Step.FOLLOW_UP, Choice("answer", "a" * 12), TAKEN_OVER, Step.PHOTO, id="follow-up-earlier"),
    pytest.param(
        Step.FOLLOW_UP,
        Choice("answer", "b" * 12),
        {
            "follow_up": "b" * 32,
            "follow_up_day": "2025-04-02",
            "follow_up_answered": True,
            "name": "Minh",
            "age": 40,
            "gender": "male",
            "report_language": "ko",
        },
        Step.PHOTO,
        id="follow-up-earlier-without-site",
    ),
    pytest.param(Step.PHOTO, Photo("img-1"), {"photos": ("img-1",)}, Step.MORE_PHOTOS, id="photo"),
    pytest.param(
        Step.PHOTO, Album(("img-1", "img-2")), {"photos": ("img-1", "img-2")}, Step.MORE_PHOTOS, id="album-2"
    ),
    pytest.param(
        Step.PHOTO,
        Album(("img-1", "img-2", "img-3")),
        {"photos": ("img-1", "img-2", "img-3"), "photos_done": True},
        Step.BODY_SITE,
        id="album-3",
    ),
    pytest.param(
        Step.MORE_PHOTOS, Photo("img-2"), {"photos": ("img-1", "img-2")}, Step.MORE_PHOTOS, id="overview"
    ),
    pytest.param(
        Step.MORE_PHOTOS,
        Album(("img-2", "img-3")),
        {"photos": ("img-1", "img-2", "img-3"), "photos_done": True},
        Step.BODY_SITE,
        id="more-album",
    ),
    pytest.param(
        Step.MORE_PHOTOS, Choice("answer", "done"), {"photos_done": True}, Step.BODY_SITE, id="done"
    ),
    *[
        pytest.param(
            Step.BODY_SITE,
            Choice("answer", site),
            {"body_site": site, "body_site_answered": True},
            Step.NAME,
            id=f"site-{site}",
        )
        for site in BODY_SITES
    ],
    pytest.param(
        Step.BODY_SITE,
        Choice("skip"),
        {"body_site": None, "body_site_answered": True},
        Step.NAME,
        id="site-skip",
    ),
    pytest.param(Step.NAME, Text("Hoa"), {"name": "Hoa"}, Step.AGE, id="name"),
    pytest.param(
        Step.NAME, Text("  Nguyễn   Thị\tHoa \n"), {"name": "Nguyễn Thị Hoa"}, Step.AGE, id="name-spaces"
    ),
    pytest.param(Step.NAME, Text("홍길동"), {"name": "홍길동"}, Step.AGE, id="name-hangul"),
    pytest.param(Step.NAME, Text("Ｈｏａ"), {"name": "Hoa"}, Step.AGE, id="name-fullwidth"),
    pytest.param(Step.NAME, Text("Ho\x00a\x07"), {"name": "Hoa"}, Step.AGE, id="name-control-chars"),
    pytest.param(Step.NAME, Text("a" * 100), {"name": "a" * 100}, Step.AGE, id="name-at-max"),
    *[
        pytest.param(Step.AGE, Text(text), {"age": age}, Step.GENDER, id=f"age-{text!r}")
        for text, age in [
            ("15", 15),
            (" 15 ", 15),
            ("15세", 15),
            ("15 세", 15),
            ("15살", 15),
            ("15 tuổi", 15),
            ("15 years old", 15),
            ("15 Years", 15),
            ("15 yrs", 15),
            ("15y", 15),
            ("15yo", 15),
            ("15.", 15),
            ("１５", 15),
            ("１５세", 15),
            ("0", 0),
            ("120", 120),
            ("007", 7),
        ]
    ],
    *[
        pytest.param(Step.GENDER, Choice("answer", g), {"gender": g}, Step.HISTORY, id=f"gender-{g}")
        for g in ("female", "male", "other", "undisclosed")
    ],
    *[
        pytest.param(
            Step.HISTORY,
            answer,
            {"history": history, "history_answered": True},
            Step.REPORT_LANGUAGE,
            id=name,
        )
        for answer, history, name in [
            (Text("itchy"), "itchy", "history"),
            (Text("  itchy \n\n  red   spots \n"), "itchy\n\nred spots", "history-lines"),
            (Text("x" * 2000), "x" * 2000, "history-at-max"),
            # Blank text counts as an answer with nothing in it; the summary then says "none given".
            (Text("  \n "), "", "history-blank"),
            (Choice("skip"), None, "history-skip"),
        ]
    ],
    *[
        pytest.param(
            Step.REPORT_LANGUAGE,
            Choice("answer", lang),
            {"report_language": lang},
            Step.SUMMARY,
            id=f"report-{lang}",
        )
        for lang in ("ko", "en", "vi")
    ],
]


@pytest.mark.parametrize("ui", UI)
@pytest.mark.parametrize(("step", "answer", "changes", "next_step"), GOOD)
def test_a_good_answer_moves_on(step: Step, answer: Answer, changes: dict, next_step: Step, ui: str) -> None:
    out = advance(at(step), answer, ui)
    draft = replace(BEFORE[step], **changes)
    assert out.intake == Intake(next_step, draft)
    assert [plain(s) for s in out.says] == [expected_prompt(next_step, ui, draft)]
    assert not out.confirmed and out.discard_images == ()
    assert is_complete(draft) == (next_step == Step.SUMMARY)


# --- bad answers -------------------------------------------------------------------------------

BAD: list[Any] = [
    # (step, answer, what is said before the question is asked again)
    pytest.param(Step.FOLLOW_UP, Text("yes"), nudge("nudge-buttons"), id="follow-up-text"),
    pytest.param(
        Step.FOLLOW_UP, Choice("answer", "c" * 12), nudge("nudge-buttons"), id="follow-up-not-offered"
    ),
    pytest.param(Step.FOLLOW_UP, Choice("answer", "0"), nudge("nudge-buttons"), id="follow-up-index"),
    pytest.param(Step.FOLLOW_UP, Choice("answer", "a" * 32), nudge("nudge-buttons"), id="follow-up-whole-id"),
    pytest.param(Step.FOLLOW_UP, Choice("answer", ""), nudge("nudge-buttons"), id="follow-up-empty"),
    pytest.param(Step.FOLLOW_UP, Choice("skip"), nudge("nudge-buttons"), id="follow-up-skip"),
    pytest.param(Step.FOLLOW_UP, Other(), nudge("nudge-buttons"), id="follow-up-sticker"),
    pytest.param(Step.PHOTO, Album(()), nudge("nudge-photo"), id="photo-empty-album"),
    pytest.param(Step.MORE_PHOTOS, Text("that's all"), nudge("nudge-more-photos"), id="more-text"),
    pytest.param(Step.MORE_PHOTOS, Choice("answer", "all"), nudge("nudge-more-photos"), id="more-unknown"),
    pytest.param(Step.MORE_PHOTOS, Choice("skip"), nudge("nudge-more-photos"), id="more-skip"),
    pytest.param(Step.MORE_PHOTOS, Other(), nudge("nudge-more-photos"), id="more-sticker"),
    pytest.param(Step.BODY_SITE, Text("arm"), nudge("nudge-buttons"), id="site-text"),
    pytest.param(Step.BODY_SITE, Choice("answer", "tail"), nudge("nudge-buttons"), id="site-unknown"),
    pytest.param(Step.BODY_SITE, Photo("img-9"), nudge("nudge-buttons"), id="site-photo"),
    pytest.param(Step.BODY_SITE, Other(), nudge("nudge-buttons"), id="site-sticker"),
    pytest.param(Step.PHOTO, Text("here it is"), nudge("nudge-photo"), id="photo-text"),
    pytest.param(Step.PHOTO, Other(), nudge("nudge-photo"), id="photo-sticker"),
    pytest.param(Step.PHOTO, Choice("answer", "photo"), nudge("nudge-photo"), id="photo-choice"),
    pytest.param(Step.PHOTO, Choice("skip"), nudge("nudge-photo"), id="photo-skip"),
    pytest.param(Step.NAME, Text(""), nudge("invalid-name-empty"), id="name-empty"),
    pytest.param(Step.NAME, Text(" \n\t "), nudge("invalid-name-empty"), id="name-blank"),
    pytest.param(Step.NAME, Text("\x00\x07"), nudge("invalid-name-empty"), id="name-only-control"),
    pytest.param(Step.NAME, Text("a" * 101), nudge("invalid-name-long", length=101, max=100), id="name-101"),
    pytest.param(
        Step.NAME, Text("a " * 300), nudge("invalid-name-long", length=599, max=100), id="name-long"
    ),
    pytest.param(Step.NAME, Other(), nudge("nudge-text"), id="name-sticker"),
    pytest.param(Step.NAME, Choice("answer", "Hoa"), nudge("nudge-text"), id="name-choice"),
    pytest.param(Step.NAME, Choice("skip"), nudge("nudge-text"), id="name-not-skippable"),
    *[
        pytest.param(Step.AGE, Text(text), nudge("invalid-age", text=echo), id=f"age-{text[:12]!r}")
        for text, echo in [
            ("abc", "abc"),
            ("-3", "-3"),
            ("200", "200"),
            ("121", "121"),
            ("1500", "1500"),
            ("15.5", "15.5"),
            ("1 5", "1 5"),
            ("fifteen", "fifteen"),
            ("15 months", "15 months"),
            ("", ""),
            ("  abc  ", "abc"),
            ("x" * 50, "x" * 20),
        ]
    ],
    pytest.param(Step.AGE, Other(), nudge("nudge-text"), id="age-sticker"),
    pytest.param(Step.AGE, Choice("answer", "15"), nudge("nudge-text"), id="age-choice"),
    pytest.param(Step.GENDER, Text("female"), nudge("nudge-buttons"), id="gender-text"),
    pytest.param(Step.GENDER, Choice("answer", "robot"), nudge("nudge-buttons"), id="gender-unknown"),
    pytest.param(Step.GENDER, Choice("answer", ""), nudge("nudge-buttons"), id="gender-empty"),
    pytest.param(Step.GENDER, Choice("skip"), nudge("nudge-buttons"), id="gender-not-skippable"),
    pytest.param(Step.GENDER, Choice("field", "female"), nudge("nudge-buttons"), id="gender-wrong-action"),
    pytest.param(Step.GENDER, Other(), nudge("nudge-buttons"), id="gender-sticker"),
    pytest.param(
        Step.HISTORY,
        Text("x" * 10_000),
        nudge("invalid-history-long", length=10_000, max=2000),
        id="history-10000",
    ),
    pytest.param(
        Step.HISTORY,
        Text("x" * 2001),
        nudge("invalid-history-long", length=2001, max=2000),
        id="history-2001",
    ),
    pytest.param(Step.HISTORY, Other(), nudge("nudge-text"), id="history-sticker"),
    pytest.param(Step.HISTORY, Choice("answer", "itchy"), nudge("nudge-text"), id="history-choice"),
    pytest.param(Step.REPORT_LANGUAGE, Choice("answer", "fr"), nudge("nudge-buttons"), id="report-unknown"),
    pytest.param(Step.REPORT_LANGUAGE, Text("en"), nudge("nudge-buttons"), id="report-text"),
    pytest.param(Step.REPORT_LANGUAGE, Choice("skip"), nudge("nudge-buttons"), id="report-not-skippable"),
    pytest.param(Step.REPORT_LANGUAGE, Other(), nudge("nudge-buttons"), id="report-sticker"),
    pytest.param(Step.SUMMARY, Text("yes"), nudge("nudge-buttons"), id="summary-text"),
    pytest.param(Step.SUMMARY, Other(), nudge("nudge-buttons"), id="summary-sticker"),
    pytest.param(Step.SUMMARY, Choice("answer", "en"), nudge("nudge-buttons"), id="summary-answer"),
    pytest.param(Step.SUMMARY, Choice("field", "name"), nudge("nudge-buttons"), id="summary-field"),
    pytest.param(Step.SUMMARY, Choice("skip"), nudge("nudge-buttons"), id="summary-skip"),
    pytest.param(Step.SUMMARY, Choice("bogus"), nudge("nudge-buttons"), id="summary-unknown-action"),
    pytest.param(Step.EDIT_MENU, Choice("field", "bogus"), nudge("nudge-buttons"), id="menu-unknown-field"),
    pytest.param(Step.EDIT_MENU, Choice("field", ""), nudge("nudge-buttons"), id="menu-empty-field"),
    pytest.param(Step.EDIT_MENU, Choice("field", "summary"), nudge("nudge-buttons"), id="menu-summary"),
    pytest.param(Step.EDIT_MENU, Choice("field", "edit_menu"), nudge("nudge-buttons"), id="menu-itself"),
    pytest.param(Step.EDIT_MENU, Choice("answer", "name"), nudge("nudge-buttons"), id="menu-wrong-action"),
    pytest.param(Step.EDIT_MENU, Choice("confirm"), nudge("nudge-buttons"), id="menu-confirm"),
    pytest.param(Step.EDIT_MENU, Text("name"), nudge("nudge-buttons"), id="menu-text"),
    pytest.param(Step.EDIT_MENU, Other(), nudge("nudge-buttons"), id="menu-sticker"),
]


@pytest.mark.parametrize("ui", UI)
@pytest.mark.parametrize(("step", "answer", "said"), BAD)
def test_a_bad_answer_says_why_and_asks_again(step: Step, answer: Answer, said: tuple, ui: str) -> None:
    intake = at(step)
    out = advance(intake, answer, ui)
    assert out.intake == intake
    assert [plain(s) for s in out.says] == [said, expected_prompt(step, ui, intake.draft)]
    assert not out.confirmed and out.discard_images == ()


@pytest.mark.parametrize("ui", UI)
@pytest.mark.parametrize("step", QUESTION_STEPS)
def test_a_bad_answer_during_an_edit_stays_in_the_edit(step: Step, ui: str) -> None:
    editing = Intake(step, FULL, editing=True)
    out = advance(editing, Other(), ui)
    assert out.intake == editing
    assert plain(out.says[-1]) == expected_prompt(step, ui, FULL)


# --- the summary: confirm, edit, cancel --------------------------------------------------------


@pytest.mark.parametrize("ui", UI)
def test_confirm_at_the_summary(ui: str) -> None:
    intake = at(Step.SUMMARY)
    assert advance(intake, Choice("confirm"), ui) == Outcome(intake, (), confirmed=True)


NOT_SUMMARY = [
    *(pytest.param(at(step), id=step.value) for step in Step if step != Step.SUMMARY),
    *(pytest.param(Intake(step, FULL, editing=True), id=f"editing-{step.value}") for step in QUESTION_STEPS),
]


@pytest.mark.parametrize("ui", UI)
@pytest.mark.parametrize("intake", NOT_SUMMARY)
def test_confirm_anywhere_else_confirms_nothing(intake: Intake, ui: str) -> None:
    out = advance(intake, Choice("confirm"), ui)
    assert not out.confirmed
    assert out.intake == intake


EDITS: list[Any] = [
    # (field, answer, changes, images to discard)
    pytest.param(Step.BODY_SITE, Choice("answer", "leg"), {"body_site": "leg"}, (), id="site"),
    pytest.param(Step.BODY_SITE, Choice("skip"), {"body_site": None}, (), id="site-skip"),
    pytest.param(Step.NAME, Text("Lan"), {"name": "Lan"}, (), id="name"),
    pytest.param(Step.AGE, Text("40 tuổi"), {"age": 40}, (), id="age"),
    pytest.param(Step.GENDER, Choice("answer", "male"), {"gender": "male"}, (), id="gender"),
    pytest.param(Step.HISTORY, Text("since May"), {"history": "since May"}, (), id="history"),
    pytest.param(Step.HISTORY, Choice("skip"), {"history": None}, (), id="history-skip"),
    pytest.param(
        Step.REPORT_LANGUAGE, Choice("answer", "ko"), {"report_language": "ko"}, (), id="report-language"
    ),
]


@pytest.mark.parametrize("ui", UI)
@pytest.mark.parametrize(("step", "answer", "changes", "discard"), EDITS)
def test_edit_one_answer_from_the_summary(
    step: Step, answer: Answer, changes: dict, discard: tuple[str, ...], ui: str
) -> None:
    menu = advance(at(Step.SUMMARY), Choice("edit"), ui)
    assert menu.intake == Intake(Step.EDIT_MENU, FULL)
    assert [plain(s) for s in menu.says] == [expected_prompt(Step.EDIT_MENU, ui, FULL)]

    asking = advance(menu.intake, Choice("field", step.value), ui)
    assert asking.intake == Intake(step, FULL, editing=True)
    assert [plain(s) for s in asking.says] == [expected_prompt(step, ui, FULL)]

    done = advance(asking.intake, answer, ui)
    edited = replace(FULL, **changes)  # every other answer kept
    assert done.intake == Intake(Step.SUMMARY, edited, editing=False)
    assert [plain(s) for s in done.says] == [expected_prompt(Step.SUMMARY, ui, edited)]
    assert done.discard_images == discard and not done.confirmed
    assert is_complete(edited)


@pytest.mark.parametrize("ui", UI)
def test_editing_the_photos_starts_them_over_and_offers_more_before_the_summary(ui: str) -> None:
    two = replace(FULL, photos=("img-1", "img-2"))
    asking = advance(Intake(Step.EDIT_MENU, two), Choice("field", "photo"), ui)
    assert asking.intake == Intake(Step.PHOTO, two, editing=True)
    replaced = advance(asking.intake, Photo("img-3"), ui)
    draft = replace(two, photos=("img-3",), photos_done=False)
    assert replaced.intake == Intake(Step.MORE_PHOTOS, draft, editing=True)
    assert replaced.discard_images == ("img-1", "img-2")
    assert [plain(s) for s in replaced.says] == [expected_prompt(Step.MORE_PHOTOS, ui, draft)]
    done = advance(replaced.intake, Choice("answer", "done"), ui)
    assert done.intake == Intake(Step.SUMMARY, replace(draft, photos_done=True))
    assert [plain(s) for s in done.says] == [expected_prompt(Step.SUMMARY, ui, done.intake.draft)]


def test_the_same_photo_again_discards_nothing() -> None:
    out = advance(Intake(Step.PHOTO, FULL, editing=True), Photo("img-1"), "en")
    assert out.discard_images == ()
    assert out.intake == Intake(Step.MORE_PHOTOS, replace(FULL, photos_done=False), editing=True)


def test_three_photos_while_editing_go_straight_back_to_the_summary() -> None:
    out = advance(Intake(Step.PHOTO, FULL, editing=True), Album(("img-5", "img-6", "img-7")), "en")
    assert out.intake == Intake(Step.SUMMARY, replace(FULL, photos=("img-5", "img-6", "img-7")))
    assert out.discard_images == ("img-1",)


def test_replacing_the_photo_before_the_summary_discards_the_old_one() -> None:
    # Back at the photo step with a photo already taken (e.g. after a restart of the question).
    out = advance(Intake(Step.PHOTO, ONE_PHOTO), Photo("img-2"), "en")
    assert out.intake == Intake(Step.MORE_PHOTOS, Draft(photos=("img-2",)))
    assert out.discard_images == ("img-1",)


# --- several photos ----------------------------------------------------------------------------


@pytest.mark.parametrize("ui", UI)
def test_the_add_button_asks_for_the_next_kind_of_photo(ui: str) -> None:
    one = at(Step.MORE_PHOTOS)
    assert advance(one, Choice("answer", "add"), ui) == Outcome(one, (Say("ask-photo-overview"),))
    two = Intake(Step.MORE_PHOTOS, Draft(photos=("img-1", "img-2")))
    assert advance(two, Choice("answer", "add"), ui) == Outcome(two, (Say("ask-photo-extra"),))
    # After the overview the button offers "another photo", no longer "an overview".
    assert plain(current_prompt(two, ui))[2] == more_photos_rows(2)


@pytest.mark.parametrize("ui", UI)
def test_an_album_over_the_limit_keeps_three_and_says_so(ui: str) -> None:
    out = advance(at(Step.PHOTO), Album(("i1", "i2", "i3", "i4", "i5")), ui)
    assert out.intake == Intake(Step.BODY_SITE, Draft(photos=("i1", "i2", "i3"), photos_done=True))
    assert out.discard_images == ("i4", "i5")
    assert [plain(s) for s in out.says] == [
        nudge("photos-over-limit", max=3),
        expected_prompt(Step.BODY_SITE, ui, out.intake.draft),
    ]
    more = advance(at(Step.MORE_PHOTOS), Album(("i2", "i3", "i4")), ui)
    assert more.intake is not None and more.intake.draft.photos == ("img-1", "i2", "i3")
    assert more.discard_images == ("i4",)


def test_photos_sent_before_the_follow_up_answer_are_kept() -> None:
    first = advance(at(Step.FOLLOW_UP), Photo("img-1"), "en")
    assert first.intake == Intake(Step.FOLLOW_UP, ONE_PHOTO, offers=OFFERS)
    assert [plain(s) for s in first.says] == [expected_prompt(Step.FOLLOW_UP, "en", ONE_PHOTO)]
    new = advance(first.intake, Choice("answer", "new"), "en")
    # The close-up is already there: the flow goes on to "add an overview or done".
    assert new.intake is not None and new.intake.step == Step.MORE_PHOTOS
    assert new.intake.draft.photos == ("img-1",)


@pytest.mark.parametrize(
    ("intake", "slots"),
    [
        (at(Step.FOLLOW_UP), 3),
        (Intake(Step.FOLLOW_UP, ONE_PHOTO, offers=OFFERS), 2),
        (at(Step.PHOTO), 3),
        (Intake(Step.PHOTO, FULL, editing=True), 3),  # a new set replaces the old one
        (at(Step.MORE_PHOTOS), 2),
        (Intake(Step.MORE_PHOTOS, Draft(photos=("a", "b"))), 1),
        *((at(step), 0) for step in (Step.BODY_SITE, Step.NAME, Step.HISTORY, Step.SUMMARY, Step.EDIT_MENU)),
    ],
)
def test_photo_slots(intake: Intake, slots: int) -> None:
    assert photo_slots(intake) == slots


# --- follow-up ---------------------------------------------------------------------------------


@pytest.mark.parametrize("ui", UI)
def test_a_follow_up_asks_only_what_the_earlier_case_does_not_answer(ui: str) -> None:
    out = advance(at(Step.FOLLOW_UP), Choice("answer", "a" * 12), ui)
    steps = []
    intake = out.intake
    for answer in (Photo("img-1"), Choice("answer", "done"), Text("bigger since May")):
        assert intake is not None
        steps.append(intake.step)
        intake = advance(intake, answer, ui).intake
    assert intake is not None
    steps.append(intake.step)
    # Same patient, same spot: no body site, name, age, gender or report language questions.
    assert steps == [Step.PHOTO, Step.MORE_PHOTOS, Step.HISTORY, Step.SUMMARY]
    assert intake.draft == replace(
        Draft(**TAKEN_OVER),
        photos=("img-1",),
        photos_done=True,
        history="bigger since May",
        history_answered=True,
    )
    assert is_complete(intake.draft)
    key, args, _ = plain(current_prompt(intake, ui))
    assert key == "summary" and args["follow_up"] == "2025-05-01" and args["site"] == Msg("site-arm")


def test_a_follow_up_of_a_case_without_a_body_site_asks_for_it() -> None:
    intake = advance(at(Step.FOLLOW_UP), Choice("answer", "b" * 12), "en").intake
    for answer in (Photo("img-1"), Choice("answer", "done")):
        assert intake is not None
        intake = advance(intake, answer, "en").intake
    assert intake is not None and intake.step == Step.BODY_SITE


def test_a_reminder_starts_a_follow_up_at_the_photo() -> None:
    intake = start_follow_up(OFFERS[0])
    assert intake == Intake(Step.PHOTO, Draft(**TAKEN_OVER))
    assert current_prompt(intake, "en") == Say("ask-photo")


# --- cancel ------------------------------------------------------------------------------------

ENDED_WITH_PHOTO = Outcome(None, (Say("intake-cancelled"),), discard_images=("img-1",))
BACK_TO_SUMMARY = Outcome(
    Intake(Step.SUMMARY, FULL), (Say("step-cancelled"), current_prompt(at(Step.SUMMARY), "en"))
)

CANCELS: list[Any] = [
    # (state, outcome)
    pytest.param(Intake(), Outcome(None, (Say("intake-cancelled"),)), id="photo-none-yet"),
    pytest.param(at(Step.FOLLOW_UP), Outcome(None, (Say("intake-cancelled"),)), id="follow-up"),
    *[pytest.param(at(step), ENDED_WITH_PHOTO, id=step.value) for step in QUESTION_STEPS[1:]],
    pytest.param(at(Step.MORE_PHOTOS), ENDED_WITH_PHOTO, id="more-photos"),
    pytest.param(Intake(Step.PHOTO, ONE_PHOTO), ENDED_WITH_PHOTO, id="photo-already-taken"),
    pytest.param(
        Intake(Step.MORE_PHOTOS, Draft(photos=("img-1", "img-2"))),
        Outcome(None, (Say("intake-cancelled"),), discard_images=("img-1", "img-2")),
        id="two-photos",
    ),
    # A case turned back for its photo reopens at the photo, editing, without one: cancel ends it.
    pytest.param(
        Intake(Step.PHOTO, replace(FULL, photos=()), editing=True),
        Outcome(None, (Say("intake-cancelled"),)),
        id="reopened-without-photo",
    ),
    pytest.param(at(Step.SUMMARY), ENDED_WITH_PHOTO, id="summary"),
    pytest.param(at(Step.EDIT_MENU), BACK_TO_SUMMARY, id="edit-menu"),
    *[
        pytest.param(Intake(step, FULL, editing=True), BACK_TO_SUMMARY, id=f"editing-{step.value}")
        for step in QUESTION_STEPS
    ],
]


@pytest.mark.parametrize(("intake", "outcome"), CANCELS)
def test_cancel(intake: Intake, outcome: Outcome) -> None:
    assert cancel(intake) == outcome


def test_back_to_summary_says_the_summary_of_the_kept_answers() -> None:
    said = plain(BACK_TO_SUMMARY.says[1])
    assert said == expected_prompt(Step.SUMMARY, "en", FULL)


@pytest.mark.parametrize("ui", UI)
def test_the_cancel_button_at_the_summary_ends_the_intake(ui: str) -> None:
    assert advance(at(Step.SUMMARY), Choice("cancel"), ui) == ENDED_WITH_PHOTO


# --- a whole conversation, and its state as JSON -----------------------------------------------

SCRIPT: tuple[Answer, ...] = (
    Other(),  # sticker instead of a photo
    Photo("img-1"),
    Text("that is all"),  # typed where a button is expected
    Choice("answer", "add"),
    Photo("img-2"),
    Choice("answer", "done"),
    Choice("answer", "arm"),
    Text(""),  # empty name
    Text("Hoa"),
    Text("15세"),
    Text("female"),  # typed where a button is expected
    Choice("answer", "female"),
    Choice("skip"),
    Choice("answer", "vi"),
    Choice("edit"),
    Choice("field", "age"),
    Text("abc"),
    Text("16"),
    Choice("confirm"),
)
STEPS_AFTER = (
    Step.PHOTO,
    Step.MORE_PHOTOS,
    Step.MORE_PHOTOS,
    Step.MORE_PHOTOS,
    Step.MORE_PHOTOS,
    Step.BODY_SITE,
    Step.NAME,
    Step.NAME,
    Step.AGE,
    Step.GENDER,
    Step.GENDER,
    Step.HISTORY,
    Step.REPORT_LANGUAGE,
    Step.SUMMARY,
    Step.EDIT_MENU,
    Step.AGE,
    Step.AGE,
    Step.SUMMARY,
    Step.SUMMARY,
)


def run_script(ui: str) -> list[Outcome]:
    intake, outcomes = start(), []
    for answer in SCRIPT:
        out = advance(intake, answer, ui)
        outcomes.append(out)
        assert out.intake is not None
        intake = out.intake
    return outcomes


@pytest.mark.parametrize("ui", UI)
def test_a_whole_intake(ui: str) -> None:
    outcomes = run_script(ui)
    assert [o.intake.step for o in outcomes if o.intake] == list(STEPS_AFTER)
    assert [o.confirmed for o in outcomes] == [False] * (len(SCRIPT) - 1) + [True]
    final = outcomes[-1].intake
    assert final is not None
    assert final.draft == answered("img-1", "img-2", body_site="arm", name="Hoa", age=16)
    assert is_complete(final.draft)
    assert all(not is_complete(o.intake.draft) for o in outcomes[:13] if o.intake)


ROUND_TRIP_STATES: list[Intake] = [
    *(at(step) for step in Step),
    start_follow_up(OFFERS[1]),
    Intake(Step.MORE_PHOTOS, Draft(photos=("a", "b")), editing=True),
    *(Intake(step, FULL, editing=True) for step in QUESTION_STEPS),
    Intake(Step.SUMMARY, replace(FULL, history=None, age=0, name='Nguyễn "Hoa" 홍')),
    Intake(Step.SUMMARY, replace(FULL, history="line one\n\nline \\ two")),
    *(o.intake for o in run_script("ko") if o.intake),
]


@pytest.mark.parametrize("intake", ROUND_TRIP_STATES, ids=lambda i: f"{i.step.value}{'-editing' * i.editing}")
def test_json_round_trip(intake: Intake) -> None:
    raw = intake.to_json()
    back = Intake.from_json(raw)
    assert back == intake and back.key == intake.key  # the buttons shown for it stay valid
    assert type(back.step) is Step
    assert json.loads(raw)["step"] == intake.step.value


def test_state_saved_before_several_photos_loads_with_its_one_photo() -> None:
    # Saved by an older skinbot: one "photo", no editing flag, none of the newer questions.
    raw = json.dumps({"step": "age", "draft": {"photo": "img-1", "name": "Hoa"}})
    loaded = Intake.from_json(raw)
    assert loaded == Intake(
        Step.AGE, Draft(photos=("img-1",), photos_done=True, follow_up_answered=True, name="Hoa")
    )
    # Its next question is the body site, the one question it has not had; then on as before.
    after = advance(loaded, Text("15"), "en").intake
    assert after is not None and after.step == Step.BODY_SITE
    old_summary = json.dumps(
        {
            "step": "summary",
            "draft": {
                "photo": "img-1",
                "name": "Hoa",
                "age": 15,
                "gender": "female",
                "history": None,
                "history_answered": True,
                "report_language": "vi",
            },
        }
    )
    assert is_complete(Intake.from_json(old_summary).draft)
    assert advance(Intake.from_json(old_summary), Choice("confirm"), "en").confirmed
    none_yet = Intake.from_json(json.dumps({"step": "photo", "draft": {"photo": None}}))
    assert none_yet == Intake(Step.PHOTO, Draft(follow_up_answered=True))
    # It had no key: it gets one, which no button shown before matches, and the same one at every load
    # (a prompt shown again from it, before anything is saved, must still take its buttons).
    assert re.fullmatch(r"[0-9a-f]{8}\.0", none_yet.key)
    raw = json.dumps({"step": "photo", "draft": {"photo": None}})
    assert Intake.from_json(raw).key == Intake.from_json(raw).key


# --- which state a button was shown for ----------------------------------------------------------


def test_every_change_counts_a_turn_and_a_repeat_does_not() -> None:
    asked = at(Step.NAME)
    named = advance(asked, Text("Hoa"), "en").intake
    assert named is not None and (named.id, named.turn) == (asked.id, asked.turn + 1)
    # Asked again (a nudge, a sticker): the question on screen is still current.
    for answer in (Text(""), Other(), Choice("answer", "female")):
        again = advance(asked, answer, "en").intake
        assert again is not None and again.key == asked.key
    # The summary shown again by a typed word keeps its key; an edit that changes an answer does not.
    summary = at(Step.SUMMARY)
    assert advance(summary, Text("ok"), "en").intake.key == summary.key  # type: ignore[union-attr]
    menu = advance(summary, Choice("edit"), "en").intake
    assert menu is not None and menu.turn == summary.turn + 1
    back = cancel(menu).intake
    assert back is not None and back.step == Step.SUMMARY and back.turn == menu.turn + 1


def test_each_new_intake_has_its_own_id() -> None:
    ids = {start().id for _ in range(1000)} | {start(OFFERS).id, start_follow_up(OFFERS[0]).id}
    assert len(ids) == 1002


# --- every word the flow can say exists in every language --------------------------------------


def said_by_the_flow() -> set[str]:
    """Message ids of every Say, button and Msg argument produced by the cases above, in every UI language."""
    outcomes: list[Outcome] = []
    for ui in UI:
        for case in GOOD:
            step, answer, _, _ = case.values
            outcomes.append(advance(at(step), answer, ui))
        for case in BAD:
            step, answer, _ = case.values
            outcomes.append(advance(at(step), answer, ui))
        for case in EDITS:
            step, answer, _, _ = case.values
            outcomes.append(advance(Intake(step, FULL, editing=True), answer, ui))
        outcomes.extend(run_script(ui))
        for kinds in (at(Step.MORE_PHOTOS), Intake(Step.MORE_PHOTOS, Draft(photos=("a", "b")))):
            outcomes.append(advance(kinds, Choice("answer", "add"), ui))
        outcomes.append(advance(at(Step.PHOTO), Album(("a", "b", "c", "d")), ui))
        for step in Step:
            for draft in (BEFORE[step], replace(FULL, history=None)):
                outcomes.append(Outcome(None, (current_prompt(Intake(step, draft), ui),)))
    for case in CANCELS:
        outcomes.append(cancel(case.values[0]))
    keys: set[str] = set()
    for out in outcomes:
        for say in out.says:
            keys.add(say.key)
            keys.update(b.label for row in say.buttons for b in row)
            keys.update(v.key for v in say.args.values() if isinstance(v, Msg))
            keys.update(
                v.key for row in say.buttons for b in row for v in b.args.values() if isinstance(v, Msg)
            )
    return keys


SAID = said_by_the_flow()


def test_the_collection_covers_every_kind_of_message() -> None:
    # Guards against the key check below passing on an empty or partial set.
    expected_kinds = {
        "ask-photo",
        "summary",
        "edit-which",
        "nudge-buttons",
        "invalid-age",
        "intake-cancelled",
        "step-cancelled",
        "btn-skip",
        "field-report-language",
        "gender-undisclosed",
        "lang-vi",
        "summary-no-history",
        "ask-follow-up",
        "follow-up-option",
        "btn-follow-up-new",
        "ask-more-photos",
        "btn-add-overview",
        "btn-add-photo",
        "btn-photos-done",
        "ask-body-site",
        "site-genital",
        "site-unknown",
        "nudge-more-photos",
        "summary-no-site",
        "summary-new-spot",
        "label-acne",
    }
    assert expected_kinds <= SAID


@pytest.fixture(scope="module")
def translator() -> Translator:
    return Translator()


@pytest.mark.parametrize("lang", UI)
def test_every_message_the_flow_says_exists(translator: Translator, lang: str) -> None:
    missing = sorted(key for key in SAID if not translator.has(lang, key))
    assert missing == [], f"{lang}: missing in locales/{lang}/*.ftl: {missing}"
