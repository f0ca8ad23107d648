"""Users, intake state and cases in SQLite (aiosqlite, WAL), with numbered migrations.

Every query that a user's action reaches is scoped by that user's id, so one user can never read or
change another's case, whatever ids they send.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import aiosqlite

from conversations.files import new_token
from conversations.intake import Draft, Intake

log = logging.getLogger(__name__)

STATUSES = ("queued", "running", "done", "failed", "cancelled", "rejected")

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE users (
        user_id     INTEGER PRIMARY KEY,
        language    TEXT NOT NULL,
        consent_at  TEXT NOT NULL,
        created_at  TEXT NOT NULL
    );
    CREATE TABLE conversations (
        user_id     INTEGER PRIMARY KEY REFERENCES users(user_id) ON DELETE CASCADE,
        state       TEXT NOT NULL,
        updated_at  TEXT NOT NULL
    );
    CREATE TABLE cases (
        id              TEXT PRIMARY KEY,
        user_id         INTEGER NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
        chat_id         INTEGER NOT NULL,
        patient_name    TEXT NOT NULL,
        age             INTEGER NOT NULL,
        gender          TEXT NOT NULL,
        history         TEXT,
        report_language TEXT NOT NULL,
        ui_language     TEXT NOT NULL,
        image           TEXT NOT NULL,
        status          TEXT NOT NULL,
        queue_seq       INTEGER,
        attempts        INTEGER NOT NULL DEFAULT 0,
        classification  TEXT,
        report          TEXT,
        image_seen      INTEGER,
        error           TEXT,
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL
    );
    CREATE INDEX cases_by_user ON cases(user_id, created_at);
    CREATE INDEX cases_by_queue ON cases(status, queue_seq);
    """,
    """
    CREATE TABLE reviews (
        id                  TEXT PRIMARY KEY,
        case_id             TEXT NOT NULL UNIQUE REFERENCES cases(id) ON DELETE CASCADE,
        user_id             INTEGER NOT NULL,
        clinic_chat_id      INTEGER NOT NULL,
        summary_message_id  INTEGER,
        note_prompt_id      INTEGER,
        verdict             TEXT,
        reviewer            TEXT,
        note                TEXT,
        created_at          TEXT NOT NULL,
        answered_at         TEXT,
        reflagged_at        TEXT
    );
    CREATE INDEX reviews_pending ON reviews(verdict, created_at);
    """,
)


class StoreError(Exception):
    """The database cannot be used right now; the message says why, without user data."""


def _describe(exc: sqlite3.Error) -> str:
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


P = ParamSpec("P")
R = TypeVar("R")


