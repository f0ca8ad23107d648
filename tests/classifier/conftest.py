"""Session fixtures for the score tests: a six-class dataset of generated skin across the ITA range, and a
tiny classifier trained on it with its sidecar. The trained files are cached on disk like the other tiny
models (tests/fixtures/classifier_models.py), so only the first run trains."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from inference.sidecar import sidecar_path
from tests.classifier.skin_images import TONE_RANGES, tone_dataset
from tests.fixtures.classifier_models import TRAIN_RECIPE, cache_dir, recipe_key, train_tiny

TONES = tuple(TONE_RANGES)
# Per class and tone. The test split has 36 photos in each of the three lighter groups and 12 in each darker
# one, so both sides of the "too few to judge" line (30) are exercised, as in real dermatology sets.
TONE_COUNTS: dict[str, dict[str, int]] = {
    "train": dict.fromkeys(TONES, 4),
    "val": dict.fromkeys(TONES, 2),
    "test": {tone: 6 if i < 3 else 2 for i, tone in enumerate(TONES)},
}
TONE_DATASET_VERSION = 3  # bump when tests/classifier/skin_images.py changes what it draws
TONE_RECIPE = {**TRAIN_RECIPE, "epochs": 60}


@pytest.fixture(scope="session")
def tone_split(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """DIR/{train,val,test}/<class>/<tone>_<i>.jpg of generated skin, 64 px."""
    return tone_dataset(tmp_path_factory.mktemp("tone-split"), TONE_COUNTS)


@pytest.fixture(scope="session")
def tone_weights(tone_split: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A yolov8n-cls trained on `tone_split`, with the sidecar `skinbot train` wrote (fitted on val)."""
    key = recipe_key({**TONE_RECIPE, "tone_dataset": TONE_DATASET_VERSION, "counts": TONE_COUNTS})
    target = cache_dir() / f"tones-classifier-{key}.pt"
    if not (target.is_file() and sidecar_path(target).is_file()):
        target.parent.mkdir(parents=True, exist_ok=True)
        work = tmp_path_factory.mktemp("train-tones")
        trained = train_tiny(tone_split, work / "skin-cls.pt", work / "runs", epochs=TONE_RECIPE["epochs"])
        for source, dest in ((sidecar_path(trained), sidecar_path(target)), (trained, target)):
            partial = dest.with_suffix(dest.suffix + ".partial")
            shutil.copy2(source, partial)
            partial.replace(dest)  # the .pt last: its presence says the pair is complete
    return target


@pytest.fixture
def tone_weights_copy(tone_weights: Path, tmp_path: Path) -> Path:
    """The trained pair copied, for tests that rewrite the sidecar."""
    dest = tmp_path / "weights" / "skin-cls.pt"
    dest.parent.mkdir()
    shutil.copy2(tone_weights, dest)
    shutil.copy2(sidecar_path(tone_weights), sidecar_path(dest))
    return dest
