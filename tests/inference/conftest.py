"""The real classifier (tiny trained YOLO) and a fresh store, for the queue and worker tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from conversations.store import Store
from inference.classifier import SkinClassifier


@pytest.fixture(scope="session")
def classifier(trained_classifier_weights: Path) -> SkinClassifier:
    model = SkinClassifier(trained_classifier_weights, device="cpu")
    model.setup()
    return model


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    s = await Store.open(tmp_path / "db.sqlite3")
    yield s
    await s.close()
