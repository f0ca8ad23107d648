"""Peak resident memory while a benchmark runs (ru_maxrss alone would include the model load)."""

from __future__ import annotations

import asyncio
import os


class RssSampler:
    """Samples this process's RSS on the running event loop; `peak` and `start` are bytes."""

    def __init__(self, interval: float = 0.1) -> None:
        self.interval, self.peak, self.start = interval, 0, _rss()
        self._task: asyncio.Task[None] | None = None

    async def _loop(self) -> None:
        while True:
            self.peak = max(self.peak, _rss())
            await asyncio.sleep(self.interval)

    def __enter__(self) -> RssSampler:
        self.peak = self.start
        self._task = asyncio.get_running_loop().create_task(self._loop())
        return self

    def __exit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()
        self.peak = max(self.peak, _rss())


def _rss() -> int:
    try:
        import psutil

        return int(psutil.Process().memory_info().rss)
    except ImportError:  # Linux only, but so are our machines
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
