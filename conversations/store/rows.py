"""What every table's queries share: the database they run on, records built from rows column by column,
and the two answers most lookups and updates give (the one matching record, or whether one row changed)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import fields
from datetime import datetime
from typing import Any, TypeVar

from conversations.store.database import Database

Record = TypeVar("Record")


def when(value: str | None) -> datetime | None:
    """A stored time that may be missing."""
    return datetime.fromisoformat(value) if value else None


def json_or_none(value: str | None) -> Any:
    return json.loads(value) if value else None


def from_row(kind: type[Record], row: sqlite3.Row, **converted: Any) -> Record:
    """A record whose fields are the row's columns of the same name, but for the `converted` ones (typed
    values, JSON, times), which the caller gives."""
    plain = {f.name: row[f.name] for f in fields(kind) if f.name not in converted}  # type: ignore[arg-type]
    return kind(**plain, **converted)


class Queries:
    """Base of each table's queries, over the one database the store shares."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def _one_of(
        self, convert: Callable[[sqlite3.Row], Record], sql: str, params: tuple[Any, ...]
    ) -> Record | None:
        row = await self._db.one(sql, params)
        return convert(row) if row else None

    async def _changed_one(self, sql: str, params: tuple[Any, ...]) -> bool:
        return await self._db.execute(sql, params) == 1
