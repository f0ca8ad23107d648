"""From a confirmed case to what the patient sees: queue position, scores and triage, the streamed
report, and the PDF. This is the bot side of the worker queue and implements `services.Pipeline`.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest

from bot.callbacks import Callback
from bot.case_pdf import render_case_pdf
from bot.i18n import Translator
from bot.inference_setup import StartupError
from bot.pdf import ensure_fonts
from bot.services import Services
from bot.streaming import ReportStream
from bot.telegram_calls import Pacer, not_modified, with_retries
from conversations import intake as flow
from conversations.store import Case
from inference.events import (
    Cancelled,
    Classified,
    Done,
    Failed,
    JobSpec,
    Queued,
    Rejected,
    Restart,
    Started,
    TextDelta,
)
from inference.job_queue import Job, JobQueue, UserBusy
from inference.labels import Classification
from inference.quality import QualityIssue
from inference.skin_gate import NOT_SKIN
from inference.triage import Triage, triage

log = logging.getLogger(__name__)
BAR_CELLS = 10


def spec_for(case: Case, services: Services) -> JobSpec:
    return JobSpec(
        id=case.id,
        user_id=case.user_id,
        image_path=services.files.image_path(case.user_id, case.image),
        age=case.age,
        gender=case.gender,
        history=case.history,
        language=case.report_language,
    )


def pdf_filename(case: Case) -> str:
    return f"skin-report-{case.short_id}-{case.created_at.date().isoformat()}.pdf"


def classification_text(t: Translator, lang: str, result: Classification, level: Triage) -> str:
    lines: list[str] = []
    if level == Triage.URGENT:
        lines += [f"{t(lang, 'urgent-prefix')} {t(lang, 'triage-urgent-title')}", t(lang, "triage-urgent"),
                  t(lang, "triage-urgent-why"), ""]  # fmt: skip
    elif level == Triage.UNCERTAIN:
        lines += [f"{t(lang, 'uncertain-prefix')} {t(lang, 'triage-uncertain')}", ""]
    lines.append(t(lang, "classification-title"))
    for label, prob in result.ranked():
        filled = round(prob * BAR_CELLS)
        bar = "█" * filled + "░" * (BAR_CELLS - filled)
        lines.append(t(lang, "classification-row", label=t(lang, f"label-{label}"), bar=bar, percent=prob))
    return "\n".join(lines)


def quality_lines(t: Translator, lang: str, issues: tuple[str, ...]) -> list[str]:
    """Why a photo was turned back, each reason with its tip; the chat and `skinbot diagnose` both use it."""
    if NOT_SKIN in issues:
        return [t(lang, "scores-not-skin"), t(lang, "scores-not-skin-tip")]
    lines = [t(lang, "quality-rejected")]
    for name in issues:
        issue = QualityIssue(name)
        lines.append(t(lang, "quality-reason", reason=t(lang, issue.message_id), tip=t(lang, issue.tip_id)))
    return lines


class Delivery:
    def __init__(self, services: Services, bot: Any, queue: JobQueue) -> None:
        self.services, self.bot, self.queue = services, bot, queue
        self.pacer = Pacer(services.settings.edit_interval_s)
        self._tasks: set[asyncio.Task[None]] = set()

    # --- Pipeline -------------------------------------------------------------------------------

    async def start(self) -> None:
        # Instancing the variable fonts takes ~30 s on a cold machine: pay it at start-up, not in the
        # first patient's PDF.
        await asyncio.to_thread(ensure_fonts)
        store = self.services.store
        interrupted = set(await store.requeue_interrupted())
        pending = [(spec_for(case, self.services), case.attempts) for case in await store.queued_cases()]
        restored = await self.queue.start(pending)
        try:
            await self.queue.wait_ready()
        except Exception as exc:
            # Model loading failed: say what, once, and refuse to start rather than fail every case.
            await self.queue.stop()
            raise StartupError(f"models could not be loaded: {exc}") from exc
        for job in restored:
            case = await store.case_by_id(job.id)
            if case is not None:
                self._spawn(case, job, regenerating=job.id in interrupted)

    async def stop(self, grace_s: float = 3.0) -> None:
        """Stop generating (running jobs stay 'running', to be regenerated at the next start), let edits
        already on their way to Telegram land, then cancel what is left: well inside SIGTERM's 10 s."""
        await self.queue.stop()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=grace_s)
        for task in list(self._tasks):
            task.cancel()

    async def submit(self, case: Case) -> None:
        try:
            job = await self.queue.submit(spec_for(case, self.services), attempt=case.attempts + 1)
        except UserBusy:
            # Never leave a confirmed case queued with no job behind it.
            log.warning("case %s not queued: the user already has an active job", case.short_id)
            await self.services.store.set_status(case.id, "failed", error="busy")
            user = await self.services.store.get_user(case.user_id)
            lang = user.language if user else case.ui_language
            await with_retries(
                lambda: self.bot.send_message(case.chat_id, self.services.t(lang, "case-active")),
                chat_id=case.chat_id,
            )
            return
        self._spawn(case, job)

    async def cancel_user(self, user_id: int) -> bool:
        job = self.queue.active_for(user_id)
        return job is not None and await self.queue.cancel(job)

    def _spawn(self, case: Case, job: Job, regenerating: bool = False) -> None:
        task = asyncio.create_task(self._deliver(case, job, regenerating), name=f"deliver-{case.short_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- one case -------------------------------------------------------------------------------

    async def _deliver(self, case: Case, job: Job, regenerating: bool) -> None:
        try:
            await CaseDelivery(self, case).run(job, regenerating)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.error("delivery of case %s failed: %s", case.short_id, type(exc).__name__, exc_info=exc)


class CaseDelivery:
    """The chat side of one job, from its first event to its last."""

    def __init__(self, delivery: Delivery, case: Case) -> None:
        self.d, self.case = delivery, case
        self.services = delivery.services
        self.chat_id = case.chat_id
        self.lang = case.ui_language
        self.status_id: int | None = None
        self.status_text = ""
        self.classified: Classified | None = None
        self.stream = ReportStream(delivery.bot, case.chat_id, delivery.pacer)

    def t(self, key: str, **args: Any) -> str:
        return self.services.t(self.lang, key, **args)

    async def run(self, job: Job, regenerating: bool) -> None:
        user = await self.services.store.get_user(self.case.user_id)
        if user is not None:
            self.lang = user.language
        if regenerating:
            await self.set_status(self.t("regenerating"))
        async for event in job.events():
            match event:
                case Queued(position=position):
                    await self.set_status(self.t("queue-position", position=position))
                case Started(attempt=attempt):
                    await self.set_status(self.t("regenerating" if attempt > 1 else "analysing"))
                case Rejected(issues=issues):
                    await self.rejected(issues)
                case Classified():
                    await self.on_classified(event)
                case TextDelta(text=text):
                    self.stream.append(text)
                case Restart():
                    await self.stream.restart()
                case Done():
                    try:
                        await self.stream.finish()
                    except Exception as exc:  # the chat copy is a convenience; the PDF must still go out
                        log.warning("final report edits failed: %s", type(exc).__name__)
                    await self.send_pdf(event)
                case Failed(reason=reason):
                    await self.failed(reason)
                case Cancelled():
                    await self.stream.stop_partial()
                    await self.send(self.t("report-cancelled"))

    async def send(self, text: str, markup: InlineKeyboardMarkup | None = None) -> int:
        message = await with_retries(
            lambda: self.d.bot.send_message(self.chat_id, text, reply_markup=markup), chat_id=self.chat_id
        )
        return message.message_id

    async def set_status(self, text: str) -> None:
        """One status message, edited in place while the case waits."""
        if text == self.status_text:
            return
        self.status_text = text
        if self.status_id is None:
            self.status_id = await self.send(text)
            self.d.pacer.edited(self.chat_id, self.status_id)
            return
        await self.d.pacer.wait_turn(self.chat_id, self.status_id)
        try:
            await with_retries(
                lambda: self.d.bot.edit_message_text(text, chat_id=self.chat_id, message_id=self.status_id),
                chat_id=self.chat_id, pacer=self.d.pacer,
            )  # fmt: skip
        except BadRequest as exc:
            if not not_modified(exc):
                raise
        self.d.pacer.edited(self.chat_id, self.status_id)

    async def on_classified(self, event: Classified) -> None:
        self.classified = event
        result = event.classification
        level = triage(result, self.services.settings.carcinoma_referral)
        await self.send(classification_text(self.services.t, self.lang, result, level))
        await self.set_status(self.t("writing"))

    async def rejected(self, issues: tuple[str, ...]) -> None:
        lines = [*quality_lines(self.services.t, self.lang, issues), self.t("quality-send-another")]
        # The intake reopens at the photo, every other answer kept, so another photo can come right away;
        # unless the user has meanwhile started another intake (a health worker's next patient), which wins.
        draft = flow.Draft(
            photo=None, name=self.case.patient_name, age=self.case.age, gender=self.case.gender,
            history=self.case.history, history_answered=True, report_language=self.case.report_language,
        )  # fmt: skip
        store = self.services.store
        async with self.services.locks.hold(self.case.user_id):
            if await store.load_intake(self.case.user_id) is None:
                await store.save_intake(self.case.user_id, flow.Intake(flow.Step.PHOTO, draft, editing=True))
            else:
                lines[-1] = self.t("new-case")
        await self.send("\n".join(lines))

    async def failed(self, reason: str) -> None:
        await self.stream.stop_partial()
        key = f"failure-{reason}" if self.services.t.has(self.lang, f"failure-{reason}") else "failure-error"
        retry = Callback("retry", self.case.id, self.case.user_id).pack()
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(self.t("btn-retry"), callback_data=retry)]])
        await self.send(self.t("report-failed", reason=self.t(key)), markup)

    async def send_pdf(self, done: Done) -> None:
        assert self.classified is not None
        services = self.services
        if self.classified.heatmap_png:
            await asyncio.to_thread(
                services.files.save_heatmap, self.case.user_id, self.case.id, self.classified.heatmap_png
            )
        # The queue stored the report before it said Done, so the stored case is complete.
        case = await services.store.case_by_id(self.case.id)
        assert case is not None
        pdf = await render_case_pdf(case, services.files, services.t, services.settings.carcinoma_referral)
        if await services.store.case_by_id(case.id) is None:
            # Deleted (/delete) while the PDF was being made: its files must not outlive the case.
            services.files.delete_case_files(case.user_id, case.id, case.image)
            return
        await send_pdf(self.d.bot, self.chat_id, case, pdf, self.t("pdf-caption", case=case.short_id))
        if services.settings.review_chats:
            data = Callback("review", case.id, case.user_id).pack()
            markup = InlineKeyboardMarkup([[InlineKeyboardButton(self.t("btn-review"), callback_data=data)]])
            await self.send(self.t("review-offer"), markup)


async def send_pdf(bot: Any, chat_id: int, case: Case, pdf: bytes, caption: str) -> None:
    await with_retries(
        lambda: bot.send_document(
            chat_id,
            InputFile(pdf, filename=pdf_filename(case)),
            caption=caption[:1024],
            filename=pdf_filename(case),
        ),
        chat_id=chat_id,
    )
