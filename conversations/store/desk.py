"""What the review desk reads: a clinic's reviews with their cases. Every query is scoped by the clinic,
so staff can only ever reach the cases that were sent to their own clinic."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from conversations.domain import Case, Review
from conversations.store.cases import case_from_row
from conversations.store.reviews import review_from_row
from conversations.store.rows import Queries


@dataclass(frozen=True)
class DeskItem:
    review: Review
    case: Case


class DeskQueries(Queries):
    async def items(
        self,
        clinic_chat_id: int,
        *,
        answered: bool | None = None,
        language: str | None = None,
        sent_from: date | None = None,
        sent_until: date | None = None,
        limit: int = 500,
    ) -> list[DeskItem]:
        """The clinic's reviews, newest first, filtered by status, report language and the day they were
        sent (inclusive, UTC)."""
        where: list[str] = ["r.clinic_chat_id=?"]
        params: list[Any] = [clinic_chat_id]
        if answered is not None:
            where.append("r.verdict IS NOT NULL" if answered else "r.verdict IS NULL")
        if language is not None:
            where.append("c.report_language=?")
            params.append(language)
        if sent_from is not None:
            where.append("r.created_at >= ?")
            params.append(sent_from.isoformat())
        if sent_until is not None:
            where.append("r.created_at < ?")
            params.append((sent_until + timedelta(days=1)).isoformat())
        reviews = await self._db.all(
            f"SELECT r.* FROM reviews r JOIN cases c ON c.id = r.case_id WHERE {' AND '.join(where)}"
            " ORDER BY r.created_at DESC, r.rowid DESC LIMIT ?",
            (*params, limit),
        )
        if not reviews:
            return []
        ids = [r["case_id"] for r in reviews]
        cases = await self._db.all(
            f"SELECT * FROM cases WHERE id IN ({','.join('?' * len(ids))})", tuple(ids)
        )
        by_id = {row["id"]: case_from_row(row) for row in cases}
        return [DeskItem(review_from_row(r), by_id[r["case_id"]]) for r in reviews if r["case_id"] in by_id]

    async def item(self, clinic_chat_id: int, review_id: str) -> DeskItem | None:
        review = await self._db.one(
            "SELECT * FROM reviews WHERE id=? AND clinic_chat_id=?", (review_id, clinic_chat_id)
        )
        if review is None:
            return None
        case = await self._db.one("SELECT * FROM cases WHERE id=?", (review["case_id"],))
        return DeskItem(review_from_row(review), case_from_row(case)) if case else None
