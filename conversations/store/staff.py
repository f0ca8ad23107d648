"""Clinic staff of the review desk, their one-time login links and their cookie sessions.

Links and sessions are random secrets; only their SHA-256 is stored, so a copy of the database lets
nobody in. A link works once, until it expires, and only while it is the member's newest; a session ends
when it expires, at logout, or when its staff member is removed.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

import aiosqlite

from conversations.domain import Language
from conversations.store.rows import Queries
from conversations.web_domain import Staff, StaffSession, new_secret, secret_hash


def staff_from_row(row: sqlite3.Row) -> Staff:
    return Staff(
        id=row["id"],
        clinic_chat_id=row["clinic_chat_id"],
        name=row["name"],
        language=Language(row["language"]),
        created_at=datetime.fromisoformat(row["created_at"]),
        removed_at=datetime.fromisoformat(row["removed_at"]) if row["removed_at"] else None,
        telegram_id=row["telegram_id"],
    )


class StaffMembers(Queries):
    async def add(
        self, clinic_chat_id: int, name: str, language: Language, telegram_id: int | None = None
    ) -> Staff:
        async with self._db.write() as db:
            cur = await db.execute(
                "INSERT INTO staff(clinic_chat_id, name, language, created_at, telegram_id)"
                " VALUES (?,?,?,?,?)",
                (clinic_chat_id, name, str(language), self._db.now(), telegram_id),
            )
            staff_id = int(cur.lastrowid or 0)
        staff = await self.get(staff_id)
        assert staff is not None
        return staff

    async def get(self, staff_id: int) -> Staff | None:
        return await self._one_of(staff_from_row, "SELECT * FROM staff WHERE id=?", (staff_id,))

    async def all(self) -> list[Staff]:
        return [staff_from_row(r) for r in await self._db.all("SELECT * FROM staff ORDER BY id")]

    async def remove(self, staff_id: int) -> bool:
        """No more logins or sessions for this member; the audit log keeps their name."""
        async with self._db.write() as db:
            cur = await db.execute(
                "UPDATE staff SET removed_at=? WHERE id=? AND removed_at IS NULL", (self._db.now(), staff_id)
            )
            await db.execute("DELETE FROM staff_links WHERE staff_id=?", (staff_id,))
            await db.execute("DELETE FROM staff_sessions WHERE staff_id=?", (staff_id,))
            return cur.rowcount == 1

    async def set_telegram_id(self, staff_id: int, telegram_id: int | None) -> bool:
        """Who this member is in the clinic's Telegram chat (None: nobody). False for no such member."""
        return await self._changed_one(
            "UPDATE staff SET telegram_id=? WHERE id=? AND removed_at IS NULL", (telegram_id, staff_id)
        )

    async def by_telegram(self, clinic_chat_id: int, telegram_id: int) -> Staff | None:
        """The clinic's active staff member with this Telegram account, if any."""
        row = await self._db.one(
            "SELECT * FROM staff WHERE clinic_chat_id=? AND telegram_id=? AND removed_at IS NULL"
            " ORDER BY id LIMIT 1",
            (clinic_chat_id, telegram_id),
        )
        return staff_from_row(row) if row else None

    async def set_language(self, staff_id: int, language: Language) -> None:
        await self._db.execute("UPDATE staff SET language=? WHERE id=?", (str(language), staff_id))

    # --- login links ----------------------------------------------------------------------------

    async def new_link(self, staff_id: int, valid_for: timedelta) -> str:
        """A one-time login token; the caller builds the URL. The member's earlier unused links stop
        working: only the newest one sent can sign them in, so a link lost in an old message is no key."""
        token = new_secret()
        now = self._db.clock()
        async with self._db.write() as db:
            await db.execute("DELETE FROM staff_links WHERE staff_id=? AND used_at IS NULL", (staff_id,))
            await db.execute(
                "INSERT INTO staff_links(token_hash, staff_id, created_at, expires_at) VALUES (?,?,?,?)",
                (secret_hash(token), staff_id, now.isoformat(), (now + valid_for).isoformat()),
            )
        return token

    async def link_owner(self, token: str) -> Staff | None:
        """Who a link signs in, if it is still unused and unexpired (without using it)."""
        row = await self._db.one(
            "SELECT s.* FROM staff_links l JOIN staff s ON s.id = l.staff_id"
            " WHERE l.token_hash=? AND l.used_at IS NULL AND l.expires_at > ? AND s.removed_at IS NULL",
            (secret_hash(token), self._db.now()),
        )
        return staff_from_row(row) if row else None

    async def use_link(self, token: str, session_for: timedelta) -> tuple[Staff, str] | None:
        """Spend the link and open a session. Returns (staff, session token), or None if the link is
        unknown, used, expired or its member removed. Two presses of one link open one session."""
        now = self._db.clock()
        session = new_secret()
        async with self._db.write() as db:
            cur = await db.execute(
                "UPDATE staff_links SET used_at=? WHERE token_hash=? AND used_at IS NULL AND expires_at > ?"
                " AND staff_id IN (SELECT id FROM staff WHERE removed_at IS NULL)",
                (now.isoformat(), secret_hash(token), now.isoformat()),
            )
            if cur.rowcount != 1:
                return None
            async with db.execute(
                "SELECT s.* FROM staff_links l JOIN staff s ON s.id = l.staff_id WHERE l.token_hash=?",
                (secret_hash(token),),
            ) as rows:
                row = await rows.fetchone()
            assert row is not None
            await self._insert_session(db, session, row["id"], now, session_for)
        return staff_from_row(row), session

    async def open_session(self, staff_id: int, session_for: timedelta) -> str | None:
        """A session for an active member who proved who they are another way (Telegram's signed sign-in
        data): its token, or None for a removed or unknown member."""
        now = self._db.clock()
        session = new_secret()
        async with self._db.write() as db:
            async with db.execute(
                "SELECT 1 FROM staff WHERE id=? AND removed_at IS NULL", (staff_id,)
            ) as rows:
                if await rows.fetchone() is None:
                    return None
            await self._insert_session(db, session, staff_id, now, session_for)
        return session

    @staticmethod
    async def _insert_session(
        db: aiosqlite.Connection, session: str, staff_id: int, now: datetime, session_for: timedelta
    ) -> None:
        await db.execute(
            "INSERT INTO staff_sessions(token_hash, staff_id, csrf, created_at, expires_at)"
            " VALUES (?,?,?,?,?)",
            (secret_hash(session), staff_id, new_secret(), now.isoformat(), (now + session_for).isoformat()),
        )

    # --- sessions -------------------------------------------------------------------------------

    async def session(self, token: str) -> StaffSession | None:
        row = await self._db.one(
            "SELECT s.*, x.csrf AS x_csrf, x.expires_at AS x_expires FROM staff_sessions x"
            " JOIN staff s ON s.id = x.staff_id"
            " WHERE x.token_hash=? AND x.expires_at > ? AND s.removed_at IS NULL",
            (secret_hash(token), self._db.now()),
        )
        if row is None:
            return None
        return StaffSession(staff_from_row(row), row["x_csrf"], datetime.fromisoformat(row["x_expires"]))

    async def end_session(self, token: str) -> None:
        await self._db.execute("DELETE FROM staff_sessions WHERE token_hash=?", (secret_hash(token),))

    async def purge_expired(self) -> None:
        now = self._db.now()
        async with self._db.write() as db:
            await db.execute("DELETE FROM staff_sessions WHERE expires_at <= ?", (now,))
            await db.execute("DELETE FROM staff_links WHERE expires_at <= ? OR used_at IS NOT NULL", (now,))
