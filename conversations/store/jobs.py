"""A case as the model queue sees it: where it is in line, and what the models made of it."""

from __future__ import annotations

import json
from typing import Any

from conversations.domain import Case, CaseStatus
from conversations.store.cases import case_from_row
from conversations.store.rows import Queries

# Back of the line: one more than any case ever queued.
_NEXT_SEQ = "(SELECT COALESCE(MAX(queue_seq),0)+1 FROM cases)"


class Jobs(Queries):
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

    async def save_report(self, case_id: str, report: str, image_seen: bool, ended_by: str = "eos") -> None:
        """The report is written: the case waits in the delivery outbox until its PDF is sent."""
        await self._db.execute(
            "UPDATE cases SET report=?, image_seen=?, report_end=?, status=?, error=NULL, updated_at=?"
            " WHERE id=?",
            (report, int(image_seen), ended_by, CaseStatus.REPORTED, self._db.now(), case_id),
        )

    async def requeue(self, case_id: str) -> None:
        """Back of the line, text cleared: a retried report restarts from the beginning."""
        await self._db.execute(
            "UPDATE cases SET status=?, error=NULL, report=NULL, report_end=NULL, interruptions=0,"
            f" updated_at=?, queue_seq={_NEXT_SEQ} WHERE id=?",
            (CaseStatus.QUEUED, self._db.now(), case_id),
        )

    async def requeue_interrupted(self, max_interruptions: int = 2) -> tuple[list[str], list[str]]:
        """At start-up: jobs left running by a crash or a shutdown go back to the queue, keeping their
        place; a job interrupted `max_interruptions` times is failed instead, so a case that kills the
        process cannot kill it on every start. Returns (requeued ids, failed ids)."""
        now = self._db.now()
        async with self._db.write() as db:
            async with db.execute(
                "SELECT id, interruptions FROM cases WHERE status=? ORDER BY queue_seq", (CaseStatus.RUNNING,)
            ) as cur:
                rows = list(await cur.fetchall())
            requeued = [r["id"] for r in rows if r["interruptions"] + 1 < max_interruptions]
            failed = [r["id"] for r in rows if r["interruptions"] + 1 >= max_interruptions]
            await db.executemany(
                "UPDATE cases SET status=?, report=NULL, interruptions=interruptions+1, updated_at=?"
                " WHERE id=?",
                [(CaseStatus.QUEUED, now, case_id) for case_id in requeued],
            )
            await db.executemany(
                "UPDATE cases SET status=?, error=?, interruptions=interruptions+1, updated_at=? WHERE id=?",
                [(CaseStatus.FAILED, "interrupted", now, case_id) for case_id in failed],
            )
        return requeued, failed
