"""Forgetting people: everything of one user at once (/delete), and whatever outlived its retention time
(the bot's cases and intakes, the API's requests, and the review desk's audit log)."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from datetime import datetime

from conversations.domain import ACTIVE_STATUSES
from conversations.intake_state import Intake
from conversations.store.rows import Queries

# (user id, case id or None for an unconfirmed intake, image tokens) of each thing whose files must go too.
Expired = tuple[int, str | None, tuple[str, ...]]


class Erasure(Queries):
    async def delete_user(self, user_id: int) -> int:
        """Erase the user, their intake, every case row and its reviews. Returns the number of cases."""
        async with self._db.write() as db:
            async with db.execute("SELECT COUNT(*) FROM cases WHERE user_id=?", (user_id,)) as cur:
                row = await cur.fetchone()
            await db.execute("DELETE FROM cases WHERE user_id=?", (user_id,))
            await db.execute("DELETE FROM conversations WHERE user_id=?", (user_id,))
            await db.execute("DELETE FROM users WHERE user_id=?", (user_id,))
        await self._db.checkpoint()
        return int(row[0]) if row else 0

    async def purge_before(self, cutoff: datetime) -> list[Expired]:
        """Delete cases created before `cutoff`, and intakes idle since then; jobs still queued or running
        finish first. A user with nothing left keeps no row either: they agree anew.

        A case the patient asked to be reminded about is kept until its reminder, and for as long after it
        as any case is kept, so the follow-up the reminder asks for can still be compared with it."""
        when = cutoff.isoformat()
        active = tuple(str(s) for s in ACTIVE_STATUSES)
        async with self._db.write() as db:
            async with db.execute(
                "SELECT user_id, id, image, photos FROM cases c WHERE created_at < ? AND status NOT IN (?,?)"
                " AND NOT EXISTS (SELECT 1 FROM reminders r WHERE r.case_id = c.id"
                " AND (r.sent_at IS NULL OR r.sent_at >= ?))",
                (when, *active, when),
            ) as cur:
                cases = list(await cur.fetchall())
            async with db.execute(
                "SELECT user_id, state FROM conversations WHERE updated_at < ?", (when,)
            ) as cur:
                drafts = list(await cur.fetchall())
            # Requests made over the API: those still running finish first, like the bot's own cases.
            async with db.execute(
                "SELECT key_id, id, image FROM api_cases WHERE created_at < ? AND status NOT IN (?,?)",
                (when, *active),
            ) as cur:
                api_cases = list(await cur.fetchall())
            await db.executemany("DELETE FROM cases WHERE id=?", [(r["id"],) for r in cases])
            await db.executemany("DELETE FROM api_cases WHERE id=?", [(r["id"],) for r in api_cases])
            await db.execute("DELETE FROM audit_log WHERE at < ?", (when,))
            await db.execute("DELETE FROM conversations WHERE updated_at < ?", (when,))
            await db.execute(
                "DELETE FROM users WHERE consent_at < ?"
                " AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.user_id = users.user_id)"
                " AND NOT EXISTS (SELECT 1 FROM conversations v WHERE v.user_id = users.user_id)",
                (when,),
            )
        await self._db.checkpoint()
        expired: list[Expired] = [(r["user_id"], r["id"], _images(r)) for r in cases]
        # An API key's files live under its negative owner id (see ApiKey.owner_id).
        expired += [(-r["key_id"], r["id"], (r["image"],)) for r in api_cases]
        for row in drafts:
            with contextlib.suppress(ValueError, KeyError, TypeError):
                photos = Intake.from_json(row["state"]).draft.photos
                if photos:
                    expired.append((row["user_id"], None, photos))
        return expired


def _images(row: sqlite3.Row) -> tuple[str, ...]:
    if not row["photos"]:
        return (row["image"],)
    return tuple(str(photo["image"]) for photo in json.loads(row["photos"]))
