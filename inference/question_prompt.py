"""The prompt that answers a patient's question about their finished case ("Ask about this report"), and the
check every answer passes before it is stored.

The answer is grounded on the case: its photos (attached as for the report), its stored scores and the report
the patient received. The name never reaches it: ReportRequest has no name field. The system rules (in
prompts/question.<lang>.md) keep the report's rails: pre-screening, no prescriptions or doses, the urgency
held when the cancer signal is on. The question is untrusted text inside a <patient_question> block, cleaned
of chat control tokens and of the tags that delimit the blocks, so it cannot close its block or open a turn.

Nothing makes the model obey, so `unsafe_answer` looks at what it wrote: a medicine dose, or a run of the
rules' own words (the prompt leaking), and the caller replaces such an answer with a safe one.
"""

from __future__ import annotations

import re

from inference.prompt import MAX_QUESTION_CHARS, chat_messages, question_system, render_question

__all__ = ["MAX_QUESTION_CHARS", "messages_for", "question_system", "render_question", "unsafe_answer"]

LEAK_RUN = 8  # this many words of the rules in a row, in an answer, is the prompt leaking

# A number and a dose unit: "500 mg", "2,5 ml", "1 tablet", "2 viên", "1정". Percentages are left alone:
# answers talk about the classifier's scores in percent.
_DOSE = re.compile(
    r"\d+(?:[.,]\d+)?\s*(?:mg|mcg|µg|μg|ml|g|iu|units?|tablets?|capsules?|pills?|drops?|puffs?"
    r"|viên|giọt|gói|밀리그램|mg/kg|정|알|캡슐|방울)(?![a-zà-ỹ])",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+", re.UNICODE)

# Every writer renders its rows with inference.prompt.chat_messages, which gives a question's row this
# prompt; the name says what it is for where a writer is read.
messages_for = chat_messages


def unsafe_answer(text: str, language: str) -> str | None:
    """Why an answer must not reach the patient ("dose" or "leak"), or None when it may."""
    if _DOSE.search(text):
        return "dose"
    rules = _runs(question_system(language))
    if rules & _runs(text):
        return "leak"
    return None


def _runs(text: str) -> set[tuple[str, ...]]:
    words = [w.casefold() for w in _WORD.findall(text)]
    return {tuple(words[i : i + LEAK_RUN]) for i in range(len(words) - LEAK_RUN + 1)}
