"""The SQLite connection every repository shares: set-up, numbered migrations, reads, and serialized writes.

One aiosqlite connection serves the whole bot. Coroutines interleave on it, so a write transaction holds a
lock from its first statement to its commit: another coroutine's commit can never land inside it.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

from conversations.files import private_dir, private_file
from conversations.web_domain import secret_hash

log = logging.getLogger(__name__)


class StoreError(Exception):
    """The database cannot be used right now; the message says why, without user data."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def describe(exc: sqlite3.Error) -> str:
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return "the database is locked by another process"
    if "malformed" in text or "not a database" in text or "corrupt" in text:
        return "the database file is corrupt"
    if "readonly" in text or "read-only" in text:
        return "the database file is read-only"
    if "full" in text:
        return "the disk is full"
    if "unable to open" in text:
        return "the database file cannot be opened"
    return f"database error ({type(exc).__name__})"


def migrations() -> list[str]:
    """The schema's steps, `migrations/NNNN_name.sql`, in number order; step N makes user_version N."""
    folder = resources.files("conversations.store") / "migrations"
    files = sorted(f for f in folder.iterdir() if f.name.endswith(".sql"))
    numbers = [int(f.name.split("_", 1)[0]) for f in files]
    if numbers != list(range(1, len(files) + 1)):
        raise RuntimeError(f"migrations must be numbered 1..N without gaps, found {numbers}")
    return [f.read_text(encoding="utf-8") for f in files]


class Database:
    def __init__(self, connection: aiosqlite.Connection, clock: Callable[[], datetime]) -> None:
        self._db = connection
        self.clock = clock
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path, clock: Callable[[], datetime] = utcnow) -> Database:
        try:
            private_dir(path.parent)
        except OSError as exc:
            raise StoreError(f"cannot create the data directory {path.parent}: {exc.strerror}") from exc
        try:
            # Made private before SQLite opens it: its -wal and -shm files take the database file's mode.
            private_file(path, keep=True)
        except OSError as exc:
            raise StoreError(f"cannot create the database file {path}: {exc.strerror}") from exc
        try:
            pending = aiosqlite.connect(path, timeout=5.0)
            # aiosqlite's worker thread is not a daemon: one connection left open (a failed start, a test
            # that stopped half-way) would keep the process from ever exiting. Its thread starts on await.
            pending._thread.daemon = True
            connection = await pending
        except sqlite3.Error as exc:
            raise StoreError(f"{describe(exc)}: {path}") from exc
        connection.row_factory = sqlite3.Row
        db = cls(connection, clock)
        try:
            await db._prepare()
        except sqlite3.Error as exc:
            await connection.close()
            raise StoreError(f"{describe(exc)}: {path}") from exc
        except StoreError:
            await connection.close()
            raise
        return db

    async def _prepare(self) -> None:
        # Migrations hash secrets that older schemas kept in plain text, the same way the store does.
        await self._db.create_function("skinbot_sha256", 1, secret_hash, deterministic=True)
        await self._db.execute("PRAGMA journal_mode=WAL")
        await self._db.execute("PRAGMA foreign_keys=ON")
        await self._db.execute("PRAGMA busy_timeout=5000")
        # Erased patients must not linger in free pages of the file.
        await self._db.execute("PRAGMA secure_delete=ON")
        # quick_check reads every page: a damaged file fails here, at start-up, not mid-conversation.
        async with self._db.execute("PRAGMA quick_check") as cur:
            row = await cur.fetchone()
            if row is None or row[0] != "ok":
                raise sqlite3.DatabaseError("database disk image is malformed")
        version = await self._version()
        steps = migrations()
        if version > len(steps):
            raise StoreError(f"the database schema (v{version}) is newer than this skinbot (v{len(steps)})")
        for number in range(version, len(steps)):
            await self._db.executescript(f"BEGIN; {steps[number]}; PRAGMA user_version={number + 1}; COMMIT;")
            log.info("database migrated to schema v%d", number + 1)

    async def _version(self) -> int:
        async with self._db.execute("PRAGMA user_version") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def close(self) -> None:
        await self._db.close()

    def now(self) -> str:
        return self.clock().isoformat()

    async def schema_version(self) -> int:
        try:
            return await self._version()
        except sqlite3.Error as exc:
            raise StoreError(describe(exc)) from exc

    # --- reads ----------------------------------------------------------------------------------

    # A read runs as one step on the connection's thread (statement, rows, close), so no other coroutine's
    # statement, such as a WAL checkpoint, can land while it is open ("database table is locked").

    async def one(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Row | None:
        rows = await self.all(sql, params)
        return rows[0] if rows else None

    async def all(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        try:
            return list(await self._db.execute_fetchall(sql, params))
        except sqlite3.Error as exc:
            raise StoreError(describe(exc)) from exc

    # --- writes ---------------------------------------------------------------------------------

    @asynccontextmanager
    async def write(self) -> AsyncIterator[aiosqlite.Connection]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        async with self._write_lock:
            try:
                yield self._db
                await self._db.commit()
            except BaseException as exc:
                try:
                    await self._db.rollback()
                except sqlite3.Error:
                    log.warning("rollback failed after %s", type(exc).__name__)
                if isinstance(exc, sqlite3.Error):
                    raise StoreError(describe(exc)) from exc
                raise

    async def execute(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        """A single-statement transaction; returns the number of rows it changed."""
        async with self.write() as db:
            cur = await db.execute(sql, params)
            return cur.rowcount

    async def probe_write(self) -> None:
        """Prove that the file takes writes, for health checks: rewrite the schema version with its own
        value (one page, through the serialized writer). StoreError on a read-only file or a full disk."""
        async with self.write() as db:
            async with db.execute("PRAGMA user_version") as cur:
                row = await cur.fetchone()
            await db.execute(f"PRAGMA user_version={int(row[0]) if row else 0}")

    async def checkpoint(self) -> None:
        """Drop WAL frames that may still hold deleted content (secure_delete only zeroes the main file)."""
        async with self._write_lock:
            try:
                await self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error as exc:
                raise StoreError(describe(exc)) from exc
