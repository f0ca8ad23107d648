"""Users who agreed to the terms: their interface language and when they agreed."""

from __future__ import annotations

from datetime import datetime

from conversations.domain import Language, User
from conversations.store.rows import Queries


class Users(Queries):
    async def get(self, user_id: int) -> User | None:
        row = await self._db.one("SELECT * FROM users WHERE user_id=?", (user_id,))
        if row is None:
            return None
        return User(
            row["user_id"],
            Language(row["language"]),
            datetime.fromisoformat(row["consent_at"]),
            row["clinic_id"],
        )

    async def add_consent(self, user_id: int, language: Language) -> User:
        now = self._db.now()
        await self._db.execute(
            "INSERT INTO users(user_id, language, consent_at, created_at) VALUES (?,?,?,?) "
            "ON CONFLICT(user_id) DO UPDATE SET consent_at=excluded.consent_at, language=excluded.language",
            (user_id, str(language), now, now),
        )
        user = await self.get(user_id)
        assert user is not None
        return user

    async def set_language(self, user_id: int, language: Language) -> None:
        await self._db.execute("UPDATE users SET language=? WHERE user_id=?", (str(language), user_id))
