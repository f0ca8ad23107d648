"""Building the inference side from settings: the one place where settings become model arguments."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from casework.translator import Translator
from inference.classifier import SkinClassifier
from inference.model_queue import JobStore, ModelQueue
from inference.observer import InferenceObserver
from inference.quality import QualityThresholds
from inference.report_model import ReportModel
from inference.skin_question import SkinQuestion
from inference.urgency import UrgencyGuard
from inference.worker import ModelWorker, ReportWriter
from skinbot.settings import Settings

log = logging.getLogger(__name__)


class StartupError(Exception):
    """A configuration the bot cannot start with; the message says what to do."""


def quality_thresholds(settings: Settings) -> QualityThresholds:
    return QualityThresholds(
        min_side=settings.min_side,
        min_brightness=settings.dark_below,
        max_brightness=settings.bright_above,
        min_sharpness=settings.blur_below,
        min_contrast=settings.flat_below,
    )


def build_classifier(settings: Settings) -> SkinClassifier:
    return SkinClassifier(
        settings.classifier, device=settings.device, uncertain_below=settings.uncertain_below
    )


def build_writer(settings: Settings) -> ReportWriter:
    if settings.llm_is_url:
        from inference.engine_writer import EngineWriter

        host = settings.llm_cleartext_host
        if host is not None:  # Settings refused it unless SKINBOT_LLM_ALLOW_HTTP=1
            log.warning(
                "SKINBOT_LLM_ALLOW_HTTP=1: reports go to %s over plain http; photos, histories and the API "
                "key cross the network unencrypted",
                host,
            )

        return EngineWriter(
            settings.llm,
            model=settings.llm_model,
            api_key=settings.llm_api_key.get() or None,
            max_tokens=settings.max_new_tokens,
            timeout_s=settings.job_timeout_s,
            concurrency=settings.llm_concurrency,
        )
    if settings.llm_is_gguf_file:
        return build_llama_writer(settings)
    path = Path(settings.llm)
    gguf = sorted(path.glob("*.gguf")) if path.is_dir() else []
    return ReportModel(
        path,
        device=settings.device,
        quantize=settings.quantize,
        max_new_tokens=settings.max_new_tokens,
        gguf_file=gguf[0].name if gguf and not (path / "config.json").is_file() else None,
        timeout_s=settings.job_timeout_s,
    )


def build_llama_writer(settings: Settings) -> ReportWriter:
    """MedGemma as GGUF on the CPU through llama.cpp: SKINBOT_LLM is the .gguf file, its projector
    SKINBOT_LLM_MMPROJ or the mmproj*.gguf beside it."""
    from inference.llama_writer import LlamaWriter

    return LlamaWriter(
        Path(settings.llm),
        mmproj_path=settings.llm_mmproj,
        threads=settings.llm_threads,
        max_new_tokens=settings.max_new_tokens,
        timeout_s=settings.job_timeout_s,
    )


def skin_question(settings: Settings) -> SkinQuestion | None:
    """The report model's look at each photo, unless SKINBOT_SKIN_QUESTION_MIN_YES is 0."""
    return SkinQuestion(settings.skin_question_min_yes) if settings.skin_question_min_yes > 0 else None


def build_worker(
    settings: Settings,
    writer: ReportWriter | None = None,
    read: Callable[[Path], bytes] = Path.read_bytes,
    observer: InferenceObserver | None = None,
) -> ModelWorker:
    """Both models and the photo gates, as the settings say, and the guard that holds each report's urgency
    line to the triage: the worker of the bot, the web API and diagnose."""
    return ModelWorker(
        build_classifier(settings),
        writer or build_writer(settings),
        quality_thresholds(settings),
        read=read,
        carcinoma_referral=settings.carcinoma_referral,
        observer=observer,
        skin_question=skin_question(settings),
        urgency=UrgencyGuard(Translator()),
    )


def build_queue(
    settings: Settings,
    store: JobStore,
    writer: ReportWriter | None = None,
    read: Callable[[Path], bytes] = Path.read_bytes,
    observer: InferenceObserver | None = None,
) -> ModelQueue:
    """`read` opens a stored photo (they may be encrypted at rest); `observer` hears what to measure."""
    worker = build_worker(settings, writer, read, observer)
    # An engine batches on its own side: as many jobs go to it at once as it may have in flight. llama.cpp
    # writes one row after another, so a batch would only hold finished reports back until the last one.
    batch = (
        settings.llm_concurrency
        if settings.llm_is_url
        else 1
        if settings.llm_is_gguf_file
        else settings.batch
    )
    return ModelQueue(worker, store, batch_size=batch, job_timeout_s=settings.job_timeout_s)
