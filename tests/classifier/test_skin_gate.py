"""The skin gate inside the model worker: after the quality gate, before any report.

The classifier is the tiny one trained on generated skin (tests/classifier/conftest.py); the report writer is
scripted, so a report is visible as a Done event and the writer's batches show what reached it.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from inference.classifier import SkinClassifier
from inference.events import Classified, Done, Event, JobSpec, Rejected
from inference.quality import QualityThresholds
from inference.sidecar import OutOfDistribution, load_sidecar, save_sidecar
from inference.skin_gate import NOT_SKIN
from inference.worker import ModelWorker, WorkItem
from tests.classifier.skin_images import LESIONS, TONE_RANGES, skimage_photo, skin_image
from tests.classifier.test_skin_colour import NOT_SKIN_COLOURED
from tests.fakes import ScriptedWriter


def run_worker(
    weights: Path, images: list[Image.Image], tmp_path: Path
) -> tuple[list[list[Event]], ScriptedWriter]:
    """One batch through a real ModelWorker; the events each job emitted, and the writer."""
    writer = ScriptedWriter(script=lambda request: "A short report.")
    worker = ModelWorker(SkinClassifier(weights, device="cpu"), writer, QualityThresholds(), explain=False)
    worker.start().result()
    events: list[list[Event]] = [[] for _ in images]
    items = []
    for i, image in enumerate(images):
        path = tmp_path / f"photo-{i}.jpg"
        image.save(path, quality=92)
        spec = JobSpec(f"{i:032x}", 1, path, 30, "female", None, "en")
        items.append(WorkItem(spec, events[i].append, time.monotonic() + 120))
    try:
        worker.run(items).result()
    finally:
        worker.stop()
    return events, writer


def with_score_threshold(weights: Path, threshold: float | None) -> Path:
    sidecar = load_sidecar(weights)
    assert sidecar is not None
    ood = None if threshold is None else OutOfDistribution("max_softmax", threshold, 0.99, "test")
    save_sidecar(weights, dataclasses.replace(sidecar, ood=ood))
    return weights


def every_tone(per_tone: int, seed: int, side: int = 320) -> list[Image.Image]:
    rng = np.random.default_rng(seed)
    lesions = [None, *LESIONS]
    return [
        skin_image(rng.uniform(low, high), rng, side, lesion=lesions[i % len(lesions)], spread=0.25)
        for low, high in TONE_RANGES.values()
        for i in range(per_tone)
    ]


def test_skin_of_every_tone_gets_its_report(tone_weights_copy: Path, tmp_path: Path) -> None:
    """Quality gate and skin-colour check pass skin from ITA > 55° to ITA < −30°, with and without lesions."""
    images = every_tone(per_tone=7, seed=21)
    events, writer = run_worker(with_score_threshold(tone_weights_copy, None), images, tmp_path)
    turned_back = [(i, e[-1]) for i, e in enumerate(events) if isinstance(e[-1], Rejected)]
    assert turned_back == []
    assert all(isinstance(e[0], Classified) and isinstance(e[-1], Done) for e in events)
    assert sum(writer.batches) == len(images)


@pytest.mark.parametrize("name", [n for n in NOT_SKIN_COLOURED if n not in ("hubble_deep_field", "page")])
def test_a_photograph_of_something_else_gets_no_report(
    name: str, tone_weights_copy: Path, tmp_path: Path
) -> None:
    """Sharp, well-lit, passes the quality gate, and is turned back before the classifier runs."""
    events, writer = run_worker(tone_weights_copy, [skimage_photo(name)], tmp_path)
    assert events == [[Rejected((NOT_SKIN,))]]
    assert writer.batches == []


def test_quality_is_judged_first(tone_weights_copy: Path, tmp_path: Path) -> None:
    """The Hubble deep field is too dark and the scanned page too small: those reasons, not "not skin"."""
    events, _ = run_worker(
        tone_weights_copy, [skimage_photo("hubble_deep_field"), skimage_photo("page")], tmp_path
    )
    assert events == [[Rejected(("too_dark",))], [Rejected(("too_small",))]]


def test_the_classifier_score_turns_back_what_the_model_finds_unfamiliar(
    tone_weights_copy: Path, tmp_path: Path
) -> None:
    """Skin-coloured, so the colour check passes; the calibrated score is below the threshold: no report."""
    images = every_tone(per_tone=1, seed=22)
    events, writer = run_worker(with_score_threshold(tone_weights_copy, 1.0), images, tmp_path)
    assert events == [[Rejected((NOT_SKIN,))]] * len(images)
    assert writer.batches == []
    events, writer = run_worker(with_score_threshold(tone_weights_copy, 0.0), images, tmp_path)
    assert all(isinstance(e[-1], Done) for e in events)


def test_a_mixed_batch_keeps_its_order(tone_weights_copy: Path, tmp_path: Path) -> None:
    skin = every_tone(per_tone=1, seed=23)
    dark = Image.new("RGB", (400, 300), (3, 3, 3))
    batch = [skin[0], skimage_photo("rocket"), dark, skin[5], skimage_photo("coins")]
    events, writer = run_worker(with_score_threshold(tone_weights_copy, None), batch, tmp_path)
    assert [type(e[-1]).__name__ for e in events] == ["Done", "Rejected", "Rejected", "Done", "Rejected"]
    assert [e[-1].issues for e in events if isinstance(e[-1], Rejected)] == [
        (NOT_SKIN,),
        ("too_dark",),
        (NOT_SKIN,),
    ]
    assert writer.batches == [2]


def test_the_score_threshold_from_training_keeps_validation_skin(
    tone_weights: Path, tone_split: Path
) -> None:
    """By construction: the threshold is fitted so that 99% of the validation photos stay above it."""
    classifier = SkinClassifier(tone_weights, device="cpu")
    classifier.setup()
    images = []
    for path in sorted((tone_split / "val").rglob("*.jpg")):
        with Image.open(path) as image:
            images.append(image.convert("RGB"))
    unfamiliar = [r.unfamiliar for r in classifier.predict(images)]
    assert sum(unfamiliar) <= 0.01 * len(images)
