"""The worker's side of a question about a finished case: its row for the report writer, and how its answer
ends. Kept out of inference/worker.py, which runs cases.

A question is not classified again: its case's stored scores and photos ground the answer. Its row goes to
the same writer as a report (every writer renders it with `inference.prompt.chat_messages`), and
its answer passes the same rails as a report: the dose and leak check, and the urgent-referral wording when
the case's triage is urgent, appended by the code rather than left to the model.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol, TypeVar

from PIL import Image

from conversations.domain import PHOTO_KINDS
from inference.events import Event, Failed, JobSpec
from inference.labels import Classification
from inference.question_prompt import unsafe_answer
from inference.report_request import AskedQuestion, ReportRequest
from inference.triage import Triage, triage
from inference.urgency import Wording


class _Item(Protocol):
    """A job as the worker holds it (inference.worker.WorkItem)."""

    spec: JobSpec

    def finish(self, event: Event) -> None: ...


Item = TypeVar("Item", bound=_Item)

# Messages (locales/*/questions.ftl) the answer may be replaced with or followed by.
UNSAFE_KEY = "question-answer-unsafe"
URGENT_KEY = "question-answer-urgent"


def question_rows(
    items: list[Item], load: Callable[[Path], Image.Image | None], carcinoma_referral: float
) -> list[tuple[Item, tuple[ReportRequest, list[Image.Image]]]]:
    """The writer's rows for question jobs: the case's photos as stored, and its stored scores."""
    rows: list[tuple[Item, tuple[ReportRequest, list[Image.Image]]]] = []
    for item in items:
        spec = item.spec
        asked = spec.question
        assert asked is not None
        photos = [load(path) for path in spec.image_paths]
        if any(photo is None for photo in photos):  # purged meanwhile: the case is gone
            item.finish(Failed("image_missing", retryable=False))
            continue
        classification = Classification.from_record(asked.classification)
        request = ReportRequest(
            spec.age,
            spec.gender,
            None,  # the history is in the report already, and the question needs no more of it
            spec.language,
            classification,
            body_site=spec.body_site,
            photo_kinds=PHOTO_KINDS[: len(photos)],
            carcinoma_referral=carcinoma_referral,
            question=AskedQuestion(asked.text, asked.report),
        )
        rows.append((item, (request, [photo for photo in photos if photo is not None])))
    return rows


class AnswerGuard:
    """Holds every answer to the report's rails, in the words of the answer's language."""

    def __init__(self, words: Wording | None) -> None:
        # None only where no one reads the answer in a chat (tests of the worker alone): an unsafe answer
        # is then replaced by nothing.
        self.words = words

    def settle(self, text: str, request: ReportRequest) -> str:
        lang = request.language
        if unsafe_answer(text, lang) is not None:
            text = self.words(lang, UNSAFE_KEY) if self.words is not None else ""
        if (
            self.words is not None
            and triage(request.classification, request.carcinoma_referral) is Triage.URGENT
        ):
            text = f"{text.rstrip()}\n\n{self.words(lang, URGENT_KEY)}"
        return text
