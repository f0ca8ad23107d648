"""Everything the bot keeps, in one SQLite file (WAL): one repository per aggregate over one connection.

`store.users`, `store.intakes`, `store.cases`, `store.reviews`, `store.clinics`, `store.reminders` and
`store.jobs` (a case as the model queue sees it), plus `store.erasure` for /delete and the retention purge,
which cross them all. The web side adds `store.api_keys` and `store.api_cases` (the API), `store.staff`,
`store.desk` and `store.audit` (the clinics' review desk); `store.stream_messages` holds the chat messages
of a report being streamed; `store.questions` the questions asked about finished cases.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from conversations.store.api import ApiCases, ApiKeys
from conversations.store.audit import Audit
from conversations.store.cases import Cases
from conversations.store.clinics import Clinics
from conversations.store.database import Database, StoreError, utcnow
from conversations.store.desk import DeskQueries
from conversations.store.erasure import Erasure
from conversations.store.intakes import Intakes
from conversations.store.jobs import Jobs
from conversations.store.questions import Questions
from conversations.store.reminders import Reminders
from conversations.store.reviews import Reviews
from conversations.store.staff import StaffMembers
from conversations.store.stream_messages import StreamMessages
from conversations.store.users import Users

__all__ = ["Store", "StoreError", "utcnow"]


class Store:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.users = Users(db)
        self.intakes = Intakes(db)
        self.cases = Cases(db)
        self.reviews = Reviews(db)
        self.jobs = Jobs(db)
        self.erasure = Erasure(db)
        self.clinics = Clinics(db)
        self.reminders = Reminders(db)
        self.api_keys = ApiKeys(db)
        self.api_cases = ApiCases(db)
        self.staff = StaffMembers(db)
        self.desk = DeskQueries(db)
        self.audit = Audit(db)
        self.stream_messages = StreamMessages(db)
        self.questions = Questions(db)

    @classmethod
    async def open(cls, path: Path, clock: Callable[[], datetime] = utcnow) -> Store:
        return cls(await Database.open(path, clock))

    @property
    def clock(self) -> Callable[[], datetime]:
        return self.db.clock

    async def schema_version(self) -> int:
        return await self.db.schema_version()

    async def close(self) -> None:
        await self.db.close()
