"""The chat side of one job, from its first event to its last: place in line, scores and triage, the
streamed report, and the hand-off of the PDF to the outbox.

Every event is handled on its own: a chat call that fails (the user deleted the status message, Telegram is
away) is logged and the next event is still handled, so what must be stored (the heatmap, the reopened
intake) is never lost with it. The PDF does not depend on this chat copy at all: the outbox sends it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest, TelegramError

from bot.callbacks import Action, button
from bot.case_messages import classification_text, quality_lines
from bot.streaming import ReportStream
from bot.telegram_calls import not_modified, with_retries
from conversations import intake as flow
from conversations.domain import Case
from inference.events import (
    Cancelled,
    Classified,
    Done,
    Event,
    Failed,
    Queued,
    Rejected,
    Restart,
    Started,
    TextDelta,
)
from inference.triage import triage

if TYPE_CHECKING:
    from bot.delivery import Delivery
    from inference.model_queue import Job

log = logging.getLogger(__name__)


class CaseDelivery:
    def __init__(self, delivery: Delivery, case: Case) -> None:
        self.d, self.case = delivery, case
        self.services = delivery.services
        self.chat_id = case.chat_id
        self.lang = case.ui_language
        self.status_id: int | None = None
        self.status_text = ""
        self.newest_message = 0  # the highest message id this delivery has seen in the chat
        self.stream = ReportStream(delivery.bot, case.chat_id, delivery.pacer)

    def t(self, key: str, **args: Any) -> str:
        return self.services.t(self.lang, key, **args)

    async def run(self, job: Job, regenerating: bool) -> None:
        user = await self.services.store.users.get(self.case.user_id)
        if user is not None:
            self.lang = user.language
        if regenerating:
            await self._chat(self.set_status(self.t("regenerating")))
        async for event in job.events():
            try:
                await self.handle(event)
            except (TelegramError, OSError) as exc:
                log.warning(
                    "case %s: %s not shown: %s", self.case.short_id, type(event).__name__, type(exc).__name__
                )

    async def handle(self, event: Event) -> None:
        match event:
            case Queued(position=position, starting=starting):
                key = "queue-starting" if starting else "queue-position"
                await self.set_status(self.t(key, position=position))
            case Started(attempt=attempt):
                await self.set_status(self.t("regenerating" if attempt > 1 else "analysing"))
            case Rejected(issues=issues):
                await self.rejected(issues)
            case Classified():
                await self.classified(event)
            case TextDelta(text=text):
                self.stream.append(text)
            case Restart():
                await self.stream.restart()
            case Done():
                await self.done(event)
            case Failed(reason=reason):
                await self.failed(reason)
            case Cancelled():
                await self.stream.stop_partial()
                await self.send(self.t("report-cancelled"))

    async def _chat(self, call: Any) -> None:
        try:
            await call
        except TelegramError as exc:
            log.warning("case %s: chat update failed: %s", self.case.short_id, type(exc).__name__)

    async def send(self, text: str, markup: InlineKeyboardMarkup | None = None) -> int:
        message = await with_retries(
            lambda: self.d.bot.send_message(self.chat_id, text, reply_markup=markup), chat_id=self.chat_id
        )
        self.newest_message = max(self.newest_message, message.message_id)
        return message.message_id

    async def set_status(self, text: str) -> None:
        """One status message, edited in place while the case waits; a new one if the old one is gone."""
        if text == self.status_text:
            return
        self.status_text = text
        if self.status_id is not None:
            status_id = self.status_id
            await self.d.pacer.wait_turn(self.chat_id, status_id)
            try:
                await with_retries(
                    lambda: self.d.bot.edit_message_text(text, chat_id=self.chat_id, message_id=status_id),
                    chat_id=self.chat_id,
                    pacer=self.d.pacer,
                )
                self.d.pacer.edited(self.chat_id, status_id)
                return
            except BadRequest as exc:
                if not_modified(exc):
                    return
                # Deleted by the user, or too old to edit: the status goes on in a new message.
                log.info("case %s: status message gone (%s); sending a new one", self.case.short_id, exc)
        self.status_id = await self.send(text)
        self.d.pacer.edited(self.chat_id, self.status_id)

    async def classified(self, event: Classified) -> None:
        # Stored first: the PDF needs the heatmap even if nothing reaches the chat.
        if event.heatmap_png:
            await self.d.save_heatmap(self.case, event.heatmap_png)
        level = triage(event.classification, self.services.settings.carcinoma_referral)
        await self.send(classification_text(self.services.t, self.lang, event.classification, level))
        await self.set_status(self.t("writing"))

    async def rejected(self, issues: tuple[str, ...]) -> None:
        lines = [*quality_lines(self.services.t, self.lang, issues), self.t("quality-send-another")]
        # The intake reopens at the photo, every other answer kept, so another photo can come right away;
        # unless the user has meanwhile started another intake (a health worker's next patient), which wins.
        draft = flow.Draft(
            photo=None,
            name=self.case.patient_name,
            age=self.case.age,
            gender=self.case.gender,
            history=self.case.history,
            history_answered=True,
            report_language=self.case.report_language,
        )
        store = self.services.store
        async with self.services.locks.hold(self.case.user_id):
            if await store.intakes.load(self.case.user_id) is None:
                await store.intakes.save(self.case.user_id, flow.Intake(flow.Step.PHOTO, draft, editing=True))
            else:
                lines[-1] = self.t("new-case")
        await self.send("\n".join(lines))

    async def failed(self, reason: str) -> None:
        await self.stream.stop_partial()
        await self.send(
            failure_text(self.services.t, self.lang, reason),
            retry_markup(self.services.t, self.lang, self.case),
        )

    async def done(self, event: Done) -> None:
        try:
            await self.stream.finish()
            if event.stopped_by in ("length", "repetition"):
                await self.send(self.t(f"report-cut-{event.stopped_by}"))
        except TelegramError as exc:  # the chat copy is a convenience; the PDF goes out regardless
            log.warning("case %s: final report edits failed: %s", self.case.short_id, type(exc).__name__)
        finally:
            for message_id in (*self.stream.message_ids, self.status_id):
                if message_id is not None:
                    self.d.pacer.forget(self.chat_id, message_id)
        newest = max(self.newest_message, self.stream.newest_message)
        await self.d.outbox.deliver(self.case.id, after_message=newest or None)


def failure_text(t: Any, lang: str, reason: str) -> str:
    key = f"failure-{reason}" if t.has(lang, f"failure-{reason}") else "failure-error"
    return t(lang, "report-failed", reason=t(lang, key))


def retry_markup(t: Any, lang: str, case: Case) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(t(lang, "btn-retry"), Action.RETRY, case.id, case.user_id)]])


async def save_heatmap_of(services: Any, case: Case, png: bytes) -> None:
    """Save a heatmap only for a case that still exists, and leave nothing behind if it went meanwhile."""
    store, files = services.store, services.files
    if await store.cases.by_id(case.id) is None:
        return
    await asyncio.to_thread(files.save_heatmap, case.user_id, case.id, png)
    if await store.cases.by_id(case.id) is None:
        await asyncio.to_thread(files.delete_case_files, case.user_id, case.id, case.image)
