"""Reminders to re-check a spot: one per case, due at a set time, sent once by housekeeping.

They live in the store, so a restart loses none; one that came due while the bot was down is sent at the
next start. A sent reminder's row stays (marked sent) until its case is deleted: the retention purge keeps a
reminded case a while longer, for the follow-up it asked for (see `Erasure.purge_before`).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from conversations.domain import REPORTED_STATUSES, Reminder
from conversations.store.cases import own_case_status
from conversations.store.rows import Queries


def _reminder(row: sqlite3.Row) -> Reminder:
    sent = row["sent_at"]
    return Reminder(
        row["case_id"],
        row["user_id"],
        datetime.fromisoformat(row["due_at"]),
        datetime.fromisoformat(row["created_at"]),
        datetime.fromisoformat(sent) if sent else None,
    )


class Reminders(Queries):
    async def set(self, user_id: int, case_id: str, due_at: datetime) -> Reminder | None:
        """Remind the user about their own reported case at `due_at` (replacing an earlier reminder of it).
        None when the case is not theirs or has no report."""
        async with self._db.write() as db:
            if await own_case_status(db, user_id, case_id) not in REPORTED_STATUSES:
                return None
            await db.execute(
                "INSERT INTO reminders(case_id, user_id, due_at, created_at) VALUES (?,?,?,?) "
                "ON CONFLICT(case_id) DO UPDATE SET due_at=excluded.due_at, created_at=excluded.created_at,"
                " sent_at=NULL",
                (case_id, user_id, due_at.isoformat(), self._db.now()),
            )
        return await self.get(user_id, case_id)

    async def get(self, user_id: int, case_id: str) -> Reminder | None:
        return await self._one_of(
            _reminder, "SELECT * FROM reminders WHERE case_id=? AND user_id=?", (case_id, user_id)
        )

    async def pending(self, user_id: int) -> list[Reminder]:
        """The user's reminders not sent yet, soonest first."""
        rows = await self._db.all(
            "SELECT * FROM reminders WHERE user_id=? AND sent_at IS NULL ORDER BY due_at, case_id", (user_id,)
        )
        return [_reminder(r) for r in rows]

    async def cancel(self, user_id: int, case_id: str) -> bool:
        return await self._changed_one(
            "DELETE FROM reminders WHERE case_id=? AND user_id=? AND sent_at IS NULL", (case_id, user_id)
        )

    async def due(self, now: datetime) -> list[Reminder]:
        rows = await self._db.all(
            "SELECT * FROM reminders WHERE sent_at IS NULL AND due_at <= ? ORDER BY due_at",
            (now.isoformat(),),
        )
        return [_reminder(r) for r in rows]

    async def mark_sent(self, case_id: str) -> None:
        await self._db.execute("UPDATE reminders SET sent_at=? WHERE case_id=?", (self._db.now(), case_id))
