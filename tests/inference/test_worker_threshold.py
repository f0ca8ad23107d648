"""SKINBOT_CARCINOMA_REFERRAL reaches the report model: build_queue → ModelWorker → ReportRequest → prompt."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import skinbot.inference_setup
from inference.events import Classified, Done, Event, JobSpec
from inference.labels import Classification
from inference.prompt import render_prompt
from inference.report_request import ReportRequest
from inference.triage import Triage, triage
from inference.worker import WorkItem
from skinbot.inference_setup import build_queue
from skinbot.settings import Settings
from testkit.skin_photos import skin_photo
from tests.fakes import FixedClassifier, ScriptedWriter

# Carcinoma at 25%, not the top class: routine at the default 0.30, urgent at 0.2.
SCORES = Classification((0.05, 0.25, 0.5, 0.1, 0.05, 0.05))


@pytest.mark.parametrize(
    ("referral", "signal"), [("0.2", "Cancer signal: yes"), ("0.30", "Cancer signal: no")]
)
def test_the_prompt_applies_the_configured_referral_threshold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, referral: str, signal: str
) -> None:
    settings = Settings.from_env({"SKINBOT_CARCINOMA_REFERRAL": referral}, env_file=None, telegram=False)
    monkeypatch.setattr(skinbot.inference_setup, "build_classifier", lambda s: FixedClassifier(SCORES))
    seen: list[ReportRequest] = []

    def script(request: ReportRequest) -> str:
        seen.append(request)
        return "A report."

    queue = build_queue(settings, store=None, writer=ScriptedWriter(script=script))  # type: ignore[arg-type]
    worker = queue.worker
    worker.start().result(timeout=30)
    image = tmp_path / "photo.jpg"
    image.write_bytes(skin_photo())
    events: list[Event] = []
    spec = JobSpec("a" * 32, 1, image, 40, "female", None, "en")
    try:
        worker.run([WorkItem(spec, events.append, time.monotonic() + 60)]).result(timeout=60)
    finally:
        worker.stop()
    assert isinstance(events[-1], Done)
    [classified] = [e for e in events if isinstance(e, Classified)]
    # What the chat and the PDF show (delivery and case_pdf call triage with the setting) ...
    chat_says_urgent = triage(classified.classification, settings.carcinoma_referral) is Triage.URGENT
    assert chat_says_urgent == (referral == "0.2")
    # ... is what the model was told.
    [request] = seen
    assert request.carcinoma_referral == pytest.approx(float(referral))
    assert signal in render_prompt(request)
