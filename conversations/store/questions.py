"""Questions about a finished case and their answers ("Ask about this report"), stored with the case.

A row is opened when the patient presses "Ask about this report" (their next text message is the question),
then queued, answered (or failed, or cancelled). The rows hang off their case (ON DELETE CASCADE), so
/delete and the retention purge remove them with it. The model queue records a question job's progress
here through the same methods it records a case's (`inference.model_queue.JobStore`).
"""

from __future__ import annotations

import sqlite3
import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from conversations.domain import (
    COUNTED_QUESTION_STATES,
    REPORTED_STATUSES,
    CaseQuestion,
    QuestionState,
)
from conversations.store.cases import own_case_status
from conversations.store.database import Database

_COUNTED = ",".join("?" * len(COUNTED_QUESTION_STATES))


class Asked(StrEnum):
    """What became of a question the patient typed."""

    QUEUED = "queued"
    LIMIT = "limit"  # the case already has its allowed number of questions
    GONE = "gone"  # the case (or the open question) no longer exists: deleted, or purged


def _question(row: sqlite3.Row) -> CaseQuestion:
    answered = row["answered_at"]
    return CaseQuestion(
        row["id"],
        row["case_id"],
        row["user_id"],
        row["question"],
        row["answer"],
        QuestionState(row["state"]),
        datetime.fromisoformat(row["created_at"]),
        datetime.fromisoformat(answered) if answered else None,
    )


class Questions:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def open(self, user_id: int, case_id: str) -> str | None:
        """Wait for the user's question about their own reported case (any other open one is dropped).
        The id of the open question, or None when the case is not theirs or has no report."""
        question_id = uuid.uuid4().hex
        async with self._db.write() as db:
            if await own_case_status(db, user_id, case_id) not in REPORTED_STATUSES:
                return None
            await db.execute(
                "DELETE FROM case_questions WHERE user_id=? AND state=?", (user_id, QuestionState.OPEN)
            )
            await db.execute(
                "INSERT INTO case_questions(id, case_id, user_id, question, state, created_at)"
                " VALUES (?,?,?,?,?,?)",
                (question_id, case_id, user_id, "", QuestionState.OPEN, self._db.now()),
            )
        return question_id

    async def waiting_for(self, user_id: int) -> CaseQuestion | None:
        """The user's open question: their next text message is its text."""
        row = await self._db.one(
            "SELECT * FROM case_questions WHERE user_id=? AND state=?", (user_id, QuestionState.OPEN)
        )
        return _question(row) if row else None

    async def close_open(self, user_id: int) -> bool:
        """/cancel before the question was typed."""
        changed = await self._db.execute(
            "DELETE FROM case_questions WHERE user_id=? AND state=?", (user_id, QuestionState.OPEN)
        )
        return changed > 0

    async def ask(self, question_id: str, text: str, limit: int) -> Asked:
        """Give the open question its text and queue it, unless its case already has `limit` questions."""
        async with self._db.write() as db:
            async with db.execute(
                "SELECT case_id FROM case_questions WHERE id=? AND state=?", (question_id, QuestionState.OPEN)
            ) as cur:
                row = await cur.fetchone()
            if row is None:
                return Asked.GONE
            async with db.execute(
                f"SELECT COUNT(*) FROM case_questions WHERE case_id=? AND state IN ({_COUNTED})",
                (row["case_id"], *COUNTED_QUESTION_STATES),
            ) as cur:
                count = await cur.fetchone()
            if count is not None and count[0] >= limit:
                await db.execute("DELETE FROM case_questions WHERE id=?", (question_id,))
                return Asked.LIMIT
            await db.execute(
                "UPDATE case_questions SET question=?, state=?, created_at=? WHERE id=?",
                (text, QuestionState.QUEUED, self._db.now(), question_id),
            )
        return Asked.QUEUED

    async def asked(self, case_id: str) -> int:
        """How many questions count against the case's limit."""
        row = await self._db.one(
            f"SELECT COUNT(*) FROM case_questions WHERE case_id=? AND state IN ({_COUNTED})",
            (case_id, *COUNTED_QUESTION_STATES),
        )
        return int(row[0]) if row else 0

    async def get(self, question_id: str) -> CaseQuestion | None:
        row = await self._db.one("SELECT * FROM case_questions WHERE id=?", (question_id,))
        return _question(row) if row else None

    async def answered(self, case_id: str) -> list[CaseQuestion]:
        """The case's answered questions, oldest first: what review, the desk and /export show."""
        rows = await self._db.all(
            "SELECT * FROM case_questions WHERE case_id=? AND state=? ORDER BY created_at, rowid",
            (case_id, QuestionState.ANSWERED),
        )
        return [_question(r) for r in rows]

    async def answered_of_user(self, user_id: int) -> dict[str, list[CaseQuestion]]:
        """Every answered question of the user's cases, by case id: what /export adds to each case."""
        rows = await self._db.all(
            "SELECT q.* FROM case_questions q JOIN cases c ON c.id = q.case_id"
            " WHERE c.user_id=? AND q.state=? ORDER BY q.created_at, q.rowid",
            (user_id, QuestionState.ANSWERED),
        )
        found: dict[str, list[CaseQuestion]] = {}
        for row in rows:
            found.setdefault(row["case_id"], []).append(_question(row))
        return found

    async def fail_unfinished(self) -> int:
        """At start-up: questions a restart left queued or running are failed (the patient may ask again;
        a failed question does not count against the limit)."""
        return await self._db.execute(
            "UPDATE case_questions SET state=?, error=? WHERE state IN (?,?)",
            (QuestionState.FAILED, "interrupted", QuestionState.QUEUED, QuestionState.RUNNING),
        )

    # --- the model queue's JobStore --------------------------------------------------------------

    async def _set(self, question_id: str, state: QuestionState, error: str | None = None) -> None:
        await self._db.execute(
            "UPDATE case_questions SET state=?, error=? WHERE id=?", (state, error, question_id)
        )

    async def mark_queued(self, question_id: str) -> None:
        await self._set(question_id, QuestionState.QUEUED)

    async def mark_running(self, question_id: str) -> None:
        await self._set(question_id, QuestionState.RUNNING)

    async def mark_cancelled(self, question_id: str) -> None:
        await self._set(question_id, QuestionState.CANCELLED)

    async def mark_rejected(self, question_id: str, issues: tuple[str, ...]) -> None:
        await self._set(question_id, QuestionState.FAILED, ",".join(issues))

    async def mark_failed(self, question_id: str, reason: str) -> None:
        await self._set(question_id, QuestionState.FAILED, reason)

    async def save_classification(self, question_id: str, classification: dict[str, Any]) -> None:
        """A question reuses its case's scores: there is nothing new to keep."""

    async def save_report(
        self, question_id: str, report: str, image_seen: bool, ended_by: str = "eos"
    ) -> None:
        await self._db.execute(
            "UPDATE case_questions SET answer=?, state=?, error=NULL, answered_at=? WHERE id=?",
            (report, QuestionState.ANSWERED, self._db.now(), question_id),
        )
