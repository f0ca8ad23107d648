"""The PDF of a stored case: rendered once when the report is done, and again when a doctor's verdict is
stamped on it. Both paths read the same stored data, so the two PDFs can only differ by the stamp."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from telegram import InputFile

from bot.i18n import Translator
from bot.pdf import ReportDocument, render_pdf
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
    """The PDF's content for one finished report; the bot and `skinbot diagnose` both use it."""
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
    )


async def render_case_pdf(
    case: Case, files: FileStore, t: Translator, carcinoma_referral: float, review_stamp: str | None = None
) -> bytes:
    """Render from the store and save it as the case's PDF. The case must be done."""
    assert case.classification is not None and case.report is not None
    photo = await asyncio.to_thread(files.read_image, case.user_id, case.image)
    heatmap = await asyncio.to_thread(files.read_optional, files.heatmap_path(case.user_id, case.id))
    classified = Classified(Classification.from_record(case.classification), heatmap)
    done = Done(case.report, bool(case.image_seen), "eos")
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
    pdf = await asyncio.to_thread(render_pdf, document, t)
    await asyncio.to_thread(files.save_pdf, case.user_id, case.id, pdf)
    return pdf


def pdf_filename(case: Case) -> str:
    return f"skin-report-{case.short_id}-{case.created_at.date().isoformat()}.pdf"


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
