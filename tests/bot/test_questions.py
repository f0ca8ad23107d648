"""'Ask about this report' through the real bot, queue and classifier, with the fake Bot API and a scripted
writer: the button after the PDF, bad input, the streamed answer with 'Ask a doctor' under it, the per-case
limit, /cancel of an open question and of an answer being written, and the clinic's view of the answers."""

from __future__ import annotations

from pathlib import Path

from conversations.domain import QuestionState
from inference.report_request import ReportRequest
from testkit.fake_user import FakeUser
from testkit.sent_messages import SentMessage
from tests.bot.helpers import agree, button
from tests.bot.test_report_delivery import run_case, shows, use_models, wait_pdf
from tests.bot.test_review import CLINIC, clinic_summary, send_for_review, setup_clinics
from tests.bot.test_review import finished_case as review_case
from tests.conftest import Harness
from tests.fakes import ScriptedWriter

ANSWER = "It looks like acne, which is not contagious. "


def script(request: ReportRequest) -> str:
    if request.question is None:
        return "## Summary\nMost likely acne.\n"
    if "slowly" in request.question.text:
        return "slow words " * 2000
    return ANSWER


async def finished_case(
    h: Harness, photo: bytes, weights: Path, limit: int = 2
) -> tuple[FakeUser, str, SentMessage]:
    """A case whose PDF has arrived: the patient, the case id and the "Ask about this report" offer."""
    use_models(h, weights, lambda s: ScriptedWriter(script=script, token_delay=0.002), qa_per_case=limit)
    await h.start()
    user = h.api.user(403, "en")
    case_id = await run_case(h, user, "en", photo)
    await wait_pdf(h, user)
    return user, case_id, await h.wait_key(user, "en", "ask-offer", limit=limit)


async def test_ask_about_a_finished_case_bad_input_answer_and_limit(
    harness: Harness, photo_bytes: bytes, trained_classifier_weights: Path
) -> None:
    h = harness
    user, case_id, offer = await finished_case(h, photo_bytes, trained_classifier_weights, limit=2)
    short = case_id[:8]
    await user.press(offer, button(offer, "ask", case_id))
    await h.wait_key(user, "en", "question-prompt", case=short, left=2)

    # Bad input gets a clear message and the question stays open.
    await user.send_sticker()
    await h.wait_key(user, "en", "question-not-text")
    since = len(user.inbox())
    await user.send("x" * 5000)
    await h.wait_key(user, "en", "question-too-long", since=since, length=5000, limit=1000)

    await user.send("Is it contagious?")
    await h.wait_key(user, "en", "question-queued")
    footer = await h.wait_key(user, "en", "question-answer-footer", since=since)
    assert shows(h, user, ANSWER.strip())
    # "Ask a doctor" is one press away: the existing send-to-a-clinic button, for this case.
    assert button(footer, "review", case_id) and button(footer, "ask", case_id)
    [stored] = await h.services.store.questions.answered(case_id)
    assert stored.question == "Is it contagious?" and stored.answer == ANSWER

    # The second question is the last allowed; the third press is refused with the limit message.
    since = len(user.inbox())
    await user.press(footer, button(footer, "ask", case_id))
    await h.wait_key(user, "en", "question-prompt", since=since, case=short, left=1)
    await user.send("And will it scar?")
    second = await h.wait_key(user, "en", "question-answer-footer", since=since)
    since = len(user.inbox())
    await user.press(second, button(second, "ask", case_id))
    await h.wait_key(user, "en", "question-limit", since=since, limit=2)
    assert await h.services.store.questions.asked(case_id) == 2


