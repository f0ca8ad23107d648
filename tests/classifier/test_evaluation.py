"""evaluate(): leak refusal, the LEAKY stamp, and the written report."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PIL import Image

from classifier_lab.evaluation import EvaluationError, LeakError, evaluate
from inference.labels import LABELS
from tests.fixtures.classifier_models import SyntheticDataset, near_copy


def leaky_copy(dataset: SyntheticDataset, dest: Path, copies: int = 3) -> Path:
    """The clean split plus flipped/rotated copies of training images filed in test, like the Kaggle set."""
    shutil.copytree(dataset.split_dir, dest)
    train_images = sorted((dest / "train" / "Acne").glob("*.jpg"))[:copies]
    for i, path in enumerate(train_images):
        with Image.open(path) as im:
            near_copy(im.convert("RGB"), ("flip", "rot90", "crop_jitter")[i % 3]).save(
                dest / "test" / "Acne" / f"leak_{i}.jpg", quality=95
            )
    return dest


def test_clean_split_is_evaluated(
    trained_classifier_weights: Path, synthetic_dataset: SyntheticDataset, tmp_path: Path
) -> None:
    report = evaluate(
        trained_classifier_weights, synthetic_dataset.split_dir, out_dir=tmp_path / "r", device="cpu"
    )
    assert not report.leaky
    assert report.images == 36
    assert report.metrics.accuracy >= 0.75
    assert report.ms_per_image > 0
    data = json.loads((tmp_path / "r" / "report.json").read_text())
    assert data["leaky"] is False
    assert set(data["metrics"]["per_class"]) == set(LABELS)
    for key in ("precision", "recall", "f1", "support"):
        assert key in data["metrics"]["per_class"]["carcinoma"]
    for key in ("macro", "weighted", "accuracy", "balanced_accuracy", "confusion", "ece"):
        assert key in data["metrics"]
    assert sum(map(sum, data["metrics"]["confusion"])) == 36
    markdown = (tmp_path / "r" / "report.md").read_text()
    assert "LEAKY" not in markdown and "| carcinoma |" in markdown and "macro avg" in markdown
    with Image.open(tmp_path / "r" / "confusion_matrix.png") as png:
        assert png.format == "PNG" and png.width > 100


def test_leaky_split_is_refused(
    trained_classifier_weights: Path, synthetic_dataset: SyntheticDataset, tmp_path: Path
) -> None:
    data = leaky_copy(synthetic_dataset, tmp_path / "leaky")
    with pytest.raises(LeakError) as info:
        evaluate(trained_classifier_weights, data, out_dir=tmp_path / "r", device="cpu")
    assert len({leak.held_out for leak in info.value.leaks}) == 3
    assert "3 of 39 test images" in str(info.value) and "--allow-leak" in str(info.value)
    assert not (tmp_path / "r").exists(), "no report for a refused evaluation"


def test_allow_leak_stamps_the_report(
    trained_classifier_weights: Path, synthetic_dataset: SyntheticDataset, tmp_path: Path
) -> None:
    data = leaky_copy(synthetic_dataset, tmp_path / "leaky")
    report = evaluate(trained_classifier_weights, data, allow_leak=True, out_dir=tmp_path / "r", device="cpu")
    assert report.leaky and report.leaked_images == 3
    assert json.loads((tmp_path / "r" / "report.json").read_text())["leaky"] is True
    assert "LEAKY" in (tmp_path / "r" / "report.md").read_text()


def test_unknown_class_folder_is_an_error(
    trained_classifier_weights: Path, synthetic_dataset: SyntheticDataset, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    shutil.copytree(synthetic_dataset.split_dir, data)
    (data / "test" / "Acne").rename(data / "test" / "Warts")
    with pytest.raises(EvaluationError, match="Warts"):
        evaluate(trained_classifier_weights, data, out_dir=tmp_path / "r", device="cpu")
