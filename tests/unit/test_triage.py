"""The urgent-referral rule at its edges, and what the chat shows for it."""

from __future__ import annotations

import pytest

from casework.case_messages import classification_text
from casework.translator import Translator
from inference.labels import Classification
from inference.triage import Triage, triage


def probs(carcinoma: float, top: str = "acne", uncertain: bool = False) -> Classification:
    rest = 1.0 - carcinoma
    values = {
        "acne": 0.0,
        "carcinoma": carcinoma,
        "eczema": 0.0,
        "keratosis": 0.0,
        "milia": 0.0,
        "rosacea": 0.0,
    }
    if top == "carcinoma":
        values.update({k: rest / 5 for k in values if k != "carcinoma"})
    else:
        values[top] = rest
    return Classification.from_dict(values, uncertain)


@pytest.mark.parametrize(
    ("result", "level"),
    [
        (probs(0.30), Triage.URGENT),
        (probs(0.2999), Triage.ROUTINE),
        (probs(0.29, uncertain=True), Triage.UNCERTAIN),
        (probs(0.31, uncertain=True), Triage.URGENT),  # a cancer signal wins over an unclear photo
        (probs(0.26, top="carcinoma"), Triage.URGENT),  # top class even below the threshold
    ],
)
def test_threshold_edges(result: Classification, level: Triage) -> None:
    assert triage(result, 0.30) == level


def test_threshold_is_a_setting() -> None:
    assert triage(probs(0.30), carcinoma_threshold=0.5) == Triage.ROUTINE
    assert triage(probs(0.10), carcinoma_threshold=0.05) == Triage.URGENT


class _Services:
    t = Translator()


@pytest.mark.parametrize("lang", ["ko", "en", "vi"])
def test_chat_message_begins_with_the_referral(lang: str) -> None:
    t = _Services.t
    urgent = classification_text(_Services.t, lang, probs(0.30), Triage.URGENT)
    assert urgent.startswith(f"{t(lang, 'urgent-prefix')} {t(lang, 'triage-urgent-title')}")
    assert t(lang, "triage-urgent-why") in urgent
    routine = classification_text(_Services.t, lang, probs(0.1), Triage.ROUTINE)
    assert routine.startswith(t(lang, "classification-title"))
    unclear = classification_text(_Services.t, lang, probs(0.1, uncertain=True), Triage.UNCERTAIN)
    assert t(lang, "triage-uncertain") in unclear
    # All six classes, top first, with a bar and a localized percentage.
    lines = routine.splitlines()[1:]
    assert len(lines) == 6 and lines[0].startswith(t(lang, "label-acne"))
    assert "█" in lines[0] and ("90%" in lines[0] or "90 %" in lines[0])
