"""The skin gate's last check: the report model is asked whether the photo shows human skin.

The classifier is trained on skin only, so it has no notion of what is not skin: its score and colour
cannot tell a tabby cat or a cup of coffee from a lesion (docs/evaluation.md measures that). The report
model is a vision-language model trained on general and medical images, and it is loaded anyway; one
forward pass over the photo and this question, reading the next-token probabilities of "yes" and "no",
costs a small share of a report.

The question holds no patient data at all: no name, age, history or scores, only the photo.
Pure: the report model (`inference.report_model`) and the engine (`inference.engine_skin`) ask it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

QUESTION = (
    "Does this photograph show human skin, close enough to see the skin's surface? "
    "Answer with one word: yes or no."
)
YES_WORDS = ("yes", "Yes", "YES")
NO_WORDS = ("no", "No", "NO")
# Turned back only when the model leans clearly to "no": a photo of skin wrongly turned back costs the patient
# a retake, so an unsure answer lets the photo through to the other checks' verdict.
DEFAULT_MIN_YES = 0.25


def question_messages(image_count: int = 1) -> list[dict]:
    """Gemma 3 chat messages: one user turn with the photo(s) and the question, no system turn."""
    content: list[dict] = [{"type": "image"} for _ in range(image_count)]
    content.append({"type": "text", "text": QUESTION})
    return [{"role": "user", "content": content}]


def yes_share(yes_logprobs: Iterable[float], no_logprobs: Iterable[float]) -> float | None:
    """P(yes) / (P(yes) + P(no)) from the log-probabilities of the spellings of each answer; None when the
    model gave neither any weight to read."""
    yes, no = _logsumexp(yes_logprobs), _logsumexp(no_logprobs)
    if yes == -math.inf and no == -math.inf:
        return None
    if no == -math.inf:
        return 1.0
    return 1.0 / (1.0 + math.exp(no - yes)) if yes > -math.inf else 0.0


def yes_share_from_top(top: Mapping[str, float]) -> float | None:
    """yes_share from an engine's top log-probabilities of the first answer token ({token: logprob})."""
    yes = [lp for token, lp in top.items() if token.strip() in YES_WORDS]
    no = [lp for token, lp in top.items() if token.strip() in NO_WORDS]
    return yes_share(yes, no)


def yes_share_from_text(answer: str) -> float | None:
    """1 for an answer that starts with yes, 0 for no, None for anything else (an engine without
    log-probabilities answers in words)."""
    first = re.match(r"\W*([A-Za-z]+)", answer)
    word = first.group(1).lower() if first else ""
    return 1.0 if word == "yes" else 0.0 if word == "no" else None


def _logsumexp(values: Iterable[float]) -> float:
    finite = [v for v in values if v > -math.inf]
    if not finite:
        return -math.inf
    top = max(finite)
    return top + math.log(sum(math.exp(v - top) for v in finite))


@dataclass(frozen=True)
class SkinQuestion:
    """The gate's rule: a photo is turned back when the report model's P(yes) is below `min_yes`. A photo
    the model could not answer for (None) passes: the colour and classifier checks still apply."""

    min_yes: float = DEFAULT_MIN_YES

    def __post_init__(self) -> None:
        if not 0.0 < self.min_yes <= 1.0:
            raise ValueError(f"min_yes must be in (0, 1], got {self.min_yes}")

    def says_skin(self, share: float | None) -> bool:
        return share is None or share >= self.min_yes