def guarded(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    @wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await fn(*args, **kwargs)
        except sqlite3.Error as exc:
            raise StoreError(_describe(exc)) from exc

    return wrapper


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class User:
    user_id: int
    language: str
    consent_at: datetime


@dataclass(frozen=True)
class Case:
    id: str
    user_id: int
    chat_id: int
    patient_name: str
    age: int
    gender: str
    history: str | None
    report_language: str
    ui_language: str
    image: str
    status: str
    attempts: int
    classification: dict[str, Any] | None
    report: str | None
    image_seen: bool | None
    error: str | None
    created_at: datetime
    updated_at: datetime

    @property
    def short_id(self) -> str:
        return self.id[:8]

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Case:
        return cls(
            id=row["id"],
            user_id=row["user_id"],
            chat_id=row["chat_id"],
            patient_name=row["patient_name"],
            age=row["age"],
            gender=row["gender"],
            history=row["history"],
            report_language=row["report_language"],
            ui_language=row["ui_language"],
            image=row["image"],
            status=row["status"],
            attempts=row["attempts"],
            classification=json.loads(row["classification"]) if row["classification"] else None,
            report=row["report"],
            image_seen=None if row["image_seen"] is None else bool(row["image_seen"]),
            error=row["error"],
            created_at=datetime.fromisoformat(row["created_at"]),
            updated_at=datetime.fromisoformat(row["updated_at"]),
        )


@dataclass(frozen=True)
class Review:
    id: str
    case_id: str
    user_id: int
    clinic_chat_id: int
    summary_message_id: int | None
    note_prompt_id: int | None
    verdict: str | None
    reviewer: str | None
    note: str | None
    created_at: datetime
    answered_at: datetime | None
    reflagged_at: datetime | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Review:
        def when(value: str | None) -> datetime | None:
            return datetime.fromisoformat(value) if value else None

        return cls(
            row["id"], row["case_id"], row["user_id"], row["clinic_chat_id"], row["summary_message_id"],
            row["note_prompt_id"], row["verdict"], row["reviewer"], row["note"],
            datetime.fromisoformat(row["created_at"]), when(row["answered_at"]), when(row["reflagged_at"]),
        )  # fmt: skip


class Store:
    def __init__(self, db: aiosqlite.Connection, clock: Callable[[], datetime]) -> None:
        self._db = db
        self.clock = clock

    @classmethod
    async def open(cls, path: Path, clock: Callable[[], datetime] = utcnow) -> Store:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the data directory {path.parent}: {exc.strerror}") from exc
        try:
            db = await aiosqlite.connect(path, timeout=5.0)
        except sqlite3.Error as exc:
            raise StoreError(f"{_describe(exc)}: {path}") from exc
        db.row_factory = sqlite3.Row
        store = cls(db, clock)
        try:
            await store._prepare()
        except sqlite3.Error as exc:
            await db.close()
            raise StoreError(f"{_describe(exc)}: {path}") from exc
        return store

    async def _prepare(self) -> None:
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
        async with self._db.execute("PRAGMA user_version") as cur:
            row = await cur.fetchone()
            version = row[0] if row else 0
        if version > len(MIGRATIONS):
            raise StoreError(
                f"the database schema (v{version}) is newer than this skinbot (v{len(MIGRATIONS)})"
            )
        for number in range(version, len(MIGRATIONS)):
            await self._db.executescript(
                f"BEGIN; {MIGRATIONS[number]}; PRAGMA user_version={number + 1}; COMMIT;"
            )
            log.info("database migrated to schema v%d", number + 1)

    async def close(self) -> None:
        await self._db.close()

    def _now(self) -> str:
        return self.clock().isoformat()

    async def _one(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Row | None:
        async with self._db.execute(sql, params) as cur:
            return await cur.fetchone()

    async def _all(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        async with self._db.execute(sql, params) as cur:
            return list(await cur.fetchall())

    @guarded
    async def schema_version(self) -> int:
        row = await self._one("PRAGMA user_version")
        return int(row[0]) if row else 0

    # --- users ----------------------------------------------------------------------------------

    @guarded
    async def get_user(self, user_id: int) -> User | None:
        row = await self._one("SELECT * FROM users WHERE user_id=?", (user_id,))
        if row is None:
            return None
        return User(row["user_id"], row["language"], datetime.fromisoformat(row["consent_at"]))

    @guarded
    async def add_consent(self, user_id: int, language: str) -> User:
        now = self._now()
        await self._db.execute(
            "INSERT INTO users(user_id, language, consent_at, created_at) VALUES (?,?,?,?) "
            "ON CONFLICT(user_id) DO UPDATE SET consent_at=excluded.consent_at, language=excluded.language",
            (user_id, language, now, now),
        )
        await self._db.commit()
        return User(user_id, language, datetime.fromisoformat(now))

    @guarded
    async def set_language(self, user_id: int, language: str) -> None:
        await self._db.execute("UPDATE users SET language=? WHERE user_id=?", (language, user_id))
        await self._db.commit()

    # --- intake ---------------------------------------------------------------------------------

    @guarded
    async def load_intake(self, user_id: int) -> Intake | None:
        row = await self._one("SELECT state FROM conversations WHERE user_id=?", (user_id,))
        if row is None:
            return None
        try:
            return Intake.from_json(row["state"])
        except (ValueError, KeyError, TypeError):
            log.warning("unreadable intake state dropped (user row kept)")
            return None

    @guarded
    async def save_intake(self, user_id: int, intake: Intake) -> None:
        await self._db.execute(
            "INSERT INTO conversations(user_id, state, updated_at) VALUES (?,?,?) "
            "ON CONFLICT(user_id) DO UPDATE SET state=excluded.state, updated_at=excluded.updated_at",
            (user_id, intake.to_json(), self._now()),
        )
        await self._db.commit()

    @guarded
    async def clear_intake(self, user_id: int) -> None:
        await self._db.execute("DELETE FROM conversations WHERE user_id=?", (user_id,))
        await self._db.commit()

    # --- cases ----------------------------------------------------------------------------------

    @guarded
    async def create_case(self, user_id: int, chat_id: int, draft: Draft, ui_language: str) -> Case:
        """Store a confirmed intake as a queued case and end the intake, in one transaction."""
        case_id = new_token()
        now = self._now()
        try:
            await self._db.execute(
                "INSERT INTO cases(id, user_id, chat_id, patient_name, age, gender, history, report_language,"
                " ui_language, image, status, queue_seq, created_at, updated_at) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,'queued',(SELECT COALESCE(MAX(queue_seq),0)+1 FROM cases),?,?)",
                (
                    case_id, user_id, chat_id, draft.name, draft.age, draft.gender, draft.history,
                    draft.report_language, ui_language, draft.photo, now, now,
                ),
            )  # fmt: skip
            await self._db.execute("DELETE FROM conversations WHERE user_id=?", (user_id,))
            await self._db.commit()
        except BaseException:
            await self._db.rollback()
            raise
        case = await self.get_case(user_id, case_id)
        assert case is not None
        return case

    @guarded
    async def get_case(self, user_id: int, case_id: str) -> Case | None:
        row = await self._one("SELECT * FROM cases WHERE id=? AND user_id=?", (case_id, user_id))
        return Case.from_row(row) if row else None

    @guarded
    async def case_by_id(self, case_id: str) -> Case | None:
        """For the worker, which acts on behalf of the case's owner."""
        row = await self._one("SELECT * FROM cases WHERE id=?", (case_id,))
        return Case.from_row(row) if row else None

    @guarded
    async def list_cases(self, user_id: int, limit: int = 10) -> list[Case]:
        rows = await self._all(
            "SELECT * FROM cases WHERE user_id=? ORDER BY created_at DESC, rowid DESC LIMIT ?",
            (user_id, limit),
        )
        return [Case.from_row(r) for r in rows]

    @guarded
    async def cases_since(self, user_id: int, since: datetime) -> int:
        row = await self._one(
            "SELECT COUNT(*) FROM cases WHERE user_id=? AND created_at >= ?", (user_id, since.isoformat())
        )
        return int(row[0]) if row else 0

    @guarded
    async def active_case(self, user_id: int) -> Case | None:
        row = await self._one(
            "SELECT * FROM cases WHERE user_id=? AND status IN ('queued','running')"
            " ORDER BY queue_seq LIMIT 1",
            (user_id,),
        )
        return Case.from_row(row) if row else None

    @guarded
    async def delete_user(self, user_id: int) -> int:
        """Erase the user, their intake and every case row. Returns the number of cases removed."""
        row = await self._one("SELECT COUNT(*) FROM cases WHERE user_id=?", (user_id,))
        try:
            await self._db.execute("DELETE FROM cases WHERE user_id=?", (user_id,))
            await self._db.execute("DELETE FROM conversations WHERE user_id=?", (user_id,))
            await self._db.execute("DELETE FROM users WHERE user_id=?", (user_id,))
            await self._db.commit()
        except BaseException:
            await self._db.rollback()
            raise
        # secure_delete zeroes the freed content; the checkpoint drops the WAL frames that still held it.
        await self._one("PRAGMA wal_checkpoint(TRUNCATE)")
        return int(row[0]) if row else 0

    @guarded
    async def purge_before(self, cutoff: datetime) -> list[tuple[int, str | None, str]]:
        """Delete cases created before `cutoff`, and intakes idle since then. Returns (user, case or None,
        image) for each, so their files can go too. Jobs still queued or running finish first."""
        when = cutoff.isoformat()
        cases = await self._all(
            "SELECT user_id, id, image FROM cases"
            " WHERE created_at < ? AND status NOT IN ('queued','running')",
            (when,),
        )
        drafts = await self._all("SELECT user_id, state FROM conversations WHERE updated_at < ?", (when,))
        try:
            await self._db.executemany("DELETE FROM cases WHERE id=?", [(r["id"],) for r in cases])
            await self._db.execute("DELETE FROM conversations WHERE updated_at < ?", (when,))
            # A user with nothing left keeps no row either (id, language, consent date): they agree anew.
            await self._db.execute(
                "DELETE FROM users WHERE consent_at < ?"
                " AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.user_id = users.user_id)"
                " AND NOT EXISTS (SELECT 1 FROM conversations v WHERE v.user_id = users.user_id)",
                (when,),
            )
            await self._db.commit()
        except BaseException:
            await self._db.rollback()
            raise
        await self._one("PRAGMA wal_checkpoint(TRUNCATE)")
        expired: list[tuple[int, str | None, str]] = [(r["user_id"], r["id"], r["image"]) for r in cases]
        for row in drafts:
            with contextlib.suppress(ValueError, KeyError, TypeError):
                photo = Intake.from_json(row["state"]).draft.photo
                if photo:
                    expired.append((row["user_id"], None, photo))
        return expired

    # --- doctors' reviews ------------------------------------------------------------------------

    @guarded
    async def create_review(self, user_id: int, case_id: str, clinic_chat_id: int) -> Review | None:
        """A pending review of the user's own finished case; None if not theirs, not done, or already sent."""
        row = await self._one("SELECT status FROM cases WHERE id=? AND user_id=?", (case_id, user_id))
        if row is None or row["status"] != "done":
            return None
        review_id = new_token()
        cur = await self._db.execute(
            "INSERT OR IGNORE INTO reviews(id, case_id, user_id, clinic_chat_id, created_at)"
            " VALUES (?,?,?,?,?)",
            (review_id, case_id, user_id, clinic_chat_id, self._now()),
        )
        await self._db.commit()
        return await self.review(review_id) if cur.rowcount == 1 else None

    @guarded
    async def review(self, review_id: str) -> Review | None:
        row = await self._one("SELECT * FROM reviews WHERE id=?", (review_id,))
        return Review.from_row(row) if row else None

    @guarded
    async def review_of_case(self, case_id: str) -> Review | None:
        row = await self._one("SELECT * FROM reviews WHERE case_id=?", (case_id,))
        return Review.from_row(row) if row else None

    @guarded
    async def delete_review(self, review_id: str) -> None:
        await self._db.execute("DELETE FROM reviews WHERE id=?", (review_id,))
        await self._db.commit()

    @guarded
    async def set_review_message(self, review_id: str, summary_message_id: int) -> None:
        await self._db.execute(
            "UPDATE reviews SET summary_message_id=? WHERE id=?", (summary_message_id, review_id)
        )
        await self._db.commit()

    @guarded
    async def claim_verdict(self, review_id: str, clinic_chat_id: int, verdict: str, reviewer: str) -> bool:
        """The first verdict wins: the update only applies while no verdict is recorded."""
        cur = await self._db.execute(
            "UPDATE reviews SET verdict=?, reviewer=?, answered_at=? "
            "WHERE id=? AND clinic_chat_id=? AND verdict IS NULL",
            (verdict, reviewer, self._now(), review_id, clinic_chat_id),
        )
        await self._db.commit()
        return cur.rowcount == 1

    @guarded
    async def set_note_prompt(self, review_id: str, message_id: int) -> None:
        await self._db.execute("UPDATE reviews SET note_prompt_id=? WHERE id=?", (message_id, review_id))
        await self._db.commit()

    @guarded
    async def review_by_note_prompt(self, clinic_chat_id: int, message_id: int) -> Review | None:
        row = await self._one(
            "SELECT * FROM reviews WHERE clinic_chat_id=? AND note_prompt_id=?", (clinic_chat_id, message_id)
        )
        return Review.from_row(row) if row else None

    @guarded
    async def save_note(self, review_id: str, note: str) -> bool:
        cur = await self._db.execute(
            "UPDATE reviews SET note=? WHERE id=? AND note IS NULL", (note, review_id)
        )
        await self._db.commit()
        return cur.rowcount == 1

    @guarded
    async def reviews_due_for_reflag(self, created_before: datetime) -> list[Review]:
        rows = await self._all(
            "SELECT * FROM reviews WHERE verdict IS NULL AND reflagged_at IS NULL AND created_at < ? "
            "ORDER BY created_at",
            (created_before.isoformat(),),
        )
        return [Review.from_row(r) for r in rows]

    @guarded
    async def mark_reflagged(self, review_id: str) -> None:
        await self._db.execute("UPDATE reviews SET reflagged_at=? WHERE id=?", (self._now(), review_id))
        await self._db.commit()

    @guarded
    async def reviews_of_user(self, user_id: int) -> dict[str, Review]:
        rows = await self._all("SELECT * FROM reviews WHERE user_id=?", (user_id,))
        return {r["case_id"]: Review.from_row(r) for r in rows}

    @guarded
    async def unreviewed_cases(self, user_id: int) -> list[Case]:
        rows = await self._all(
            "SELECT c.* FROM cases c LEFT JOIN reviews r ON r.case_id = c.id "
            "WHERE c.user_id=? AND c.status='done' AND r.id IS NULL ORDER BY c.created_at",
            (user_id,),
        )
        return [Case.from_row(r) for r in rows]

    # --- the job queue --------------------------------------------------------------------------

    @guarded
    async def queued_cases(self) -> list[Case]:
        rows = await self._all("SELECT * FROM cases WHERE status='queued' ORDER BY queue_seq")
        return [Case.from_row(r) for r in rows]

    @guarded
    async def set_status(self, case_id: str, status: str, *, error: str | None = None) -> None:
        assert status in STATUSES
        extra = ", attempts=attempts+1" if status == "running" else ""
        await self._db.execute(
            f"UPDATE cases SET status=?, error=?, updated_at=?{extra} WHERE id=?",
            (status, error, self._now(), case_id),
        )
        await self._db.commit()

    @guarded
    async def requeue(self, case_id: str) -> None:
        """Back of the line, text cleared: a retried report restarts from the beginning."""
        await self._db.execute(
            "UPDATE cases SET status='queued', error=NULL, report=NULL, updated_at=?,"
            " queue_seq=(SELECT COALESCE(MAX(queue_seq),0)+1 FROM cases) WHERE id=?",
            (self._now(), case_id),
        )
        await self._db.commit()

    @guarded
    async def requeue_interrupted(self) -> list[str]:
        """At start-up: jobs left 'running' by a crash go back to the queue, keeping their place."""
        rows = await self._all("SELECT id FROM cases WHERE status='running' ORDER BY queue_seq")
        await self._db.execute(
            "UPDATE cases SET status='queued', report=NULL, updated_at=? WHERE status='running'",
            (self._now(),),
        )
        await self._db.commit()
        return [r["id"] for r in rows]

    @guarded
    async def save_classification(self, case_id: str, classification: dict[str, Any]) -> None:
        await self._db.execute(
            "UPDATE cases SET classification=?, updated_at=? WHERE id=?",
            (json.dumps(classification), self._now(), case_id),
        )
        await self._db.commit()

    @guarded
    async def save_report(self, case_id: str, report: str, image_seen: bool) -> None:
        await self._db.execute(
            "UPDATE cases SET report=?, image_seen=?, status='done', error=NULL, updated_at=? WHERE id=?",
            (report, int(image_seen), self._now(), case_id),
        )
        await self._db.commit()
