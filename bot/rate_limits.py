"""Telegram's sending limits, applied to every Bot API call the Application makes.

Telegram allows a bot about 30 messages a second overall and 20 a minute in one group; going over earns
429s, and for a group a "send all unreviewed" burst goes over at once. `FloodLimiter` sits under
python-telegram-bot (`ApplicationBuilder().rate_limiter(rate_limiter())`) and holds each call until both
windows have room. The windows slide: no span of `period` seconds ever holds more than `limit` calls,
which is stricter than a token bucket that lets a full burst through after a quiet spell.

A 429 that gets through anyway (Telegram's limits are not published exactly) holds every later call to
that chat until its retry_after has passed; the error itself is raised to the caller, whose retry loop
(`bot.telegram_calls.with_retries`) waits and slows that chat's edits.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.telegram_calls import retry_after_seconds

MESSAGES_PER_SECOND = 30
GROUP_MESSAGES_PER_MINUTE = 20
# Group windows and 429 holds that have run out are dropped once there are this many.
PRUNE_ABOVE = 512

JSONish = bool | dict[str, Any] | list[dict[str, Any]]


class SlidingWindow:
    """At most `limit` events in any `period_s` seconds; `take` waits for room, in arrival order."""

    def __init__(
        self,
        limit: int,
        period_s: float,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]],
    ) -> None:
        if limit < 1 or period_s <= 0:
            raise ValueError("limit must be >= 1 and period_s > 0")
        self.limit, self.period = limit, period_s
        self._clock, self._sleep = clock, sleep
        self._times: deque[float] = deque()
        self._lock = asyncio.Lock()

    def _expire(self, now: float) -> None:
        while self._times and self._times[0] <= now - self.period:
            self._times.popleft()

    def idle(self) -> bool:
        """Nothing inside the window and nobody waiting: the window can be dropped."""
        self._expire(self._clock())
        return not self._times and not self._lock.locked()

    async def take(self) -> None:
        async with self._lock:
            while True:
                now = self._clock()
                self._expire(now)
                if len(self._times) < self.limit:
                    self._times.append(now)
                    return
                await self._sleep(self._times[0] + self.period - now)


class FloodLimiter(BaseRateLimiter[int]):
    """A global window for every chat-bound call, a window per group or channel, and 429 holds per chat."""

    def __init__(
        self,
        overall_limit: int = MESSAGES_PER_SECOND,
        overall_period_s: float = 1.0,
        group_limit: int = GROUP_MESSAGES_PER_MINUTE,
        group_period_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        prune_above: int = PRUNE_ABOVE,
    ) -> None:
        self._clock, self._sleep = clock, sleep
        self._overall = SlidingWindow(overall_limit, overall_period_s, clock, sleep)
        self._group_limit, self._group_period = group_limit, group_period_s
        self._groups: dict[int | str, SlidingWindow] = {}
        self._held_until: dict[int | str, float] = {}
        self._prune_above = self._prune_at = prune_above

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    def held_for(self, chat_id: int | str) -> float:
        """Seconds that calls to this chat are still held after a 429 (0 when they are not)."""
        key = _chat_key(chat_id)
        return max(0.0, self._held_until.get(key, 0.0) - self._clock()) if key is not None else 0.0

    def tracked(self) -> int:
        """Group windows and 429 holds held in memory (for tests)."""
        return len(self._groups) + len(self._held_until)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONish]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSONish:
        chat = _chat_key(data.get("chat_id"))
        if chat is not None:
            await self._wait_out_hold(chat)
            # Reads (getChat, getFile …) are not messages; Telegram's message limits do not count them.
            if not endpoint.startswith("get"):
                if _is_group(chat):
                    await self._group(chat).take()
                await self._overall.take()
        try:
            return await callback(*args, **kwargs)
        except RetryAfter as exc:
            if chat is not None:
                self._maybe_prune()
                until = self._clock() + retry_after_seconds(exc)
                self._held_until[chat] = max(until, self._held_until.get(chat, until))
            raise

    async def _wait_out_hold(self, chat: int | str) -> None:
        while (left := self._held_until.get(chat, 0.0) - self._clock()) > 0:
            await self._sleep(left)

    def _group(self, chat: int | str) -> SlidingWindow:
        window = self._groups.get(chat)
        if window is None:
            self._maybe_prune()
            window = SlidingWindow(self._group_limit, self._group_period, self._clock, self._sleep)
            self._groups[chat] = window
        return window

    def _maybe_prune(self) -> None:
        if self.tracked() < self._prune_at:
            return
        now = self._clock()
        self._groups = {chat: w for chat, w in self._groups.items() if not w.idle()}
        self._held_until = {chat: t for chat, t in self._held_until.items() if t > now}
        # With many groups genuinely busy, sweep again only once the tables have doubled.
        self._prune_at = max(self._prune_above, 2 * self.tracked())


def _chat_key(chat_id: object) -> int | str | None:
    if chat_id is None:
        return None
    try:
        return int(chat_id)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return str(chat_id)  # "@channelusername"


def _is_group(chat: int | str) -> bool:
    # Groups, supergroups and channels have negative ids; channels may also be addressed by @username.
    return isinstance(chat, str) or chat < 0


def rate_limiter() -> FloodLimiter:
    """The limiter the bot runs with: Telegram's published limits."""
    return FloodLimiter()
