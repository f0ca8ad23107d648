"""The asyncio face of the model worker: FIFO jobs persisted in SQLite, one active job per user, batching.

Callers `submit(spec)` and iterate `job.events()`. A dispatcher task hands up to `batch_size` waiting
jobs at a time to the ModelWorker thread and awaits its future: one thread owns the models, callers
await futures.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import threading
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from inference.events import (
    TERMINAL,
    Cancelled,
    Classified,
    Done,
    Event,
    Failed,
    JobSpec,
    Queued,
    Rejected,
    Started,
)
from inference.labels import Classification
from inference.observer import InferenceObserver
from inference.worker import ModelWorker, WorkItem

log = logging.getLogger(__name__)
WATCHDOG_S = 1.0  # how often running jobs are checked against their deadlines
HANG_GRACE_S = 30.0  # past its deadline, a job whose writer never returns is failed


class JobStore(Protocol):
    """What the queue records of each job; `conversations.store.Store.jobs` provides it."""

    async def mark_queued(self, case_id: str) -> None: ...
    async def mark_running(self, case_id: str) -> None: ...
    async def mark_cancelled(self, case_id: str) -> None: ...
    async def mark_rejected(self, case_id: str, issues: tuple[str, ...]) -> None: ...
    async def mark_failed(self, case_id: str, reason: str) -> None: ...
    async def save_classification(self, case_id: str, classification: dict[str, object]) -> None: ...
    async def save_report(self, case_id: str, report: str, image_seen: bool, ended_by: str) -> None: ...


@dataclass(frozen=True)
class QueueHealth:
    """The queue and its worker as a health check sees them (`ModelQueue.health()`)."""

    models: Literal["loading", "ready", "failed"]
    worker_alive: bool
    dispatcher_alive: bool
    busy_s: float | None  # how long the worker has been on its current batch; None when idle
    stuck_after_s: float  # busy longer than this means a generate ignores its deadline
    waiting: int
    running: int

    @property
    def stuck(self) -> bool:
        return self.busy_s is not None and self.busy_s > self.stuck_after_s

    @property
    def problem(self) -> str | None:
        """Why the inference side cannot serve, or None. Loading models is no problem, only not ready."""
        if self.models == "failed":
            return "the models failed to load"
        if not self.worker_alive:
            return "the model worker thread is not running"
        if self.stuck:
            return f"the model worker has been on one batch for {self.busy_s:.0f} s, past the job timeout"
        if not self.dispatcher_alive:
            return "the job dispatcher has stopped"
        return None


class UserBusy(Exception):
    """The user already has a job waiting or running."""


class Job:
    def __init__(
        self, spec: JobSpec, attempt: int = 1, alone: bool = False, store: JobStore | None = None
    ) -> None:
        self.spec = spec
        # Where its progress is recorded when not the queue's own store: a question's row, not its case's.
        self.store = store
        self.attempt = attempt
        # Interrupted once already (a crash, an OOM kill, a shutdown): it runs in a batch of its own, so
        # if it is what brings the process down, it takes no other patient's report with it.
        self.alone = alone
        self._events: asyncio.Queue[Event] = asyncio.Queue()
        self.item: WorkItem | None = None  # set while running
        self.cancel_requested = threading.Event()  # shared with the worker, which polls it per token
        self.result: Event | None = None  # the terminal event, once there is one
        self.position: tuple[int, bool] | None = None  # (place in line, models still loading)
        self.classification: Classification | None = None
        self.outcome: Event | None = None  # terminal event from the worker, held until it is persisted
        self.concluded = False  # its outcome is stored and told

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def finished(self) -> bool:
        return self.result is not None

    def _put(self, event: Event) -> None:
        if self.result is not None:
            return
        if isinstance(event, TERMINAL):
            self.result = event
        self._events.put_nowait(event)

    async def events(self) -> AsyncIterator[Event]:
        """Every event of this job, ending with its terminal one."""
        while True:
            event = await self._events.get()
            yield event
            if isinstance(event, TERMINAL):
                return


class ModelQueue:
    def __init__(
        self,
        worker: ModelWorker,
        store: JobStore,
        batch_size: int = 4,
        job_timeout_s: float = 600,
        observer: InferenceObserver | None = None,
    ) -> None:
        self.worker, self.store = worker, store
        self.observer: InferenceObserver = observer or worker.observer
        self.batch_size, self.job_timeout_s = batch_size, job_timeout_s
        self._waiting: list[Job] = []
        self._running: list[Job] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._loading: concurrent.futures.Future[None] | None = None  # the worker thread's model load
        self._ready: asyncio.Future[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping = False
        # True when stop() came while the models were still loading: the load thread was left running.
        self.load_abandoned = False
        self._concluding: set[asyncio.Task[None]] = set()

    # --- lifecycle ------------------------------------------------------------------------------

    async def start(self, pending: Sequence[tuple[JobSpec, int, bool]] = ()) -> list[Job]:
        """Start the worker (models load in its thread, in the background) and restore the jobs the store
        still holds as queued.

        `pending` is (spec, attempts so far, interrupted before) in FIFO order. Returns the restored jobs,
        so the caller can attach someone to listen to them. Jobs wait, in order, until the models are ready.
        """
        self._loop = asyncio.get_running_loop()
        self._loading = self.worker.start()
        self._ready = asyncio.wrap_future(self._loading)
        restored = []
        for spec, attempts, interrupted in pending:
            job = Job(spec, attempt=attempts + 1, alone=interrupted)
            self._waiting.append(job)
            restored.append(job)
        self._announce_positions()
        self._task = asyncio.create_task(self._dispatch(), name="job-dispatcher")
        return restored

    async def wait_ready(self) -> None:
        assert self._ready is not None
        # Shielded: a waiter cancelled at shutdown (the delivery's watcher, the dispatcher) must not cancel
        # the future every waiter shares, or the queue would take the load for over while it still runs.
        await asyncio.shield(self._ready)

    @property
    def ready(self) -> bool:
        """The models are loaded (False while they load, and after they failed to)."""
        return self._ready is not None and self._ready.done() and self._ready.exception() is None

    def health(self) -> QueueHealth:
        """A snapshot for health checks and metrics; cheap, and safe to call from the event loop."""
        if self._ready is not None and self._ready.done():
            models: Literal["loading", "ready", "failed"] = "failed" if self._ready.exception() else "ready"
        else:
            models = "loading"
        busy_since = self.worker.busy_since
        return QueueHealth(
            models=models,
            worker_alive=self.worker.alive or (self._ready is not None and not self._ready.done()),
            # The dispatcher ends on its own only when the models fail to load; that is reported above.
            dispatcher_alive=self._task is not None and (not self._task.done() or models == "failed"),
            busy_s=None if busy_since is None else time.monotonic() - busy_since,
            # A batch's items stop at its deadline (job_timeout_s); a worker busy well past it is hung.
            stuck_after_s=self.job_timeout_s + min(30.0, self.job_timeout_s),
            waiting=len(self._waiting),
            running=len(self._running),
        )

    async def stop(self) -> None:
        """Stop taking jobs and stop generating at the next token. Running jobs stay 'running' in the
        store, so the next start requeues them and their users are told the report is being regenerated."""
        self._stopping = True
        # The worker's own future, not the waiters' view of it: it says whether the load thread still runs.
        loading = self._loading is not None and not self._loading.done()
        # Before the dispatcher goes: its cancellation forgets which jobs were running.
        for job in self._running:
            job.cancel_requested.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if loading:
            # A model load cannot be interrupted and may take minutes: the caller ends the process
            # instead of waiting for it (see `load_abandoned`); the models hold nothing to save.
            self.load_abandoned = True
            self.worker.stop(wait=False)
            return
        await asyncio.to_thread(self.worker.stop)

    # --- the caller's side ----------------------------------------------------------------------

    def active_for(self, user_id: int) -> Job | None:
        """The user's job that is still going (finished or cancelled rows of a running batch do not count)."""
        return next(
            (
                j
                for j in (*self._running, *self._waiting)
                if j.spec.user_id == user_id
                and not j.finished
                and j.outcome is None
                and not j.cancel_requested.is_set()
            ),
            None,
        )

    async def submit(self, spec: JobSpec, attempt: int = 1, store: JobStore | None = None) -> Job:
        """Queue a job; `store` records it instead of the queue's own (questions keep their own rows).
        A question about a finished case waits behind every new case: a new case goes in front of the
        first waiting question."""
        if self.active_for(spec.user_id) is not None:
            raise UserBusy(spec.user_id)
        job = Job(spec, attempt, store=store)
        place = len(self._waiting)
        if spec.question is None:
            place = next((n for n, j in enumerate(self._waiting) if j.spec.question is not None), place)
        self._waiting.insert(place, job)
        await self._store(job).mark_queued(spec.id)
        self._announce_positions()
        self._wake.set()
        return job

    async def cancel(self, job: Job) -> bool:
        """Cancel a waiting job now, or ask a running one to stop at its next decoding step."""
        if job in self._waiting:
            self._waiting.remove(job)
            job._put(Cancelled())
            self.observer.job_finished("cancelled")
            await self._store(job).mark_cancelled(job.id)
            self._announce_positions()
            return True
        if job in self._running:
            job.cancel_requested.set()
            return True
        return False

    def _store(self, job: Job) -> JobStore:
        return job.store or self.store

    # --- dispatching ----------------------------------------------------------------------------

    def _announce_positions(self) -> None:
        starting = not self.ready
        for index, job in enumerate(self._waiting, start=1):
            if job.position != (index, starting):
                job.position = (index, starting)
                job._put(Queued(index, starting))

    def _next_batch(self) -> list[Job]:
        """Up to batch_size jobs from the front; a job that runs alone is a batch of its own."""
        if self._waiting[0].alone:
            return self._waiting[:1]
        batch: list[Job] = []
        for job in self._waiting[: self.batch_size]:
            if job.alone:
                break
            batch.append(job)
        return batch

    async def _dispatch(self) -> None:
        try:
            await self.wait_ready()
        except Exception as exc:
            # The jobs stay queued in the store for the next start; whoever watches wait_ready() decides.
            log.error("models failed to load: %s", type(exc).__name__)
            return
        self._announce_positions()  # "starting" is over
        while True:
            if not self._waiting:
                self._wake.clear()
                await self._wake.wait()
                continue
            batch = self._next_batch()
            self._waiting = self._waiting[len(batch) :]
            self._announce_positions()
            try:
                await self._run(batch)
            except Exception as exc:
                # A storage error must not end the dispatcher: fail this batch's callers and go on.
                log.error("batch failed outside the models: %s", type(exc).__name__, exc_info=exc)
                for job in [*batch, *self._running]:
                    if not job.finished:
                        self.observer.job_finished("failed")
                    job._put(Failed("error"))
            finally:
                self._running = []

    async def _run(self, batch: list[Job]) -> None:
        for job in batch:
            if self._stopping:
                return
            await self._begin(job)
        items = [job.item for job in batch if job.item is not None]
        # `more` lets a pooling writer (an engine) give a finished row's slot to the next waiting job.
        future = asyncio.wrap_future(self.worker.run(items, more=self.take_waiting))
        while not future.done():
            await asyncio.wait({future}, timeout=WATCHDOG_S)
            # A generate that hangs in native code cannot be killed; its callers still get an answer.
            for job in list(self._running):
                item = job.item
                if (
                    job.outcome is None
                    and item is not None
                    and time.monotonic() > item.deadline + HANG_GRACE_S
                ):
                    log.error("a job ran %.0f s past its timeout; failing it", HANG_GRACE_S)
                    self._on_event(job, Failed("timeout"))
        # Events posted with call_soon_threadsafe run before anything scheduled after this point.
        await asyncio.sleep(0)
        for job in list(self._running):
            job.outcome = job.outcome or Failed("error")
            await self._conclude(job)
        if self._concluding:
            await asyncio.gather(*self._concluding)

    async def _begin(self, job: Job) -> None:
        assert self._loop is not None
        loop = self._loop
        await self._store(job).mark_running(job.id)
        job._put(Started(job.attempt))

        def emit(event: Event, job: Job = job) -> None:
            loop.call_soon_threadsafe(self._on_event, job, event)

        job.item = WorkItem(
            job.spec, emit, time.monotonic() + self.job_timeout_s, cancelled=job.cancel_requested
        )
        self._running.append(job)

    def take_waiting(self, count: int) -> list[WorkItem]:
        """For the worker thread: up to `count` waiting jobs, started, to fill slots that freed up."""
        assert self._loop is not None
        future = asyncio.run_coroutine_threadsafe(self._take_waiting(count), self._loop)
        try:
            return future.result(timeout=30)
        except (concurrent.futures.TimeoutError, concurrent.futures.CancelledError, RuntimeError):
            return []

    async def _take_waiting(self, count: int) -> list[WorkItem]:
        taken: list[WorkItem] = []
        while len(taken) < count and self._waiting and not self._stopping:
            if self._waiting[0].alone:
                break  # it runs in a batch of its own
            job = self._waiting.pop(0)
            await self._begin(job)
            assert job.item is not None
            taken.append(job.item)
        if taken:
            self._announce_positions()
        return taken

    def _on_event(self, job: Job, event: Event) -> None:
        if isinstance(event, TERMINAL):
            if job.outcome is None:
                job.outcome = event
                # Told as soon as the job's own row ends, not when its whole batch does; on a shutdown the
                # outcome is kept back, so the job stays 'running' and is written again at the next start.
                if not self._stopping:
                    task = asyncio.get_running_loop().create_task(self._conclude(job))
                    self._concluding.add(task)
                    task.add_done_callback(self._concluding.discard)
            return
        if isinstance(event, Classified):
            job.classification = event.classification
        job._put(event)

    async def _conclude(self, job: Job) -> None:
        """Store the job's outcome, then tell its caller: what a user is told is never lost."""
        if job.concluded or job.outcome is None:
            return
        job.concluded = True
        outcome = job.outcome
        try:
            await self._persist(job, outcome)
        except Exception as exc:  # a storage error must not end the dispatcher
            log.error("could not store a job's outcome: %s", type(exc).__name__, exc_info=exc)
            outcome = Failed("error")
        finally:
            if job in self._running:
                self._running.remove(job)
        self.observer.job_finished(type(outcome).__name__.lower())
        job._put(outcome)

    async def _persist(self, job: Job, result: Event) -> None:
        store = self._store(job)
        if job.classification is not None:
            await store.save_classification(job.id, job.classification.to_record())
        if isinstance(result, Done):
            await store.save_report(job.id, result.text, result.image_seen, result.stopped_by)
        elif isinstance(result, Rejected):
            await store.mark_rejected(job.id, result.issues)
        elif isinstance(result, Cancelled):
            await store.mark_cancelled(job.id)
        elif isinstance(result, Failed):
            await store.mark_failed(job.id, result.reason)
