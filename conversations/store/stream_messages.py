"""The chat messages a report's stream has sent in the attempt under way, kept so that an attempt cut off
by a restart can be cleared from the chat before the report is written again."""

from __future__ import annotations

import json

from conversations.store.rows import Queries


class StreamMessages(Queries):
    async def save(self, case_id: str, chat_id: int, message_ids: list[int]) -> None:
        if not message_ids:
            await self.clear(case_id)
            return
        # Only while the case exists: a case erased meanwhile leaves nothing behind.
        await self._db.execute(
            "INSERT INTO stream_messages(case_id, chat_id, message_ids) SELECT ?,?,? "
            "WHERE EXISTS (SELECT 1 FROM cases WHERE id=?) "
            "ON CONFLICT(case_id) DO UPDATE SET chat_id=excluded.chat_id, message_ids=excluded.message_ids",
            (case_id, chat_id, json.dumps(message_ids), case_id),
        )

    async def of_case(self, case_id: str) -> list[int]:
        row = await self._db.one("SELECT message_ids FROM stream_messages WHERE case_id=?", (case_id,))
        if row is None:
            return []
        return [int(m) for m in json.loads(row["message_ids"])]

    async def clear(self, case_id: str) -> None:
        await self._db.execute("DELETE FROM stream_messages WHERE case_id=?", (case_id,))
