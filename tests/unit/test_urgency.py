"""The urgency line held to the triage (inference.urgency), on the words of the Fluent files."""

from __future__ import annotations

import pytest

from casework.translator import Translator
from conversations.domain import Language
from inference.labels import Classification
from inference.prompt import render_user
from inference.report_request import ReportRequest
from inference.urgency import LEVELS, UrgencyGuard

URGENT = Classification((0.1, 0.6, 0.1, 0.1, 0.05, 0.05))  # carcinoma on top
BORDERLINE = Classification((0.5, 0.25, 0.1, 0.05, 0.05, 0.05))  # carcinoma at 25%
ROUTINE = Classification((0.8, 0.02, 0.1, 0.04, 0.02, 0.02))

t = Translator()
guard = UrgencyGuard(t)


def request(classification: Classification, language: str = "en", referral: float = 0.3) -> ReportRequest:
    return ReportRequest(50, "female", None, language, classification, carcinoma_referral=referral)


def set_line(language: str) -> tuple[str, str]:
    level = t(language, "report-urgency-within-days")
    return level, t(language, "report-urgency-set", level=level)


@pytest.mark.parametrize(
    ("line", "corrected"),
    [
        ("Urgency: self-care", "Urgency: within days"),
        ("Urgency: routine", "Urgency: within days"),
        ("urgency: Self care.", "urgency: within days."),
        ("**Urgency:** self-care", "**Urgency:** within days"),
        ("- **Urgency: ROUTINE**", "- **Urgency: within days**"),
        ("`Urgency: self-care`", "`Urgency: within days`"),
        ("Urgency level: low, it can wait", "Urgency level: within days"),
        ("Urgency:", "Urgency: within days"),  # cut off by the length cap
    ],
)
def test_an_urgent_triage_sets_a_contradicting_line(line: str, corrected: str) -> None:
    report = f"## 4. When to see a doctor\n{line}\n- it bleeds or grows"
    settled = guard.settle(report, request(URGENT))
    _, note = set_line("en")
    assert settled.text == f"## 4. When to see a doctor\n{corrected}\n{note}\n- it bleeds or grows"
    assert settled.note == note


@pytest.mark.parametrize(
    "line", ["Urgency: within days", "Urgency: Emergency", "**Urgency:** within days (sooner if it bleeds)"]
)
def test_a_line_the_referral_allows_stays(line: str) -> None:
    report = f"## 4. When to see a doctor\n{line}\n"
    assert guard.settle(report, request(URGENT)).text == report
    assert guard.settle(report, request(URGENT)).note is None


def test_every_contradicting_line_is_set_and_the_note_follows_the_last() -> None:
    report = "## Summary\nUrgency: self-care\n\n## 4. When to see a doctor\nUrgency: routine\n- warning signs"
    settled = guard.settle(report, request(URGENT))
    level, note = set_line("en")
    assert settled.text == (
        f"## Summary\nUrgency: {level}\n\n"
        f"## 4. When to see a doctor\nUrgency: {level}\n{note}\n- warning signs"
    )


@pytest.mark.parametrize(
    ("language", "line"),
    [("ko", "긴급도: 자가 관리"), ("vi", "Mức độ khẩn cấp: tự chăm sóc"), ("ko", "Urgency: self-care")],
)
def test_the_reports_language_and_english_are_both_understood(language: str, line: str) -> None:
    settled = guard.settle(f"{line}\n", request(URGENT, language))
    level, note = set_line(language)
    label = line.split(":")[0]
    assert settled.text == f"{label}: {level}\n{note}\n"


def test_the_configured_referral_threshold_decides() -> None:
    report = "Urgency: self-care"
    assert guard.settle(report, request(BORDERLINE, referral=0.3)).text == report
    assert guard.settle(report, request(BORDERLINE, referral=0.2)).note is not None


def test_a_routine_triage_or_a_report_without_the_line_is_left_alone() -> None:
    assert guard.settle("Urgency: self-care", request(ROUTINE)).text == "Urgency: self-care"
    # Only a line that names the urgency is judged: prose and other labels are the model's.
    prose = "## Summary\nThis does not look urgent; self-care is enough.\nUrgent signs: none"
    assert guard.settle(prose, request(URGENT)).text == prose


@pytest.mark.parametrize("language", list(Language))
def test_the_prompt_asks_for_the_label_and_levels_the_guard_reads(language: str) -> None:
    """The model is told to write `<label>: <level>` with exactly these level names, in this order."""
    prompt = render_user(request(URGENT, language))
    levels = ", ".join(t(language, f"report-urgency-{level}") for level in LEVELS)
    assert f"`{t(language, 'report-urgency-label')}: <" in prompt
    assert levels in prompt
