"""The one thread that owns the GPU: it loads both models once, then runs batches handed to it.

Callers never touch a model. They hand a batch to `ModelWorker.run(batch)` and await the future; the
worker reports progress per job through each job's `emit`, which is safe to call from this thread.
With an engine (a pooling writer) each job ends the moment its own row does, and `run(batch, more=...)`
lets rows that free up while others still stream go to jobs that arrived meanwhile.
"""

from __future__ import annotations

import concurrent.futures
import io
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

from PIL import Image

from conversations.domain import PHOTO_KINDS
from inference.events import (
    Cancelled,
    Classified,
    Done,
    Event,
    Failed,
    JobSpec,
    Rejected,
    Restart,
    TextDelta,
    WriterResult,
)
from inference.labels import Classification
from inference.observer import InferenceObserver, NoObserver
from inference.photo_checks import PhotoChecks
from inference.quality import QualityThresholds
from inference.questions import AnswerGuard, question_rows
from inference.report_request import EarlierResult, ReportRequest
from inference.row_images import RowImages
from inference.skin_gate import DEFAULT_GATE, NOT_SKIN, SkinGate
from inference.skin_question import SkinQuestion
from inference.triage import DEFAULT_CARCINOMA_REFERRAL
from inference.urgency import UrgencyGuard

log = logging.getLogger(__name__)


class Classifier(Protocol):
    def setup(self) -> None: ...
    def predict(self, images: list[Image.Image]) -> list[Classification]: ...
    def explain(self, image: Image.Image) -> bytes | None: ...


class ReportWriter(Protocol):
    def setup(self) -> None: ...
    def generate(
        self,
        requests: list[ReportRequest],
        images: list[RowImages],
        on_delta: Callable[[int, str], None],
        should_stop: Callable[[int], bool] = ...,
        on_restart: Callable[[int], None] | None = None,
    ) -> list[WriterResult]:
        """Rows stream through on_delta. A writer that must start a row over (an engine retry) calls
        on_restart(row) first, and the row's text so far is void."""
        ...


Row = tuple[ReportRequest, RowImages]


@runtime_checkable
class SkinJudge(Protocol):
    """A writer whose model can answer the skin question (inference.skin_question) about each photo."""

    def skin_yes(self, images: list[Image.Image]) -> list[float | None]: ...


@runtime_checkable
class PoolingWriter(ReportWriter, Protocol):
    """A writer that runs rows as a pool (an engine): rows are pulled while others stream, and each is
    reported the moment it ends. See EngineWriter.pool."""

    def pool(
        self,
        take: Callable[[int], list[Row]],
        on_delta: Callable[[int, str], None],
        should_stop: Callable[[int], bool] = ...,
        on_restart: Callable[[int], None] | None = None,
        on_result: Callable[[int, WriterResult], None] = ...,
    ) -> None: ...


# Up to n more jobs to start now, or [] when none is waiting; called on the model-worker thread while a
# pooling writer has free slots (the queue's side of handing a finished row's slot to the next job).
MoreJobs = Callable[[int], list["WorkItem"]]


@dataclass
class WorkItem:
    """One job inside a batch, as the worker sees it."""

    spec: JobSpec
    emit: Callable[[Event], None]
    deadline: float  # time.monotonic() after which the job is stopped
    cancelled: threading.Event = field(default_factory=threading.Event)
    finished: bool = False

    def finish(self, event: Event) -> None:
        if not self.finished:
            self.finished = True
            self.emit(event)

    def should_stop(self) -> bool:
        return self.cancelled.is_set() or time.monotonic() > self.deadline


