"""The llama.cpp report writer on the tiny random Gemma 3 as GGUF + mmproj: real llama.cpp, real projector.

The model's words are random, so the tests check the contract every writer keeps (streaming, Stop, the
deadline, the length cap), the skin question's share, and that a case's photo goes through the vision
tower once however many prompts show it.
"""

from __future__ import annotations

import io
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from inference.classifier import SkinClassifier
from inference.events import Classified, Done, Event, JobSpec, TextDelta
from inference.labels import Classification
from inference.llama_writer import LlamaWriter
from inference.quality import QualityThresholds
from inference.report_request import ReportRequest
from inference.skin_question import QUESTION, SkinQuestion
from inference.worker import ModelWorker, WorkItem
from tests.classifier.skin_images import skin_image

SCORES = Classification((0.08, 0.05, 0.62, 0.1, 0.05, 0.1))
HISTORY = "Dry scaly rash on the left elbow since March"


@pytest.fixture(scope="module")
def writer(tiny_gguf: tuple[Path, Path]) -> LlamaWriter:
    model, mmproj = tiny_gguf
    # Without the repetition guard every token streams at once; random words never end a sentence.
    made = LlamaWriter(model, mmproj, threads=2, max_new_tokens=12, repetition_guard=False)
    made.setup()
    return made


def photo(seed: int) -> Image.Image:
    return skin_image(45.0, np.random.default_rng(seed), 320, lesion="Eczema")


def request(photos: int = 1) -> ReportRequest:
    kinds = ("close_up", "overview", "extra")[:photos]
    return ReportRequest(40, "female", HISTORY, "en", SCORES, photo_kinds=kinds)


def test_the_constructor_loads_nothing(tiny_gguf: tuple[Path, Path]) -> None:
    model, mmproj = tiny_gguf
    lazy = LlamaWriter(model)  # the projector is found beside the model
    assert lazy.mmproj_path == mmproj and not lazy.loaded and lazy.encodes == 0
    with pytest.raises(RuntimeError, match="setup"):
        lazy.generate([request()], [photo(1)], lambda row, text: None)


def test_a_report_streams_and_its_deltas_make_its_text(writer: LlamaWriter) -> None:
    deltas: list[tuple[int, str]] = []
    results = writer.generate([request(), request()], [photo(1), None], lambda r, t: deltas.append((r, t)))
    for row, result in enumerate(results):
        mine = [text for r, text in deltas if r == row]
        assert len(mine) > 1 and "".join(mine) == result.text
        assert result.stopped_by == "length" and result.tokens == writer.max_new_tokens
    assert [r.image_seen for r in results] == [True, False]
    assert writer.last_timing.prompt_tokens > 0 and writer.last_timing.steps == writer.max_new_tokens
    # The model's text carries no prompt: what it read holds the history and the photo, not the question.
    assert HISTORY in writer.last_prompt and QUESTION not in writer.last_prompt


def test_stop_and_the_deadline_end_a_row(writer: LlamaWriter) -> None:
    seen: list[str] = []
    three = lambda row: len(seen) >= 3  # noqa: E731  (the Stop button, pressed after three deltas)
    [stopped] = writer.generate([request()], [photo(1)], lambda r, t: seen.append(t), three)
    assert stopped.stopped_by == "cancelled" and stopped.tokens == 3 and stopped.text == "".join(seen)
    patient = writer.timeout_s
    writer.timeout_s = 0.0
    try:
        [late] = writer.generate([request()], [photo(1)], lambda r, t: None)
    finally:
        writer.timeout_s = patient
    assert late.stopped_by == "timeout" and late.tokens == 0 and late.text == ""


def test_the_skin_question_gives_a_share(writer: LlamaWriter) -> None:
    shares = writer.skin_yes([photo(1), photo(2), Image.new("RGB", (300, 300), (30, 90, 200))])
    assert all(share is not None and 0.0 <= share <= 1.0 for share in shares)
    assert QUESTION in writer.last_prompt and HISTORY not in writer.last_prompt


def test_a_photo_is_encoded_once_however_many_prompts_show_it(tiny_gguf: tuple[Path, Path]) -> None:
    model, mmproj = tiny_gguf
    fresh = LlamaWriter(model, mmproj, threads=2, max_new_tokens=2)
    fresh.setup()
    close_up, overview = photo(3), photo(4)
    fresh.skin_yes([close_up, overview])
    assert fresh.encodes == 2
    # The report shows both again, and a copy of the close-up (the same pixels read from the file again).
    fresh.generate([request(2)], [[close_up.copy(), overview]], lambda r, t: None)
    fresh.generate([request(1)], [close_up], lambda r, t: None)
    assert fresh.encodes == 2
    fresh.skin_yes([photo(5)])
    assert fresh.encodes == 3


def jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    return out.getvalue()


def test_a_case_through_the_worker_encodes_its_photo_once(
    tiny_gguf: tuple[Path, Path], classifier: SkinClassifier, tmp_path: Path
) -> None:
    model, mmproj = tiny_gguf
    writer = LlamaWriter(model, mmproj, threads=2, max_new_tokens=8)
    # The lowest threshold the question allows: it is asked, and the random model's answer lets it pass.
    worker = ModelWorker(
        classifier, writer, QualityThresholds(), explain=False, skin_question=SkinQuestion(1e-9)
    )
    path = tmp_path / "close-up.jpg"
    path.write_bytes(jpeg(photo(6)))
    events: list[Event] = []
    spec = JobSpec("0" * 32, 1, (path,), 40, "female", HISTORY, "en")
    worker.start().result()
    try:
        worker.run([WorkItem(spec, events.append, time.monotonic() + 120)]).result()
    finally:
        worker.stop()
    assert isinstance(events[0], Classified) and isinstance(events[-1], Done)
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == events[-1].text
    # Asked whether it is skin, then written about: one run of the vision tower.
    assert QUESTION not in writer.last_prompt and writer.encodes == 1
