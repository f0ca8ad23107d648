"""Flood control: the token bucket on its own, and a flooder next to a normal user through the real bot."""

from __future__ import annotations

import asyncio
from collections import defaultdict

import pytest

from casework.flood import BURST, FloodGate, Verdict
from tests.bot.helpers import agree, answer_until_summary
from tests.conftest import Harness
from tests.polling import until


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_drops_with_one_notice_per_window() -> None:
    clock = Clock()
    gate = FloodGate(burst=5, refill_per_s=1.0, notice_window_s=10.0, clock=clock)
    verdicts = [gate.check(7) for _ in range(12)]
    assert verdicts[:5] == [Verdict.ALLOW] * 5
    assert verdicts[5] == Verdict.DROP_NOTIFY
    assert verdicts[6:] == [Verdict.DROP] * 6
    assert gate.dropped == 7
    # Tokens come back with time, one per second here.
    clock.now += 2.0
    assert [gate.check(7) for _ in range(3)] == [Verdict.ALLOW, Verdict.ALLOW, Verdict.DROP]
    # A new window allows one more notice.
    clock.now += 10.0
    later = [gate.check(7) for _ in range(7)]
    assert later == [Verdict.ALLOW] * 5 + [Verdict.DROP_NOTIFY, Verdict.DROP]


def test_users_have_separate_buckets() -> None:
    gate = FloodGate(burst=3, refill_per_s=0.1, clock=Clock())
    for _ in range(10):
        gate.check(1)
    assert [gate.check(2) for _ in range(3)] == [Verdict.ALLOW] * 3


def test_exhausted_looks_without_taking_a_token() -> None:
    clock = Clock()
    gate = FloodGate(burst=2, refill_per_s=0.5, clock=clock)
    assert not gate.exhausted(7)  # an unknown user has a full bucket
    assert [gate.check(7).allowed for _ in range(2)] == [True, True]
    assert gate.exhausted(7) and gate.exhausted(7)
    clock.now += 2.0  # one token back
    assert not gate.exhausted(7) and not gate.exhausted(7)
    assert gate.check(7).allowed and gate.exhausted(7)


def test_clock_stepping_back_mints_no_tokens() -> None:
    clock = Clock()
    gate = FloodGate(burst=2, refill_per_s=1.0, clock=clock)
    gate.check(1), gate.check(1)
    clock.now -= 100.0
    assert gate.check(1) is not Verdict.ALLOW


def test_idle_users_are_pruned() -> None:
    clock = Clock()
    gate = FloodGate(burst=2, refill_per_s=1.0, notice_window_s=1.0, clock=clock, prune_above=10)
    for user in range(10):
        gate.check(user)
    assert len(gate) == 10
    clock.now += 5.0  # everyone's bucket is full again
    gate.check(99)
    assert len(gate) == 1


@pytest.mark.parametrize("kwargs", [{"burst": 0}, {"refill_per_s": 0.0}, {"notice_window_s": -1.0}])
def test_bad_limits_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        FloodGate(**kwargs)  # type: ignore[arg-type]


class CountingGate(FloodGate):
    """The production gate, recording each verdict so the test knows when every update was seen."""

    def __init__(self) -> None:
        super().__init__()
        self.verdicts: defaultdict[int, list[Verdict]] = defaultdict(list)

    def check(self, user_id: int) -> Verdict:
        verdict = super().check(user_id)
        self.verdicts[user_id].append(verdict)
        return verdict


FLOOD = 100


async def test_flooder_is_slowed_and_others_are_not(harness: Harness, photo_bytes: bytes) -> None:
    gate = CountingGate()
    harness.flood_gate = gate
    await harness.start()
    flooder, other = harness.api.user(501, "en"), harness.api.user(502, "ko")
    await agree(harness, flooder, "en")
    await flooder.send("/cancel")  # no intake open: every text the bot handles gets exactly one "idle"
    await harness.wait_key(flooder, "en", "intake-cancelled")
    before = len(flooder.inbox())

    async def flood() -> None:
        for i in range(FLOOD):
            await flooder.send(f"spam {i}")

    async def normal_user() -> None:
        await agree(harness, other, "ko")
        await answer_until_summary(harness, other, "ko", photo_bytes, name="Kim Minji", report_language="ko")

    await asyncio.gather(flood(), normal_user())
    await until(lambda: len(gate.verdicts[flooder.id]) >= 3 + FLOOD)
    assert len(gate.verdicts[flooder.id]) == 3 + FLOOD  # each update checked once
    seen = gate.verdicts[flooder.id][3:]
    allowed = seen.count(Verdict.ALLOW)
    idle, notice = harness.t("en", "idle"), harness.t("en", "flood-slow-down")
    # Every allowed message is answered (nothing is lost on the way), and only those.
    await until(lambda: sum(m.text == idle for m in flooder.inbox()[before:]) == allowed)
    replies = flooder.inbox()[before:]
    assert allowed <= BURST + 2 and len(replies) < FLOOD // 2
    notices = sum(m.text == notice for m in replies)
    assert notices >= 1 and notices == seen.count(Verdict.DROP_NOTIFY)
    assert len(replies) == allowed + notices
    # The other user was never limited and got every reply (answer_until_summary waited for each one).
    assert set(gate.verdicts[other.id]) == {Verdict.ALLOW}
    assert not any(m.text == harness.t("ko", "flood-slow-down") for m in other.inbox())
    texts = [m.text for m in other.inbox()]
    assert texts.count(harness.t("ko", "ask-gender")) == 1 and texts.count(harness.t("ko", "ask-age")) == 1
