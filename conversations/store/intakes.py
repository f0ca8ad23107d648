"""The intake in progress, one per user, saved after every step so a restart resumes it."""

from __future__ import annotations

import logging

from conversations.intake_state import Intake
from conversations.store.rows import Queries

log = logging.getLogger(__name__)


class Intakes(Queries):
    async def load(self, user_id: int) -> Intake | None:
        row = await self._db.one("SELECT state FROM conversations WHERE user_id=?", (user_id,))
        if row is None:
            return None
        try:
            return Intake.from_json(row["state"])
        except (ValueError, KeyError, TypeError):
            log.warning("unreadable intake state dropped (user row kept)")
            return None

    async def save(self, user_id: int, intake: Intake) -> None:
        await self._db.execute(
            "INSERT INTO conversations(user_id, state, updated_at) VALUES (?,?,?) "
            "ON CONFLICT(user_id) DO UPDATE SET state=excluded.state, updated_at=excluded.updated_at",
            (user_id, intake.to_json(), self._db.now()),
        )

    async def clear(self, user_id: int) -> None:
        await self._db.execute("DELETE FROM conversations WHERE user_id=?", (user_id,))

    async def count(self) -> int:
        """Intakes in progress (started and not yet confirmed or cancelled), for the metrics."""
        row = await self._db.one("SELECT COUNT(*) FROM conversations")
        return int(row[0]) if row else 0
