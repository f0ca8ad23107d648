"""What handlers need, built once by the composition root and handed to every router."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from bot.flood import FloodGate
from bot.i18n import Translator
from bot.metrics import Metrics
from bot.settings import Settings
from conversations.domain import Case
from conversations.files import FileStore
from conversations.store import Store

if TYPE_CHECKING:
    from bot.housekeeping import Housekeeping

log = logging.getLogger(__name__)


class Pipeline(Protocol):
    """Where a confirmed case goes: `bot.delivery.Delivery` puts it on the model queue and delivers it."""

    async def submit(self, case: Case) -> None: ...

    async def cancel_user(self, user_id: int) -> bool: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class HoldQueued:
    """Keeps confirmed cases queued in the store; used when no model is configured."""

    async def submit(self, case: Case) -> None:
        return None

    async def cancel_user(self, user_id: int) -> bool:
        return False

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None


class UserLocks:
    """Updates run concurrently, but one user's updates run one at a time and in order."""

    def __init__(self) -> None:
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}  # holders and waiters per user

    @asynccontextmanager
    async def hold(self, user_id: int) -> AsyncIterator[None]:
        lock = self._locks.setdefault(user_id, asyncio.Lock())
        self._users[user_id] = self._users.get(user_id, 0) + 1
        try:
            async with lock:
                yield
        finally:
            # Forget the lock only when nobody holds or awaits it, or a newcomer would get a second lock.
            self._users[user_id] -= 1
            if self._users[user_id] == 0:
                del self._users[user_id], self._locks[user_id]


@dataclass
class Services:
    settings: Settings
    store: Store
    files: FileStore
    t: Translator
    flood: FloodGate = field(default_factory=FloodGate)
    pipeline: Pipeline = field(default_factory=HoldQueued)
    locks: UserLocks = field(default_factory=UserLocks)
    housekeeping: Housekeeping | None = None
    metrics: Metrics = field(default_factory=Metrics)
    # Called once when the bot cannot go on (a model failed to load); the composition root stops it.
    on_fatal: Callable[[str], None] = field(default=lambda message: log.critical("%s", message))
