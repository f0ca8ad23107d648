"""A case as the model queue sees it: where it is in line, and what the models made of it."""

from __future__ import annotations

import json
from typing import Any

from conversations.domain import Case, CaseStatus
from conversations.store.cases import case_from_row
from conversations.store.database import Database

# Back of the line: one more than any case ever queued.
_NEXT_SEQ = "(SELECT COALESCE(MAX(queue_seq),0)+1 FROM cases)"


class Jobs:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def queued(self) -> list[Case]:
        rows = await self._db.all(
            "SELECT * FROM cases WHERE status=? ORDER BY queue_seq", (CaseStatus.QUEUED,)
        )
        return [case_from_row(r) for r in rows]

    async def _set(self, case_id: str, status: CaseStatus, error: str | None = None, extra: str = "") -> None:
        await self._db.execute(
            f"UPDATE cases SET status=?, error=?, updated_at=?{extra} WHERE id=?",
            (status, error, self._db.now(), case_id),
        )

    async def mark_queued(self, case_id: str) -> None:
        await self._set(case_id, CaseStatus.QUEUED)

    async def mark_running(self, case_id: str) -> None:
        await self._set(case_id, CaseStatus.RUNNING, extra=", attempts=attempts+1")

    async def mark_cancelled(self, case_id: str) -> None:
        await self._set(case_id, CaseStatus.CANCELLED)

    async def mark_rejected(self, case_id: str, issues: tuple[str, ...]) -> None:
        await self._set(case_id, CaseStatus.REJECTED, ",".join(issues))

    async def mark_failed(self, case_id: str, reason: str) -> None:
        await self._set(case_id, CaseStatus.FAILED, reason)

    async def save_classification(self, case_id: str, classification: dict[str, Any]) -> None:
        await self._db.execute(
            "UPDATE cases SET classification=?, updated_at=? WHERE id=?",
            (json.dumps(classification), self._db.now(), case_id),
        )

    async def save_report(self, case_id: str, report: str, image_seen: bool) -> None:
        await self._db.execute(
            "UPDATE cases SET report=?, image_seen=?, status=?, error=NULL, updated_at=? WHERE id=?",
            (report, int(image_seen), CaseStatus.DONE, self._db.now(), case_id),
        )

    async def requeue(self, case_id: str) -> None:
        """Back of the line, text cleared: a retried report restarts from the beginning."""
        await self._db.execute(
            "UPDATE cases SET status=?, error=NULL, report=NULL, updated_at=?,"
            f" queue_seq={_NEXT_SEQ} WHERE id=?",
            (CaseStatus.QUEUED, self._db.now(), case_id),
        )

    async def requeue_interrupted(self) -> list[str]:
        """At start-up: jobs left running by a crash go back to the queue, keeping their place."""
        async with self._db.write() as db:
            async with db.execute(
                "SELECT id FROM cases WHERE status=? ORDER BY queue_seq", (CaseStatus.RUNNING,)
            ) as cur:
                ids = [row["id"] for row in await cur.fetchall()]
            await db.execute(
                "UPDATE cases SET status=?, report=NULL, updated_at=? WHERE status=?",
                (CaseStatus.QUEUED, self._db.now(), CaseStatus.RUNNING),
            )
        return ids
