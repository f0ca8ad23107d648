"""A report streaming into the chat by editing messages: paced, split into pieces, formatted at the end.

This is the way that works in every chat (groups, older Bot API servers); `bot.draft_stream` is the
native way for private chats and hands over to this one when Telegram refuses drafts.

Each piece (`bot.stream_pieces`) is one message. The growing piece carries a cursor, and the Stop button
when there is one, until the stream ends; complete pieces never change until the end, when every piece
is edited once more with HTML formatting, falling back to plain text if Telegram refuses it.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from telegram import InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.stream_pieces import PIECE_LIMIT, Pieces
from bot.stream_pump import PumpedStream
from bot.telegram_calls import Pacer, not_modified, with_retries
from casework.report_markup import to_telegram_html

log = logging.getLogger(__name__)
CURSOR = "▌"

# Told the ids of the report messages a stream has in the chat whenever they change.
MessagesListener = Callable[[list[int]], Awaitable[None]]


class ChatStream(Protocol):
    """What a case's delivery needs of a stream, whichever way it shows the text."""

    @property
    def text(self) -> str: ...

    @property
    def newest_message(self) -> int: ...

    @property
    def message_ids(self) -> list[int]: ...

    def append(self, delta: str) -> None: ...

    async def begin(self) -> None: ...

    async def finish(self, text: str | None = None) -> None: ...

    async def stop_partial(self) -> None: ...

    async def restart(self) -> None: ...

    def close(self) -> None: ...


async def _nobody(ids: list[int]) -> None:
    return None


class ReportStream(PumpedStream):
    """`first`: pieces before it were already shown as messages by someone else (a draft stream that
    handed over), so this stream shows only the pieces from there on."""

    def __init__(
        self,
        bot: Any,
        chat_id: int,
        pacer: Pacer,
        limit: int = PIECE_LIMIT,
        *,
        pieces: Pieces | None = None,
        first: int = 0,
        stop_markup: InlineKeyboardMarkup | None = None,
        on_messages: MessagesListener = _nobody,
    ) -> None:
        self.bot, self.chat_id, self.pacer = bot, chat_id, pacer
        self.pieces = pieces or Pieces(limit)
        self.first = first
        self.stop_markup = stop_markup
        self.on_messages = on_messages
        self._message_ids: list[int] = []
        self._shown: list[tuple[str, bool]] = []  # what each message shows now: text, Stop button
        self._init_pump()

    pump_name = "report-stream"

    @property
    def newest_message(self) -> int:
        """The highest message id this stream has sent (0 before the first)."""
        return max(self._message_ids, default=0)

    @property
    def message_ids(self) -> list[int]:
        return list(self._message_ids)

    def append(self, delta: str) -> None:
        if not delta:
            return
        self.pieces.append(delta)
        self.kick()

    async def begin(self) -> None:
        return None  # the status message says the report is being written

    def _mine(self) -> list[str]:
        return self.pieces.all()[self.first :]

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
        pieces = self._mine()
        for index, piece in enumerate(pieces):
            live = not final and index == len(pieces) - 1
            wanted = (piece + CURSOR if live else piece, live and self.stop_markup is not None)
            if index < len(self._message_ids):
                if self._shown[index] != wanted:
                    await self._edit(index, wanted)
            elif wanted[0].strip():
                await self._send(wanted)

    def _markup(self, wanted: tuple[str, bool]) -> InlineKeyboardMarkup | None:
        return self.stop_markup if wanted[1] else None

    async def _send(self, wanted: tuple[str, bool], html: str | None = None) -> bool:
        try:
            message = await with_retries(
                lambda: self.bot.send_message(
                    self.chat_id,
                    html if html is not None else wanted[0],
                    parse_mode=ParseMode.HTML if html is not None else None,
                    reply_markup=self._markup(wanted),
                ),
                chat_id=self.chat_id,
                pacer=self.pacer,
            )
        except BadRequest:
            if html is None:
                raise
            return False
        self._message_ids.append(message.message_id)
        self._shown.append(wanted)
        self.pacer.edited(self.chat_id, message.message_id)
        await self.on_messages(self.message_ids)
        return True

    async def _edit(self, index: int, wanted: tuple[str, bool], html: str | None = None) -> bool:
        message_id = self._message_ids[index]
        await self.pacer.wait_turn(self.chat_id, message_id)
        try:
            await with_retries(
                lambda: self.bot.edit_message_text(
                    html if html is not None else wanted[0],
                    chat_id=self.chat_id,
                    message_id=message_id,
                    parse_mode=ParseMode.HTML if html is not None else None,
                    reply_markup=self._markup(wanted),
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
        self._shown[index] = wanted
        return True

    async def finish(self, text: str | None = None) -> None:
        """Show the whole text, formatted, in one call per piece: `text`, the report as it was settled, when
        given (it may differ from what streamed: inference.urgency), else what streamed. The messages hold
        exactly that text; the cursor and the Stop button are gone."""
        await self._stop_pump()
        if text is not None:
            self.pieces.revise(text)
        await self._drop_surplus()
        for index, piece in enumerate(self._mine()):
            if not piece.strip():
                continue
            wanted = (piece, False)
            html = to_telegram_html(piece, bold=self.pieces.is_summary(self.first + index))
            shown = (
                await self._edit(index, wanted, html=html)
                if index < len(self._message_ids)
                else await self._send(wanted, html=html)
            )
            if not shown:
                log.warning("formatted report refused by Telegram; kept as plain text")
                if index < len(self._message_ids):
                    await self._edit(index, wanted)
                else:
                    await self._send(wanted)

    async def _drop_surplus(self) -> None:
        """Messages beyond the last piece (a revised text that needs fewer of them) go."""
        surplus = self._message_ids[len(self._mine()) :]
        if not surplus:
            return
        await self._delete(surplus)
        kept = len(self._message_ids) - len(surplus)
        self._message_ids, self._shown = self._message_ids[:kept], self._shown[:kept]
        await self.on_messages(self.message_ids)

    async def stop_partial(self) -> None:
        """Generation failed or was cancelled: keep the partial text, drop the cursor and the button."""
        await self._stop_pump()
        if any(piece.strip() for piece in self._mine()):
            try:
                await self._sync(final=True)
            except Exception as exc:  # what matters next is telling the user, not this edit
                log.warning("could not finish the partial report: %s", type(exc).__name__)

    async def _delete(self, message_ids: list[int]) -> None:
        for message_id in message_ids:
            with contextlib.suppress(BadRequest):
                await with_retries(
                    lambda m=message_id: self.bot.delete_message(self.chat_id, m), chat_id=self.chat_id
                )

    async def restart(self) -> None:
        """The source starts over: clear what was shown so no text appears twice."""
        await self._stop_pump()
        await self._delete(self._message_ids[1:])
        self._message_ids, self._shown = self._message_ids[:1], self._shown[:1]
        self.pieces.reset()
        self.first = 0
        self._reopen_pump()
        await self.on_messages(self.message_ids)
        if self._message_ids:
            await self._edit(0, (CURSOR, self.stop_markup is not None))
