"""What the report model is asked to write about. It has no name field: names never reach a prompt."""

from __future__ import annotations

from dataclasses import dataclass

from conversations.domain import BODY_SITES, GENDERS, PHOTO_KINDS, Language
from inference.labels import Classification
from inference.triage import DEFAULT_CARCINOMA_REFERRAL


@dataclass(frozen=True)
class EarlierResult:
    """What a follow-up is compared with: the earlier case's date and scores, and whether its close-up is
    attached after the current photos."""

    day: str  # ISO date
    classification: Classification
    photo_attached: bool = False


@dataclass(frozen=True)
class AskedQuestion:
    """A patient's question about their finished case ("Ask about this report"), and the report it is about.
    Both are untrusted text: rendered only inside delimited data blocks (inference.question_prompt)."""

    text: str
    report: str


@dataclass(frozen=True)
class ReportRequest:
    age: int
    gender: str  # "female" | "male" | "other" | "undisclosed"
    history: str | None  # free text from the patient: untrusted, rendered only as delimited data
    language: str  # "ko" | "en" | "vi"
    classification: Classification  # for several photos, their mean
    body_site: str | None = None
    photo_kinds: tuple[str, ...] = ("close_up",)  # one per photo, in the order the images are attached
    earlier: EarlierResult | None = None
    # The urgent-referral threshold the chat and the PDF use, so the prompt's cancer signal agrees with them.
    carcinoma_referral: float = DEFAULT_CARCINOMA_REFERRAL
    # Set: the model answers this question about the case instead of writing its report.
    question: AskedQuestion | None = None

    @property
    def image_count(self) -> int:
        """How many images go with the prompt: the case's photos, then the earlier close-up if attached."""
        return len(self.photo_kinds) + int(self.earlier is not None and self.earlier.photo_attached)

    def __post_init__(self) -> None:
        if isinstance(self.age, bool) or not isinstance(self.age, int) or not 0 <= self.age <= 130:
            raise ValueError(f"age must be an int in 0..130, not {self.age!r}")
        if self.gender not in GENDERS:
            raise ValueError(f"gender must be one of {GENDERS}, not {self.gender!r}")
        if Language.of(self.language) is None:
            raise ValueError(f"language must be one of {list(map(str, Language))}, not {self.language!r}")
        if not isinstance(self.classification, Classification):
            raise TypeError("classification must be an inference.labels.Classification")
        if self.body_site is not None and self.body_site not in BODY_SITES:
            raise ValueError(f"body_site must be one of {BODY_SITES}, not {self.body_site!r}")
        if not self.photo_kinds or any(kind not in PHOTO_KINDS for kind in self.photo_kinds):
            raise ValueError(f"photo_kinds must be one or more of {PHOTO_KINDS}, not {self.photo_kinds!r}")
        photos = self.classification.photos
        if photos and len(photos) != len(self.photo_kinds):
            raise ValueError(f"{len(photos)} per-photo results for {len(self.photo_kinds)} photos")
        threshold = self.carcinoma_referral
        if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not 0 <= threshold <= 1:
            raise ValueError(f"carcinoma_referral must be a number in 0..1, not {threshold!r}")
