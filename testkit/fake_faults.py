"""The faults the fake Bot API injects: a method failing with a given status (after a stall, or after doing
what was asked), an outage of every call, and a share of calls failing at random as a flaky Telegram would."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class Fault:
    method: str
    status: int
    description: str
    retry_after: int | None = None
    remaining: int = 1
    delay: float = 0.0  # seconds to stall before answering, to simulate a timeout
    match: Callable[[dict[str, Any]], bool] | None = None  # only calls whose parameters match
    # Apply the call first, then stall and fail: Telegram did it, but the answer never reached the bot.
    applied: bool = False


class FaultInjection:
    """The fake server's faults (a part of FakeBotApi)."""

    def __init__(self) -> None:
        super().__init__()
        self.faults: list[Fault] = []
        self.down_until = 0.0  # time.monotonic() until which every call fails, as in an outage
        # Share of Bot API calls (getUpdates aside) answered 502 at random, as a flaky Telegram would.
        self.fail_rate = 0.0
        self._chance = random.Random(0)

    def inject(
        self, method: str, status: int = 500, description: str = "Internal Server Error", **kw: Any
    ) -> None:
        self.faults.append(Fault(method, status, description, **kw))

    def outage(self, seconds: float) -> None:
        """Every call, getUpdates included, fails with 502 for the next `seconds`: Telegram is away."""
        self.down_until = time.monotonic() + seconds

    def _bad_gateway(self, method: str) -> bool:
        """Whether this call gets 502: during an outage, or by chance at `fail_rate`."""
        if time.monotonic() < self.down_until:
            return True
        return method != "getUpdates" and bool(self.fail_rate) and self._chance.random() < self.fail_rate

    def _take_fault(self, method: str, params: dict[str, Any]) -> Fault | None:
        """The first injected fault that still applies to this call, used up by one."""
        fault = next(
            (
                f
                for f in self.faults
                if f.method == method and f.remaining > 0 and (f.match is None or f.match(params))
            ),
            None,
        )
        if fault is not None:
            fault.remaining -= 1
        return fault
