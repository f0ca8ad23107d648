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
    """Probabilities for all six labels, aligned with LABELS."""

    probs: tuple[float, ...]
    uncertain: bool = False

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
    def from_dict(cls, probs: dict[str, float], uncertain: bool = False) -> Classification:
        return cls(tuple(float(probs[label]) for label in LABELS), uncertain)

    def to_record(self) -> dict[str, object]:
        """A JSON-able form for the store."""
        return {"probs": self.as_dict(), "uncertain": self.uncertain}

    @classmethod
    def from_record(cls, record: dict[str, object]) -> Classification:
        probs = record["probs"]
        assert isinstance(probs, dict)
        return cls.from_dict(probs, bool(record.get("uncertain", False)))
