"""What the API says about a result: the six scores, the quality gate, the triage and the short analysis,
in the request's language. The texts are the bot's own (Fluent), so the API and the chat read the same."""

from __future__ import annotations

from typing import Any

from casework.case_messages import quality_lines
from casework.translator import Translator
from inference.labels import LABELS, Classification
from inference.triage import Triage, triage


def triage_payload(t: Translator, lang: str, level: Triage) -> dict[str, str]:
    advice = t(lang, f"triage-{level.value}")
    if level == Triage.URGENT:
        advice = f"{advice} {t(lang, 'triage-urgent-why')}"
    return {"level": level.value, "title": t(lang, f"triage-{level.value}-title"), "advice": advice}


def classification_payload(
    t: Translator, lang: str, result: Classification, carcinoma_referral: float
) -> dict[str, Any]:
    return {
        "scores": {label: round(p, 6) for label, p in zip(LABELS, result.probs, strict=True)},
        "top": result.top,
        "confidence": round(result.confidence, 6),
        "uncertain": result.uncertain,
        "triage": triage_payload(t, lang, triage(result, carcinoma_referral)),
        "quality": {"passed": True, "issues": [], "message": None},
    }


def rejection_payload(t: Translator, lang: str, issues: tuple[str, ...]) -> dict[str, Any]:
    """Why the quality gate (or the skin gate) turned the photo back, reasons and tips included."""
    return {"issues": list(issues), "detail": "\n".join(quality_lines(t, lang, issues))}


def rejected_quality(t: Translator, lang: str, issues: tuple[str, ...]) -> dict[str, Any]:
    return {"passed": False, "issues": list(issues), "message": "\n".join(quality_lines(t, lang, issues))}


def analysis_text(t: Translator, lang: str, result: Classification, carcinoma_referral: float) -> str:
    """The short analysis: the triage and its advice, the two most likely classes, and what this is not.
    Written from reviewed texts, not by the language model, so it is immediate and never improvised."""
    level = triage(result, carcinoma_referral)
    (first, p1), (second, p2) = result.ranked()[:2]
    lines = [
        f"{t(lang, f'triage-{level.value}-title')}: {triage_payload(t, lang, level)['advice']}",
        t(
            lang,
            "api-analysis-ranking",
            first=t(lang, f"label-{first}"),
            first_score=p1,
            second=t(lang, f"label-{second}"),
            second_score=p2,
        ),
    ]
    if result.uncertain and level != Triage.UNCERTAIN:
        lines.append(t(lang, "triage-uncertain"))
    lines.append(t(lang, "pdf-disclaimer"))
    return "\n".join(lines)
