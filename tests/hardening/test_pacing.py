"""Edit pacing per chat after 429s: capped, decaying, forgettable, bounded; with_retries gives up cleanly."""

from __future__ import annotations

import asyncio

import pytest
from telegram.error import RetryAfter, TimedOut

import bot.telegram_calls
from bot.telegram_calls import MAX_INTERVAL_S, Pacer, with_retries


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """asyncio.sleep as telegram_calls sees it: recorded, not waited."""
    delays: list[float] = []

    async def sleep(delay: float) -> None:
        delays.append(delay)

    monkeypatch.setattr(bot.telegram_calls.asyncio, "sleep", sleep)
    return delays


def test_interval_doubles_per_429_up_to_the_cap() -> None:
    pacer = Pacer(1.0, clock=Clock())
    seen = []
    for _ in range(12):
        pacer.slow_down(5)
        seen.append(pacer.interval(5))
    assert seen[:3] == [2.0, 4.0, 8.0]
    assert max(seen) == MAX_INTERVAL_S == 8.0
    assert pacer.interval(6) == 1.0  # other chats are untouched


async def test_wait_turn_never_waits_longer_than_the_cap(slept: list[float]) -> None:
    clock = Clock()
    pacer = Pacer(1.0, clock=clock)
    for _ in range(20):
        pacer.slow_down(5)
    pacer.edited(5, 77)
    await pacer.wait_turn(5, 77)
    assert slept == [8.0]


def test_interval_halves_after_each_quiet_period_back_to_the_base() -> None:
    clock = Clock()
    pacer = Pacer(1.0, clock=clock, calm_after_s=30.0)
    for _ in range(3):
        pacer.slow_down(5)
    assert pacer.interval(5) == 8.0
    clock.now += 29.0
    assert pacer.interval(5) == 8.0
    clock.now += 1.0
    assert pacer.interval(5) == 4.0
    clock.now += 30.0
    assert pacer.interval(5) == 2.0
    pacer.slow_down(5)  # a new 429 doubles from where the decay got to
    assert pacer.interval(5) == 4.0
    clock.now += 10_000.0
    assert pacer.interval(5) == 1.0


async def test_forget_drops_a_message_or_a_whole_chat(slept: list[float]) -> None:
    pacer = Pacer(1.0, clock=Clock())
    pacer.slow_down(1)
    for message_id in (10, 11):
        pacer.edited(1, message_id)
    pacer.edited(2, 20)
    pacer.forget(1, 10)
    await pacer.wait_turn(1, 10)
    assert slept == []  # no pacing left for the finished message
    await pacer.wait_turn(1, 11)
    assert slept == [2.0]  # its neighbour still paced, at the slowed interval
    pacer.forget(1)
    assert pacer.interval(1) == 1.0 and len(pacer) == 1  # only chat 2's message is left
    await pacer.wait_turn(2, 20)
    assert slept[-1] == 1.0


def test_memory_stays_bounded_without_forget() -> None:
    clock = Clock()
    pacer = Pacer(1.0, clock=clock, prune_above=50)
    sizes = []
    for n in range(5_000):
        clock.now += 0.5
        pacer.edited(n % 997, n)  # a new message each time, as streams in many chats would
        if n % 10 == 0:
            pacer.slow_down(n % 997)
        sizes.append(len(pacer))
    # Live entries: edits younger than the 8 s cap (16 here) and chats still slowed (a few); the table
    # is swept when it reaches twice that or 50, whichever is more. Without sweeping it would hold 5,500.
    assert max(sizes) <= 100


async def test_with_retries_raises_the_last_retry_after(slept: list[float]) -> None:
    pacer = Pacer(1.0, clock=Clock())
    calls = 0

    async def flooded() -> None:
        nonlocal calls
        calls += 1
        raise RetryAfter(3)

    with pytest.raises(RetryAfter) as err:
        await with_retries(flooded, chat_id=9, pacer=pacer, attempts=3)
    assert calls == 3
    assert bot.telegram_calls.retry_after_seconds(err.value) == 3.0
    assert slept == [3.0, 3.0]  # no pointless wait after the last attempt
    assert pacer.interval(9) == 8.0  # 1 → 2 → 4 → 8


async def test_with_retries_raises_the_last_timeout(slept: list[float]) -> None:
    async def slow() -> None:
        raise TimedOut()

    with pytest.raises(TimedOut):
        await with_retries(slow, chat_id=9, attempts=2, backoff_s=0.25)
    assert slept == [0.25]


async def test_with_retries_returns_after_a_429() -> None:
    answers = iter([RetryAfter(0), "sent"])

    async def call() -> str:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert await asyncio.wait_for(with_retries(call, chat_id=1), 5) == "sent"
