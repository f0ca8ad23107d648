"""The rules of "Ask about this report" both adapters share: which question text is accepted, and what the
clinic sees of a case's questions and answers (in the review message and on the desk)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from conversations.domain import CaseQuestion

# Longer questions are refused with a clear message rather than cut: the patient decides what to keep.
MAX_QUESTION_CHARS = 1000


def question_problem(text: str | None) -> tuple[str, dict[str, Any]] | None:
    """The message (key and arguments) refusing this question text, or None when it may be asked.
    None text is a message with no text: a sticker, a photo, a voice message."""
    if text is None:
        return "question-not-text", {}
    stripped = text.strip()
    if not stripped:
        return "question-empty", {}
    if len(stripped) > MAX_QUESTION_CHARS:
        return "question-too-long", {"length": len(stripped), "limit": MAX_QUESTION_CHARS}
    return None


def questions_text(t: Callable[..., str], lang: str, questions: Sequence[CaseQuestion]) -> str:
    """The case's questions and answers, for the clinic's review message; "" when there are none."""
    if not questions:
        return ""
    lines = [t(lang, "review-questions-title")]
    for number, question in enumerate(questions, start=1):
        lines.append(t(lang, "review-question", number=number, question=question.question))
        lines.append(t(lang, "review-answer", answer=question.answer or ""))
    return "\n".join(lines)
