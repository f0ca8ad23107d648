"""The skin question's arithmetic and wiring: reading P(yes), and SKINBOT_SKIN_QUESTION_MIN_YES."""

from __future__ import annotations

import math

import pytest

from inference.skin_question import (
    DEFAULT_MIN_YES,
    QUESTION,
    SkinQuestion,
    question_messages,
    yes_share,
    yes_share_from_text,
    yes_share_from_top,
)
from skinbot.check import check_scores
from skinbot.inference_setup import skin_question
from skinbot.settings import Settings, SettingsError


def test_yes_share_adds_up_the_spellings_of_each_answer() -> None:
    assert yes_share([math.log(0.3), math.log(0.3)], [math.log(0.2)]) == pytest.approx(0.75)
    assert yes_share([math.log(0.01)], [math.log(0.09)]) == pytest.approx(0.1)
    assert yes_share([math.log(0.5)], []) == 1.0
    assert yes_share([], [math.log(0.5)]) == 0.0
    assert yes_share([], []) is None
    assert yes_share([-math.inf], [-math.inf]) is None
    # Very unlikely answers still compare: the ratio, not the absolute mass, decides.
    assert yes_share([-800.0], [-800.0 - math.log(3)]) == pytest.approx(0.75)


def test_an_engines_top_tokens_and_worded_answers() -> None:
    top = {" Yes": math.log(0.5), "No": math.log(0.25), "yes": math.log(0.25), "Sure": math.log(0.1)}
    assert yes_share_from_top(top) == pytest.approx(0.75)
    assert yes_share_from_top({"Maybe": -0.1}) is None
    assert [yes_share_from_text(t) for t in ("Yes.", " no", "**No**", "Yesterday", "", "I think so")] == [
        1.0,
        0.0,
        0.0,
        None,
        None,
        None,
    ]


def test_the_question_carries_the_photos_and_nothing_about_the_patient() -> None:
    [turn] = question_messages(2)
    assert turn["role"] == "user"
    assert turn["content"] == [{"type": "image"}, {"type": "image"}, {"type": "text", "text": QUESTION}]


def settings(**env: str) -> Settings:
    return Settings.from_env(env, env_file=None, telegram=False)


def test_the_setting_turns_the_question_on_off_and_sets_its_threshold(tmp_path) -> None:
    assert skin_question(settings()) == SkinQuestion(DEFAULT_MIN_YES)
    assert skin_question(settings(SKINBOT_SKIN_QUESTION_MIN_YES="0.6")) == SkinQuestion(0.6)
    assert skin_question(settings(SKINBOT_SKIN_QUESTION_MIN_YES="0")) is None
    for bad in ("1.5", "-0.1", "yes"):
        with pytest.raises(SettingsError):
            settings(SKINBOT_SKIN_QUESTION_MIN_YES=bad)
    missing = tmp_path / "skin-cls.pt"
    assert "P(yes) ≥ 0.25" in check_scores(settings(SKINBOT_CLASSIFIER=str(missing))).detail
    off = check_scores(settings(SKINBOT_CLASSIFIER=str(missing), SKINBOT_SKIN_QUESTION_MIN_YES="0"))
    assert "skin question off" in off.detail


def test_the_bots_worker_asks_the_question_the_settings_ask_for(tmp_path) -> None:
    from inference.report_model import ReportModel
    from skinbot.inference_setup import build_queue

    class NoStore:
        pass

    for value, expected in (("0.4", SkinQuestion(0.4)), ("0", None)):
        env = {"SKINBOT_SKIN_QUESTION_MIN_YES": value, "SKINBOT_LLM": str(tmp_path / "medgemma")}
        queue = build_queue(settings(**env), NoStore())  # type: ignore[arg-type]
        assert isinstance(queue.worker.writer, ReportModel)  # built, not loaded: nothing is read yet
        assert queue.worker.skin_question == expected
