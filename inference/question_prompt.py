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

from inference.prompt import _template, case_values, chat_messages, sanitize_history
from inference.report_request import ReportRequest

MAX_QUESTION_CHARS = 1000  # the chat refuses longer questions; this is the prompt's own bound
MAX_REPORT_CHARS = 6000
LEAK_RUN = 8  # this many words of the rules in a row, in an answer, is the prompt leaking

# A number and a dose unit: "500 mg", "2,5 ml", "1 tablet", "2 viên", "1정". Percentages are left alone:
# answers talk about the classifier's scores in percent.
_DOSE = re.compile(
    r"\d+(?:[.,]\d+)?\s*(?:mg|mcg|µg|μg|ml|g|iu|units?|tablets?|capsules?|pills?|drops?|puffs?"
    r"|viên|giọt|gói|밀리그램|mg/kg|정|알|캡슐|방울)(?![a-zà-ỹ])",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+", re.UNICODE)


def messages_for(req: ReportRequest, with_image: bool) -> list[dict]:
    """The chat messages for a writer's row: the report's prompt, or a question's when the row asks one."""
    if req.question is None:
        return chat_messages(req, with_image)
    content: list[dict] = [{"type": "image"} for _ in range(req.image_count)] if with_image else []
    content.append({"type": "text", "text": render_question(req, with_image)})
    return [
        {"role": "system", "content": [{"type": "text", "text": question_system(req.language)}]},
        {"role": "user", "content": content},
    ]


def question_system(language: str) -> str:
    system, _ = _template(language, "question")
    return system.substitute()


def render_question(req: ReportRequest, with_image: bool = True) -> str:
    """The user turn: the case's facts and scores as in the report's prompt, the report, then the question."""
    assert req.question is not None
    _, user = _template(req.language, "question")
    values = case_values(req, with_image)
    values["report"] = sanitize_history(req.question.report, MAX_REPORT_CHARS) or ""
    values["question"] = sanitize_history(req.question.text, MAX_QUESTION_CHARS) or ""
    return user.substitute(values)


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
