"""Waiting for state that is not the fake Bot API's: `Harness.wait_until` wakes only when the fake server
records a call, so a change elsewhere (the store, a counter, a process) is polled for instead."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


async def until(
    predicate: Callable[[], bool], timeout: float = 30.0, what: str = "the condition", every: float = 0.05
) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(every)
