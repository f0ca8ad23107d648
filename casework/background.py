"""The shape of every service that keeps one coroutine running beside the bot (the outbox, housekeeping,
the health heartbeat): started once, cancelled and awaited on stop."""

from __future__ import annotations

import asyncio
import contextlib


class BackgroundService:
    """Runs `_run` as a task named `task_name` from start() until stop()."""

    task_name = "background"
    _task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        raise NotImplementedError

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.task_name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()
