"""What an evaluation found, as the report shows it: the metrics, the calibration, the referral and the skin
gate's figures, and the whole report. Plain data: `classifier_lab.evaluation` computes it,
`classifier_lab.evaluation_report` writes it out."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from classifier_lab.bootstrap import Interval
from classifier_lab.calibration import ReliabilityBin
from classifier_lab.evaluation_stats import Headline, ToneGroupFigures
from classifier_lab.operating_point import OperatingPoint


@dataclass(frozen=True)
class ClassMetrics:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Averages:
    precision: float
    recall: float
    f1: float


@dataclass(frozen=True)
class Metrics:
    labels: tuple[str, ...]
    per_class: dict[str, ClassMetrics]
    macro: Averages  # unweighted mean over the classes present in y_true or y_pred
    weighted: Averages  # mean weighted by support
    accuracy: float
    balanced_accuracy: float  # mean recall over classes with support
    confusion: list[list[int]]  # rows: true label, columns: predicted label, in `labels` order
    ece: float | None  # expected calibration error; None without probabilities


@dataclass(frozen=True)
class CalibrationFigures:
    temperature: float
    source: str  # where the temperature came from
    ece_before: Interval
    ece_after: Interval
    bins_before: list[ReliabilityBin]
    bins_after: list[ReliabilityBin]


@dataclass(frozen=True)
class ReferralFigures:
    configured_threshold: float
    min_sensitivity: float
    recommended: OperatingPoint | None
    curve: list[OperatingPoint]


@dataclass(frozen=True)
class GateFigures:
    """What the skin gate would do to the test split: every photo there is skin, so each is a false alarm."""

    images: int
    min_skin_share: float
    not_skin_coloured: int
    score_threshold: float | None
    unfamiliar: int  # of those passing the colour check


@dataclass
class EvaluationReport:
    weights: str
    data: str
    metrics: Metrics  # on calibrated probabilities; the top class and accuracy do not depend on calibration
    images: int
    ms_per_image: float
    headline: Headline
    calibration: CalibrationFigures
    skin_tones: list[ToneGroupFigures]
    referral: ReferralFigures
    gate: GateFigures
    leaky: bool = False
    leaked_images: int = 0
    leaks_by_tone_hash: int = 0  # leaked images only the tone-normalised hash found
    sidecar: str | None = None  # the sidecar written, if any
    files: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)
