"""The JSON file beside the classifier weights: what training and evaluation learnt about them.

`weights/skin-cls.json` belongs to `weights/skin-cls.pt` and to its export `weights/skin-cls.onnx` (same
stem). It holds the class order, the calibration temperature, the threshold of the classifier-score part of
the skin gate, the recommended carcinoma referral threshold, and the skin-tone (ITA) groups the weights were
evaluated on. `skinbot train` writes the temperature and the threshold from the validation split; `skinbot
evaluate` adds the rest from the test split. Without the file, inference uses temperature 1 and no
classifier-score gate.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from inference.labels import LABELS

SCHEMA_VERSION = 1
OOD_SCORES = ("max_softmax",)  # the calibrated top probability


class SidecarError(Exception):
    """The sidecar exists but cannot be used; the message says what to fix."""


@dataclass(frozen=True)
class Calibration:
    temperature: float = 1.0
    fitted_on: str = ""  # the validation folder
    images: int = 0
    ece_before: float | None = None
    ece_after: float | None = None


@dataclass(frozen=True)
class OutOfDistribution:
    score: str = "max_softmax"
    threshold: float = 0.0  # photos scoring below it are "not skin"
    keeps: float = 0.99  # share of validation photos at or above the threshold, by construction
    fitted_on: str = ""


@dataclass(frozen=True)
class Referral:
    recommended_threshold: float
    min_sensitivity: float
    sensitivity: float | None
    specificity: float | None
    evaluated_on: str = ""


# The skin-tone (ITA) groups an evaluation reports on, lightest first (`classifier_lab.skin_tone` measures
# them); the sidecar records those the weights were judged on, and the PDF names them.
GROUP_KEYS: tuple[str, ...] = ("very_light", "light", "intermediate", "tan", "brown", "dark")
MIN_GROUP_IMAGES = 30  # fewer test photos of a group and its figures are "too few to judge"


@dataclass(frozen=True)
class SkinTones:
    counts: dict[str, int]  # ITA group → test photos, "unknown" included
    judged: tuple[str, ...]  # groups with at least min_images photos
    min_images: int
    evaluated_on: str = ""


@dataclass(frozen=True)
class Sidecar:
    classes: tuple[str, ...] = LABELS
    calibration: Calibration = field(default_factory=Calibration)
    ood: OutOfDistribution | None = None
    referral: Referral | None = None
    skin_tones: SkinTones | None = None

    @property
    def temperature(self) -> float:
        return self.calibration.temperature

    def evaluated(self, referral: Referral | None, skin_tones: SkinTones | None) -> Sidecar:
        return replace(self, referral=referral, skin_tones=skin_tones)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["classes"] = list(self.classes)
        if self.skin_tones is not None:
            data["skin_tones"]["judged"] = list(self.skin_tones.judged)
        return {"schema": SCHEMA_VERSION, **data}


def sidecar_path(weights: Path) -> Path:
    return Path(weights).with_suffix(".json")


def save_sidecar(weights: Path, sidecar: Sidecar) -> Path:
    path = sidecar_path(weights)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".json.partial")
    partial.write_text(json.dumps(sidecar.as_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    partial.replace(path)  # never a half-written file beside the weights
    return path


def load_sidecar(weights: Path) -> Sidecar | None:
    """The sidecar of these weights, None when there is none; SidecarError when it is unusable."""
    path = sidecar_path(weights)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return _parse(data)
    except SidecarError as exc:
        raise SidecarError(f"{path}: {exc}") from exc
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise SidecarError(f"{path} is not a valid classifier sidecar ({type(exc).__name__}: {exc})") from exc


def _parse(data: dict[str, Any]) -> Sidecar:
    if data.get("schema") != SCHEMA_VERSION:
        raise SidecarError(f"schema {data.get('schema')!r} is not the supported {SCHEMA_VERSION}")
    classes = tuple(data["classes"])
    if classes != LABELS:
        # The temperature is order-free, but the thresholds and counts were measured for these labels.
        raise SidecarError(f"class order {list(classes)} is not skinbot's {list(LABELS)}")
    calibration = Calibration(**data["calibration"])
    if not (math.isfinite(calibration.temperature) and calibration.temperature > 0):
        raise SidecarError(f"temperature must be a positive number, got {calibration.temperature}")
    ood = OutOfDistribution(**data["ood"]) if data.get("ood") else None
    if ood is not None and ood.score not in OOD_SCORES:
        raise SidecarError(f"unknown out-of-distribution score {ood.score!r}; known: {list(OOD_SCORES)}")
    if ood is not None and not 0.0 <= ood.threshold <= 1.0:
        raise SidecarError(f"out-of-distribution threshold must be within 0-1, got {ood.threshold}")
    referral = Referral(**data["referral"]) if data.get("referral") else None
    tones = data.get("skin_tones")
    skin_tones = None
    if tones:
        counts = {str(k): int(v) for k, v in tones["counts"].items()}
        judged = tuple(str(g) for g in tones["judged"])
        skin_tones = SkinTones(counts, judged, int(tones["min_images"]), str(tones.get("evaluated_on", "")))
    return Sidecar(classes, calibration, ood, referral, skin_tones)
