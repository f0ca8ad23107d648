"""The chat texts of a case's result: the six scores with the triage above them, and why a photo was turned
back. The chat, `skinbot diagnose` and the clinics' summaries all use these, so they read the same."""

from __future__ import annotations

from casework.translator import Translator
from conversations.intake_state import photo_kind
from inference.labels import Classification
from inference.quality import QualityIssue
from inference.skin_gate import NOT_SKIN
from inference.triage import Triage

BAR_CELLS = 10


def classification_text(t: Translator, lang: str, result: Classification, level: Triage) -> str:
    lines: list[str] = []
    if level == Triage.URGENT:
        lines += [
            f"{t(lang, 'urgent-prefix')} {t(lang, 'triage-urgent-title')}",
            t(lang, "triage-urgent"),
            t(lang, "triage-urgent-why"),
            "",
        ]
    elif level == Triage.UNCERTAIN:
        lines += [f"{t(lang, 'uncertain-prefix')} {t(lang, 'triage-uncertain')}", ""]
    lines.append(t(lang, "classification-title"))
    if len(result.photos) > 1:
        lines.append(t(lang, "scores-mean-of-photos", count=len(result.photos)))
    for label, prob in result.ranked():
        filled = round(prob * BAR_CELLS)
        bar = "█" * filled + "░" * (BAR_CELLS - filled)
        lines.append(t(lang, "classification-row", label=t(lang, f"label-{label}"), bar=bar, percent=prob))
    return "\n".join(lines)


def which_photo_line(t: Translator, lang: str, position: int, count: int) -> str:
    """Which photo of a case of several was turned back, e.g. "Photo 2 of 3 (overview):"."""
    kind = t(lang, "photo-kind-" + photo_kind(position - 1).replace("_", "-"))
    return t(lang, "photo-which", position=position, count=count, kind=kind)


def quality_lines(t: Translator, lang: str, issues: tuple[str, ...]) -> list[str]:
    """Why a photo was turned back, each reason with its tip; the chat and `skinbot diagnose` both use it."""
    if NOT_SKIN in issues:
        return [t(lang, "scores-not-skin"), t(lang, "scores-not-skin-tip")]
    lines = [t(lang, "quality-rejected")]
    for name in issues:
        issue = QualityIssue(name)
        lines.append(t(lang, "quality-reason", reason=t(lang, issue.message_id), tip=t(lang, issue.tip_id)))
    return lines


def upload_rejection_lines(t: Translator, lang: str, issues: tuple[str, ...]) -> list[str]:
    """Why a photo was turned back as it arrived: the worker's reasons and tips, under a first line that
    speaks of this photo rather than of a report (none was asked for yet)."""
    lines = quality_lines(t, lang, issues)
    lines[0] = t(lang, "upload-not-skin" if NOT_SKIN in issues else "upload-quality-rejected")
    return lines
