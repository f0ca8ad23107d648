"""The fake Bot API with a per-chat index, so hundreds of simulated users each wait on their own chat."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from testkit.fake_bot_api import Call, FakeBotApi
from testkit.sent_messages import SentMessage


class LoadBotApi(FakeBotApi):
    """The fake Bot API with a per-chat index and per-chat wake-ups.

    The base class wakes every waiter on every call, and each waiter scans all messages: fine for a
    test with two users, quadratic with hundreds. Here a user waits only on their own chat.
    """

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.inboxes: defaultdict[int, list[SentMessage]] = defaultdict(list)
        self._waiters: dict[int, list[asyncio.Event]] = {}

    def _new_message(self, chat_id: int, **fields: Any) -> SentMessage:
        message = super()._new_message(chat_id, **fields)
        self.inboxes[chat_id].append(message)
        return message

    async def _record(self, call: Call) -> None:
        await super()._record(call)
        chat_id = call.params.get("chat_id")
        if isinstance(chat_id, int):
            for event in self._waiters.pop(chat_id, []):
                event.set()

    def visible(self, chat_id: int) -> list[SentMessage]:
        return [m for m in self.inboxes.get(chat_id, []) if not m.deleted]

    async def wait_chat(
        self, chat_id: int, predicate: Callable[[list[SentMessage]], Any], timeout: float
    ) -> Any:
        """The first non-None value of predicate(visible messages), re-checked whenever the chat changes."""
        deadline = time.monotonic() + timeout
        while True:
            found = predicate(self.visible(chat_id))
            if found is not None:
                return found
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"chat {chat_id}: waited {timeout:.0f} s")
            event = asyncio.Event()
            self._waiters.setdefault(chat_id, []).append(event)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)
