"""What goes into one PDF report: plain data, already decided by the pipeline."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from conversations.domain import BODY_SITES, GENDERS, PHOTO_KINDS, Language
from inference.labels import Classification
from inference.triage import Triage

_CASE_ID = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True, repr=False)
class DocumentPhoto:
    """One of the case's photos, with its own scores when the case has several."""

    jpeg: bytes
    kind: str = "close_up"  # close_up | overview | extra
    classification: Classification | None = None

    def __post_init__(self) -> None:
        if self.kind not in PHOTO_KINDS:
            raise ValueError(f"kind must be one of {PHOTO_KINDS}")


@dataclass(frozen=True, repr=False)
class EarlierCase:
    """The earlier case a follow-up is compared with: its date, close-up (None once it is no longer kept)
    and scores."""

    created_at: datetime
    photo_jpeg: bytes | None
    classification: Classification

    def __post_init__(self) -> None:
        if self.created_at.tzinfo is None or self.created_at.utcoffset() is None:
            raise ValueError("created_at must be timezone-aware")


# repr=False: patient data must not leak into logs or tracebacks through a stray repr().
@dataclass(frozen=True, repr=False)
class ReportDocument:
    case_id: str  # 32 lowercase hex chars; the PDF shows the first 8 and the full id small
    created_at: datetime  # timezone-aware; printed with its zone
    language: str  # ko|en|vi: the report language, every label is in it
    patient_name: str
    age: int
    gender: str  # female|male|other|undisclosed
    history: str | None
    photos: tuple[DocumentPhoto, ...]  # 1 to 3, the close-up first
    classification: Classification  # for several photos, their mean
    triage: Triage
    report_text: str
    heatmap_png: bytes | None = None
    image_seen_by_model: bool = True  # False -> a note that the language model did not see the image
    review_stamp: str | None = None  # already localized "Reviewed by <clinic> on <date>: <verdict>"
    report_cut: bool = False  # the report stopped at the length cap or the repetition guard
    body_site: str | None = None
    earlier: EarlierCase | None = None  # set for a follow-up: the two are shown side by side

    def __post_init__(self) -> None:
        # Fail where the document is built, not deep inside reportlab.
        if not _CASE_ID.match(self.case_id):
            raise ValueError("case_id must be 32 lowercase hex characters")
        if self.created_at.tzinfo is None or self.created_at.utcoffset() is None:
            raise ValueError("created_at must be timezone-aware")
        if Language.of(self.language) is None:
            raise ValueError(f"language must be one of {list(map(str, Language))}")
        if self.gender not in GENDERS:
            raise ValueError(f"gender must be one of {GENDERS}")
        if not 1 <= len(self.photos) <= len(PHOTO_KINDS):
            raise ValueError(f"a report has 1 to {len(PHOTO_KINDS)} photos")
        if self.body_site is not None and self.body_site not in BODY_SITES:
            raise ValueError(f"body_site must be one of {BODY_SITES}")

    @property
    def short_id(self) -> str:
        return self.case_id[:8]

    def __repr__(self) -> str:
        return f"ReportDocument(case_id={self.case_id!r}, language={self.language!r}, triage={self.triage!s})"
