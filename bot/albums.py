"""Albums: Telegram sends each photo of a media group as its own update. They are collected per user and
group until no new one has come for a short while, then answered once, as one answer of several photos."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

WINDOW_S = 1.0

Flush = Callable[[list[Any]], Awaitable[None]]


@dataclass
class _Album:
    messages: list[Any] = field(default_factory=list)
    last: float = 0.0


class Albums:
    def __init__(self, window_s: float = WINDOW_S) -> None:
        self.window_s = window_s
        self._open: dict[tuple[int, str], _Album] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def add(self, user_id: int, group: str, message: Any, flush: Flush) -> None:
        """Collect `message`; the first of a group schedules `flush(messages)` once the group is quiet."""
        loop = asyncio.get_running_loop()
        key = (user_id, group)
        album = self._open.get(key)
        if album is None:
            album = self._open[key] = _Album()
            task = loop.create_task(self._flush_when_quiet(key, flush), name=f"album-{user_id}")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        album.messages.append(message)
        album.last = loop.time()

    async def _flush_when_quiet(self, key: tuple[int, str], flush: Flush) -> None:
        loop = asyncio.get_running_loop()
        album = self._open[key]
        while (wait := album.last + self.window_s - loop.time()) > 0:
            await asyncio.sleep(wait)
        del self._open[key]
        await flush(album.messages)

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
