"""API keys and the requests made with them. Every query a request reaches is scoped by its key."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta
from typing import Any

from conversations.domain import CaseStatus, Language
from conversations.files import new_token
from conversations.store.cases import progress_columns
from conversations.store.rows import Queries, from_row, when
from conversations.web_domain import API_KEY_PREFIX, ApiCase, ApiKey, ApiKind, new_secret, secret_hash

USE_RECORDED_EVERY = timedelta(minutes=1)


def key_from_row(row: sqlite3.Row) -> ApiKey:
    return from_row(
        ApiKey,
        row,
        created_at=datetime.fromisoformat(row["created_at"]),
        revoked_at=when(row["revoked_at"]),
        last_used_at=when(row["last_used_at"]),
    )


def api_case_from_row(row: sqlite3.Row) -> ApiCase:
    return from_row(
        ApiCase,
        row,
        language=Language(row["language"]),
        **progress_columns(row),
    )


class ApiKeys(Queries):
    async def create(self, name: str) -> tuple[ApiKey, str]:
        """A new key. Returns it with its secret, which is not stored and cannot be shown again."""
        secret = API_KEY_PREFIX + new_secret()
        now = self._db.now()
        async with self._db.write() as db:
            cur = await db.execute(
                "INSERT INTO api_keys(name, key_hash, created_at) VALUES (?,?,?)",
                (name, secret_hash(secret), now),
            )
            key_id = cur.lastrowid
        key = await self.get(int(key_id or 0))
        assert key is not None
        return key, secret

    async def get(self, key_id: int) -> ApiKey | None:
        return await self._one_of(key_from_row, "SELECT * FROM api_keys WHERE id=?", (key_id,))

    async def all(self) -> list[ApiKey]:
        return [key_from_row(r) for r in await self._db.all("SELECT * FROM api_keys ORDER BY id")]

    async def authenticate(self, secret: str) -> ApiKey | None:
        """The live key this secret belongs to, or None (unknown or revoked). Only reads: a request is
        counted as a use (`mark_used`) once it has passed the key's rate limit."""
        if not secret.startswith(API_KEY_PREFIX):
            return None
        row = await self._db.one(
            "SELECT * FROM api_keys WHERE key_hash=? AND revoked_at IS NULL", (secret_hash(secret),)
        )
        return key_from_row(row) if row else None

    async def mark_used(self, key: ApiKey) -> None:
        """Record the key's last use, at most once a minute: `skinbot api-key list` shows it to the minute,
        and a write per request would let a busy (or flooding) client keep the database's writer busy."""
        now = self._db.clock()
        since = now - USE_RECORDED_EVERY
        if key.last_used_at is not None and key.last_used_at > since:
            return
        await self._db.execute(
            "UPDATE api_keys SET last_used_at=? WHERE id=? AND (last_used_at IS NULL OR last_used_at <= ?)",
            (now.isoformat(), key.id, since.isoformat()),
        )

    async def revoke(self, key_id: int) -> list[tuple[int, str, str]]:
        """Revoke the key and forget its requests. Returns (owner id, case id, image) of each request, whose
        files must go too; nobody can read them any more."""
        async with self._db.write() as db:
            cur = await db.execute(
                "UPDATE api_keys SET revoked_at=? WHERE id=? AND revoked_at IS NULL", (self._db.now(), key_id)
            )
            if cur.rowcount != 1:
                return []
            async with db.execute("SELECT id, image FROM api_cases WHERE key_id=?", (key_id,)) as rows:
                cases = [(-key_id, r["id"], r["image"]) for r in await rows.fetchall()]
            await db.execute("DELETE FROM api_cases WHERE key_id=?", (key_id,))
        await self._db.checkpoint()
        return cases


class ApiCases(Queries):
    async def create(
        self,
        key_id: int,
        kind: ApiKind,
        *,
        patient_name: str,
        age: int,
        gender: str,
        history: str | None,
        language: Language,
        image: str,
    ) -> ApiCase:
        case_id = new_token()
        now = self._db.now()
        await self._db.execute(
            "INSERT INTO api_cases(id, key_id, kind, patient_name, age, gender, history, language, image,"
            " status, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                case_id,
                key_id,
                kind,
                patient_name,
                age,
                gender,
                history,
                str(language),
                image,
                CaseStatus.QUEUED,
                now,
                now,
            ),
        )
        case = await self.get(key_id, case_id)
        assert case is not None
        return case

    async def get(self, key_id: int, case_id: str) -> ApiCase | None:
        return await self._one_of(
            api_case_from_row, "SELECT * FROM api_cases WHERE id=? AND key_id=?", (case_id, key_id)
        )

    async def of_key(self, key_id: int) -> list[ApiCase]:
        rows = await self._db.all("SELECT * FROM api_cases WHERE key_id=? ORDER BY created_at", (key_id,))
        return [api_case_from_row(r) for r in rows]

    async def _update(self, case_id: str, sql: str, params: tuple[Any, ...]) -> None:
        await self._db.execute(
            f"UPDATE api_cases SET {sql}, updated_at=? WHERE id=?", (*params, self._db.now(), case_id)
        )

    async def mark_running(self, case_id: str) -> None:
        await self._update(case_id, "status=?", (CaseStatus.RUNNING,))

    async def save_classification(self, case_id: str, classification: dict[str, Any]) -> None:
        await self._update(case_id, "classification=?", (json.dumps(classification),))

    async def save_report(self, case_id: str, report: str, image_seen: bool, ended_by: str) -> None:
        """The report is written and its PDF saved: the request is done."""
        await self._update(
            case_id,
            "report=?, image_seen=?, report_end=?, status=?",
            (report, int(image_seen), ended_by, CaseStatus.DONE),
        )

    async def delete(self, case_id: str) -> None:
        await self._db.execute("DELETE FROM api_cases WHERE id=?", (case_id,))

    async def abandoned(self) -> list[ApiCase]:
        """Requests a stop cut off while they waited or ran: their clients are gone, so they are forgotten
        at the next start rather than run again."""
        rows = await self._db.all(
            "SELECT * FROM api_cases WHERE status IN (?,?)", (CaseStatus.QUEUED, CaseStatus.RUNNING)
        )
        return [api_case_from_row(r) for r in rows]
