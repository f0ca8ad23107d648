"""The PDF of a stored case: rendered once when the report is done, again whenever it is asked for and
missing, and again when a doctor's verdict is stamped on it. Every path reads the same stored data, so two
PDFs of one case can only differ by the stamp."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from datetime import datetime

from casework.pdf import DocumentPhoto, EarlierCase, ReportDocument
from casework.pdf.renderers import RenderPdf
from casework.services import CaseServices
from conversations.domain import Case
from conversations.files import FileStore
from conversations.intake_state import photo_kind
from conversations.store import Store
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
    photos: Sequence[bytes],
    classified: Classified,
    done: Done,
    carcinoma_referral: float,
    review_stamp: str | None = None,
    body_site: str | None = None,
    earlier: EarlierCase | None = None,
) -> ReportDocument:
    """The PDF's content for one finished report; the bot and `skinbot diagnose` both use it. A report cut
    short (by the length cap or the repetition guard) says so on the page. Each photo carries its own scores
    when there are several (the case result is their mean)."""
    per_photo = classified.classification.photos
    return ReportDocument(
        case_id=case_id,
        created_at=created_at,
        language=language,
        patient_name=patient_name,
        age=age,
        gender=gender,
        history=history,
        photos=tuple(
            DocumentPhoto(jpeg, photo_kind(i), per_photo[i] if i < len(per_photo) else None)
            for i, jpeg in enumerate(photos)
        ),
        classification=classified.classification,
        triage=triage(classified.classification, carcinoma_referral),
        report_text=done.text,
        heatmap_png=classified.heatmap_png,
        image_seen_by_model=done.image_seen,
        review_stamp=review_stamp,
        report_cut=done.stopped_by in ("length", "repetition"),
        body_site=body_site,
        earlier=earlier,
    )


async def earlier_of(case: Case, store: Store, files: FileStore) -> EarlierCase | None:
    """The earlier case a follow-up is compared with, if it is still kept and was scored; its close-up is
    None when the file is gone."""
    earlier = await store.cases.earlier(case)
    if earlier is None or not earlier.classification:
        return None
    path = files.image_path(earlier.user_id, earlier.images[0])
    try:
        photo = await asyncio.to_thread(files.read_optional, path)
    except Exception:  # an unreadable earlier photo must not cost the patient their report
        photo = None
    return EarlierCase(earlier.created_at, photo, Classification.from_record(earlier.classification))


async def render_case_pdf(
    case: Case,
    files: FileStore,
    render: RenderPdf,
    carcinoma_referral: float,
    review_stamp: str | None = None,
    store: Store | None = None,
) -> bytes:
    """Render from the store and save it as the case's PDF. The case must have its report. With `store`, a
    follow-up is compared with its earlier case."""
    assert case.classification is not None and case.report is not None
    photos = [await asyncio.to_thread(files.read_image, case.user_id, token) for token in case.images]
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
        photos=photos,
        classified=classified,
        done=done,
        carcinoma_referral=carcinoma_referral,
        review_stamp=review_stamp,
        body_site=case.body_site,
        earlier=await earlier_of(case, store, files) if store is not None else None,
    )
    pdf = await render(document)
    await asyncio.to_thread(files.save_pdf, case.user_id, case.id, pdf)
    return pdf


async def case_pdf(
    case: Case, files: FileStore, render: RenderPdf, carcinoma_referral: float, store: Store | None = None
) -> bytes:
    """The case's stored PDF, or, when it is missing (never saved, or lost), a new one from its report."""
    stored = await asyncio.to_thread(files.read_pdf, case.user_id, case.id)
    if stored is not None:
        return stored
    return await render_case_pdf(case, files, render, carcinoma_referral, store=store)


async def services_case_pdf(services: CaseServices, case: Case) -> bytes:
    """`case_pdf` with the running service's files, renderer, referral threshold and store."""
    return await case_pdf(
        case,
        services.files,
        services.render_pdf,
        services.case_config.carcinoma_referral,
        store=services.store,
    )


_PDF_NAME = re.compile(r"^skin-report-([0-9a-f]{8})-\d{4}-\d{2}-\d{2}\.pdf$")


def pdf_filename(case: Case) -> str:
    return f"skin-report-{case.short_id}-{case.created_at.date().isoformat()}.pdf"


def case_of_pdf(file_name: str | None) -> str | None:
    """The short case id a report PDF's file name carries, or None for any other file."""
    found = _PDF_NAME.match(file_name or "")
    return found.group(1) if found else None
