"""What the report model is asked to write about. It has no name field: names never reach a prompt."""

from __future__ import annotations

from dataclasses import dataclass

from conversations.domain import Language
from inference.labels import Classification
from inference.triage import DEFAULT_CARCINOMA_REFERRAL

GENDERS: tuple[str, ...] = ("female", "male", "other", "undisclosed")


@dataclass(frozen=True)
class ReportRequest:
    age: int
    gender: str  # "female" | "male" | "other" | "undisclosed"
    history: str | None  # free text from the patient: untrusted, rendered only as delimited data
    language: str  # "ko" | "en" | "vi"
    classification: Classification
    # The urgent-referral threshold the chat and the PDF use, so the prompt's cancer signal agrees with them.
    carcinoma_referral: float = DEFAULT_CARCINOMA_REFERRAL

    def __post_init__(self) -> None:
        if isinstance(self.age, bool) or not isinstance(self.age, int) or not 0 <= self.age <= 130:
            raise ValueError(f"age must be an int in 0..130, not {self.age!r}")
        if self.gender not in GENDERS:
            raise ValueError(f"gender must be one of {GENDERS}, not {self.gender!r}")
        if Language.of(self.language) is None:
            raise ValueError(f"language must be one of {list(map(str, Language))}, not {self.language!r}")
        if not isinstance(self.classification, Classification):
            raise TypeError("classification must be an inference.labels.Classification")
        threshold = self.carcinoma_referral
        if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not 0 <= threshold <= 1:
            raise ValueError(f"carcinoma_referral must be a number in 0..1, not {threshold!r}")
