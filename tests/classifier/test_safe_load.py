"""A `.pt` classifier loads weights only: a hostile pickle runs nothing; real checkpoints score as before."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from inference.classifier import ClassifierError, SkinClassifier
from testkit.random_yolo import save_random_classifier
from testkit.skin_photos import skin_photo
from tests.fixtures.hostile_checkpoints import HOSTILE


@pytest.mark.parametrize(
    ("payload", "refusal"),
    [
        ("exec", "names builtins.exec, which no classification checkpoint needs"),
        # Only allowed names, but getattr is the restricted one: no walk from a layer class to exec.
        ("getattr", "does not load as weights only: getattr(Conv, '__init__') is not allowed"),
    ],
)
def test_a_checkpoint_that_would_run_code_is_refused_without_running_it(
    payload: str, refusal: str, tmp_path: Path
) -> None:
    marker = tmp_path / "the-checkpoint-ran-code.txt"
    weights = HOSTILE[payload](tmp_path / "skin-cls.pt", marker)
    classifier = SkinClassifier(weights, device="cpu")

    with pytest.raises(ClassifierError) as info:
        classifier.setup()

    assert refusal in str(info.value)
    assert "\n" not in str(info.value)  # one line, without torch's advice to load it with weights_only=False
    assert not marker.exists()
    assert not classifier.ready


def _photos() -> list[Image.Image]:
    return [Image.open(io.BytesIO(skin_photo(seed=seed))).convert("RGB") for seed in (1, 2, 3)]


def test_trained_and_random_checkpoints_score_exactly_as_a_full_unpickle_does(
    trained_classifier_weights: Path, tmp_path: Path
) -> None:
    from inference.ultralytics_offline import ultralytics_offline, ultralytics_quiet

    ultralytics_offline()
    from ultralytics.nn.tasks import load_checkpoint

    random_weights = save_random_classifier(tmp_path / "random-cls.pt")  # fused: pickles forward via getattr
    for weights in (trained_classifier_weights, random_weights):
        classifier = SkinClassifier(weights, device="cpu")
        classifier.setup()
        # The reference: Ultralytics' own loader, which unpickles everything (fine for our own test files).
        with ultralytics_quiet():
            model, _ = load_checkpoint(str(weights), device="cpu", fuse=True)
        reference = SkinClassifier.from_torch_model(model, classifier.imgsz, device="cpu")

        ours, theirs = classifier.raw_probabilities(_photos()), reference.raw_probabilities(_photos())
        assert np.array_equal(ours, theirs), weights.name
        assert classifier.imgsz == int(model.args["imgsz"])
        assert classifier.explain(_photos()[0]) is not None  # Grad-CAM works on the weights-only model
