"""A button acts only on what it was shown for (issue #24, item 13): every kind of button, pressed after what
it was shown for has changed, gets "this button is out of date" (or the feature's own localized answer) and
changes nothing. Driven through the real bot against the fake Bot API; no models run (cases are finished in
the store, as the worker and the outbox would leave them)."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.callbacks import Action, Callback
from bot.telegram_channel import verdict_data
from conversations.domain import Clinic
from conversations.intake_state import Step
from inference.labels import Classification
from testkit.fake_user import FakeUser
from testkit.sent_messages import SentMessage
from tests.bot.helpers import (
    agree,
    answer_until_summary,
    button,
    button_about,
    confirm,
    photo_to_name,
    summary_text,
)
from tests.bot.starts import agreed_user, started_with_agreed_user, started_with_clinics
from tests.conftest import Harness

SCORES = json.dumps(Classification((0.9, 0.02, 0.02, 0.02, 0.02, 0.02)).to_record())


async def finish(h: Harness, case_id: str) -> None:
    """The case as the worker and the outbox leave it: scored, reported, its PDF delivered."""
    await h.services.store.db.execute(
        "UPDATE cases SET classification=?, report=?, image_seen=1, status='done' WHERE id=?",
        (SCORES, "A report.", case_id),
    )


async def finished_case(h: Harness, user: FakeUser, photo: bytes, name: str, lang: str = "en") -> str:
    summary = await answer_until_summary(h, user, lang, photo, name=name, report_language=lang)
    case_id = await confirm(h, user, lang, summary)
    await finish(h, case_id)
    return case_id


async def answered_with(h: Harness, text: str, since: int) -> None:
    """Wait until a button press was answered with `text` (a toast), after `since` earlier answers."""
    await h.wait_until(
        lambda: any(c.params.get("text") == text for c in h.api.calls_of("answerCallbackQuery")[since:])
    )


def answers(h: Harness) -> int:
    return len(h.api.calls_of("answerCallbackQuery"))


async def stale_press(h: Harness, user: FakeUser, message: SentMessage, data: str) -> None:
    """Press `data` on `message` and wait for the "out of date" answer."""
    since = answers(h)
    await user.press(message, data)
    await answered_with(h, h.t("en", "button-stale"), since)


# --- the intake --------------------------------------------------------------------------------------------


async def test_an_earlier_summarys_buttons_do_not_act_on_the_summary_open_now(
    harness: Harness, photo_bytes: bytes
) -> None:
    user = await started_with_agreed_user(harness, 2401)
    first = await answer_until_summary(harness, user, "en", photo_bytes, name="Chau Nguyen")
    old_confirm, old_edit, old_cancel = (button(first, a) for a in ("confirm", "edit", "cancel"))
    await user.send("/new")  # the first summary stays on screen, its buttons with it
    await harness.wait_key(user, "en", "new-case")
    second = await answer_until_summary(harness, user, "en", photo_bytes, name="Dung Pham")

    for data in (old_cancel, old_edit, old_confirm):
        await stale_press(harness, user, first, data)
    intake = await harness.services.store.intakes.load(user.id)
    assert intake is not None and intake.step == Step.SUMMARY and intake.draft.name == "Dung Pham"
    assert await harness.services.store.cases.recent(user.id) == []
    # Control: the summary open now still answers its own buttons.
    case_id = await confirm(harness, user, "en", second)
    case = await harness.services.store.cases.get(user.id, case_id)
    assert case is not None and case.patient_name == "Dung Pham"


async def test_a_summary_shown_before_an_edit_cannot_confirm_the_edited_answers(
    harness: Harness, photo_bytes: bytes
) -> None:
    user = await started_with_agreed_user(harness, 2402)
    first = await answer_until_summary(harness, user, "en", photo_bytes, name="Chau Nguyen")
    old_confirm = button(first, "confirm")
    await user.send("a typed word at the summary: the summary is shown again")
    text = summary_text(harness, "en", "Chau Nguyen", 15, "female", "Itchy patches for two weeks", "ko")
    await harness.wait_until(lambda: sum(m.text == text for m in user.inbox()) == 2)
    again = user.inbox()[-1]
    await user.press(again, button(again, "edit"))
    menu = await harness.wait_key(user, "en", "edit-which")
    await user.press(menu, button(menu, "field", "name"))
    await harness.wait_key(user, "en", "ask-name", since=len(user.inbox()) - 1, max=100)
    await user.send("Dung Pham")
    edited = summary_text(harness, "en", "Dung Pham", 15, "female", "Itchy patches for two weeks", "ko")
    await harness.wait_text(user, edited)

    await stale_press(harness, user, first, old_confirm)  # it showed Chau Nguyen, not Dung Pham
    assert await harness.services.store.cases.recent(user.id) == []
    intake = await harness.services.store.intakes.load(user.id)
    assert intake is not None and intake.step == Step.SUMMARY and intake.draft.name == "Dung Pham"


async def test_an_old_follow_up_offer_never_follows_up_another_patient(
    harness: Harness, photo_bytes: bytes
) -> None:
    worker = await started_with_agreed_user(harness, 2403)
    chau = await finished_case(harness, worker, photo_bytes, "Chau Nguyen")

    # The offer naming Chau Nguyen stays on screen; the next patient is started from a second one.
    since = len(worker.inbox())
    await worker.send("/new")
    old_offer = await harness.wait_key(worker, "en", "ask-follow-up", since=since)
    [old_chau] = [b["callback_data"] for b in old_offer.buttons() if "Chau Nguyen" in b["text"]]
    await finished_case(harness, worker, photo_bytes, "Dung Pham")  # /new, "a new spot", Dung Pham
    since = len(worker.inbox())
    await worker.send("/new")
    offer = await harness.wait_key(worker, "en", "ask-follow-up", since=since)
    labels = [b["text"] for b in offer.buttons()]
    assert "Dung Pham" in labels[0] and "Chau Nguyen" in labels[1]  # the list has shifted

    await stale_press(harness, worker, old_offer, old_chau)
    intake = await harness.services.store.intakes.load(worker.id)
    assert intake is not None and intake.step == Step.FOLLOW_UP and intake.draft.follow_up is None
    # Control: the offer on screen now follows up the patient its button names.
    [chau_now] = [b["callback_data"] for b in offer.buttons() if "Chau Nguyen" in b["text"]]
    await worker.press(offer, chau_now)
    await harness.wait_key(worker, "en", "ask-photo", since=since)
    intake = await harness.services.store.intakes.load(worker.id)
    assert intake is not None and (intake.draft.follow_up, intake.draft.name) == (chau, "Chau Nguyen")


# --- consent and the account -------------------------------------------------------------------------------


async def test_a_second_agree_on_screen_is_out_of_date(harness: Harness) -> None:
    await harness.start()
    user = harness.api.user(2404, "en")
    await user.send("/start")
    await user.send("/start")  # the notes twice, each with its Agree button
    await harness.wait_until(lambda: sum(m.text == harness.t("en", "consent-ask") for m in user.inbox()) == 2)
    first, second = [m for m in user.inbox() if m.text == harness.t("en", "consent-ask")]
    later = button(second, "agree", "en")
    await user.press(first, button(first, "agree", "en"))
    await harness.wait_key(user, "en", "ask-photo")
    agreed = await harness.services.store.users.get(user.id)
    since = len(user.inbox())
    await stale_press(harness, user, second, later)
    assert await harness.services.store.users.get(user.id) == agreed  # consent recorded once
    assert user.inbox()[since:] == []


async def test_an_old_delete_confirmation_does_not_erase_the_account_agreed_since(
    harness: Harness, photo_bytes: bytes
) -> None:
    user = await started_with_agreed_user(harness, 2405)
    await user.send("/delete")
    old_ask = await harness.wait_key(user, "en", "delete-ask")
    old_yes = button_about(old_ask, "delete", "yes")
    await user.send("/delete")
    await harness.wait_until(lambda: sum(m.text == harness.t("en", "delete-ask") for m in user.inbox()) == 2)
    ask = user.inbox()[-1]
    await user.press(ask, button_about(ask, "delete", "yes"))
    await harness.wait_key(user, "en", "delete-done")
    await agree(harness, user, "en")  # back, and a new patient's answers under way
    await photo_to_name(harness, user, "en", photo_bytes)

    await stale_press(harness, user, old_ask, old_yes)  # it asked about the account erased already
    assert await harness.services.store.users.get(user.id) is not None
    intake = await harness.services.store.intakes.load(user.id)
    assert intake is not None and intake.step == Step.NAME


async def test_an_old_language_choice_after_a_delete_stores_nothing(harness: Harness) -> None:
    user = await started_with_agreed_user(harness, 2411)
    await user.send("/language")
    choose = await harness.wait_key(user, "en", "language-choose")
    korean = button(choose, "lang", "ko")
    await user.send("/delete")
    ask = await harness.wait_key(user, "en", "delete-ask")
    await user.press(ask, button_about(ask, "delete", "yes"))
    await harness.wait_key(user, "en", "delete-done")

    # The language is the one thing it names, and it is still the presser's to choose: the notes come
    # again in Korean, and nothing is stored before they agree.
    since = len(user.inbox())
    await user.press(choose, korean)
    await harness.wait_key(user, "ko", "consent-ask", since=since)
    assert await harness.services.store.users.get(user.id) is None


# --- reminders ---------------------------------------------------------------------------------------------


async def test_a_listed_reminders_cancel_does_not_cancel_the_one_set_again_since(
    harness: Harness, photo_bytes: bytes
) -> None:
    user = await started_with_agreed_user(harness, 2406)
    case_id = await finished_case(harness, user, photo_bytes, "Chau Nguyen")
    anchor = user.inbox()[-1]
    await user.press(anchor, Callback(Action.REMIND, f"{case_id}.2", user.id).pack())
    await harness.wait_until(lambda: reminder_set(harness, user))
    await user.send("/reminders")
    title = harness.t("en", "reminders-title")
    await harness.wait_until(lambda: (user.inbox()[-1].text or "").startswith(title))
    listing = user.inbox()[-1]
    old_cancel = button_about(listing, "rmx", case_id)
    since = len(user.inbox())
    await user.press(anchor, Callback(Action.REMIND, f"{case_id}.12", user.id).pack())  # set again: 12 weeks
    await harness.wait_new(user, since)

    await stale_press(harness, user, listing, old_cancel)  # it listed the 2-week reminder
    [pending] = await harness.services.store.reminders.pending(user.id)
    assert abs(pending.due_at - pending.created_at - timedelta(weeks=12)) < timedelta(minutes=1)
    # Control: the reminder listed now is cancelled by its own button.
    await user.send("/reminders")
    await harness.wait_until(
        lambda: (user.inbox()[-1].text or "").startswith(title) and user.inbox()[-1] != listing
    )
    now = user.inbox()[-1]
    await user.press(now, button_about(now, "rmx", case_id))
    await harness.wait_key(user, "en", "reminder-cancelled")
    assert await harness.services.store.reminders.pending(user.id) == []


def reminder_set(h: Harness, user: FakeUser) -> bool:
    head = h.t("en", "reminder-set", date="@@", weeks=2).split("@@")[0]
    return any((m.text or "").startswith(head) for m in user.inbox())


# --- buttons of a case that is gone ------------------------------------------------------------------------


async def test_every_case_button_of_an_erased_account_changes_nothing(
    harness: Harness, photo_bytes: bytes
) -> None:
    """The buttons a finished case leaves in the chat (PDF, retry, reminders, follow-up, stop, review),
    pressed after the account was erased and made again: each says so in the user's language, and nothing
    is sent, stored or started."""
    user = await started_with_agreed_user(harness, 2407)
    case_id = await finished_case(harness, user, photo_bytes, "Chau Nguyen")
    held = {
        Action.PDF: case_id,
        Action.RETRY: case_id,
        Action.REMIND: f"{case_id}.2",
        Action.REMIND_CANCEL: f"{case_id}.20260316",
        Action.FOLLOW_UP: case_id,
        Action.REVIEW: case_id,
    }
    anchor = user.inbox()[-1]
    await user.send("/delete")
    ask = await harness.wait_key(user, "en", "delete-ask")
    await user.press(ask, button_about(ask, "delete", "yes"))
    await harness.wait_key(user, "en", "delete-done")
    await agree(harness, user, "en")

    said = {
        Action.PDF: "case-pdf-missing",
        Action.RETRY: "retry-not-possible",
        Action.REMIND: "reminder-not-possible",
        Action.REMIND_CANCEL: "reminder-not-found",
        Action.FOLLOW_UP: "follow-up-case-gone",
        Action.REVIEW: "review-nothing-to-send",
    }
    for action, value in held.items():
        since = len(user.inbox())
        await user.press(anchor, Callback(action, value, user.id).pack())
        await harness.wait_key(user, "en", said[action], since=since)
    since = answers(harness)
    await user.press(anchor, Callback(Action.STOP, case_id, user.id).pack())
    await answered_with(harness, harness.t("en", "stop-too-late"), since)

    assert not any(m.document is not None for m in user.inbox())
    assert await harness.services.store.cases.recent(user.id) == []
    assert await harness.services.store.db.all("SELECT * FROM reminders") == []
    intake = await harness.services.store.intakes.load(user.id)
    assert intake is not None and intake.step == Step.PHOTO and intake.draft.follow_up is None


# --- clinics ------------------------------------------------------------------------------------------------

CLINIC, OTHER = -100900, -100901


async def clinics(h: Harness) -> tuple[Clinic, Clinic]:
    """Two clinics, both open to patients without a link; the bot started."""
    hanoi, seoul = await started_with_clinics(
        h, (CLINIC, "Hanoi Skin Clinic", "en"), (OTHER, "Seoul Derm", "ko")
    )
    for clinic in (hanoi, seoul):
        await h.services.store.clinics.set_open(clinic.id, True)
    return hanoi, seoul


async def test_send_all_from_a_listing_sends_only_what_it_counted(
    harness: Harness, photo_bytes: bytes
) -> None:
    hanoi, _ = await clinics(harness)
    user = await agreed_user(harness, 2408)
    await harness.services.store.clinics.bind(user.id, hanoi.id)  # one clinic: no choice to make
    await finished_case(harness, user, photo_bytes, "Chau Nguyen")
    await user.send("/cases")
    label = harness.t("en", "btn-review-all", count=1)
    await harness.wait_until(lambda: any(any(b["text"] == label for b in m.buttons()) for m in user.inbox()))
    listing = next(m for m in user.inbox() if any(b["text"] == label for b in m.buttons()))
    await finished_case(harness, user, photo_bytes, "Dung Pham")  # finished after the listing counted one

    await user.press(listing, button_about(listing, "rvall", "all"))
    await harness.wait_key(user, "en", "review-consent", clinic="Hanoi Skin Clinic", count=1)


async def test_a_clinic_picker_shown_before_the_patient_was_bound_is_out_of_date(
    harness: Harness, photo_bytes: bytes
) -> None:
    hanoi, seoul = await clinics(harness)
    token = await harness.services.store.clinics.create_link(hanoi.id)
    user = await agreed_user(harness, 2409)
    case_id = await finished_case(harness, user, photo_bytes, "Chau Nguyen")
    await user.press(user.inbox()[-1], Callback(Action.REVIEW, case_id, user.id).pack())
    pick = await harness.wait_key(user, "en", "review-pick-clinic")
    to_seoul = button(pick, "rvpick", f"{case_id}.{seoul.id}")
    await user.send(f"/start c_{token}")  # bound to Hanoi since: Seoul is no longer theirs to send to
    await harness.wait_key(user, "en", "clinic-bound", clinic="Hanoi Skin Clinic")

    since = len(user.inbox())
    await stale_press(harness, user, pick, to_seoul)
    assert not any(m.text and "Seoul Derm" in m.text for m in user.inbox()[since:])
    await user.press(pick, button(pick, "rvpick", f"{case_id}.{hanoi.id}"))  # control: their clinic
    await harness.wait_key(user, "en", "review-consent", clinic="Hanoi Skin Clinic", count=1)


async def test_a_verdict_button_of_a_review_gone_since_is_out_of_date(
    harness: Harness, photo_bytes: bytes
) -> None:
    hanoi, _ = await clinics(harness)
    user = await agreed_user(harness, 2410)
    case_id = await finished_case(harness, user, photo_bytes, "Chau Nguyen")
    review = await harness.services.store.reviews.create(user.id, case_id, hanoi.chat_id)
    assert review is not None
    summary = harness.api._new_message(CLINIC, text="🩺 a case to review", reply_markup=None)
    await harness.services.store.erasure.delete_user(user.id)  # the patient's /delete took the review

    doctor = harness.api.user(2910, "en", "Dr Lan")
    since = answers(harness)
    await doctor.press(summary, verdict_data(review.id, "r"))
    await answered_with(harness, harness.t("en", "button-stale"), since)
    assert await harness.services.store.reviews.get(review.id) is None
