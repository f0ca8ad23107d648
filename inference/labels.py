"""The six classes the classifier scores, in the one order every stage uses."""

from __future__ import annotations

from dataclasses import dataclass

LABELS: tuple[str, ...] = ("acne", "carcinoma", "eczema", "keratosis", "milia", "rosacea")

# Names that trained weights or public datasets use for our labels.
ALIASES: dict[str, str] = {
    "cancer": "carcinoma",
    "carcinoma": "carcinoma",
    "skin cancer": "carcinoma",
    "acne": "acne",
    "eczema": "eczema",
    "keratosis": "keratosis",
    "actinic keratosis": "keratosis",
    "milia": "milia",
    "rosacea": "rosacea",
}


def canonical_label(name: str) -> str | None:
    """Map a model's or dataset's class name onto one of LABELS, or None if it is not ours."""
    key = name.strip().lower().replace("_", " ").replace("-", " ")
    return ALIASES.get(key)


@dataclass(frozen=True)
class Classification:
    """Probabilities for all six labels, aligned with LABELS (calibrated when the weights have a sidecar)."""

    probs: tuple[float, ...]
    uncertain: bool = False
    # The classifier's own score says the photo is unlike its training photos (the skin gate rejects it).
    # Never stored: such a result is turned back, not reported.
    unfamiliar: bool = False
    # The ITA skin-tone groups the weights were evaluated on with enough test photos, from their sidecar;
    # None when they were never evaluated per skin tone. Stored with the result, so a PDF re-rendered after
    # the weights change still describes the model that scored this photo.
    evaluated_tones: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if len(self.probs) != len(LABELS):
            raise ValueError(f"expected {len(LABELS)} probabilities, got {len(self.probs)}")

    @property
    def top(self) -> str:
        return LABELS[max(range(len(LABELS)), key=lambda i: self.probs[i])]

    @property
    def confidence(self) -> float:
        return max(self.probs)

    def prob(self, label: str) -> float:
        return self.probs[LABELS.index(label)]

    def ranked(self) -> list[tuple[str, float]]:
        """Labels with their probabilities, most likely first."""
        return sorted(zip(LABELS, self.probs, strict=True), key=lambda lp: lp[1], reverse=True)

    def as_dict(self) -> dict[str, float]:
        return dict(zip(LABELS, self.probs, strict=True))

    @classmethod
    def from_dict(
        cls, probs: dict[str, float], uncertain: bool = False, evaluated_tones: tuple[str, ...] | None = None
    ) -> Classification:
        return cls(tuple(float(probs[label]) for label in LABELS), uncertain, evaluated_tones=evaluated_tones)

    def to_record(self) -> dict[str, object]:
        """A JSON-able form for the store."""
        record: dict[str, object] = {"probs": self.as_dict(), "uncertain": self.uncertain}
        if self.evaluated_tones is not None:
            record["evaluated_tones"] = list(self.evaluated_tones)
        return record

    @classmethod
    def from_record(cls, record: dict[str, object]) -> Classification:
        probs = record["probs"]
        assert isinstance(probs, dict)
        tones = record.get("evaluated_tones")
        evaluated = tuple(str(t) for t in tones) if isinstance(tones, list) else None
        return cls.from_dict(probs, bool(record.get("uncertain", False)), evaluated)
