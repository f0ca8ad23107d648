"""Bot API calls that survive flood control and passing server trouble, paced per chat."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from datetime import timedelta
from typing import Any, Protocol, TypeVar

from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest

log = logging.getLogger(__name__)
T = TypeVar("T")

# Why the Bot API call now being made repeats an earlier one (flood | network); None on a first attempt.
# Set by with_retries around its call and read by ObservedRequest in the same task, so each bot's own
# request object counts its own retries.
_retrying: ContextVar[str | None] = ContextVar("skinbot_retrying", default=None)


class CallObserver(Protocol):
    """What `bot.metrics.Metrics` hears about Bot API calls."""

    def flood_wait(self) -> None: ...
    def retry(self, reason: str) -> None: ...


class ObservedRequest(HTTPXRequest):
    """python-telegram-bot's HTTP client, counting 429 answers and the retries with_retries makes."""

    def __init__(self, observer: CallObserver, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._observer = observer

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        reason = _retrying.get()
        if reason is not None:
            self._observer.retry(reason)
        status, payload = await super().do_request(*args, **kwargs)
        if status == 429:
            self._observer.flood_wait()
        return status, payload


class Pacer:
    """Minimum time between edits of one message; a chat's interval doubles each time Telegram says 429."""

    def __init__(self, interval_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.base = interval_s
        self._interval: dict[int, float] = {}
        self._last: dict[tuple[int, int], float] = {}
        self._clock = clock

    def interval(self, chat_id: int) -> float:
        return self._interval.get(chat_id, self.base)

    def slow_down(self, chat_id: int) -> None:
        self._interval[chat_id] = self.interval(chat_id) * 2

    async def wait_turn(self, chat_id: int, message_id: int) -> None:
        last = self._last.get((chat_id, message_id))
        if last is not None:
            delay = last + self.interval(chat_id) - self._clock()
            if delay > 0:
                await asyncio.sleep(delay)

    def edited(self, chat_id: int, message_id: int) -> None:
        self._last[(chat_id, message_id)] = self._clock()

    def forget(self, chat_id: int) -> None:
        """The chat's stream ended: its per-message times are no longer needed."""
        for key in [key for key in self._last if key[0] == chat_id]:
            del self._last[key]


def retry_after_seconds(exc: RetryAfter) -> float:
    value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def not_modified(exc: BadRequest) -> bool:
    return "not modified" in str(exc).lower()


async def with_retries(
    call: Callable[[], Awaitable[T]],
    *,
    chat_id: int,
    pacer: Pacer | None = None,
    attempts: int = 5,
    backoff_s: float = 0.5,
) -> T:
    """Run a Bot API call; on 429 wait exactly retry_after (and slow the chat), on 5xx/timeouts back off."""
    reason: str | None = None
    for attempt in range(1, attempts + 1):
        marker = _retrying.set(reason)
        try:
            return await call()
        except RetryAfter as exc:
            reason = "flood"
            wait = retry_after_seconds(exc)
            log.warning("flood control: waiting %.1f s", wait)
            if pacer is not None:
                pacer.slow_down(chat_id)
            await asyncio.sleep(wait)
        except (TimedOut, NetworkError) as exc:
            if isinstance(exc, BadRequest) or attempt == attempts:
                raise
            reason = "network"
            log.warning("Bot API call failed (%s), retry %d", type(exc).__name__, attempt)
            await asyncio.sleep(backoff_s * 2 ** (attempt - 1))
        finally:
            _retrying.reset(marker)
    raise RuntimeError("unreachable")
