"""The domain's nouns: languages, users, cases, clinics, reminders and doctors' reviews. No I/O here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class Language(StrEnum):
    """The languages of the interface and of reports, in the order they are offered."""

    KO = "ko"
    EN = "en"
    VI = "vi"

    @classmethod
    def of(cls, value: object) -> Language | None:
        """The language a stored or received code names, or None for anything else."""
        try:
            return cls(value)
        except ValueError:
            return None


DEFAULT_LANGUAGE = Language.EN

GENDERS = ("female", "male", "other", "undisclosed")
# Where on the body the lesion is; the order of the keyboard.
BODY_SITES = (
    "face",
    "scalp",
    "neck",
    "chest",
    "back",
    "abdomen",
    "arm",
    "hand",
    "leg",
    "foot",
    "genital",
    "other",
)
# What the photo at each position shows: the intake asks for a close-up first, then offers an overview.
PHOTO_KINDS = ("close_up", "overview", "extra")


class CaseStatus(StrEnum):
    QUEUED = "queued"  # waiting for the model worker
    RUNNING = "running"  # being classified and written
    REPORTED = "reported"  # report written and stored; its PDF not yet delivered
    DONE = "done"  # report written and its PDF delivered
    FAILED = "failed"  # the models failed it; Retry may queue it again
    CANCELLED = "cancelled"  # the user stopped it
    REJECTED = "rejected"  # the photo did not pass the gate; no model ran on it


ACTIVE_STATUSES = (CaseStatus.QUEUED, CaseStatus.RUNNING)
# A report exists: the chat can show it and a PDF can be made from it.
REPORTED_STATUSES = (CaseStatus.REPORTED, CaseStatus.DONE)


@dataclass(frozen=True)
class User:
    user_id: int
    language: Language
    consent_at: datetime
    clinic_id: int | None = None  # the clinic whose link the user came through


@dataclass(frozen=True)
class CasePhoto:
    image: str  # file token
    kind: str  # close_up | overview | extra


@dataclass(frozen=True)
class Case:
    id: str
    user_id: int
    chat_id: int
    patient_name: str
    age: int
    gender: str
    history: str | None
    report_language: Language
    ui_language: Language
    image: str
    status: CaseStatus
    attempts: int
    classification: dict[str, Any] | None
    report: str | None
    image_seen: bool | None
    error: str | None
    created_at: datetime
    updated_at: datetime
    delivered_at: datetime | None = None
    interruptions: int = 0
    report_end: str | None = None  # eos | length | repetition
    photos: tuple[CasePhoto, ...] = ()  # the close-up first; `image` is its token
    body_site: str | None = None
    follow_up_of: str | None = None  # the earlier case of the same spot

    @property
    def short_id(self) -> str:
        return self.id[:8]

    @property
    def images(self) -> tuple[str, ...]:
        """Every photo's token, the close-up first."""
        return tuple(photo.image for photo in self.photos) or (self.image,)

    @property
    def has_report(self) -> bool:
        return self.status in REPORTED_STATUSES and self.report is not None

    @property
    def report_cut(self) -> bool:
        """The report ended at the length cap or the repetition guard, not where the model ended it."""
        return self.report_end in ("length", "repetition")


@dataclass(frozen=True)
class Clinic:
    """A Telegram chat of doctors that reviews cases."""

    id: int
    chat_id: int
    name: str
    language: str = "en"
    open: bool = False  # patients who did not come through its link may send to it too
    verdicts_by_staff: bool = False  # only its registered staff (by Telegram id) may give verdicts


@dataclass(frozen=True)
class ClinicLink:
    """A link a clinic hands out: a patient who starts the bot through it is bound to that clinic. Its token
    is shown once, when it is made; the store keeps only its hash, and `ref` (the hash's start) names it
    in listings and for revoking."""

    ref: str
    clinic_id: int
    created_at: datetime
    revoked_at: datetime | None = None


@dataclass(frozen=True)
class Reminder:
    """A patient's "remind me to re-check this spot", one per case."""

    case_id: str
    user_id: int
    due_at: datetime
    created_at: datetime
    sent_at: datetime | None = None


@dataclass(frozen=True)
class Review:
    """A case sent to one clinic; the first verdict recorded is final."""

    id: str
    case_id: str
    user_id: int
    clinic_chat_id: int
    summary_message_id: int | None
    note_prompt_id: int | None
    verdict: str | None
    reviewer: str | None
    note: str | None
    created_at: datetime
    answered_at: datetime | None
    reflagged_at: datetime | None
    patient_notified: bool = False


class QuestionState(StrEnum):
    """Where one question about a finished case stands ("Ask about this report")."""

    OPEN = "open"  # the patient pressed "Ask": their next text message is the question
    QUEUED = "queued"  # waiting for the model worker, behind every new case
    RUNNING = "running"  # being answered
    ANSWERED = "answered"
    FAILED = "failed"
    CANCELLED = "cancelled"


# The questions that count against the per-case limit: asked, and not failed or cancelled.
COUNTED_QUESTION_STATES = (QuestionState.QUEUED, QuestionState.RUNNING, QuestionState.ANSWERED)


@dataclass(frozen=True)
class CaseQuestion:
    """A question about one finished case and the model's answer, stored with the case."""

    id: str
    case_id: str
    user_id: int
    question: str
    answer: str | None
    state: QuestionState
    created_at: datetime
    answered_at: datetime | None = None
