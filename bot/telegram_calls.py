"""Bot API calls that survive flood control and passing server trouble, paced per chat."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from datetime import timedelta
from typing import Any, Protocol, TypeVar

from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.request import HTTPXRequest

log = logging.getLogger(__name__)
T = TypeVar("T")

# Why the Bot API call now being made repeats an earlier one (flood | network); None on a first attempt.
# Set by with_retries around its call and read by ObservedRequest in the same task, so each bot's own
# request object counts its own retries.
_retrying: ContextVar[str | None] = ContextVar("skinbot_retrying", default=None)


class CallObserver(Protocol):
    """What `casework.metrics.Metrics` hears about Bot API calls."""

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


# A chat's edit interval doubles on each 429 up to this; a slower chat would look frozen.
MAX_INTERVAL_S = 8.0
# Each stretch this long without a 429 halves a slowed chat's interval again, down to the base.
CALM_AFTER_S = 30.0
# The tables are swept for entries that can no longer delay anything once they hold this many.
PRUNE_ABOVE = 1_000


class Pacer:
    """Minimum time between edits of one message, per chat.

    A chat's interval doubles each time Telegram says 429 (capped at `max_interval_s`) and halves again
    after each `calm_after_s` without one, so one bad minute does not slow a chat for good. `forget`
    drops a finished stream's state; entries that can no longer delay an edit are also swept by age, so
    memory stays bounded even if nobody calls it. Not thread-safe: it lives on the bot's event loop.
    """

    def __init__(
        self,
        interval_s: float,
        clock: Callable[[], float] = time.monotonic,
        *,
        max_interval_s: float = MAX_INTERVAL_S,
        calm_after_s: float = CALM_AFTER_S,
        prune_above: int = PRUNE_ABOVE,
    ) -> None:
        if interval_s <= 0 or calm_after_s <= 0:
            raise ValueError("interval_s and calm_after_s must be positive")
        self.base = interval_s
        self.max_interval = max(max_interval_s, interval_s)
        self.calm_after = calm_after_s
        self._slowed: dict[int, tuple[float, float]] = {}  # chat -> (interval set by the last 429, when)
        self._last: dict[tuple[int, int], float] = {}  # (chat, message) -> time of its last edit
        self._clock = clock
        self._prune_above = self._prune_at = prune_above

    def __len__(self) -> int:
        """Entries held, for tests and for watching memory."""
        return len(self._slowed) + len(self._last)

    def interval(self, chat_id: int) -> float:
        slowed = self._slowed.get(chat_id)
        if slowed is None:
            return self.base
        value, at = slowed
        halvings = int(max(0.0, self._clock() - at) // self.calm_after)
        return max(self.base, value / 2 ** min(halvings, 64))

    def slow_down(self, chat_id: int) -> None:
        self._slowed[chat_id] = (min(self.max_interval, self.interval(chat_id) * 2), self._clock())
        self._maybe_prune()

    async def wait_turn(self, chat_id: int, message_id: int) -> None:
        last = self._last.get((chat_id, message_id))
        if last is not None:
            delay = last + self.interval(chat_id) - self._clock()
            if delay > 0:
                await asyncio.sleep(delay)

    def edited(self, chat_id: int, message_id: int) -> None:
        self._last[(chat_id, message_id)] = self._clock()
        self._maybe_prune()

    def forget(self, chat_id: int, message_id: int | None = None) -> None:
        """Drop one message's pacing (a stream ended), or everything about the chat."""
        if message_id is not None:
            self._last.pop((chat_id, message_id), None)
            return
        self._slowed.pop(chat_id, None)
        for key in [k for k in self._last if k[0] == chat_id]:
            del self._last[key]

    def _maybe_prune(self) -> None:
        if len(self) < self._prune_at:
            return
        now = self._clock()
        # An edit older than the longest possible interval can never delay the next one.
        self._last = {k: t for k, t in self._last.items() if now - t < self.max_interval}
        self._slowed = {c: v for c, v in self._slowed.items() if self.interval(c) > self.base}
        # With many chats genuinely active, sweep again only once the tables have doubled.
        self._prune_at = max(self._prune_above, 2 * len(self))


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
    """Run a Bot API call; on 429 wait exactly retry_after (and slow the chat), on 5xx/timeouts back off.

    When the attempts run out, the last error is raised as it came: RetryAfter, TimedOut or NetworkError.
    A retry is marked (`_retrying`) so the metrics can count it by reason.
    """
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    reason: str | None = None
    attempt = 0
    while True:
        attempt += 1
        marker = _retrying.set(reason)
        try:
            return await call()
        except RetryAfter as exc:
            if pacer is not None:
                pacer.slow_down(chat_id)
            if attempt >= attempts:
                log.warning("flood control: giving up after %d attempts", attempts)
                raise
            reason = "flood"
            wait = retry_after_seconds(exc)
            log.warning("flood control: waiting %.1f s", wait)
            await asyncio.sleep(wait)
        except (TimedOut, NetworkError) as exc:
            if isinstance(exc, BadRequest) or attempt >= attempts:
                raise
            reason = "network"
            log.warning("Bot API call failed (%s), retry %d", type(exc).__name__, attempt)
            await asyncio.sleep(backoff_s * 2 ** (attempt - 1))
        finally:
            _retrying.reset(marker)


async def drop_buttons(bot: Any, chat_id: int, message_id: int) -> None:
    """A message's buttons go once what they acted on has ended. Best effort: a message already without
    them, or too old to edit, is harmless, and a press that comes anyway is told it is too late."""
    try:
        await bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id, reply_markup=None)
    except TelegramError as exc:
        log.debug("buttons not dropped: %s", type(exc).__name__)
