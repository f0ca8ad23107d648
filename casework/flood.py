"""Per-user flood control: a token bucket per Telegram user, checked before any work is done.

Pure and clock-injectable so it can be tested without sleeping. The bot drops an update that finds
the user's bucket empty; the user hears about it at most once per notice window, so a flood never
turns into a flood of replies.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

# A health worker entering several patients back to back sends a case's dozen updates in well under a
# minute; a burst of 40 leaves room for that, and one token a second keeps a flooder (100 messages in
# 10 s) to about half of what they send while leaving everyone else untouched.
BURST = 40
REFILL_PER_S = 1.0
NOTICE_WINDOW_S = 10.0
# Buckets that have refilled completely hold no information; they are pruned once there are this many.
PRUNE_ABOVE = 10_000


class Verdict(Enum):
    ALLOW = "allow"
    DROP = "drop"  # over the limit, the user was already told in this window
    DROP_NOTIFY = "drop-notify"  # over the limit, tell the user to slow down (once per window)

    @property
    def allowed(self) -> bool:
        return self is Verdict.ALLOW


@dataclass
class _Bucket:
    tokens: float
    at: float
    noticed_at: float | None = None


class FloodGate:
    """Token buckets keyed by user id. Not thread-safe: it lives on the bot's event loop."""

    def __init__(
        self,
        burst: int = BURST,
        refill_per_s: float = REFILL_PER_S,
        notice_window_s: float = NOTICE_WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
        prune_above: int = PRUNE_ABOVE,
    ) -> None:
        if burst < 1 or refill_per_s <= 0 or notice_window_s < 0:
            raise ValueError("burst must be >= 1, refill_per_s > 0 and notice_window_s >= 0")
        self.burst, self.refill_per_s, self.notice_window_s = float(burst), refill_per_s, notice_window_s
        self._clock = clock
        self._prune_above = self._prune_at = prune_above
        self._buckets: dict[int, _Bucket] = {}
        self.dropped = 0  # for logs and benchmarks

    def __len__(self) -> int:
        return len(self._buckets)

    def check(self, user_id: int) -> Verdict:
        """Take one token for this update, or say why not."""
        now = self._clock()
        bucket = self._buckets.get(user_id)
        if bucket is None:
            if len(self._buckets) >= self._prune_at:
                self._prune(now)
            bucket = self._buckets[user_id] = _Bucket(self.burst, now)
        else:
            self._refill(bucket, now)
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return Verdict.ALLOW
        self.dropped += 1
        if bucket.noticed_at is None or now - bucket.noticed_at >= self.notice_window_s:
            bucket.noticed_at = now
            return Verdict.DROP_NOTIFY
        return Verdict.DROP

    def exhausted(self, user_id: int) -> bool:
        """Whether the next check would refuse, without taking a token: for a gate that spends tokens
        only on failures but must refuse before it knows whether this attempt fails."""
        bucket = self._buckets.get(user_id)
        if bucket is None:
            return False
        self._refill(bucket, self._clock())
        return bucket.tokens < 1.0

    def _refill(self, bucket: _Bucket, now: float) -> None:
        elapsed = max(0.0, now - bucket.at)  # a clock that steps back must not mint tokens
        bucket.tokens = min(self.burst, bucket.tokens + elapsed * self.refill_per_s)
        bucket.at = now

    def _prune(self, now: float) -> None:
        """Forget users whose bucket is full again: they would start from a full bucket anyway."""
        for user_id, bucket in list(self._buckets.items()):
            self._refill(bucket, now)
            quiet = bucket.noticed_at is None or now - bucket.noticed_at >= self.notice_window_s
            if bucket.tokens >= self.burst and quiet:
                del self._buckets[user_id]
        # With many users genuinely active, scan again only after the table has doubled.
        self._prune_at = max(self._prune_above, 2 * len(self._buckets))
