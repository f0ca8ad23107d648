"""How long a patient in line will wait, from how long reports have taken so far."""

from __future__ import annotations

import math
from typing import Any


class JobTimes:
    """An exponential moving average of measured job times (Started to Done), so the estimate follows the
    load as it changes; nothing is claimed before the first job has been measured."""

    def __init__(self, weight: float = 0.3) -> None:
        self.weight = weight
        self.average: float | None = None

    def add(self, seconds: float) -> None:
        if seconds < 0:
            return
        if self.average is None:
            self.average = seconds
        else:
            self.average += self.weight * (seconds - self.average)

    def wait_s(self, position: int, batch: int) -> float | None:
        """Seconds until the report of the `position`-th in line is written: the jobs run `batch` at a time,
        and a job takes as long as its batch."""
        if self.average is None:
            return None
        return math.ceil(max(position, 1) / max(batch, 1)) * self.average


def wait_text(t: Any, lang: str, seconds: float) -> str:
    """ "about 2 minutes", "less than a minute", in the user's language."""
    minutes = int(seconds / 60 + 0.5)
    if minutes < 1:
        return t(lang, "eta-under-minute")
    return t(lang, "eta-minutes", minutes=minutes)
