"""The store's side of "Ask about this report": the per-case limit, what counts against it, the answers the
clinic and /export see, and that /delete and the retention purge take the questions with their case."""

from __future__ import annotations

from datetime import timedelta

from conversations.domain import QuestionState
from conversations.store import Store
from conversations.store.questions import Asked
from tests.unit.test_clinical_store import reported, store  # noqa: F401  (the store fixture)


async def answer(store: Store, user_id: int, case_id: str, text: str) -> str:  # noqa: F811
    question_id = await store.questions.open(user_id, case_id)
    assert question_id is not None
    assert await store.questions.ask(question_id, text, limit=5) is Asked.QUEUED
    await store.questions.mark_running(question_id)
    await store.questions.save_report(question_id, f"answer to {text}", True)
    return question_id


async def test_only_the_owner_of_a_reported_case_may_ask(store: Store) -> None:  # noqa: F811
    case_id = await reported(store, 1, "a")
    assert await store.questions.open(2, case_id) is None
    assert await store.questions.open(1, "no-such-case") is None
    question_id = await store.questions.open(1, case_id)
    waiting = await store.questions.waiting_for(1)
    assert waiting is not None and waiting.id == question_id and waiting.state is QuestionState.OPEN
    # Pressing "Ask" again replaces the open question rather than piling them up.
    again = await store.questions.open(1, case_id)
    assert again != question_id
    waiting = await store.questions.waiting_for(1)
    assert waiting is not None and waiting.id == again
    assert await store.questions.close_open(1)
    assert await store.questions.waiting_for(1) is None


async def test_the_limit_counts_asked_questions_not_failed_ones(store: Store) -> None:  # noqa: F811
    case_id = await reported(store, 1, "a")
    first = await answer(store, 1, case_id, "one")
    failed = await store.questions.open(1, case_id)
    assert failed is not None
    assert await store.questions.ask(failed, "two", limit=2) is Asked.QUEUED
    await store.questions.mark_failed(failed, "timeout")
    assert await store.questions.asked(case_id) == 1
    await answer(store, 1, case_id, "three")
    over = await store.questions.open(1, case_id)
    assert over is not None
    assert await store.questions.ask(over, "four", limit=2) is Asked.LIMIT
    assert await store.questions.waiting_for(1) is None  # the refused question is not left open
    answered = await store.questions.answered(case_id)
    assert [q.question for q in answered] == ["one", "three"]
    assert answered[0].id == first and answered[0].answer == "answer to one"
    assert answered[0].answered_at is not None


async def test_a_question_on_a_deleted_case_is_gone(store: Store) -> None:  # noqa: F811
    case_id = await reported(store, 1, "a")
    question_id = await store.questions.open(1, case_id)
    assert question_id is not None
    await store.erasure.delete_user(1)
    assert await store.questions.ask(question_id, "still there?", limit=5) is Asked.GONE
    assert await store.questions.get(question_id) is None


async def test_delete_and_retention_remove_questions_with_their_case(store: Store) -> None:  # noqa: F811
    kept = await reported(store, 1, "a")
    deleted = await reported(store, 2, "b")
    await answer(store, 1, kept, "kept?")
    gone = await answer(store, 2, deleted, "gone?")
    await store.erasure.delete_user(2)
    assert await store.questions.get(gone) is None
    assert len(await store.questions.answered(kept)) == 1
    store.test_clock.now += timedelta(days=40)  # type: ignore[attr-defined]
    await store.erasure.purge_before(store.test_clock.now - timedelta(days=30))  # type: ignore[attr-defined]
    assert await store.questions.answered(kept) == []
    rows = await store.db.all("SELECT COUNT(*) FROM case_questions")
    assert rows[0][0] == 0


async def test_export_lists_each_cases_answers(store: Store) -> None:  # noqa: F811
    first = await reported(store, 1, "a")
    second = await reported(store, 1, "b")
    await answer(store, 1, first, "is it serious?")
    open_only = await store.questions.open(1, second)
    assert open_only is not None
    found = await store.questions.answered_of_user(1)
    assert list(found) == [first]
    assert found[first][0].question == "is it serious?"
    assert await store.questions.answered_of_user(2) == {}


async def test_a_restart_fails_unfinished_questions_so_they_can_be_asked_again(store: Store) -> None:  # noqa: F811
    case_id = await reported(store, 1, "a")
    question_id = await store.questions.open(1, case_id)
    assert question_id is not None
    await store.questions.ask(question_id, "q", limit=1)
    await store.questions.mark_running(question_id)
    assert await store.questions.fail_unfinished() == 1
    question = await store.questions.get(question_id)
    assert question is not None and question.state is QuestionState.FAILED
    assert await store.questions.asked(case_id) == 0
