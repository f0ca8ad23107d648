"""A report streaming into a private chat as a native draft (Bot API `sendMessageDraft`).

A draft is an animated preview that Telegram keeps for 30 s after its last update. Each piece of the report
(`bot.stream_pieces`) has its own draft id, so the growing text animates in place; a draft that has not
changed for a while is sent again before it can expire. When a piece is complete, and when the stream ends,
the piece is sent as a real message, formatted, with the plain-text fallback: the messages hold exactly
the model's text, and a draft never needs an edit.

When Telegram refuses drafts for the chat (a group, an older Bot API server), the stream hands the rest of
the text to a `ReportStream` of paced edits, starting at the first piece not yet sent, and says so once
through `on_refused` so the chat is not asked again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable
from typing import Any

from telegram.constants import ParseMode
from telegram.error import BadRequest, InvalidToken, TelegramError

from bot.stream_pieces import PIECE_LIMIT, Pieces
from bot.stream_pump import PumpedStream
from bot.streaming import MessagesListener, ReportStream, _nobody
from bot.telegram_calls import Pacer, not_modified, with_retries
from casework.report_markup import to_telegram_html

log = logging.getLogger(__name__)

DRAFT_LIFETIME_S = 30.0
REFRESH_S = 20.0  # a draft unchanged this long is sent again, well inside its 30 s
# Words of Telegram's refusals that mean "no drafts here": in a group TEXTDRAFT_PEER_INVALID; an older
# server does not know the method; any 400 that says the method or the chat is not supported.
_REFUSALS = ("textdraft", "peer_invalid", "method", "not supported", "unsupported", "private chat")


def draft_refused(exc: TelegramError) -> bool:
    """Whether this error of a draft call means drafts cannot be used in the chat at all."""
    text = str(exc).lower()
    if "parse" in text:
        return False  # "can't parse entities: unsupported tag" is about the text, not about drafts
    if isinstance(exc, InvalidToken):
        # python-telegram-bot reports any 404 as InvalidToken; an older server answers an unknown method
        # with 404 "Not Found" (a wrong token would have failed long before a report).
        return "not found" in text
    return isinstance(exc, BadRequest) and any(word in text for word in _REFUSALS)


class DraftsRefused(Exception):
    """Telegram will not take drafts in this chat (see `draft_refused`)."""


class DraftStream(PumpedStream):
    pump_name = "draft-stream"

    def __init__(
        self,
        bot: Any,
        chat_id: int,
        pacer: Pacer,
        limit: int = PIECE_LIMIT,
        *,
        on_refused: Callable[[], None] = lambda: None,
        on_messages: MessagesListener = _nobody,
        refresh_s: float = REFRESH_S,
    ) -> None:
        self.bot, self.chat_id, self.pacer = bot, chat_id, pacer
        self.pieces = Pieces(limit)
        self.on_refused, self.on_messages, self.refresh_s = on_refused, on_messages, refresh_s
        self.fallback: ReportStream | None = None
        self._message_ids: list[int] = []  # one real message per piece sent, in order
        self._sent: dict[int, int] = {}  # piece index -> the message that shows it
        self._delivered = 0  # pieces sent as real messages (or skipped as blank)
        self._base = _draft_base()
        self._drafted: tuple[int, str] | None = None  # (piece, text) the current draft shows
        self._drafted_at = 0.0
        self._init_pump()
        self._closed = asyncio.Event()  # set with _closing, to cut a pacing wait short

    @property
    def newest_message(self) -> int:
        own = max(self._message_ids, default=0)
        return max(own, self.fallback.newest_message) if self.fallback else own

    @property
    def message_ids(self) -> list[int]:
        return [*self._message_ids, *(self.fallback.message_ids if self.fallback else [])]

    def _all_ids(self) -> list[int]:
        return self.message_ids

    async def _report_ids(self, _: list[int] | None = None) -> None:
        await self.on_messages(self._all_ids())

    # --- the writer's side ----------------------------------------------------------------------

    def append(self, delta: str) -> None:
        if not delta:
            return
        if self.fallback is not None:
            self.fallback.append(delta)
            return
        self.pieces.append(delta)
        self.kick()

    async def begin(self) -> None:
        """Show the "Thinking…" placeholder (an empty draft) until the first words come."""
        if self.fallback is not None or self.pieces.text:
            return
        try:
            await self._draft(0, "", paced=False)  # the first words replace it at once
        except DraftsRefused as refused:
            self._fall_back(refused)
            return
        except TelegramError as exc:
            log.warning("draft placeholder failed: %s", type(exc).__name__)
        self.kick()  # keeps the placeholder alive while the first token is awaited

    # --- pump -----------------------------------------------------------------------------------

    async def _run_pump(self) -> None:
        while True:
            # Wake up for new text, or when the draft shown is due to be sent again before it expires.
            due = None if self._drafted is None else self._drafted_at + self.refresh_s - time.monotonic()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._dirty.wait(), None if due is None else max(due, 0.0))
            self._dirty.clear()
            try:
                await self._sync()
            except DraftsRefused as refused:
                self._fall_back(refused)
                return
            except Exception as exc:
                # Best effort, like an intermediate edit: the final messages are sent regardless.
                log.warning("draft update failed: %s", type(exc).__name__)
            if self._closing and not self._dirty.is_set():
                return

    async def _sync(self) -> None:
        await self._deliver(len(self.pieces.frozen))
        if self._closing:
            return  # finish() or stop_partial() sends the growing piece as a message
        index, tail = len(self.pieces.frozen), self.pieces.settled_tail
        if not tail.strip() and index > 0:
            return  # between pieces: the previous piece just became a message
        stale = time.monotonic() - self._drafted_at >= self.refresh_s
        if self._drafted != (index, tail) or stale:
            if not await self._turn(index):
                return  # the stream ended meanwhile: its message replaces the draft, with no wait
            index, tail = len(self.pieces.frozen), self.pieces.settled_tail  # it may have grown meanwhile
            await self._deliver(index)
            await self._draft(index, tail)

    async def _turn(self, index: int) -> bool:
        """Wait for this draft's turn; False if the stream closes first."""
        turn = asyncio.ensure_future(self.pacer.wait_turn(self.chat_id, self._pace_key(index)))
        closed = asyncio.ensure_future(self._closed.wait())
        await asyncio.wait({turn, closed}, return_when=asyncio.FIRST_COMPLETED)
        turn.cancel()
        closed.cancel()
        return not self._closing

    def _pace_key(self, index: int) -> int:
        return -(self._base + index)  # drafts are paced apart from messages, whose ids are positive

    async def _draft(self, index: int, text: str, paced: bool = True) -> None:
        draft_id = self._base + index
        try:
            await with_retries(
                lambda: self.bot.send_message_draft(self.chat_id, draft_id, text),
                chat_id=self.chat_id,
                pacer=self.pacer,
            )
            self._drafted = (index, text)
        except TelegramError as exc:
            if draft_refused(exc):
                raise DraftsRefused(str(exc)) from exc
            raise
        finally:
            # A failed attempt is paced like a good one, so a chat that keeps failing is not hammered.
            if paced:
                self.pacer.edited(self.chat_id, self._pace_key(index))
            self._drafted_at = time.monotonic()

    async def _deliver(self, upto: int, formatted: bool = True) -> None:
        """Send pieces [delivered, upto) as real messages."""
        pieces = self.pieces.all()
        while self._delivered < min(upto, len(pieces)):
            index = self._delivered
            piece = pieces[index]
            if piece.strip():
                self._sent[index] = await self._send(
                    piece, self.pieces.is_summary(index) if formatted else None
                )
            self._delivered += 1
            if self._drafted is not None and self._drafted[0] < self._delivered:
                self._drafted = None  # that draft is over: its piece is a message now

    async def _send(self, piece: str, bold: bool | None) -> int:
        """`bold` None: plain text; else HTML (in bold for the summary), plain if Telegram refuses it."""
        message = None
        if bold is not None:
            html = to_telegram_html(piece, bold=bold)
            try:
                message = await with_retries(
                    lambda: self.bot.send_message(self.chat_id, html, parse_mode=ParseMode.HTML),
                    chat_id=self.chat_id,
                    pacer=self.pacer,
                )
            except BadRequest as exc:
                log.warning("formatted report refused by Telegram (%s); sent as plain text", exc)
        if message is None:
            message = await with_retries(
                lambda: self.bot.send_message(self.chat_id, piece), chat_id=self.chat_id, pacer=self.pacer
            )
        self._message_ids.append(message.message_id)
        await self._report_ids()
        return message.message_id

    async def _rewrite(self, message_id: int, piece: str, bold: bool) -> None:
        """A sent piece shows `piece` instead: formatted, as plain text if Telegram refuses the HTML."""
        await self.pacer.wait_turn(self.chat_id, message_id)
        for text, mode in ((to_telegram_html(piece, bold=bold), ParseMode.HTML), (piece, None)):
            try:
                await with_retries(
                    lambda text=text, mode=mode: self.bot.edit_message_text(
                        text, chat_id=self.chat_id, message_id=message_id, parse_mode=mode
                    ),
                    chat_id=self.chat_id,
                    pacer=self.pacer,
                )
            except BadRequest as exc:
                if not_modified(exc):
                    break
                if mode is None:
                    raise
                log.warning("formatted report refused by Telegram (%s); edited as plain text", exc)
                continue
            break
        self.pacer.edited(self.chat_id, message_id)

    # --- handing over to edits ------------------------------------------------------------------

    def _fall_back(self, refused: DraftsRefused) -> None:
        log.info("drafts refused in this chat (%s); streaming by edits instead", refused)
        self.on_refused()
        self.fallback = ReportStream(
            self.bot,
            self.chat_id,
            self.pacer,
            pieces=self.pieces,
            first=self._delivered,
            on_messages=self._report_ids,
        )
        if self.pieces.all()[self._delivered :] != [""]:
            self.fallback.kick()

    async def _stop_pump(self) -> None:
        self._closed.set()
        await super()._stop_pump()

    # --- the end --------------------------------------------------------------------------------

    async def finish(self, text: str | None = None) -> None:
        """Every piece not yet sent goes out as a formatted message; drafts end with them. `text` is the
        report as it was settled, when given: it may differ from what streamed (inference.urgency), and
        pieces already sent that it changes are edited to match."""
        await self._stop_pump()
        if text is not None and text != self.pieces.text:
            await self._revise(text)
        if self.fallback is not None:
            await self.fallback.finish()
            return
        await self._deliver(len(self.pieces.all()))

    async def _revise(self, text: str) -> None:
        sent = self.pieces.all()[: self._delivered]
        self.pieces.revise(text)
        pieces = self.pieces.all()
        for index, before in enumerate(sent):
            after = pieces[index] if index < len(pieces) else ""
            message_id = self._sent.get(index)
            if message_id is None or after == before:
                continue
            try:
                if after.strip():
                    await self._rewrite(message_id, after, self.pieces.is_summary(index))
                else:  # the settled text needs fewer messages
                    await with_retries(
                        lambda m=message_id: self.bot.delete_message(self.chat_id, m), chat_id=self.chat_id
                    )
                    self._message_ids.remove(message_id)
                    del self._sent[index]
                    await self._report_ids()
            except TelegramError as exc:  # best effort, like any edit: the rest must still go out
                log.warning("sent report piece not revised: %s", type(exc).__name__)

    async def stop_partial(self) -> None:
        """Generation failed or was cancelled: the partial text stays, as plain messages."""
        await self._stop_pump()
        try:
            if self.fallback is not None:
                await self.fallback.stop_partial()
            else:
                await self._deliver(len(self.pieces.all()), formatted=False)
        except Exception as exc:  # what matters next is telling the user
            log.warning("could not keep the partial report: %s", type(exc).__name__)

    def close(self) -> None:
        """The delivery is gone (a shutdown cut it off): no more drafts, no refreshes."""
        super().close()
        if self.fallback is not None:
            self.fallback.close()

    async def restart(self) -> None:
        """The source starts over: the messages sent so far go, and the drafts start again."""
        await self._stop_pump()
        for message_id in self._message_ids:
            with contextlib.suppress(BadRequest):
                await with_retries(
                    lambda m=message_id: self.bot.delete_message(self.chat_id, m), chat_id=self.chat_id
                )
        self._message_ids, self._sent, self._delivered = [], {}, 0
        self._reopen_pump()
        self._closed.clear()
        if self.fallback is not None:
            await self.fallback.restart()  # resets the shared pieces; it shows everything from now on
            return
        self.pieces.reset()
        self._base, self._drafted = _draft_base(), None  # new ids: the old text is replaced, not animated
        await self._report_ids()
        await self.begin()


def _draft_base() -> int:
    # Non-zero and well inside 31 bits; a new base per stream keeps two reports' drafts apart.
    return random.randrange(1, 2**30)
