"""The store as the admin commands (`skinbot clinic`, `api-key`, `clinic staff`) open it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from conversations.store import Store
from skinbot.settings import Settings

T = TypeVar("T")


def with_store(settings: Settings, work: Callable[[Store], Awaitable[T]]) -> T:
    """Open the store with SKINBOT_REVIEW_CHAT_ID seeded into its clinics, as the bot does, run `work`, and
    close it."""

    async def run() -> T:
        store = await Store.open(settings.db_path)
        try:
            await store.clinics.seed((c.chat_id, c.name, c.language) for c in settings.review_chats)
            return await work(store)
        finally:
            await store.close()

    return asyncio.run(run())