async def test_cancel_an_open_question_and_an_answer_being_written(
    harness: Harness, photo_bytes: bytes, trained_classifier_weights: Path
) -> None:
    h = harness
    user, case_id, offer = await finished_case(h, photo_bytes, trained_classifier_weights, limit=5)
    await user.press(offer, button(offer, "ask", case_id))
    await h.wait_key(user, "en", "question-prompt", case=case_id[:8], left=5)
    await user.send("/cancel")
    await h.wait_key(user, "en", "question-closed")
    assert await h.services.store.questions.waiting_for(user.id) is None

    await user.press(offer, button(offer, "ask", case_id))
    since = len(user.inbox())
    await user.send("Tell me slowly")
    await h.wait_until(lambda: shows(h, user, "slow words"), 30)
    await user.send("/cancel")
    await h.wait_key(user, "en", "question-cancelled", since=since)
    rows = await h.services.store.db.all("SELECT state FROM case_questions WHERE case_id=?", (case_id,))
    assert [r["state"] for r in rows] == [QuestionState.CANCELLED]
    assert await h.services.store.questions.asked(case_id) == 0  # a stopped answer does not count

    # Retention removes the case, and its questions with it: the button now says the case is gone.
    await h.services.store.db.execute("DELETE FROM cases WHERE id=?", (case_id,))
    assert await h.services.store.db.all("SELECT id FROM case_questions") == []
    since = len(user.inbox())
    await user.press(offer, button(offer, "ask", case_id))
    await h.wait_key(user, "en", "question-gone", since=since)


def stop_answer(message: SentMessage) -> str | None:
    """The callback data of the Stop button under an answer's title, if it is (still) there."""
    return next(
        (b["callback_data"] for b in message.buttons() if b["callback_data"].startswith("stpa|")), None
    )


async def test_stop_under_an_answer_stops_it_and_goes_when_it_ends(
    harness: Harness, photo_bytes: bytes, trained_classifier_weights: Path
) -> None:
    h = harness
    user, case_id, offer = await finished_case(h, photo_bytes, trained_classifier_weights, limit=5)
    title_text = h.t("en", "question-answer-title", case=case_id[:8])

    # A short answer: its title's Stop button is gone once the answer is written.
    await user.press(offer, button(offer, "ask", case_id))
    since = len(user.inbox())
    await user.send("Is it contagious?")
    footer = await h.wait_key(user, "en", "question-answer-footer", since=since)
    [done_title] = [m for m in user.inbox()[since:] if m.text == title_text]
    await h.wait_until(lambda: stop_answer(done_title) is None)

    # A long one: Stop stops it, as /cancel would, and the button goes.
    await user.press(footer, button(footer, "ask", case_id))
    since = len(user.inbox())
    await user.send("Tell me slowly")
    await h.wait_until(lambda: any(m.text == title_text and stop_answer(m) for m in user.inbox()[since:]), 30)
    title = next(m for m in user.inbox()[since:] if m.text == title_text)
    data = stop_answer(title)
    assert data is not None
    await h.wait_until(lambda: shows(h, user, "slow words"), 30)
    await user.press(title, data)
    await h.wait_key(user, "en", "question-cancelled", since=since)
    await h.wait_until(lambda: stop_answer(title) is None)
    states = await h.services.store.db.all(
        "SELECT state FROM case_questions WHERE case_id=? ORDER BY rowid", (case_id,)
    )
    assert [r["state"] for r in states][-1] == QuestionState.CANCELLED
    # Pressed again, there is nothing left to stop, and it says so.
    answers = len(h.api.calls_of("answerCallbackQuery"))
    await user.press(title, data)
    await h.wait_until(lambda: len(h.api.calls_of("answerCallbackQuery")) > answers)
    assert h.api.calls_of("answerCallbackQuery")[-1].params["text"] == h.t("en", "stop-too-late")
    assert [m.text for m in user.inbox()].count(h.t("en", "question-cancelled")) == 1


async def test_the_clinic_sees_the_answers_in_the_review_message(
    harness: Harness, trained_classifier_weights: Path
) -> None:
    h = harness
    setup_clinics(h, trained_classifier_weights, f"{CLINIC}:Hanoi Skin Clinic:en")
    await h.start()
    patient = h.api.user(404, "en")
    await agree(h, patient, "en")
    case_id = await review_case(h, patient, "en")
    store = h.services.store
    question_id = await store.questions.open(patient.id, case_id)
    assert question_id is not None
    await store.questions.ask(question_id, "Can I swim with it?", limit=5)
    await store.questions.save_report(question_id, "Yes, swimming is fine.", True)
    await send_for_review(h, patient, "en", case_id, "Hanoi Skin Clinic")
    summary = clinic_summary(h, CLINIC).text or ""
    assert h.t("en", "review-questions-title") in summary
    assert h.t("en", "review-question", number=1, question="Can I swim with it?") in summary
    assert h.t("en", "review-answer", answer="Yes, swimming is fine.") in summary
    assert "Henry Nguyen" not in summary  # the name stays in the PDF only
