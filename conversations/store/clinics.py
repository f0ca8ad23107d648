"""Clinics that review cases, the links they hand out to patients, and the clinic a patient came through.

SKINBOT_REVIEW_CHAT_ID seeds the list at start-up; `skinbot clinic` adds to it, opens or closes a clinic to
patients who did not come through its link, and makes links. A link's token is random, stored only as its
SHA-256 (like every other secret), and can be revoked; a patient bound through it stays bound.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Iterable
from datetime import datetime

from conversations.domain import Clinic, ClinicLink
from conversations.store.rows import Queries
from conversations.web_domain import secret_hash

TOKEN_BYTES = 12  # 96 random bits: 16 URL-safe characters, well inside a deep link's 64
REF_CHARS = 12  # a link's name in listings: the start of its token's hash


def new_link_token() -> str:
    """Never one that starts with "-": `skinbot clinic revoke TOKEN` would read it as an option."""
    while (token := secrets.token_urlsafe(TOKEN_BYTES)).startswith("-"):
        pass
    return token


def _clinic(row: sqlite3.Row) -> Clinic:
    return Clinic(
        row["id"],
        row["chat_id"],
        row["name"],
        row["language"],
        bool(row["is_open"]),
        bool(row["verdicts_by_staff"]),
    )


def _link(row: sqlite3.Row) -> ClinicLink:
    revoked = row["revoked_at"]
    return ClinicLink(
        row["token_hash"][:REF_CHARS],
        row["clinic_id"],
        datetime.fromisoformat(row["created_at"]),
        datetime.fromisoformat(revoked) if revoked else None,
    )


class Clinics(Queries):
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
        return await self._one_of(_clinic, "SELECT * FROM clinics WHERE id=?", (clinic_id,))

    async def by_chat(self, chat_id: int) -> Clinic | None:
        return await self._one_of(_clinic, "SELECT * FROM clinics WHERE chat_id=?", (chat_id,))

    async def by_name(self, name: str) -> Clinic | None:
        row = await self._db.one(
            "SELECT * FROM clinics WHERE lower(name)=lower(?) ORDER BY id LIMIT 1", (name.strip(),)
        )
        return _clinic(row) if row else None

    async def for_user(self, user_id: int, any_clinic: bool = False) -> list[Clinic]:
        """The clinics a user's cases may go to: the one they came through; else the clinics marked open,
        or every clinic with `any_clinic` (SKINBOT_CLINIC_ACCESS=all)."""
        row = await self._db.one(
            "SELECT c.* FROM users u JOIN clinics c ON c.id = u.clinic_id WHERE u.user_id=?", (user_id,)
        )
        if row:
            return [_clinic(row)]
        return [c for c in await self.all() if any_clinic or c.open]

    async def set_open(self, clinic_id: int, is_open: bool) -> None:
        """Open: patients who did not come through this clinic's link may send to it as well."""
        await self._db.execute("UPDATE clinics SET is_open=? WHERE id=?", (int(is_open), clinic_id))

    async def set_verdicts_by_staff(self, clinic_id: int, by_staff: bool) -> None:
        """Whether only the clinic's registered staff (by Telegram id) may press its verdict buttons."""
        await self._db.execute(
            "UPDATE clinics SET verdicts_by_staff=? WHERE id=?", (int(by_staff), clinic_id)
        )

    # --- links ----------------------------------------------------------------------------------

    async def create_link(self, clinic_id: int) -> str:
        """A new link's token: returned once, stored only as its hash."""
        token = new_link_token()
        await self._db.execute(
            "INSERT INTO clinic_links(token_hash, clinic_id, created_at) VALUES (?,?,?)",
            (secret_hash(token), clinic_id, self._db.now()),
        )
        return token

    async def by_token(self, token: str) -> Clinic | None:
        """The clinic of a live link; None for an unknown or revoked token."""
        row = await self._db.one(
            "SELECT c.* FROM clinic_links l JOIN clinics c ON c.id = l.clinic_id"
            " WHERE l.token_hash=? AND l.revoked_at IS NULL",
            (secret_hash(token),),
        )
        return _clinic(row) if row else None

    async def revoke(self, token: str) -> bool:
        """False when there is no such live link."""
        return await self._revoke("token_hash=?", secret_hash(token))

    async def revoke_listed(self, ref: str) -> bool:
        """Revoke the live link that a listing names `ref` (see ClinicLink); False when none does."""
        if len(ref) != REF_CHARS:
            return False
        return await self._revoke("substr(token_hash, 1, ?)=?", REF_CHARS, ref.lower())

    async def _revoke(self, where: str, *params: object) -> bool:
        async with self._db.write() as db:
            cur = await db.execute(
                f"SELECT COUNT(*) FROM clinic_links WHERE {where} AND revoked_at IS NULL", params
            )
            row = await cur.fetchone()
            if row is None or row[0] != 1:
                return False
            await db.execute(
                f"UPDATE clinic_links SET revoked_at=? WHERE {where} AND revoked_at IS NULL",
                (self._db.now(), *params),
            )
            return True

    async def links(self, clinic_id: int | None = None) -> list[ClinicLink]:
        sql, params = "SELECT * FROM clinic_links", ()
        if clinic_id is not None:
            sql, params = sql + " WHERE clinic_id=?", (clinic_id,)
        return [_link(r) for r in await self._db.all(sql + " ORDER BY created_at, rowid", params)]

    async def bind(self, user_id: int, clinic_id: int) -> None:
        """The user came through this clinic's link: their cases go to it."""
        await self._db.execute("UPDATE users SET clinic_id=? WHERE user_id=?", (clinic_id, user_id))
