"""Telegram's global (30/s) and per-group (20/min) limits, and 429 holds: on a fake clock, then through a
real python-telegram-bot Application talking to the fake Bot API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram.error import RetryAfter
from telegram.ext import Application, ApplicationBuilder

from bot.rate_limits import FloodLimiter, rate_limiter
from bot.telegram_calls import with_retries
from testkit.fake_bot_api import FakeBotApi
from tests.conftest import TOKEN
from tests.hardening.process import fake_api

GROUP = -1001234


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        self.now += max(0.0, delay)
        await asyncio.sleep(0)


def most_in_any_window(times: list[float], period: float) -> int:
    times = sorted(times)
    return max(sum(1 for u in times if t <= u < t + period) for t in times)


async def send_all(limiter: FloodLimiter, clock: Clock, chats: list[int], endpoint: str = "sendMessage"):
    sent: list[tuple[int, float]] = []

    async def call(chat: int) -> bool:
        sent.append((chat, clock()))
        return True

    await asyncio.gather(
        *(limiter.process_request(call, (chat,), {}, endpoint, {"chat_id": chat}, None) for chat in chats)
    )
    return sent


async def test_25_messages_to_one_group_keep_to_20_a_minute() -> None:
    clock = Clock()
    limiter = FloodLimiter(clock=clock, sleep=clock.sleep)
    start = clock()
    sent = await send_all(limiter, clock, [GROUP] * 25)
    times = [t for _, t in sent]
    assert len(times) == 25
    assert most_in_any_window(times, 60.0) == 20
    assert sorted(times)[20] >= start + 60.0  # the 21st waits for the first to leave the window
    assert max(times) < start + 120.0  # and no longer than that


async def test_private_chats_keep_to_30_a_second_overall() -> None:
    clock = Clock()
    limiter = FloodLimiter(clock=clock, sleep=clock.sleep)
    sent = await send_all(limiter, clock, list(range(1, 101)))
    assert most_in_any_window([t for _, t in sent], 1.0) == 30


async def test_group_messages_also_count_towards_the_overall_limit() -> None:
    clock = Clock()
    limiter = FloodLimiter(clock=clock, sleep=clock.sleep)
    chats = [-(1000 + n) for n in range(80)]  # 80 groups, one message each: only the global limit binds
    sent = await send_all(limiter, clock, chats)
    assert most_in_any_window([t for _, t in sent], 1.0) == 30


async def test_reads_are_not_counted() -> None:
    clock = Clock()
    limiter = FloodLimiter(clock=clock, sleep=clock.sleep)
    start = clock()
    sent = await send_all(limiter, clock, [GROUP] * 100, endpoint="getChat")
    assert {t for _, t in sent} == {start}


async def test_a_429_holds_that_chat_only() -> None:
    clock = Clock()
    limiter = FloodLimiter(clock=clock, sleep=clock.sleep)
    sent: list[tuple[int, float]] = []

    async def flooded(chat: int) -> bool:
        raise RetryAfter(2)

    async def ok(chat: int) -> bool:
        sent.append((chat, clock()))
        return True

    start = clock()
    with pytest.raises(RetryAfter):
        await limiter.process_request(flooded, (5,), {}, "sendMessage", {"chat_id": 5}, None)
    await limiter.process_request(ok, (6,), {}, "sendMessage", {"chat_id": 6}, None)
    await limiter.process_request(ok, (5,), {}, "editMessageText", {"chat_id": "5"}, None)
    assert sent == [(6, start), (5, start + 2.0)]


async def test_idle_groups_and_old_holds_are_forgotten() -> None:
    clock = Clock()
    limiter = FloodLimiter(clock=clock, sleep=clock.sleep, prune_above=20)
    for n in range(1_000):
        await send_all(limiter, clock, [-(5000 + n)])
        clock.now += 61.0
    assert limiter.tracked() <= 20
    assert limiter.held_for(-5000) == 0.0


def test_the_bot_gets_telegrams_published_limits() -> None:
    limiter = rate_limiter()
    assert (limiter._overall.limit, limiter._overall.period) == (30, 1.0)
    assert (limiter._group_limit, limiter._group_period) == (20, 60.0)


# --- through python-telegram-bot and the fake Bot API ------------------------------------------


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with fake_api() as server:
        yield server


async def application(api: FakeBotApi, limiter: FloodLimiter) -> Application:
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(api.api_url)
        .base_file_url(api.file_url)
        .rate_limiter(limiter)
        .build()
    )
    await app.initialize()
    return app


def arrivals(api: FakeBotApi, chat_id: int) -> list[Any]:
    return [c for c in api.calls_of("sendMessage") if c.params["chat_id"] == chat_id]


async def test_a_real_application_keeps_to_the_group_window(api: FakeBotApi) -> None:
    # The per-minute window scaled down to 5 a second, so the test takes a second, not a minute.
    app = await application(api, FloodLimiter(group_limit=5, group_period_s=1.0))
    try:
        await asyncio.gather(*(app.bot.send_message(GROUP, f"case {n}") for n in range(8)))
    finally:
        await app.shutdown()
    times = [c.at for c in arrivals(api, GROUP)]
    assert len(times) == 8
    # Server arrival times carry loopback jitter of a few milliseconds; the window is a full second.
    assert most_in_any_window(times, 0.95) == 5
    assert sorted(times)[5] - sorted(times)[0] >= 0.95


async def held(limiter: FloodLimiter, chat_id: int) -> None:
    while limiter.held_for(chat_id) == 0.0:
        await asyncio.sleep(0.01)


async def test_a_real_application_honours_a_429_from_the_server(api: FakeBotApi) -> None:
    limiter = rate_limiter()
    app = await application(api, limiter)
    api.inject(
        "sendMessage",
        429,
        "Too Many Requests: retry after 2",
        retry_after=2,
        match=lambda p: p["chat_id"] == GROUP,
    )
    try:
        first = asyncio.create_task(with_retries(lambda: app.bot.send_message(GROUP, "first"), chat_id=GROUP))
        await asyncio.wait_for(held(limiter, GROUP), 10)  # the bot has seen the 429
        assert 1.0 < limiter.held_for(GROUP) <= 2.0
        # Another handler writes to the same group meanwhile, and someone else writes to a private chat.
        second = asyncio.create_task(app.bot.send_message(GROUP, "second"))
        await app.bot.send_message(77, "elsewhere")
        await asyncio.gather(first, second)
    finally:
        await app.shutdown()
    calls = arrivals(api, GROUP)
    flooded = calls[0]
    assert flooded.error is not None and flooded.error[0] == 429
    later = calls[1:]
    assert sorted(c.params["text"] for c in later) == ["first", "second"]
    assert all(c.error is None and c.at >= flooded.at + 1.95 for c in later)
    [elsewhere] = arrivals(api, 77)
    assert elsewhere.at < flooded.at + 1.0  # other chats are not held
