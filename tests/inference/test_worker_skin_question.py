"""The skin gate's last check inside the model worker: the report model, asked whether each photo is skin.

The report model is the tiny random Gemma 3 (production loading code). Its answers are arbitrary but
deterministic and differ from photo to photo, so the tests set the threshold between two photos' answers
and check which case is turned back, and which photo it names.
"""

from __future__ import annotations

import io
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from inference.events import Classified, Done, Event, JobSpec, Rejected, TextDelta
from inference.labels import Classification
from inference.quality import QualityThresholds
from inference.report_model import ReportModel
from inference.skin_gate import NOT_SKIN
from inference.skin_question import SkinQuestion
from inference.worker import ModelWorker, WorkItem
from tests.classifier.skin_images import skin_image
from tests.fakes import FixedClassifier, ScriptedWriter

SCORES = Classification((0.1, 0.05, 0.55, 0.1, 0.1, 0.1))


@pytest.fixture(scope="module")
def writer(tiny_gemma_dir: Path) -> ReportModel:
    model = ReportModel(tiny_gemma_dir, device="cpu", max_new_tokens=6)
    model.setup()
    return model


def jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    return out.getvalue()


@pytest.fixture(scope="module")
def photos(writer: ReportModel) -> tuple[list[bytes], list[float]]:
    """Skin of two tones that pass the quality and colour checks, as JPEG files, the one the model leans to
    yes first; the shares are the model's answers for exactly what the worker will decode."""
    rng = np.random.default_rng(3)
    pair = [jpeg(skin_image(ita, rng, 320, lesion="Eczema")) for ita in (50.0, -40.0)]
    shares = writer.skin_yes([Image.open(io.BytesIO(data)).convert("RGB") for data in pair])
    assert None not in shares and shares[0] != shares[1]
    order = sorted(range(2), key=lambda i: -float(shares[i]))  # type: ignore[arg-type]
    return [pair[i] for i in order], [float(shares[i]) for i in order]  # type: ignore[arg-type]


def run(worker: ModelWorker, cases: list[list[bytes]], tmp_path: Path) -> list[list[Event]]:
    worker.start().result()
    events: list[list[Event]] = [[] for _ in cases]
    items = []
    for n, case in enumerate(cases):
        paths = []
        for i, photo in enumerate(case):
            path = tmp_path / f"case-{n}-photo-{i}.jpg"
            path.write_bytes(photo)
            paths.append(path)
        spec = JobSpec(f"{n:032x}", 1, tuple(paths), 30, "female", "Itchy for a week.", "en")
        items.append(WorkItem(spec, events[n].append, time.monotonic() + 120))
    try:
        worker.run(items).result()
    finally:
        worker.stop()
    return events


def test_a_photo_the_model_does_not_take_for_skin_gets_no_report(
    writer: ReportModel, photos: tuple[list[bytes], list[float]], tmp_path: Path
) -> None:
    (likely, unlikely), (high, low) = photos
    between = (high + low) / 2
    question = SkinQuestion(between)
    worker = ModelWorker(
        FixedClassifier(SCORES), writer, QualityThresholds(), explain=False, skin_question=question
    )
    alone, pair, reversed_pair = run(worker, [[likely], [likely, unlikely], [unlikely, likely]], tmp_path)
    assert isinstance(alone[0], Classified) and isinstance(alone[-1], Done) and alone[-1].text
    # A case is turned back by its least skin-like photo, which it names; nothing was classified or written.
    assert pair == [Rejected((NOT_SKIN,), photo=2)]
    assert reversed_pair == [Rejected((NOT_SKIN,), photo=1)]
    assert not any(isinstance(e, TextDelta) for e in pair + reversed_pair)


def test_the_question_is_off_when_not_asked_for_or_the_writer_cannot_answer(
    writer: ReportModel, photos: tuple[list[bytes], list[float]], tmp_path: Path
) -> None:
    (_, unlikely), _ = photos
    off = ModelWorker(FixedClassifier(SCORES), writer, QualityThresholds(), explain=False)
    [events] = run(off, [[unlikely]], tmp_path)
    assert isinstance(events[-1], Done)
    # A writer without a model that sees photos is never asked, even with the strictest threshold.
    scripted = ScriptedWriter(script=lambda request: "A short report.")
    strict = ModelWorker(
        FixedClassifier(SCORES), scripted, QualityThresholds(), explain=False, skin_question=SkinQuestion(1.0)
    )
    assert strict.skin_question is None
    [events] = run(strict, [[unlikely]], tmp_path)
    assert isinstance(events[-1], Done) and events[-1].text == "A short report."


def test_an_unanswered_question_lets_the_photo_through() -> None:
    question = SkinQuestion(0.5)
    assert question.says_skin(None) and question.says_skin(0.5) and not question.says_skin(0.49)
    for bad in (0.0, -0.1, 1.5):
        with pytest.raises(ValueError):
            SkinQuestion(bad)
