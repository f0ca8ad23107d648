"""Cases: a confirmed intake, its photos, and what the models made of it.

Every query a user's action reaches is scoped by that user's id, so one user can never read or change
another's case, whatever ids they send. `by_id` is for the worker and the clinics, which act on a case
on its owner's behalf.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

import aiosqlite

from conversations.domain import REPORTED_STATUSES, Case, CasePhoto, CaseStatus, Language
from conversations.files import new_token
from conversations.intake_state import Draft, photo_kind
from conversations.store.rows import Queries, from_row, json_or_none, when


async def own_case_status(db: aiosqlite.Connection, user_id: int, case_id: str) -> str | None:
    """Inside a write: the status of the user's own case, or None when it is not theirs or gone. What a
    reminder, a review or a question about a case checks first."""
    async with db.execute("SELECT status FROM cases WHERE id=? AND user_id=?", (case_id, user_id)) as cur:
        row = await cur.fetchone()
    return None if row is None else str(row["status"])


def _photos(row: sqlite3.Row) -> tuple[CasePhoto, ...]:
    raw = row["photos"]
    if not raw:
        return (CasePhoto(row["image"], photo_kind(0)),)
    return tuple(CasePhoto(str(p["image"]), str(p["kind"])) for p in json.loads(raw))


def progress_columns(row: sqlite3.Row) -> dict[str, Any]:
    """The typed columns a bot case and an API case share: where the case is, what the models made of it,
    and when it began and last changed."""
    return {
        "status": CaseStatus(row["status"]),
        "classification": json_or_none(row["classification"]),
        "image_seen": None if row["image_seen"] is None else bool(row["image_seen"]),
        "created_at": datetime.fromisoformat(row["created_at"]),
        "updated_at": datetime.fromisoformat(row["updated_at"]),
    }


def case_from_row(row: sqlite3.Row) -> Case:
    return from_row(
        Case,
        row,
        report_language=Language(row["report_language"]),
        ui_language=Language(row["ui_language"]),
        delivered_at=when(row["delivered_at"]),
        photos=_photos(row),
        **progress_columns(row),
    )


class Cases(Queries):
    async def create(self, user_id: int, chat_id: int, draft: Draft, ui_language: Language) -> Case:
        """Store a confirmed intake as a queued case and end the intake, in one transaction. A follow-up links
        to its earlier case only if that case is the same user's."""
        case_id = new_token()
        now = self._db.now()
        photos = json.dumps([{"image": token, "kind": photo_kind(i)} for i, token in enumerate(draft.photos)])
        async with self._db.write() as db:
            follow_up_of = None
            if draft.follow_up:
                async with db.execute(
                    "SELECT id FROM cases WHERE id=? AND user_id=?", (draft.follow_up, user_id)
                ) as cur:
                    found = await cur.fetchone()
                follow_up_of = found["id"] if found else None
            await db.execute(
                "INSERT INTO cases(id, user_id, chat_id, patient_name, age, gender, history, report_language,"
                " ui_language, image, photos, body_site, follow_up_of, status, queue_seq, created_at,"
                " updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
                "(SELECT COALESCE(MAX(queue_seq),0)+1 FROM cases),?,?)",
                (
                    case_id,
                    user_id,
                    chat_id,
                    draft.name,
                    draft.age,
                    draft.gender,
                    draft.history,
                    draft.report_language,
                    str(ui_language),
                    draft.photos[0],
                    photos,
                    draft.body_site,
                    follow_up_of,
                    CaseStatus.QUEUED,
                    now,
                    now,
                ),
            )
            await db.execute("DELETE FROM conversations WHERE user_id=?", (user_id,))
        case = await self.get(user_id, case_id)
        assert case is not None
        return case

    async def get(self, user_id: int, case_id: str) -> Case | None:
        return await self._one_of(
            case_from_row, "SELECT * FROM cases WHERE id=? AND user_id=?", (case_id, user_id)
        )

    async def by_id(self, case_id: str) -> Case | None:
        return await self._one_of(case_from_row, "SELECT * FROM cases WHERE id=?", (case_id,))

    async def recent(self, user_id: int, limit: int = 10) -> list[Case]:
        rows = await self._db.all(
            "SELECT * FROM cases WHERE user_id=? ORDER BY created_at DESC, rowid DESC LIMIT ?",
            (user_id, limit),
        )
        return [case_from_row(r) for r in rows]

    async def count_since(self, user_id: int, since: datetime) -> int:
        row = await self._db.one(
            "SELECT COUNT(*) FROM cases WHERE user_id=? AND created_at >= ?", (user_id, since.isoformat())
        )
        return int(row[0]) if row else 0

    async def active(self, user_id: int) -> Case | None:
        row = await self._db.one(
            "SELECT * FROM cases WHERE user_id=? AND status IN (?,?) ORDER BY queue_seq LIMIT 1",
            (user_id, CaseStatus.QUEUED, CaseStatus.RUNNING),
        )
        return case_from_row(row) if row else None

    async def unreviewed(self, user_id: int, created_before: datetime | None = None) -> list[Case]:
        """The user's finished cases that no clinic has been sent yet, oldest first; with `created_before`,
        only those that existed then (what a consent message named)."""
        rows = await self._db.all(
            "SELECT c.* FROM cases c LEFT JOIN reviews r ON r.case_id = c.id "
            "WHERE c.user_id=? AND c.status=? AND r.id IS NULL AND c.created_at <= ? ORDER BY c.created_at",
            (user_id, CaseStatus.DONE, (created_before or self._db.clock()).isoformat()),
        )
        return [case_from_row(r) for r in rows]

    async def undelivered(self) -> list[Case]:
        """Reports written whose PDF has not reached the patient yet (the delivery outbox), oldest first."""
        rows = await self._db.all(
            "SELECT * FROM cases WHERE status=? ORDER BY updated_at", (CaseStatus.REPORTED,)
        )
        return [case_from_row(r) for r in rows]

    async def mark_delivered(self, case_id: str) -> bool:
        """The PDF reached the patient: the case is done. False if it was deleted or delivered meanwhile."""
        now = self._db.now()
        changed = await self._db.execute(
            "UPDATE cases SET status=?, delivered_at=?, updated_at=? WHERE id=? AND status=?",
            (CaseStatus.DONE, now, now, case_id, CaseStatus.REPORTED),
        )
        return changed == 1

    async def follow_up_candidates(self, user_id: int, limit: int = 5) -> list[Case]:
        """The user's reported cases a new case may follow up, newest first: the latest case of each chain
        (a case that a later reported one follows up is not offered again)."""
        rows = await self._db.all(
            "SELECT * FROM cases c WHERE c.user_id=? AND c.status IN (?,?) AND c.classification IS NOT NULL"
            " AND NOT EXISTS (SELECT 1 FROM cases n WHERE n.follow_up_of = c.id AND n.user_id = c.user_id"
            " AND n.status IN (?,?)) ORDER BY c.created_at DESC, c.rowid DESC LIMIT ?",
            (user_id, *REPORTED_STATUSES, *REPORTED_STATUSES, limit),
        )
        return [case_from_row(r) for r in rows]

    async def earlier(self, case: Case) -> Case | None:
        """The earlier case this one follows up, if it is still kept."""
        return await self.get(case.user_id, case.follow_up_of) if case.follow_up_of else None
