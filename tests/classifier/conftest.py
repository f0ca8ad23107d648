"""Session fixtures for the score tests: generated skin across the ITA range and a tiny classifier trained on
it, with its sidecar (tests/classifier/tone_model.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from inference.sidecar import sidecar_path
from tests.classifier import tone_model


@pytest.fixture(scope="session")
def tone_split(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tone_model.build_tone_split(tmp_path_factory.mktemp("tone-split"))


@pytest.fixture(scope="session")
def tone_weights(tone_split: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tone_model.tone_weights(tone_split, tmp_path_factory.mktemp("train-tones"))


@pytest.fixture
def tone_weights_copy(tone_weights: Path, tmp_path: Path) -> Path:
    """The trained pair copied, for tests that rewrite the sidecar."""
    dest = tmp_path / "weights" / "skin-cls.pt"
    dest.parent.mkdir()
    shutil.copy2(tone_weights, dest)
    shutil.copy2(sidecar_path(tone_weights), sidecar_path(dest))
    return dest
