"""The review desk's audit log: who viewed which case and who decided what, and when."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from conversations.store.rows import Queries
from conversations.web_domain import AuditEntry


def entry_from_row(row: sqlite3.Row) -> AuditEntry:
    return AuditEntry(
        at=datetime.fromisoformat(row["at"]),
        clinic_chat_id=row["clinic_chat_id"],
        actor=row["actor"],
        staff_id=row["staff_id"],
        source=row["source"],
        action=row["action"],
        review_id=row["review_id"],
        case_id=row["case_id"],
        detail=row["detail"],
    )


class Audit(Queries):
    async def add(
        self,
        clinic_chat_id: int,
        actor: str,
        action: str,
        *,
        source: str = "web",
        staff_id: int | None = None,
        review_id: str | None = None,
        case_id: str | None = None,
        detail: str | None = None,
    ) -> None:
        await self._db.execute(
            "INSERT INTO audit_log(at, clinic_chat_id, actor, staff_id, source, action, review_id, case_id,"
            " detail) VALUES (?,?,?,?,?,?,?,?,?)",
            (self._db.now(), clinic_chat_id, actor, staff_id, source, action, review_id, case_id, detail),
        )

    async def of_clinic(self, clinic_chat_id: int, limit: int = 200) -> list[AuditEntry]:
        rows = await self._db.all(
            "SELECT * FROM audit_log WHERE clinic_chat_id=? ORDER BY at DESC, id DESC LIMIT ?",
            (clinic_chat_id, limit),
        )
        return [entry_from_row(r) for r in rows]

    async def of_review(self, clinic_chat_id: int, review_id: str) -> list[AuditEntry]:
        rows = await self._db.all(
            "SELECT * FROM audit_log WHERE clinic_chat_id=? AND review_id=? ORDER BY at DESC, id DESC",
            (clinic_chat_id, review_id),
        )
        return [entry_from_row(r) for r in rows]

    async def purge_before(self, cutoff: datetime) -> int:
        return await self._db.execute("DELETE FROM audit_log WHERE at < ?", (cutoff.isoformat(),))
