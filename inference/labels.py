"""The six classes the classifier scores, in the one order every stage uses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

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
    # For a case of several photos this is their mean, and `photos` holds each photo's own result in order.
    photos: tuple[Classification, ...] = ()

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

    @classmethod
    def mean(cls, results: Sequence[Classification]) -> Classification:
        """One result for a case of several photos: the mean of their probabilities. It is uncertain when
        every photo's result is, or when the photos disagree on the top class; one photo is its own result."""
        if not results:
            raise ValueError("no results to average")
        if len(results) == 1:
            return results[0]
        count = len(results)
        probs = tuple(sum(r.probs[i] for r in results) / count for i in range(len(LABELS)))
        disagree = len({r.top for r in results}) > 1
        return cls(
            probs,
            uncertain=disagree or all(r.uncertain for r in results),
            unfamiliar=any(r.unfamiliar for r in results),
            evaluated_tones=results[0].evaluated_tones,
            photos=tuple(results),
        )

    def to_record(self) -> dict[str, object]:
        """A JSON-able form for the store."""
        record: dict[str, object] = {"probs": self.as_dict(), "uncertain": self.uncertain}
        if self.evaluated_tones is not None:
            record["evaluated_tones"] = list(self.evaluated_tones)
        if self.photos:
            record["photos"] = [photo.to_record() for photo in self.photos]
        return record

    @classmethod
    def from_record(cls, record: dict[str, object]) -> Classification:
        probs = record["probs"]
        assert isinstance(probs, dict)
        tones = record.get("evaluated_tones")
        evaluated = tuple(str(t) for t in tones) if isinstance(tones, list) else None
        result = cls.from_dict(probs, bool(record.get("uncertain", False)), evaluated)
        photos = record.get("photos")
        if isinstance(photos, list) and photos:
            result = replace(result, photos=tuple(cls.from_record(photo) for photo in photos))
        return result
