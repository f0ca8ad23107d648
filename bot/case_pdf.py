"""The PDF of a stored case: rendered once when the report is done, again whenever it is asked for and
missing, and again when a doctor's verdict is stamped on it. Every path reads the same stored data, so two
PDFs of one case can only differ by the stamp."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from telegram import InputFile

from bot.pdf import ReportDocument
from bot.telegram_calls import with_retries
from conversations.domain import Case
from conversations.files import FileStore
from inference.events import Classified, Done
from inference.labels import Classification
from inference.triage import triage


def document_for(
    *,
    case_id: str,
    created_at: datetime,
    language: str,
    patient_name: str,
    age: int,
    gender: str,
    history: str | None,
    photo_jpeg: bytes,
    classified: Classified,
    done: Done,
    carcinoma_referral: float,
    review_stamp: str | None = None,
) -> ReportDocument:
    """The PDF's content for one finished report; the bot and `skinbot diagnose` both use it. A report cut
    short (by the length cap or the repetition guard) says so on the page."""
    return ReportDocument(
        case_id=case_id,
        created_at=created_at,
        language=language,
        patient_name=patient_name,
        age=age,
        gender=gender,
        history=history,
        photo_jpeg=photo_jpeg,
        classification=classified.classification,
        triage=triage(classified.classification, carcinoma_referral),
        report_text=done.text,
        heatmap_png=classified.heatmap_png,
        image_seen_by_model=done.image_seen,
        review_stamp=review_stamp,
        report_cut=done.stopped_by in ("length", "repetition"),
    )


RenderPdf = Callable[[ReportDocument], Awaitable[bytes]]


async def render_case_pdf(
    case: Case,
    files: FileStore,
    render: RenderPdf,
    carcinoma_referral: float,
    review_stamp: str | None = None,
) -> bytes:
    """Render from the store and save it as the case's PDF. The case must have its report."""
    assert case.classification is not None and case.report is not None
    photo = await asyncio.to_thread(files.read_image, case.user_id, case.image)
    heatmap = await asyncio.to_thread(files.read_optional, files.heatmap_path(case.user_id, case.id))
    classified = Classified(Classification.from_record(case.classification), heatmap)
    done = Done(case.report, bool(case.image_seen), case.report_end if case.report_cut else "eos")  # type: ignore[arg-type]
    document = document_for(
        case_id=case.id,
        created_at=case.created_at,
        language=case.report_language,
        patient_name=case.patient_name,
        age=case.age,
        gender=case.gender,
        history=case.history,
        photo_jpeg=photo,
        classified=classified,
        done=done,
        carcinoma_referral=carcinoma_referral,
        review_stamp=review_stamp,
    )
    pdf = await render(document)
    await asyncio.to_thread(files.save_pdf, case.user_id, case.id, pdf)
    return pdf


async def case_pdf(case: Case, files: FileStore, render: RenderPdf, carcinoma_referral: float) -> bytes:
    """The case's stored PDF, or, when it is missing (never saved, or lost), a new one from its report."""
    stored = await asyncio.to_thread(files.read_pdf, case.user_id, case.id)
    if stored is not None:
        return stored
    return await render_case_pdf(case, files, render, carcinoma_referral)


_PDF_NAME = re.compile(r"^skin-report-([0-9a-f]{8})-\d{4}-\d{2}-\d{2}\.pdf$")


def pdf_filename(case: Case) -> str:
    return f"skin-report-{case.short_id}-{case.created_at.date().isoformat()}.pdf"


def case_of_pdf(file_name: str | None) -> str | None:
    """The short case id a report PDF's file name carries, or None for any other file."""
    found = _PDF_NAME.match(file_name or "")
    return found.group(1) if found else None


async def send_pdf(
    bot: Any,
    chat_id: int,
    case: Case,
    pdf: bytes,
    caption: str,
    guard: Callable[[Callable[[], Awaitable[Any]]], Awaitable[Any]] | None = None,
) -> None:
    """`guard` wraps each attempt, e.g. to stop retries once Telegram may have applied the send."""

    def call() -> Awaitable[Any]:
        return bot.send_document(
            chat_id,
            InputFile(pdf, filename=pdf_filename(case)),
            caption=caption[:1024],
            filename=pdf_filename(case),
        )

    def attempt() -> Awaitable[Any]:
        return guard(call) if guard is not None else call()

    await with_retries(attempt, chat_id=chat_id)
