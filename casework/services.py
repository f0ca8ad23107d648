"""What both channels need to serve a case, built once by the composition root and handed down: the case
settings, the store and files, the translator, flood control, per-user ordering, the model queue, the PDF
renderer and the metrics. The Telegram adapter's `bot.services.Services` extends it with what only chats
need."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from casework.config import CaseConfig
from casework.flood import FloodGate
from casework.metrics import Metrics
from casework.translator import Translator
from conversations.files import FileStore
from conversations.store import Store

if TYPE_CHECKING:
    from casework.pdf.renderers import RenderPdf
    from inference.model_queue import ModelQueue

log = logging.getLogger(__name__)


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
class CaseServices:
    case_config: CaseConfig
    store: Store
    files: FileStore
    t: Translator
    flood: FloodGate = field(default_factory=FloodGate)
    locks: UserLocks = field(default_factory=UserLocks)
    # The one model queue, set by the pipeline that owns it (None without models). The web API submits
    # its own jobs to it, so the models keep one owner whoever asks.
    queue: ModelQueue | None = None
    # Renders a report PDF, in worker processes or on a thread (the composition root decides; a thread
    # when nobody did).
    render_pdf: RenderPdf = None  # type: ignore[assignment]
    metrics: Metrics = field(default_factory=Metrics)
    # Called once when the service cannot go on (a model failed to load); the composition root stops it.
    on_fatal: Callable[[str], None] = field(default=lambda message: log.critical("%s", message))

    def __post_init__(self) -> None:
        if self.render_pdf is None:
            from casework.pdf.renderers import ThreadRenderer

            self.render_pdf = ThreadRenderer(self.t, self.case_config.emergency_number).render