class ModelWorker:
    def __init__(
        self,
        classifier: Classifier,
        writer: ReportWriter,
        thresholds: QualityThresholds,
        explain: bool = True,
        read: Callable[[Path], bytes] = Path.read_bytes,
        carcinoma_referral: float = DEFAULT_CARCINOMA_REFERRAL,
        gate: SkinGate = DEFAULT_GATE,
        observer: InferenceObserver | None = None,
        skin_question: SkinQuestion | None = None,
        urgency: UrgencyGuard | None = None,
    ) -> None:
        self.classifier, self.writer, self.thresholds, self.explain = classifier, writer, thresholds, explain
        self.carcinoma_referral = carcinoma_referral  # told to the report model, as the chat applies it
        self.gate = gate
        # The same checks the adapters run at upload, run again here as the last line of defence.
        self.checks = PhotoChecks(thresholds, gate)
        # The report model's look at each photo, when asked for and the writer can answer it.
        self.skin_question = skin_question if isinstance(writer, SkinJudge) else None
        self.read = read  # photos may be stored encrypted; the caller knows how to read them
        # Holds each finished report's urgency line to the triage; the bot's wiring always sets it.
        self.urgency = urgency
        # Holds each answer to a question about a finished case to the same rails, in the same words.
        self.answers = AnswerGuard(urgency.words if urgency is not None else None)
        self.observer: InferenceObserver = observer or NoObserver()
        # One thread: the models are only ever touched from it, so no model needs to be thread-safe.
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="model-worker")
        self._thread: threading.Thread | None = None
        # time.monotonic() when the batch in hand began; None while idle (or loading the models).
        self.busy_since: float | None = None

    def start(self) -> concurrent.futures.Future[None]:
        return self._pool.submit(self._setup)

    @property
    def alive(self) -> bool:
        """The worker thread exists and has not exited (it exits only after stop())."""
        return self._thread is not None and self._thread.is_alive()

    def _setup(self) -> None:
        self._thread = threading.current_thread()
        started = time.perf_counter()
        log.info("loading models (classifier, then report model); this happens once")
        self.classifier.setup()
        self.writer.setup()
        log.info("models ready in %.1f s", time.perf_counter() - started)

    def run(self, batch: list[WorkItem], more: MoreJobs | None = None) -> concurrent.futures.Future[None]:
        """Run a batch. With a pooling writer (an engine), each job is finished the moment its row ends,
        and when `more` is given, slots that free up while other rows still stream go to jobs it hands
        out; the future completes when no row is left running and `more` has nothing. Other writers run
        the batch as one and ignore `more`."""
        return self._pool.submit(self._run_guarded, batch, more)

    def stop(self, wait: bool = True) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=True)

    def _run_guarded(self, batch: list[WorkItem], more: MoreJobs | None = None) -> None:
        touched = list(batch)  # jobs pulled through `more` join it, so a failure finishes them too
        self.busy_since = time.monotonic()
        try:
            self._run(touched, more)
        except Exception as exc:
            reason = "out_of_memory" if _is_oom(exc) else "error"
            log.error("batch of %d failed: %s", len(touched), type(exc).__name__, exc_info=exc)
            if reason == "out_of_memory":
                _free_gpu_memory()
            for item in touched:
                item.finish(Failed(reason))
        finally:
            self.busy_since = None

    def _prepare(self, items: list[WorkItem]) -> list[tuple[WorkItem, Row]]:
        """The writer's rows: questions about finished cases (inference.questions), then cases."""
        asked = [item for item in items if item.spec.question is not None]
        cases = [item for item in items if item.spec.question is None]
        return [*question_rows(asked, self._load, self.carcinoma_referral), *self._prepare_cases(cases)]

    def _prepare_cases(self, items: list[WorkItem]) -> list[tuple[WorkItem, Row]]:
        """Read, gate and classify: the jobs that go on to the report writer, with their rows. Jobs with a
        photo that is missing, fails the quality gate or does not look like skin are finished here; a
        job's photos are classified together with every other job's, and its result is their mean."""
        live: list[_Case] = []
        for item in items:
            case = self._open(item)
            if case is not None:
                live.append(case)
        if not live:
            return []

        # Every photo of every case in one forward pass, then each case's results back together.
        photos = [photo for case in live for photo in case.photos]
        predict_started = time.perf_counter()
        results = self.classifier.predict(photos)
        self.observer.classified(time.perf_counter() - predict_started, len(photos))
        familiar: list[_Case] = []
        for case in live:
            case.results, results = results[: len(case.photos)], results[len(case.photos) :]
            # The classifier itself does not recognise a photo: the case is rejected, naming that photo.
            unfamiliar = next((n for n, r in enumerate(case.results, 1) if not self.gate.familiar(r)), 0)
            if unfamiliar:
                case.item.finish(Rejected((NOT_SKIN,), photo=unfamiliar))
            else:
                familiar.append(case)
        prepared: list[tuple[WorkItem, Row]] = []
        for case in self._ask_about_skin(familiar):
            item = case.item
            result = Classification.mean(case.results)
            if not item.spec.report:  # scores only (the web API's classify and analyze)
                item.emit(Classified(result, None))
                item.finish(Done("", image_seen=False, stopped_by="eos"))
                continue
            # The heatmap of the close-up: the photo the report and the PDF put first.
            heatmap = self.explain_safely(case.photos[0]) if self.explain else None
            item.emit(Classified(result, heatmap))
            prepared.append((item, (self._request(case, result), case.images_for_report())))
        return prepared

    def _ask_about_skin(self, cases: list[_Case]) -> list[_Case]:
        """The cases whose every photo the report model takes for skin; the others are rejected, naming the
        first photo it does not. Without a skin question every case goes on."""
        question = self.skin_question
        if question is None or not cases:
            return cases
        assert isinstance(self.writer, SkinJudge)
        shares = self.writer.skin_yes([photo for case in cases for photo in case.photos])
        kept = []
        for case in cases:
            mine, shares = shares[: len(case.photos)], shares[len(case.photos) :]
            refused = next((n for n, share in enumerate(mine, 1) if not question.says_skin(share)), 0)
            if refused:
                case.item.finish(Rejected((NOT_SKIN,), photo=refused))
            else:
                kept.append(case)
        return kept

    def _request(self, case: _Case, result: Classification) -> ReportRequest:
        spec = case.item.spec
        earlier = None
        if spec.earlier is not None:
            earlier = EarlierResult(
                spec.earlier.day,
                Classification.from_record(spec.earlier.classification),
                photo_attached=case.earlier_photo is not None,
            )
        return ReportRequest(
            spec.age,
            spec.gender,
            spec.history,
            spec.language,
            result,
            body_site=spec.body_site,
            photo_kinds=PHOTO_KINDS[: len(case.photos)],
            earlier=earlier,
            carcinoma_referral=self.carcinoma_referral,
        )

    def _open(self, item: WorkItem) -> _Case | None:
        """The case's photos, each through the quality gate and then the skin-colour gate (before the
        classifier spends a forward pass on it). A case with a photo turned back is rejected, naming it."""
        photos: list[Image.Image] = []
        for position, path in enumerate(item.spec.image_paths, start=1):
            image = self._load(path)
            if image is None:
                item.finish(Failed("image_missing", retryable=False))
                return None
            issues = self.checks.issues(image)
            if issues:
                item.finish(Rejected(issues, photo=position))
                return None
            photos.append(image)
        earlier = item.spec.earlier
        # The earlier close-up is only compared with: it is not gated, and a purged one is simply left out.
        earlier_photo = self._load(earlier.image_path) if earlier and earlier.image_path else None
        return _Case(item, photos, earlier_photo)

    def _load(self, path: Path) -> Image.Image | None:
        try:
            with Image.open(io.BytesIO(self.read(path))) as opened:
                return opened.convert("RGB")
        except (OSError, ValueError):
            return None

    def _run(self, batch: list[WorkItem], more: MoreJobs | None = None) -> None:
        batch_started = time.perf_counter()
        prepared = self._prepare(batch)
        if isinstance(self.writer, PoolingWriter):
            self._run_pooled(prepared, batch, more)
            return
        if not prepared:
            return
        live = [item for item, _ in prepared]

        first: dict[int, float] = {}
        last: dict[int, float] = {}

        def on_delta(row: int, text: str) -> None:
            now = time.perf_counter()
            if row not in first:
                first[row] = now
                self.observer.first_text(now - batch_started)
            last[row] = now
            live[row].emit(TextDelta(text))

        def on_restart(row: int) -> None:
            live[row].emit(Restart())

        outcomes = self.writer.generate(
            [request for _, (request, _) in prepared],
            [image for _, (_, image) in prepared],
            on_delta,
            lambda row: live[row].should_stop(),
            on_restart=on_restart,
        )
        for row, outcome in enumerate(outcomes):
            # From the first delta to the last: decoding time, without the prompt's prefill.
            if outcome.tokens:
                self.observer.report_written(outcome.tokens, last[row] - first[row] if row in first else 0.0)
        for (item, (request, _)), outcome in zip(prepared, outcomes, strict=True):
            self._finish(item, outcome, request)

    def _run_pooled(
        self, prepared: list[tuple[WorkItem, Row]], touched: list[WorkItem], more: MoreJobs | None
    ) -> None:
        assert isinstance(self.writer, PoolingWriter)
        waiting = list(prepared)  # classified, not yet handed to the writer
        rows: list[tuple[WorkItem, ReportRequest]] = []  # the writer's row number -> its job and request
        handed: list[float] = []  # when each row went to the writer
        first: dict[int, float] = {}
        last: dict[int, float] = {}

        def take(free: int) -> list[Row]:
            while len(waiting) < free and more is not None:
                pulled = more(free - len(waiting))
                if not pulled:
                    break
                touched.extend(pulled)
                waiting.extend(self._prepare(pulled))
            taken, waiting[:] = waiting[:free], waiting[free:]
            rows.extend((item, request) for item, (request, _) in taken)
            handed.extend(time.perf_counter() for _ in taken)
            return [row for _, row in taken]

        def on_delta(row: int, text: str) -> None:
            now = time.perf_counter()
            if row not in first:
                first[row] = now
                self.observer.first_text(now - handed[row])
            last[row] = now
            rows[row][0].emit(TextDelta(text))

        def on_result(row: int, outcome: WriterResult) -> None:
            if outcome.tokens:
                self.observer.report_written(outcome.tokens, last[row] - first[row] if row in first else 0.0)
            item, request = rows[row]
            self._finish(item, outcome, request)

        self.writer.pool(
            take,
            on_delta,
            lambda row: rows[row][0].should_stop(),
            on_restart=lambda row: rows[row][0].emit(Restart()),
            on_result=on_result,
        )

    def _finish(self, item: WorkItem, outcome: WriterResult, request: ReportRequest) -> None:
        if item.cancelled.is_set():
            item.finish(Cancelled())
        elif outcome.stopped_by == "timeout" or time.monotonic() > item.deadline:
            item.finish(Failed("timeout"))
        elif outcome.stopped_by == "error":
            # A writer may fail one row (an engine's 4xx) without failing the batch.
            item.finish(Failed(outcome.error or "engine"))
        else:
            text, note = outcome.text, None
            if request.question is not None:
                text = self.answers.settle(outcome.text, request)
            elif self.urgency is not None:
                settled = self.urgency.settle(outcome.text, request)
                text, note = settled.text, settled.note
            item.finish(Done(text, outcome.image_seen, outcome.stopped_by, note))

    def explain_safely(self, image: Image.Image) -> bytes | None:
        """A heatmap is a nice-to-have: its failure must not fail the report."""
        try:
            return self.classifier.explain(image)
        except Exception as exc:
            log.warning("Grad-CAM failed: %s", type(exc).__name__)
            return None


@dataclass
class _Case:
    """One job's photos in the worker: opened and gated, then classified."""

    item: WorkItem
    photos: list[Image.Image]
    earlier_photo: Image.Image | None = None
    results: list[Classification] = field(default_factory=list)

    def images_for_report(self) -> list[Image.Image]:
        return [*self.photos, *([self.earlier_photo] if self.earlier_photo is not None else [])]


def _is_oom(exc: BaseException) -> bool:
    if type(exc).__name__ == "OutOfMemoryError":
        return True
    return isinstance(exc, RuntimeError) and "out of memory" in str(exc).lower()


def _free_gpu_memory() -> None:
    try:
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    except ImportError:
        pass
