"""API requests on the bot's one model queue.

Each request becomes an `ApiRun`: a task of its own that follows the queue job's events, stores what
must be kept (a diagnose request's report and PDF) and passes typed events on to whoever answers the
HTTP request. The run, not the HTTP request, owns the job, so a client that goes away only has to say so
(`abandon()`, which never waits): the run cancels the job and deletes the photo and the row, whatever
the HTTP side is doing at that moment.

API requests are stored in `api_cases`, not `cases`: the queue's own bookkeeping (`store.jobs`) finds no
row for them and changes nothing, so no Telegram delivery, outbox or restart ever picks one up. A
request cut off by a stop is forgotten at the next start; its client had gone anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from typing import Any

from conversations.domain import Language
from conversations.web_domain import ApiCase, ApiKey, ApiKind
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
from inference.model_queue import Job, UserBusy
from web.context import WebContext
from web.errors import ApiError
from web.results import classification_payload, rejection_payload

log = logging.getLogger(__name__)

TERMINAL_KINDS = ("done", "error")


@dataclass(frozen=True)
class ApiEvent:
    kind: str  # queued | classified | delta | restart | done | error
    data: dict[str, Any]

    @property
    def terminal(self) -> bool:
        return self.kind in TERMINAL_KINDS


@dataclass(frozen=True)
class ApiIntake:
    """A validated request: the photo (already re-encoded) and the answers. The name goes only into the
    PDF; the job the model sees has no field for it."""

    photo_jpeg: bytes
    age: int
    gender: str
    history: str | None
    language: Language
    name: str
    # Why the checks at upload turned the photo back (photo_jpeg is then empty): such a request queues
    # nothing.
    issues: tuple[str, ...] = ()


@dataclass(eq=False)
class ApiRun:
    jobs: ApiJobs
    key: ApiKey
    case: ApiCase
    job: Job
    events: asyncio.Queue[ApiEvent] = field(default_factory=asyncio.Queue)
    task: asyncio.Task[None] | None = None
    finished: bool = False
    stopping: bool = False

    @property
    def lang(self) -> Language:
        return self.case.language

    def put(self, kind: str, **data: Any) -> None:
        if self.finished:
            return
        event = ApiEvent(kind, data)
        self.finished = event.terminal
        self.events.put_nowait(event)

    def error(
        self, status: int, code: str, key: str, extra: dict[str, Any] | None = None, **args: Any
    ) -> None:
        body = ApiError(status, code, key, extra=extra, **args).body(self.jobs.ctx.t, self.lang)["error"]
        self.put("error", status=status, **body)

    async def stream(self, keep_alive_s: float | None = None) -> AsyncIterator[ApiEvent | None]:
        """Every event up to the terminal one; None now and then while nothing happens (a keep-alive)."""
        while True:
            try:
                event = await asyncio.wait_for(self.events.get(), keep_alive_s)
            except TimeoutError:
                yield None
                continue
            yield event
            if event.terminal:
                return

    def abandon(self) -> None:
        """The client went away: cancel the job and forget the request. Safe to call at any time."""
        if self.task is not None and not self.task.done():
            self.task.cancel()

    # --- the run itself -------------------------------------------------------------------------

    async def run(self) -> None:
        try:
            async for event in self.job.events():
                if await self._handle(event):
                    return
        except asyncio.CancelledError:
            await self._cancel()
            self.error(503, "stopping", "api-error-stopping")
            raise
        except Exception as exc:
            log.error("API request %s failed: %s", self.case.id[:8], type(exc).__name__, exc_info=exc)
            await self._forget()
        finally:
            # Whoever reads the events always gets an end (put() ignores this after a terminal event).
            self.error(500, "failed", "api-error-failed", reason=self.jobs.ctx.t(self.lang, "failure-error"))

    async def _cancel(self) -> None:
        queue = self.jobs.ctx.queue
        if queue is not None and not self.job.finished:
            with contextlib.suppress(Exception):
                await queue.cancel(self.job)
        await self._forget()

    async def _forget(self) -> None:
        await self.jobs.forget(self.case)

    async def _handle(self, event: object) -> bool:
        """Handle one job event; True once the run is over."""
        ctx, t, case = self.jobs.ctx, self.jobs.ctx.t, self.case
        diagnose = case.kind == "diagnose"
        match event:
            case Queued(position=position, starting=starting):
                self.put("queued", position=position, starting=starting)
            case Started():
                await ctx.store.api_cases.mark_running(case.id)
            case Rejected(issues=issues):
                await self._forget()
                self.error(
                    422,
                    "photo_rejected",
                    "api-error-photo-rejected",
                    extra=rejection_payload(t, self.lang, issues),
                )
                return True
            case Classified(classification=result, heatmap_png=heatmap):
                if diagnose:
                    await ctx.store.api_cases.save_classification(case.id, result.to_record())
                    if heatmap:
                        await asyncio.to_thread(ctx.files.save_heatmap, case.owner_id, case.id, heatmap)
                self.put(
                    "classified",
                    **classification_payload(t, self.lang, result, ctx.case_config.carcinoma_referral),
                )
            case TextDelta(text=text):
                self.put("delta", text=text)
            case Restart():
                self.put("restart")
            case Done(text=text, image_seen=image_seen, stopped_by=stopped_by, urgency_note=note):
                if not diagnose:
                    await self._forget()
                    self.put("done")
                    return True
                await self._finish(text, image_seen, stopped_by, urgency_corrected=note is not None)
                return True
            case Failed(reason=reason):
                await self._forget()
                key = f"failure-{reason}" if t.has(self.lang, f"failure-{reason}") else "failure-error"
                self.error(500, "failed", "api-error-failed", reason=t(self.lang, key))
                return True
            case Cancelled():
                await self._forget()
                self.error(409, "cancelled", "api-error-cancelled")
                return True
        return False

    async def _finish(self, text: str, image_seen: bool, stopped_by: str, urgency_corrected: bool) -> None:
        """The report is written: the PDF is rendered and saved, then the request is marked done."""
        ctx, case = self.jobs.ctx, self.case
        current = await ctx.store.api_cases.get(case.key_id, case.id)
        if current is None:
            return
        ended = stopped_by if stopped_by in ("length", "repetition") else "eos"
        written = replace(current.as_case(), report=text, image_seen=image_seen, report_end=ended)
        await ctx.render_pdf(written)
        await ctx.store.api_cases.save_report(case.id, text, image_seen, ended)
        if await ctx.store.api_cases.get(case.key_id, case.id) is None:
            await self._forget()  # its key was revoked meanwhile: no PDF may outlive the row
            return
        self.put(
            "done",
            case_id=case.id,
            # Absolute only on SKINBOT_WEB_URL: a Host header is the client's to choose.
            pdf_url=f"{ctx.web_config.web_url}/api/v1/reports/{case.id}.pdf",
            report=text,
            report_cut=ended != "eos",
            urgency_corrected=urgency_corrected,
        )


class ApiJobs:
    def __init__(self, ctx: WebContext) -> None:
        self.ctx = ctx
        self.runs: set[ApiRun] = set()

    async def forget(self, case: ApiCase) -> None:
        """Nothing of this request stays behind: its row, photo, heatmap and PDF go."""
        await asyncio.to_thread(self.ctx.files.delete_case_files, case.owner_id, case.id, case.image)
        await self.ctx.store.api_cases.delete(case.id)

    async def start(self) -> None:
        """Forget the requests a stop cut off: their clients are gone."""
        abandoned = await self.ctx.store.api_cases.abandoned()
        for case in abandoned:
            await self.forget(case)
        if abandoned:
            log.info("forgot %d API request(s) cut off by the last stop", len(abandoned))

    async def close(self) -> None:
        """Stopping: every open request ends with an error event and its job is cancelled."""
        tasks = [run.task for run in self.runs if run.task is not None and not run.task.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=5)

    async def submit(self, key: ApiKey, kind: ApiKind, intake: ApiIntake) -> ApiRun:
        ctx = self.ctx
        queue = ctx.queue
        if queue is None:
            raise ApiError(503, "unavailable", "api-error-unavailable")
        if queue.active_for(key.owner_id) is not None:
            raise ApiError(429, "busy", "api-error-busy")
        image = await asyncio.to_thread(ctx.files.save_image, key.owner_id, intake.photo_jpeg)
        case = await ctx.store.api_cases.create(
            key.id,
            kind,
            patient_name=intake.name,
            age=intake.age,
            gender=intake.gender,
            history=intake.history,
            language=intake.language,
            image=image,
        )
        spec = JobSpec(
            id=case.id,
            user_id=key.owner_id,
            image_paths=(ctx.files.image_path(key.owner_id, image),),
            age=intake.age,
            gender=intake.gender,
            history=intake.history,
            language=intake.language,
            report=kind == "diagnose",
        )
        try:
            job = await queue.submit(spec)
        except UserBusy:
            await self.forget(case)
            raise ApiError(429, "busy", "api-error-busy") from None
        run = ApiRun(self, key, case, job)
        run.task = asyncio.create_task(run.run(), name=f"api-{case.id[:8]}")
        self.runs.add(run)
        run.task.add_done_callback(lambda _: self.runs.discard(run))
        return run
