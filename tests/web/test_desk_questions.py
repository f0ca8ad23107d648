"""The clinic sees a case's questions and answers ("Ask about this report") on the review desk, and in the
review message posted to its Telegram chat (casework.case_questions.questions_text)."""

from __future__ import annotations

from casework.case_questions import question_problem, questions_text
from casework.translator import Translator
from conversations.store.questions import Asked
from tests.conftest import Harness
from tests.web.desk_setup import desk_client, login_link, routine_case_at_the_desk, sign_in


async def test_the_desk_shows_the_patients_questions_and_answers(harness: Harness) -> None:
    _, case_id, review = await routine_case_at_the_desk(harness, 702, "en")
    store = harness.services.store
    question_id = await store.questions.open(702, case_id)
    assert question_id is not None
    assert await store.questions.ask(question_id, "Does <it> spread?", limit=5) is Asked.QUEUED
    await store.questions.save_report(question_id, "It does not spread to others.", True)
    async with desk_client(harness) as http:
        await sign_in(http, await login_link(harness, lang="en"))
        page = (await http.get(f"/desk/cases/{review.id}")).text
    t = Translator()
    assert t("en", "desk-questions-title") in page
    assert "Does &lt;it&gt; spread?" in page  # escaped like every patient text
    assert "It does not spread to others." in page


def test_the_review_message_lists_the_answers_and_bad_questions_are_named() -> None:
    t = Translator()
    assert questions_text(t, "vi", []) == ""
    assert question_problem(None) == ("question-not-text", {})
    assert question_problem("  \n") == ("question-empty", {})
    assert question_problem("x" * 5000) == ("question-too-long", {"length": 5000, "limit": 1000})
    assert question_problem("Is it contagious?") is None
