"""From a confirmed case to its patient: the pipeline the routers submit cases to (`services.Pipeline`).

Start-up never waits for the models: they load on the worker thread while the bot already answers, and
confirmed cases wait in line meanwhile ("the service is starting"). If a model cannot be loaded, `on_fatal`
hears it once and stops the bot. Jobs that a restart left behind are restored; one that was interrupted
twice is failed with a Retry button instead of being run again. Each job gets a CaseDelivery for the chat,
and the outbox makes sure every written report's PDF reaches its patient.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Callable
from typing import Any

from telegram.error import TelegramError

from bot.case_delivery import CaseDelivery, failure_text, retry_markup, save_heatmap_of
from bot.outbox import Outbox
from bot.question_delivery import QuestionDelivery
from bot.services import Services
from bot.stream_mode import StreamMode
from bot.telegram_calls import Pacer, with_retries
from bot.wait_estimate import JobTimes
from conversations.domain import Case, CaseQuestion
from inference.events import EarlierSpec, JobSpec, QuestionSpec
from inference.model_queue import Job, ModelQueue, UserBusy

log = logging.getLogger(__name__)


async def spec_for(case: Case, services: Services) -> JobSpec:
    """What the worker needs for this case: every photo, and for a follow-up the earlier case's date, scores
    and close-up (when that case is still kept and has its scores)."""
    files = services.files
    earlier = await services.store.cases.earlier(case)
    earlier_spec = None
    if earlier is not None and earlier.classification:
        earlier_spec = EarlierSpec(
            day=earlier.created_at.date().isoformat(),
            classification=earlier.classification,
            image_path=files.image_path(earlier.user_id, earlier.images[0]),
        )
    return JobSpec(
        id=case.id,
        user_id=case.user_id,
        image_paths=tuple(files.image_path(case.user_id, token) for token in case.images),
        age=case.age,
        gender=case.gender,
        history=case.history,
        language=case.report_language,
        body_site=case.body_site,
        earlier=earlier_spec,
    )


class Delivery:
    def __init__(
        self,
        services: Services,
        bot: Any,
        queue: ModelQueue,
        on_fatal: Callable[[str], None] | None = None,
        outbox: Outbox | None = None,
    ) -> None:
        self.services, self.bot, self.queue = services, bot, queue
        self.on_fatal = on_fatal or (lambda message: log.critical("%s", message))
        self.pacer = Pacer(services.bot_config.edit_interval_s)
        # Both live as long as the process: a chat that refused drafts, and the measured job times.
        self.streams = StreamMode(services.bot_config.stream_mode)
        self.job_times = JobTimes()
        self.outbox = outbox or Outbox(services, bot)
        self._tasks: set[asyncio.Task[None]] = set()
        self._watcher: asyncio.Task[None] | None = None

    # --- Pipeline -------------------------------------------------------------------------------

    async def start(self) -> None:
        store = self.services.store
        await store.questions.fail_unfinished()  # a question cut off by a restart may simply be asked again
        requeued, interrupted_twice = await store.jobs.requeue_interrupted()
        cases = await store.jobs.queued()
        pending = [(await spec_for(c, self.services), c.attempts, c.interruptions > 0) for c in cases]
        restored = await self.queue.start(pending)
        for case, job in zip(cases, restored, strict=True):
            self._spawn(case, job, regenerating=case.id in requeued)
        self._watcher = asyncio.create_task(self._watch_models(), name="model-loading")
        self.outbox.start()
        for case_id in interrupted_twice:
            await self._tell_interrupted(case_id)

    async def _watch_models(self) -> None:
        try:
            await self.queue.wait_ready()
        except Exception as exc:
            self.on_fatal(f"models could not be loaded: {exc}")

    async def stop(self, grace_s: float = 3.0) -> None:
        """Stop generating (running jobs stay 'running', to be regenerated at the next start), let edits
        already on their way to Telegram land, then cancel what is left: well inside SIGTERM's 10 s."""
        if self._watcher is not None:
            self._watcher.cancel()
        await self.queue.stop()
        await self.outbox.stop()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=grace_s)
        for task in list(self._tasks):
            task.cancel()

    async def submit(self, case: Case) -> None:
        try:
            job = await self.queue.submit(await spec_for(case, self.services), attempt=case.attempts + 1)
        except UserBusy:
            # Never leave a confirmed case queued with no job behind it.
            log.warning("case %s not queued: the user already has an active job", case.short_id)
            await self.services.store.jobs.mark_failed(case.id, "busy")
            lang = await self._language(case)
            await with_retries(
                lambda: self.bot.send_message(case.chat_id, self.services.t(lang, "case-active")),
                chat_id=case.chat_id,
            )
            return
        self._spawn(case, job)

    async def ask(self, case: Case, question: CaseQuestion) -> bool:
        """Queue a question about a finished case behind every new case; False when the user already has a
        job going (the caller says so). It is grounded on the case's photos, scores and report."""
        if case.classification is None or case.report is None:
            return False
        spec = dataclasses.replace(
            await spec_for(case, self.services),
            id=question.id,
            earlier=None,
            question=QuestionSpec(question.question, case.report, case.classification),
        )
        try:
            job = await self.queue.submit(spec, store=self.services.store.questions)
        except UserBusy:
            await self.services.store.questions.mark_failed(question.id, "busy")
            return False
        lang = await self._language(case)
        task = asyncio.create_task(
            QuestionDelivery(self, case, lang).run(job), name=f"answer-{case.short_id}"
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return True

    async def cancel_user(self, user_id: int) -> bool:
        job = self.queue.active_for(user_id)
        return job is not None and await self.queue.cancel(job)

    async def cancel_job(self, user_id: int, job_id: str) -> bool:
        """Stop the user's job only while it is the one a button was shown for (a question's answer)."""
        job = self.queue.active_for(user_id)
        return job is not None and job.spec.id == job_id and await self.queue.cancel(job)

    # --- for CaseDelivery -----------------------------------------------------------------------

    async def save_heatmap(self, case: Case, png: bytes) -> None:
        await save_heatmap_of(self.services, case, png)

    # --- internals ------------------------------------------------------------------------------

    def _spawn(self, case: Case, job: Job, regenerating: bool = False) -> None:
        task = asyncio.create_task(self._deliver(case, job, regenerating), name=f"deliver-{case.short_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, case: Case, job: Job, regenerating: bool) -> None:
        self.outbox.claim(case.id)
        try:
            await CaseDelivery(self, case).run(job, regenerating)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.error("delivery of case %s failed: %s", case.short_id, type(exc).__name__, exc_info=exc)
        finally:
            self.outbox.release(case.id)

    async def _language(self, case: Case) -> str:
        user = await self.services.store.users.get(case.user_id)
        return user.language if user else case.ui_language

    async def _tell_interrupted(self, case_id: str) -> None:
        case = await self.services.store.cases.by_id(case_id)
        if case is None:
            return
        log.warning("case %s failed: interrupted twice while it ran", case.short_id)
        lang = await self._language(case)
        t = self.services.t
        with contextlib.suppress(TelegramError):
            await with_retries(
                lambda: self.bot.send_message(
                    case.chat_id,
                    failure_text(t, lang, "interrupted"),
                    reply_markup=retry_markup(t, lang, case),
                ),
                chat_id=case.chat_id,
            )
