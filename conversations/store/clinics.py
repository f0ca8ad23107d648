"""Clinics that review cases, the links they hand out to patients, and the clinic a patient came through.

SKINBOT_REVIEW_CHAT_ID seeds the list at start-up; `skinbot clinic` adds to it and makes links. A link's
token is random and can be revoked; a patient bound through it stays bound.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Iterable
from datetime import datetime

from conversations.domain import Clinic, ClinicLink
from conversations.store.database import Database

TOKEN_BYTES = 12  # 96 random bits: 16 URL-safe characters, well inside a deep link's 64


def new_link_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def _clinic(row: sqlite3.Row) -> Clinic:
    return Clinic(row["id"], row["chat_id"], row["name"], row["language"])


def _link(row: sqlite3.Row) -> ClinicLink:
    revoked = row["revoked_at"]
    return ClinicLink(
        row["token"],
        row["clinic_id"],
        datetime.fromisoformat(row["created_at"]),
        datetime.fromisoformat(revoked) if revoked else None,
    )


class Clinics:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def seed(self, entries: Iterable[tuple[int, str, str]]) -> None:
        """(chat id, name, language) from the settings: added, or renamed to what the settings say."""
        now = self._db.now()
        async with self._db.write() as db:
            await db.executemany(
                "INSERT INTO clinics(chat_id, name, language, created_at) VALUES (?,?,?,?) "
                "ON CONFLICT(chat_id) DO UPDATE SET name=excluded.name, language=excluded.language",
                [(chat_id, name, language, now) for chat_id, name, language in entries],
            )

    async def add(self, chat_id: int, name: str, language: str) -> Clinic:
        """A new clinic, or the one with this chat id renamed."""
        await self.seed([(chat_id, name, language)])
        clinic = await self.by_chat(chat_id)
        assert clinic is not None
        return clinic

    async def all(self) -> list[Clinic]:
        return [_clinic(r) for r in await self._db.all("SELECT * FROM clinics ORDER BY id")]

    async def any(self) -> bool:
        return await self._db.one("SELECT 1 FROM clinics LIMIT 1") is not None

    async def get(self, clinic_id: int) -> Clinic | None:
        row = await self._db.one("SELECT * FROM clinics WHERE id=?", (clinic_id,))
        return _clinic(row) if row else None

    async def by_chat(self, chat_id: int) -> Clinic | None:
        row = await self._db.one("SELECT * FROM clinics WHERE chat_id=?", (chat_id,))
        return _clinic(row) if row else None

    async def by_name(self, name: str) -> Clinic | None:
        row = await self._db.one(
            "SELECT * FROM clinics WHERE lower(name)=lower(?) ORDER BY id LIMIT 1", (name.strip(),)
        )
        return _clinic(row) if row else None

    async def for_user(self, user_id: int) -> list[Clinic]:
        """The clinics a user's cases may go to: the one they came through, else every clinic."""
        row = await self._db.one(
            "SELECT c.* FROM users u JOIN clinics c ON c.id = u.clinic_id WHERE u.user_id=?", (user_id,)
        )
        return [_clinic(row)] if row else await self.all()

    # --- links ----------------------------------------------------------------------------------

    async def create_link(self, clinic_id: int) -> ClinicLink:
        token = new_link_token()
        await self._db.execute(
            "INSERT INTO clinic_links(token, clinic_id, created_at) VALUES (?,?,?)",
            (token, clinic_id, self._db.now()),
        )
        row = await self._db.one("SELECT * FROM clinic_links WHERE token=?", (token,))
        assert row is not None
        return _link(row)

    async def by_token(self, token: str) -> Clinic | None:
        """The clinic of a live link; None for an unknown or revoked token."""
        row = await self._db.one(
            "SELECT c.* FROM clinic_links l JOIN clinics c ON c.id = l.clinic_id"
            " WHERE l.token=? AND l.revoked_at IS NULL",
            (token,),
        )
        return _clinic(row) if row else None

    async def revoke(self, token: str) -> bool:
        """False when there is no such live link."""
        changed = await self._db.execute(
            "UPDATE clinic_links SET revoked_at=? WHERE token=? AND revoked_at IS NULL",
            (self._db.now(), token),
        )
        return changed == 1

    async def links(self, clinic_id: int | None = None) -> list[ClinicLink]:
        sql, params = "SELECT * FROM clinic_links", ()
        if clinic_id is not None:
            sql, params = sql + " WHERE clinic_id=?", (clinic_id,)
        return [_link(r) for r in await self._db.all(sql + " ORDER BY created_at, rowid", params)]

    async def bind(self, user_id: int, clinic_id: int) -> None:
        """The user came through this clinic's link: their cases go to it."""
        await self._db.execute("UPDATE users SET clinic_id=? WHERE user_id=?", (clinic_id, user_id))
