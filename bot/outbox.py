"""The delivery outbox: every written report's PDF reaches its patient, exactly once, however long it takes.

The model queue stores a finished report as `reported`; a case becomes `done` only once its PDF went
out. The chat side asks for delivery the moment the report is done; whatever that attempt could not
finish (Telegram away, the process killed, the disk full for a moment) stays `reported`, and the loop
here tries again, at start-up and then every few seconds, backing off while Telegram keeps failing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, TelegramError, TimedOut

from bot.callbacks import Action, button
from bot.pdf_documents import send_pdf
from bot.services import Services
from bot.telegram_calls import with_retries
from casework.background import BackgroundService
from casework.case_pdf import case_of_pdf, services_case_pdf
from casework.reminders import REMINDER_WEEKS
from casework.review_desk import clinics_for
from conversations.domain import Case, CaseStatus
from conversations.store import StoreError

log = logging.getLogger(__name__)
T = TypeVar("T")

TICK_S = 5.0
MAX_BACKOFF_S = 60.0


class MaybeApplied(Exception):
    """Telegram read the whole request, then the answer did not come back: it has most likely been
    applied, and sending it again would show the patient a second copy."""


PROBE_WINDOW = 20  # message ids looked at after the last known one; messages are numbered per chat


async def at_most_once(call: Callable[[], Awaitable[T]]) -> T:
    """Run a Bot API call that must not be repeated if Telegram may already have applied it.

    A timeout while connecting or sending is safe to retry (the request never arrived whole); a timeout
    while waiting for the answer is not, so it becomes MaybeApplied, which `with_retries` does not retry.
    """
    try:
        return await call()
    except TimedOut as exc:
        if isinstance(exc.__cause__, httpx.ReadTimeout):
            raise MaybeApplied from exc
        raise


async def pdf_already_in_chat(
    bot: Any, chat_id: int, after: int, caption: str, caption_of: Callable[[str], str]
) -> bool:
    """After an answer that never came: is a document with exactly this caption among the chat's messages
    numbered after `after`? Telegram has no "get message", so each id is probed by setting its caption to
    the one it would have: "not modified" means it is our PDF; a text message has no caption; "not found"
    past the newest message ends the search. A document of ours with another caption (a rare concurrent
    PDF of another case) would take this caption, so it gets its own back (`caption_of(case short id)`)."""
    for message_id in range(after + 1, after + 1 + PROBE_WINDOW):
        try:
            edited = await bot.edit_message_caption(chat_id=chat_id, message_id=message_id, caption=caption)
        except BadRequest as exc:
            text = str(exc).lower()
            if "not modified" in text:
                return True
            if "not found" in text:
                return False
            continue  # a message without a caption, or one that is not ours
        except TelegramError:
            return False
        short_id = case_of_pdf(getattr(getattr(edited, "document", None), "file_name", None))
        if short_id is not None:
            with contextlib.suppress(TelegramError):
                await bot.edit_message_caption(
                    chat_id=chat_id, message_id=message_id, caption=caption_of(short_id)
                )
    return False


class Outbox(BackgroundService):
    task_name = "outbox"

    def __init__(self, services: Services, bot: Any, tick_s: float = TICK_S) -> None:
        self.services, self.bot, self.tick_s = services, bot, tick_s
        self._busy: set[str] = set()  # cases whose delivery is under way right now
        self._live: set[str] = set()  # cases a CaseDelivery is still streaming: it delivers them itself

    def claim(self, case_id: str) -> None:
        """A CaseDelivery is showing this case: the loop leaves it alone, so the PDF comes after the text."""
        self._live.add(case_id)

    def release(self, case_id: str) -> None:
        self._live.discard(case_id)

    async def _run(self) -> None:
        wait = self.tick_s
        while True:
            try:
                pending = await self.services.store.cases.undelivered()
                failed = 0
                for case in pending:
                    if case.id in self._live:
                        continue
                    if not await self.deliver(case.id):
                        failed += 1
                # A Telegram outage fails every delivery: wait longer each round, up to a minute.
                wait = min(wait * 2, MAX_BACKOFF_S) if failed else self.tick_s
            except Exception as exc:  # one failed round must not end the outbox for good
                log.error("outbox round failed: %s", type(exc).__name__, exc_info=exc)
                wait = min(wait * 2, MAX_BACKOFF_S)
            await asyncio.sleep(wait)

    async def deliver(self, case_id: str, after_message: int | None = None) -> bool:
        """Send the case's PDF if it has not gone out yet. True once it has (now or before), or when there
        is nothing left to deliver (the case was deleted); False to try again later.

        `after_message`, the newest message id the caller knows in the chat, lets an unanswered send be
        checked before it is repeated; without it an unanswered send is repeated."""
        if case_id in self._busy:
            return False
        self._busy.add(case_id)
        try:
            return await self._deliver(case_id, after_message)
        except (TelegramError, StoreError, OSError) as exc:
            log.warning("delivery of case %s postponed: %s", case_id[:8], type(exc).__name__)
            return False
        finally:
            self._busy.discard(case_id)

    async def _deliver(self, case_id: str, after_message: int | None) -> bool:
        services = self.services
        store = services.store
        case = await store.cases.by_id(case_id)
        if case is None or case.status != CaseStatus.REPORTED:
            return True
        pdf = await services_case_pdf(services, case)
        if await store.cases.by_id(case.id) is None:
            # Deleted (/delete) while the PDF was being made: its files must not outlive the case.
            await asyncio.to_thread(services.files.delete_case_files, case.user_id, case.id, case.images)
            return True
        lang = await self._language(case)
        caption = services.t(lang, "pdf-caption", case=case.short_id)
        if not await self._send_once(case, pdf, caption, lang, after_message):
            return False
        if not await store.cases.mark_delivered(case.id):
            return True
        log.info("case %s delivered", case.short_id)
        if await clinics_for(services, case.user_id):
            await self._offer_review(case, lang)
        await self._offer_reminder(case, lang)
        await self._offer_question(case, lang)
        return True

    async def _send_once(self, case: Case, pdf: bytes, caption: str, lang: str, after: int | None) -> bool:
        t = self.services.t
        for _ in range(3):
            try:
                await send_pdf(self.bot, case.chat_id, case, pdf, caption, guard=at_most_once)
                return True
            except MaybeApplied:
                if after is not None and await pdf_already_in_chat(
                    self.bot, case.chat_id, after, caption, lambda short: t(lang, "pdf-caption", case=short)
                ):
                    log.info("PDF of case %s arrived although Telegram did not answer", case.short_id)
                    return True
                log.warning("PDF of case %s: no answer from Telegram; sending it again", case.short_id)
        return False

    async def _language(self, case: Case) -> str:
        user = await self.services.store.users.get(case.user_id)
        return user.language if user else case.ui_language

    async def _offer(self, case: Case, text: str, rows: list[list[InlineKeyboardButton]], what: str) -> None:
        """A convenience after the PDF (/cases offers the same): a failure here is only logged."""
        try:
            await with_retries(
                lambda: self.bot.send_message(case.chat_id, text, reply_markup=InlineKeyboardMarkup(rows)),
                chat_id=case.chat_id,
            )
        except TelegramError as exc:
            log.warning("%s offer not sent: %s", what, type(exc).__name__)

    async def _offer_review(self, case: Case, lang: str) -> None:
        t = self.services.t
        row = [button(t(lang, "btn-review"), Action.REVIEW, case.id, case.user_id)]
        await self._offer(case, t(lang, "review-offer"), [row], "review")

    async def _offer_question(self, case: Case, lang: str) -> None:
        """'Ask about this report' (SKINBOT_QA_PER_CASE questions; 0 offers none)."""
        limit = self.services.bot_config.qa_per_case
        if limit > 0:
            t = self.services.t
            row = [button(t(lang, "btn-ask"), Action.ASK, case.id, case.user_id)]
            await self._offer(case, t(lang, "ask-offer", limit=limit), [row], "question")

    async def _offer_reminder(self, case: Case, lang: str) -> None:
        """'Remind me to re-check this spot in 2 / 4 / 12 weeks', after the PDF."""
        t = self.services.t
        row = [
            button(t(lang, "btn-remind-weeks", weeks=w), Action.REMIND, f"{case.id}.{w}", case.user_id)
            for w in REMINDER_WEEKS
        ]
        await self._offer(case, t(lang, "reminder-offer"), [row], "reminder")
