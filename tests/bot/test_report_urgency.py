"""An urgent triage and a report that says "self-care": what the patient is left with in the chat, in the
stored report and in the PDF is the triage's urgency, with a note saying why."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

import skinbot.inference_setup
from inference.labels import Classification
from testkit.bot_api_rules import visible_text
from tests.bot.test_report_delivery import joined, report_messages, run_case, use_models, wait_pdf
from tests.conftest import Harness
from tests.fakes import FixedClassifier, ScriptedWriter

URGENT = Classification((0.1, 0.6, 0.1, 0.1, 0.05, 0.05))  # carcinoma on top: an urgent referral
ROUTINE = Classification((0.8, 0.02, 0.1, 0.04, 0.02, 0.02))

# The urgency is said twice: as a line of the summary (a message of its own, sent before the rest is
# written) and where the prompt asks for it, in section 4.
CONTRADICTING = (
    "## Summary\nA small red patch, most likely eczema.\n**Urgency:** self-care\n\n"
    "## 1. Visual observations\n- a red, scaly patch about 1 cm wide\n\n"
    "## 4. When to see a doctor\nUrgency: self-care\n- it bleeds or grows\n\n"
    "## 5. Reminder\nThis is not a diagnosis.\n"
)


def squeezed(text: str) -> str:
    """Text without whitespace: a PDF's extracted text breaks lines where the layout did."""
    return "".join(text.split())


def classify_as(monkeypatch: pytest.MonkeyPatch, scores: Classification) -> None:
    """The production wiring with a classifier that gives every photo these scores."""
    monkeypatch.setattr(skinbot.inference_setup, "build_classifier", lambda settings: FixedClassifier(scores))


@pytest.mark.parametrize("mode", ["edit", "draft"])
async def test_an_urgent_case_never_ends_on_a_self_care_report(
    harness: Harness,
    photo_bytes: bytes,
    trained_classifier_weights: Path,
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
) -> None:
    classify_as(monkeypatch, URGENT)
    use_models(
        harness,
        trained_classifier_weights,
        lambda s: ScriptedWriter(script=lambda r: CONTRADICTING, token_delay=0.002),
        stream_mode=mode,
        edit_interval_s=0.05,
    )
    await harness.start()
    user = harness.api.user(431, "en")
    case_id = await run_case(harness, user, "en", photo_bytes)
    pdf_message = await wait_pdf(harness, user)
    t = harness.t
    level = t("en", "report-urgency-within-days")
    note = t("en", "report-urgency-set", level=level)

    shown = joined(report_messages(harness, user, "en"))
    assert "self-care" not in shown
    assert shown.count(f"Urgency: {level}") == 2 and shown.count(note) == 1
    assert shown.index(note) > shown.rindex(f"Urgency: {level}")  # the note follows the corrected line
    assert not any("self-care" in d.text for d in harness.api.visible_drafts(user.id))
    # The report as stored (what the desk, the PDF and a resent PDF read) is the corrected one.
    case = await harness.wait_case(user.id, case_id, "done")
    assert case.report is not None and "self-care" not in case.report and note in case.report
    pdf = squeezed(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf_message.document)).pages))
    assert squeezed(f"Urgency: {level}") in pdf and "self-care" not in pdf
    assert squeezed(note.lstrip("⚠\ufe0f ")) in pdf  # the PDF fonts have no emoji: it is left out
    # The summary that streamed out as a message of its own was corrected in place, not sent again.
    summaries = [m for m in user.inbox() if "most likely eczema" in visible_text(m.text or "", m.parse_mode)]
    assert len(summaries) == 1


async def test_a_routine_case_keeps_the_reports_own_urgency(
    harness: Harness, photo_bytes: bytes, trained_classifier_weights: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    classify_as(monkeypatch, ROUTINE)
    use_models(
        harness,
        trained_classifier_weights,
        lambda s: ScriptedWriter(script=lambda r: CONTRADICTING),
        stream_mode="edit",
    )
    await harness.start()
    user = harness.api.user(432, "en")
    case_id = await run_case(harness, user, "en", photo_bytes)
    await wait_pdf(harness, user)
    case = await harness.wait_case(user.id, case_id, "done")
    assert case.report == CONTRADICTING
