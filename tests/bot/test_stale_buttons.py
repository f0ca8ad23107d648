"""A button acts only on what it was shown for (issue #24, item 13): every kind of button, pressed after what
it was shown for has changed, gets "this button is out of date" (or the feature's own localized answer) and
changes nothing. Driven through the real bot against the fake Bot API; no models run (cases are finished in
the store, as the worker and the outbox would leave them)."""

from __future__ import annotations

import json

from conversations.intake import Step
from inference.labels import Classification
from testkit.fake_bot_api import SentMessage
from testkit.fake_user import FakeUser
from tests.bot.helpers import agree, answer_until_summary, button, confirm, summary_text
from tests.conftest import Harness

SCORES = json.dumps(Classification((0.9, 0.02, 0.02, 0.02, 0.02, 0.02)).to_record())


async def finish(h: Harness, case_id: str) -> None:
    """The case as the worker and the outbox leave it: scored, reported, its PDF delivered."""
    await h.services.store.db.execute(
        "UPDATE cases SET classification=?, report=?, image_seen=1, status='done' WHERE id=?",
        (SCORES, "A report.", case_id),
    )


async def finished_case(h: Harness, user: FakeUser, photo: bytes, name: str) -> str:
    summary = await answer_until_summary(h, user, "en", photo, name=name, report_language="en")
    case_id = await confirm(h, user, "en", summary)
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
    await harness.start()
    user = harness.api.user(2401, "en")
    await agree(harness, user, "en")
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
    await harness.start()
    user = harness.api.user(2402, "en")
    await agree(harness, user, "en")
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
    await harness.start()
    worker = harness.api.user(2403, "en")
    await agree(harness, worker, "en")
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
