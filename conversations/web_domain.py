"""The web side's nouns: API keys and the requests made with them, clinic staff, and the audit log."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from conversations.domain import Case, CaseStatus, Language

API_KEY_PREFIX = "skb_"
ApiKind = str  # "classify" | "analyze" | "diagnose"


def new_secret() -> str:
    """256 random bits, URL-safe: API keys, login links and session cookies."""
    return secrets.token_urlsafe(32)


def secret_hash(secret: str) -> str:
    """What the store keeps of a secret. The secrets are random, so a plain SHA-256 cannot be reversed by
    guessing; no salt is needed, and the hash can be looked up directly."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class ApiKey:
    id: int
    name: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    @property
    def owner_id(self) -> int:
        """The key's identity on the model queue and in the file store. Telegram user ids are positive, so
        a negative id can never be a patient's."""
        return -self.id


@dataclass(frozen=True)
class ApiCase:
    id: str
    key_id: int
    kind: ApiKind
    patient_name: str
    age: int
    gender: str
    history: str | None
    language: Language
    image: str
    status: CaseStatus
    classification: dict[str, Any] | None
    report: str | None
    image_seen: bool | None
    report_end: str | None
    created_at: datetime
    updated_at: datetime

    @property
    def owner_id(self) -> int:
        return -self.key_id

    def as_case(self) -> Case:
        """The same request as a Case, for the code that renders a case's PDF."""
        # The fields both records have carry over as they are; the rest are what an API request means.
        same = {f.name: getattr(self, f.name) for f in fields(Case) if hasattr(self, f.name)}
        return Case(
            **same,
            user_id=self.owner_id,
            chat_id=0,
            report_language=self.language,
            ui_language=self.language,
            attempts=1,
            error=None,
        )


@dataclass(frozen=True)
class Staff:
    id: int
    clinic_chat_id: int
    name: str
    language: Language
    created_at: datetime
    removed_at: datetime | None = None
    telegram_id: int | None = None  # who they are in the clinic's Telegram chat, for verdicts given there


@dataclass(frozen=True)
class StaffSession:
    staff: Staff
    csrf: str
    expires_at: datetime


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    clinic_chat_id: int
    actor: str
    staff_id: int | None
    source: str  # web | telegram
    action: str  # login | logout | view | pdf | verdict
    review_id: str | None
    case_id: str | None
    detail: str | None
