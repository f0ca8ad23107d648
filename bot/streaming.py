"""A report streaming into the chat: messages edited in place, paced, split at 4096, formatted at the end.

The text only grows (the model side never takes text back), so once a message is full its piece is
frozen and never changes; the last message carries a cursor until the stream ends. At the end every
piece is edited once more with HTML formatting, falling back to plain text if Telegram refuses it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.chunking import MESSAGE_LIMIT, cut_point
from bot.report_markup import to_telegram_html
from bot.telegram_calls import Pacer, not_modified, with_retries

log = logging.getLogger(__name__)
CURSOR = "▌"


class ReportStream:
    def __init__(self, bot: Any, chat_id: int, pacer: Pacer, limit: int = MESSAGE_LIMIT - 96) -> None:
        # Headroom under 4096 leaves room for the cursor and for formatting that adds visible characters.
        self.bot, self.chat_id, self.pacer, self.limit = bot, chat_id, pacer, limit
        self.text = ""
        self._frozen: list[str] = []  # full pieces that will never change
        self._message_ids: list[int] = []
        self._shown: list[str] = []  # what each message shows now
        self._dirty = asyncio.Event()
        self._closing = False
        self._pump: asyncio.Task[None] | None = None

    def append(self, delta: str) -> None:
        if not delta:
            return
        self.text += delta
        frozen_len = sum(map(len, self._frozen))
        tail = self.text[frozen_len:]
        while len(tail) > self.limit:
            cut = cut_point(tail, self.limit)
            self._frozen.append(tail[:cut])
            tail = tail[cut:]
        self._dirty.set()
        if self._pump is None:
            self._pump = asyncio.create_task(self._run_pump(), name="report-stream")

    @property
    def message_ids(self) -> tuple[int, ...]:
        return tuple(self._message_ids)

    @property
    def newest_message(self) -> int:
        """The highest message id this stream has sent (0 before the first)."""
        return max(self._message_ids, default=0)

    def pieces(self) -> list[str]:
        frozen_len = sum(map(len, self._frozen))
        tail = self.text[frozen_len:]
        return [*self._frozen, tail] if tail or not self._frozen else list(self._frozen)

    async def _run_pump(self) -> None:
        while True:
            await self._dirty.wait()
            self._dirty.clear()
            try:
                await self._sync(final=False)
            except Exception as exc:
                # Intermediate edits are best effort (the user may have deleted the message); the final
                # pass tries again, and the PDF goes out regardless.
                log.warning("streaming edit failed: %s", type(exc).__name__)
            if self._closing and not self._dirty.is_set():
                return

    async def _sync(self, final: bool) -> None:
        pieces = self.pieces()
        for index, piece in enumerate(pieces):
            last = index == len(pieces) - 1
            wanted = piece if (final or not last) else piece + CURSOR
            if index < len(self._message_ids):
                if self._shown[index] != wanted:
                    await self._edit(index, wanted)
            else:
                await self._send(wanted)

    async def _send(self, text: str) -> None:
        message = await with_retries(
            lambda: self.bot.send_message(self.chat_id, text), chat_id=self.chat_id, pacer=self.pacer
        )
        self._message_ids.append(message.message_id)
        self._shown.append(text)
        self.pacer.edited(self.chat_id, message.message_id)

    async def _edit(self, index: int, text: str, html: str | None = None) -> bool:
        message_id = self._message_ids[index]
        await self.pacer.wait_turn(self.chat_id, message_id)
        try:
            await with_retries(
                lambda: self.bot.edit_message_text(
                    html if html is not None else text,
                    chat_id=self.chat_id,
                    message_id=message_id,
                    parse_mode=ParseMode.HTML if html is not None else None,
                ),
                chat_id=self.chat_id,
                pacer=self.pacer,
            )
        except BadRequest as exc:
            if not not_modified(exc):
                if html is None:
                    raise
                return False
        self.pacer.edited(self.chat_id, message_id)
        self._shown[index] = text
        return True

    async def _stop_pump(self) -> None:
        self._closing = True
        self._dirty.set()
        if self._pump is not None:
            await self._pump

    async def finish(self) -> None:
        """Show the whole text, formatted. Messages together hold exactly the model's text."""
        await self._stop_pump()
        await self._sync(final=True)
        for index, piece in enumerate(self.pieces()):
            if not piece.strip():
                continue
            if not await self._edit(index, piece, html=to_telegram_html(piece)):
                log.warning("formatted report refused by Telegram; kept as plain text")
                await self._edit(index, piece)

    async def stop_partial(self) -> None:
        """Generation failed or was cancelled: keep the partial text, drop the cursor."""
        await self._stop_pump()
        if self._message_ids:
            try:
                await self._sync(final=True)
            except Exception as exc:  # what matters next is telling the user, not this edit
                log.warning("could not finish the partial report: %s", type(exc).__name__)

    async def restart(self) -> None:
        """The source starts over: clear what was shown so no text appears twice."""
        await self._stop_pump()
        for message_id in self._message_ids[1:]:
            with contextlib.suppress(BadRequest):
                await with_retries(
                    lambda m=message_id: self.bot.delete_message(self.chat_id, m), chat_id=self.chat_id
                )
        self._message_ids, self._shown = self._message_ids[:1], self._shown[:1]
        self.text, self._frozen = "", []
        self._closing, self._pump = False, None
        if self._message_ids:
            await self._edit(0, CURSOR)
