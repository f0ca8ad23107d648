"""The chat side of one job, from its first event to its last: place in line (with the expected wait),
scores and triage (on the heatmap, when there is one), the streamed report under a Stop button, and the
hand-off of the PDF to the outbox.

Every event is handled on its own: a chat call that fails (the user deleted the status message, Telegram is
away) is logged and the next event is still handled, so what must be stored (the heatmap, the reopened
intake) is never lost with it. The PDF does not depend on this chat copy at all: the outbox sends it.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import time
from typing import TYPE_CHECKING, Any, Protocol

from telegram import InlineKeyboardMarkup, InputFile
from telegram.constants import ChatAction
from telegram.error import BadRequest, TelegramError

from bot.callbacks import Action, button
from bot.outbox import Outbox
from bot.services import Services
from bot.stream_mode import StreamMode
from bot.streaming import ChatStream
from bot.telegram_calls import Pacer, drop_buttons, not_modified, with_retries
from bot.wait_estimate import JobTimes, wait_text
from casework.case_messages import classification_text, quality_lines, which_photo_line
from conversations.domain import Case
from conversations.intake_state import Draft, Intake, Step
from conversations.store import StoreError
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
    from inference.model_queue import Job, ModelQueue

log = logging.getLogger(__name__)

TYPING_EVERY_S = 4.5  # Telegram shows a chat action for 5 s, or until the next message
CAPTION_LIMIT = 1024
HEATMAP_MAX_PX = 1280  # enough for a phone screen; Telegram would scale a larger photo down anyway


class Delivering(Protocol):
    """What a CaseDelivery uses of the pipeline that runs it (`bot.delivery.Delivery`)."""

    services: Services
    bot: Any
    queue: ModelQueue
    pacer: Pacer
    streams: StreamMode  # per chat: drafts or edits
    job_times: JobTimes  # for the expected wait
    outbox: Outbox  # sends the PDF once the report is done

    async def save_heatmap(self, case: Case, png: bytes) -> None: ...


class CaseDelivery:
    def __init__(self, delivery: Delivering, case: Case) -> None:
        self.d, self.case = delivery, case
        self.services = delivery.services
        self.chat_id = case.chat_id
        self.lang = case.ui_language
        self.status_id: int | None = None
        self.status_text = ""
        self.status_final = False  # the status shows how the case ended: no later edit may change it
        self.newest_message = 0  # the highest message id this delivery has seen in the chat
        self.stream: ChatStream | None = None
        self.drafts = False  # the report streams as drafts, so the Stop button sits on the scores
        self.stop_message: int | None = None  # the message that carries the Stop button, for drafts
        self.started_at: float | None = None
        self._typing: asyncio.Task[None] | None = None
        self._status_update: asyncio.Task[None] | None = None

    def t(self, key: str, **args: Any) -> str:
        return self.services.t(self.lang, key, **args)

    async def run(self, job: Job, regenerating: bool) -> None:
        user = await self.services.store.users.get(self.case.user_id)
        if user is not None:
            self.lang = user.language
        await self._clear_cut_off_attempt()
        self.drafts = self.d.streams.drafts_for(self.chat_id)
        self.stream = self.d.streams.open(
            self.d.bot,
            self.chat_id,
            self.d.pacer,
            stop_markup=self.stop_markup(),
            on_messages=self._remember_stream,
        )
        if regenerating:
            await self._chat(self.set_status(self.t("regenerating")))
        try:
            async for event in job.events():
                try:
                    await self.handle(event)
                except (TelegramError, OSError) as exc:
                    log.warning(
                        "case %s: %s not shown: %s",
                        self.case.short_id,
                        type(event).__name__,
                        type(exc).__name__,
                    )
            await self._status_settled()
        finally:
            self._stop_typing()
            if self._status_update is not None:
                self._status_update.cancel()
            self.stream.close()

    async def handle(self, event: Event) -> None:
        assert self.stream is not None, "run() opens the stream"
        match event:
            case Queued(position=position, starting=starting):
                await self.set_status(self.queue_text(position, starting))
            case Started(attempt=attempt):
                self.started_at = time.monotonic()
                await self.set_status(self.t("regenerating" if attempt > 1 else "analysing"))
            case Rejected(issues=issues, photo=photo):
                await self.rejected(issues, photo)
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
                self._settle_status()
                await self._end_partial()
                await self.send(self.t("report-cancelled"))
                await self._final_status("status-stopped")

    def queue_text(self, position: int, starting: bool) -> str:
        if starting:
            return self.t("queue-starting", position=position)
        wait = self.d.job_times.wait_s(position, self.d.queue.batch_size)
        if wait is None:  # nothing measured yet: the place in line only
            return self.t("queue-position", position=position)
        return self.t(
            "queue-position-eta", position=position, wait=wait_text(self.services.t, self.lang, wait)
        )

    def stop_markup(self) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup(
            [[button(self.t("btn-stop"), Action.STOP, self.case.id, self.case.user_id)]]
        )

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

    async def send_photo(self, photo: bytes, caption: str, markup: InlineKeyboardMarkup | None = None) -> int:
        message = await with_retries(
            lambda: self.d.bot.send_photo(
                self.chat_id, InputFile(photo, filename="heatmap.jpg"), caption=caption, reply_markup=markup
            ),
            chat_id=self.chat_id,
        )
        self.newest_message = max(self.newest_message, message.message_id)
        return message.message_id

    async def set_status(self, text: str, final: bool = False) -> None:
        """One status message, edited in place while the case waits; a new one if the old one is gone.
        Once the case has ended (`_settle_status`) only the `final` text may still be shown."""
        if text == self.status_text or (self.status_final and not final):
            return
        self.status_text = text
        if self.status_id is not None:
            status_id = self.status_id
            await self.d.pacer.wait_turn(self.chat_id, status_id)
            if self.status_final and not final:  # the case ended while this edit waited its turn
                return
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
        level = triage(event.classification, self.services.case_config.carcinoma_referral)
        text = classification_text(self.services.t, self.lang, event.classification, level)
        # A draft carries no buttons: the Stop button goes on the message right above it.
        markup = self.stop_markup() if self.drafts else None
        message_id = await self._send_scores(text, event.heatmap_png, markup)
        if markup is not None:
            self.stop_message = message_id
        assert self.stream is not None
        self._start_typing()
        await self.stream.begin()
        # The status edit may wait its turn (one edit a second per message); the report must not wait
        # behind it, so the first words show as soon as they come.
        self._status_update = asyncio.create_task(self._show_writing())

    async def _show_writing(self) -> None:
        # The call is made inside the task: a task cancelled before it starts leaves no coroutine unawaited.
        await self._chat(self.set_status(self.t("writing")))

    async def _send_scores(
        self, text: str, heatmap: bytes | None, markup: InlineKeyboardMarkup | None
    ) -> int:
        """The scores as the heatmap's caption, with what its colours mean; as text without a heatmap (an
        ONNX classifier has none) or when Telegram will not take the photo."""
        if heatmap:
            explained = self.t("heatmap-explained")
            caption = f"{text}\n\n{explained}"
            try:
                photo = await asyncio.to_thread(heatmap_for_chat, heatmap)
                if len(caption) <= CAPTION_LIMIT:
                    return await self.send_photo(photo, caption, markup)
                await self.send_photo(photo, explained)
            except (BadRequest, OSError, ValueError) as exc:
                log.warning("case %s: heatmap photo not sent: %s", self.case.short_id, type(exc).__name__)
        return await self.send(text, markup)

    async def rejected(self, issues: tuple[str, ...], photo: int = 1) -> None:
        count = len(self.case.images)
        self._settle_status()
        lines = quality_lines(self.services.t, self.lang, issues)
        if count > 1:
            lines = [which_photo_line(self.services.t, self.lang, photo, count), *lines]
            lines.append(self.t("quality-send-photos-again"))
        else:
            lines.append(self.t("quality-send-another"))
        # The intake reopens at the photos, every other answer kept, so new photos can come right away;
        # unless the user has meanwhile started another intake (a health worker's next patient), which wins.
        store = self.services.store
        earlier = await store.cases.earlier(self.case)
        draft = Draft(
            body_site=self.case.body_site,
            body_site_answered=True,
            follow_up=earlier.id if earlier else None,
            follow_up_day=earlier.created_at.date().isoformat() if earlier else None,
            follow_up_answered=True,
            name=self.case.patient_name,
            age=self.case.age,
            gender=self.case.gender,
            history=self.case.history,
            history_answered=True,
            report_language=self.case.report_language,
        )
        async with self.services.locks.hold(self.case.user_id):
            if await store.intakes.load(self.case.user_id) is None:
                await store.intakes.save(self.case.user_id, Intake(Step.PHOTO, draft, editing=True))
            else:
                lines[-1] = self.t("new-case")
        await self.send("\n".join(lines))
        await self._final_status("status-stopped")

    async def failed(self, reason: str) -> None:
        self._settle_status()
        await self._end_partial()
        await self.send(
            failure_text(self.services.t, self.lang, reason),
            retry_markup(self.services.t, self.lang, self.case),
        )
        await self._final_status("status-stopped")

    async def done(self, event: Done) -> None:
        assert self.stream is not None
        self._settle_status()
        self._stop_typing()
        if self.started_at is not None:
            self.d.job_times.add(time.monotonic() - self.started_at)
        try:
            await self.stream.finish(event.text)  # the settled report: it may not be what streamed
            if event.stopped_by in ("length", "repetition"):
                await self.send(self.t(f"report-cut-{event.stopped_by}"))
        except TelegramError as exc:  # the chat copy is a convenience; the PDF goes out regardless
            log.warning("case %s: final report edits failed: %s", self.case.short_id, type(exc).__name__)
        finally:
            for message_id in self.stream.message_ids:
                self.d.pacer.forget(self.chat_id, message_id)
        await self._drop_stop_button()
        await self._remember_stream([])  # final now: a later restart must leave these messages alone
        await self._chat_action(ChatAction.UPLOAD_DOCUMENT)
        newest = max(self.newest_message, self.stream.newest_message)
        await self.d.outbox.deliver(self.case.id, after_message=newest or None)
        await self._final_status("status-done")

    async def _end_partial(self) -> None:
        """Generation failed or was cancelled: what was written stays, as it is."""
        assert self.stream is not None
        self._stop_typing()
        await self._drop_stop_button()
        await self.stream.stop_partial()
        await self._remember_stream([])

    # --- the wait, made visible ---------------------------------------------------------------------

    def _settle_status(self) -> None:
        """The case has ended: a status edit still on its way ("Writing the report…", held back by
        pacing or a 429) is dropped, so it can never land after the report, the PDF or the final status."""
        self.status_final = True
        if self._status_update is not None:
            self._status_update.cancel()

    async def _final_status(self, key: str) -> None:
        """The status message says how the case ended; the last edit it ever gets."""
        await self._status_settled()
        if self.status_id is None:
            return
        await self._chat(self.set_status(self.t(key), final=True))
        if self.status_id is not None:
            self.d.pacer.forget(self.chat_id, self.status_id)

    async def _status_settled(self) -> None:
        if self._status_update is not None:
            task, self._status_update = self._status_update, None
            # asyncio.wait, not await: a cancelled update must not raise into this task.
            await asyncio.wait({task})
            if not task.cancelled() and task.exception() is not None:  # a convenience, like every chat update
                log.warning(
                    "case %s: status not updated: %s", self.case.short_id, type(task.exception()).__name__
                )

    def _start_typing(self) -> None:
        if self._typing is None:
            self._typing = asyncio.create_task(self._keep_typing(), name=f"typing-{self.case.short_id}")

    def _stop_typing(self) -> None:
        if self._typing is not None:
            self._typing.cancel()
            self._typing = None

    async def _keep_typing(self) -> None:
        while True:
            await self._chat_action(ChatAction.TYPING)
            await asyncio.sleep(TYPING_EVERY_S)

    async def _chat_action(self, action: str) -> None:
        try:
            await self.d.bot.send_chat_action(self.chat_id, action)
        except TelegramError as exc:  # a nicety: never worth a retry or a failed step
            log.debug("chat action not shown: %s", type(exc).__name__)

    async def _drop_stop_button(self) -> None:
        if self.stop_message is None:
            return
        message_id, self.stop_message = self.stop_message, None
        await drop_buttons(self.d.bot, self.chat_id, message_id)

    # --- the report's messages, across restarts ------------------------------------------------------

    async def _remember_stream(self, message_ids: list[int]) -> None:
        try:
            await self.services.store.stream_messages.save(self.case.id, self.chat_id, message_ids)
        except StoreError as exc:  # at worst a restart leaves a partial copy in the chat
            log.warning("case %s: stream messages not recorded: %s", self.case.short_id, exc)

    async def _clear_cut_off_attempt(self) -> None:
        """Messages of an attempt that a restart cut off go before the report is written again."""
        try:
            message_ids = await self.services.store.stream_messages.of_case(self.case.id)
        except StoreError as exc:
            log.warning("case %s: stream messages not read: %s", self.case.short_id, exc)
            return
        for message_id in message_ids:
            with contextlib.suppress(TelegramError):
                await with_retries(
                    lambda m=message_id: self.d.bot.delete_message(self.chat_id, m), chat_id=self.chat_id
                )
        if message_ids:
            await self._remember_stream([])


def heatmap_for_chat(png: bytes) -> bytes:
    """The stored heatmap (a PNG as large as the photo) as a phone-sized JPEG, quicker to upload."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as opened:
        image = opened.convert("RGB")
    image.thumbnail((HEATMAP_MAX_PX, HEATMAP_MAX_PX))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


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
        await asyncio.to_thread(files.delete_case_files, case.user_id, case.id, case.images)
