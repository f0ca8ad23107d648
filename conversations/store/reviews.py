"""Doctors' reviews: a finished case sent to one clinic, and the first verdict recorded for it."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from conversations.domain import CaseStatus, Review
from conversations.files import new_token
from conversations.store.cases import own_case_status
from conversations.store.rows import Queries, from_row, when


def review_from_row(row: sqlite3.Row) -> Review:
    return from_row(
        Review,
        row,
        created_at=datetime.fromisoformat(row["created_at"]),
        answered_at=when(row["answered_at"]),
        reflagged_at=when(row["reflagged_at"]),
        patient_notified=bool(row["patient_notified"]),
    )


class Reviews(Queries):
    async def create(self, user_id: int, case_id: str, clinic_chat_id: int) -> Review | None:
        """A pending review of the user's own finished case; None if not theirs, not done, or already sent."""
        review_id = new_token()
        async with self._db.write() as db:
            if await own_case_status(db, user_id, case_id) != CaseStatus.DONE:
                return None
            cur = await db.execute(
                "INSERT OR IGNORE INTO reviews(id, case_id, user_id, clinic_chat_id, created_at)"
                " VALUES (?,?,?,?,?)",
                (review_id, case_id, user_id, clinic_chat_id, self._db.now()),
            )
            created = cur.rowcount == 1
        return await self.get(review_id) if created else None

    async def get(self, review_id: str) -> Review | None:
        return await self._one_of(review_from_row, "SELECT * FROM reviews WHERE id=?", (review_id,))

    async def of_case(self, case_id: str) -> Review | None:
        return await self._one_of(review_from_row, "SELECT * FROM reviews WHERE case_id=?", (case_id,))

    async def of_user(self, user_id: int) -> dict[str, Review]:
        """The user's reviews by case id."""
        rows = await self._db.all("SELECT * FROM reviews WHERE user_id=?", (user_id,))
        return {r["case_id"]: review_from_row(r) for r in rows}

    async def delete(self, review_id: str) -> None:
        await self._db.execute("DELETE FROM reviews WHERE id=?", (review_id,))

    async def set_message(self, review_id: str, summary_message_id: int) -> None:
        await self._db.execute(
            "UPDATE reviews SET summary_message_id=? WHERE id=?", (summary_message_id, review_id)
        )

    async def claim_verdict(
        self, review_id: str, clinic_chat_id: int, verdict: str, reviewer: str, note: str | None = None
    ) -> bool:
        """The first verdict wins: the update only applies while no verdict is recorded. A note given with
        the verdict (the review desk's form) is recorded in the same update, so the patient is never told
        the verdict without it."""
        changed = await self._db.execute(
            "UPDATE reviews SET verdict=?, reviewer=?, answered_at=?, note=COALESCE(?, note) "
            "WHERE id=? AND clinic_chat_id=? AND verdict IS NULL",
            (verdict, reviewer, self._db.now(), note, review_id, clinic_chat_id),
        )
        return changed == 1

    async def set_note_prompt(self, review_id: str, message_id: int) -> None:
        await self._db.execute("UPDATE reviews SET note_prompt_id=? WHERE id=?", (message_id, review_id))

    async def by_note_prompt(self, clinic_chat_id: int, message_id: int) -> Review | None:
        row = await self._db.one(
            "SELECT * FROM reviews WHERE clinic_chat_id=? AND note_prompt_id=?", (clinic_chat_id, message_id)
        )
        return review_from_row(row) if row else None

    async def save_note(self, review_id: str, note: str) -> bool:
        return await self._changed_one(
            "UPDATE reviews SET note=? WHERE id=? AND note IS NULL", (note, review_id)
        )

    async def due_for_reflag(self, created_before: datetime) -> list[Review]:
        rows = await self._db.all(
            "SELECT * FROM reviews WHERE verdict IS NULL AND reflagged_at IS NULL AND created_at < ? "
            "ORDER BY created_at",
            (created_before.isoformat(),),
        )
        return [review_from_row(r) for r in rows]

    async def unnotified(self) -> list[Review]:
        """Verdicts recorded whose patient has not been told yet (a note verdict waits for its note)."""
        rows = await self._db.all(
            "SELECT * FROM reviews WHERE verdict IS NOT NULL AND patient_notified=0"
            " AND (verdict != 'note' OR note IS NOT NULL) ORDER BY answered_at"
        )
        return [review_from_row(r) for r in rows]

    async def mark_notified(self, review_id: str) -> None:
        await self._db.execute("UPDATE reviews SET patient_notified=1 WHERE id=?", (review_id,))

    async def mark_reflagged(self, review_id: str) -> None:
        await self._db.execute("UPDATE reviews SET reflagged_at=? WHERE id=?", (self._db.now(), review_id))
