"""The weights' sidecar: written by training, read by the classifier, refused when it is wrong."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from inference.classifier import ClassifierError, SkinClassifier
from inference.labels import LABELS, Classification
from inference.sidecar import (
    SCHEMA_VERSION,
    Calibration,
    OutOfDistribution,
    Referral,
    Sidecar,
    SidecarError,
    SkinTones,
    load_sidecar,
    save_sidecar,
    sidecar_path,
)

FULL = Sidecar(
    calibration=Calibration(1.7, "data/val", 120, 0.12, 0.03),
    ood=OutOfDistribution("max_softmax", 0.31, 0.99, "data/val"),
    referral=Referral(0.22, 0.95, 0.96, 0.71, "data/test"),
    skin_tones=SkinTones({"light": 40, "dark": 3, "unknown": 1}, ("light",), 30, "data/test"),
)


def test_round_trip(tmp_path: Path) -> None:
    weights = tmp_path / "skin-cls.pt"
    path = save_sidecar(weights, FULL)
    assert path == tmp_path / "skin-cls.json" == sidecar_path(tmp_path / "skin-cls.onnx")
    data = json.loads(path.read_text())
    assert data["schema"] == SCHEMA_VERSION and data["classes"] == list(LABELS)
    assert data["calibration"]["temperature"] == 1.7 and data["ood"]["threshold"] == 0.31
    assert load_sidecar(weights) == FULL
    assert not list(tmp_path.glob("*.partial"))


def test_missing_sidecar_is_none(tmp_path: Path) -> None:
    assert load_sidecar(tmp_path / "skin-cls.pt") is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(schema=99), "schema"),
        (lambda d: d.update(classes=list(reversed(LABELS))), "class order"),
        (lambda d: d["calibration"].update(temperature=-1.0), "temperature"),
        (lambda d: d["ood"].update(score="energy"), "out-of-distribution score"),
        (lambda d: d["ood"].update(threshold=3.0), "threshold"),
        (lambda d: d.pop("calibration"), "not a valid"),
    ],
)
def test_a_wrong_sidecar_is_refused(tmp_path: Path, change, message: str) -> None:
    weights = tmp_path / "skin-cls.pt"
    data = FULL.as_dict()
    change(data)
    sidecar_path(weights).write_text(json.dumps(data))
    with pytest.raises(SidecarError, match=message) as info:
        load_sidecar(weights)
    assert str(sidecar_path(weights)) in str(info.value)


def test_classifier_refuses_a_broken_sidecar_at_setup(tone_weights_copy: Path) -> None:
    sidecar_path(tone_weights_copy).write_text("{not json")
    classifier = SkinClassifier(tone_weights_copy, device="cpu")
    with pytest.raises(ClassifierError, match=r"skin-cls\.json.*--calibrate"):
        classifier.setup()
    assert not classifier.ready


def test_training_wrote_calibration_and_gate_threshold(tone_weights: Path) -> None:
    sidecar = load_sidecar(tone_weights)
    assert sidecar is not None
    assert sidecar.calibration.fitted_on.endswith("val") and sidecar.calibration.images == 72
    assert sidecar.ood is not None and 0.0 < sidecar.ood.threshold < 1.0 and sidecar.ood.keeps >= 0.99
    assert sidecar.referral is None and sidecar.skin_tones is None  # only an evaluation measures those


def test_without_sidecar_scores_are_raw_and_the_score_gate_is_off(tone_weights: Path, tmp_path: Path) -> None:
    bare = tmp_path / "skin-cls.pt"
    bare.write_bytes(tone_weights.read_bytes())
    classifier = SkinClassifier(bare, device="cpu")
    classifier.setup()
    assert (
        classifier.sidecar is None and classifier.temperature == 1.0 and classifier.unfamiliar_below is None
    )
    from tests.classifier.test_calibration import tone_images

    images = tone_images()
    results = classifier.predict(images)
    assert np.array([r.probs for r in results]) == pytest.approx(classifier.raw_probabilities(images))
    assert not any(r.unfamiliar for r in results) and all(r.evaluated_tones is None for r in results)


def test_evaluated_tones_travel_with_the_result_into_the_store() -> None:
    result = Classification((0.5, 0.1, 0.1, 0.1, 0.1, 0.1), evaluated_tones=("light", "tan"))
    record = json.loads(json.dumps(result.to_record()))
    assert Classification.from_record(record) == result
    old = {"probs": result.as_dict(), "uncertain": False}  # stored before skin tones were measured
    assert Classification.from_record(old).evaluated_tones is None


def test_calibrating_replaces_a_broken_sidecar(
    tone_weights_copy: Path, tone_split: Path, tmp_path: Path
) -> None:
    from classifier_lab.evaluation import evaluate

    sidecar_path(tone_weights_copy).write_text("{not json")
    report = evaluate(tone_weights_copy, tone_split, out_dir=tmp_path / "r", device="cpu", calibrate=True)
    sidecar = load_sidecar(tone_weights_copy)
    assert report.sidecar == str(sidecar_path(tone_weights_copy))
    assert sidecar is not None and sidecar.ood is not None and sidecar.referral is None
