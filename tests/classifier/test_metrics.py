"""Metrics against answers computed by hand."""

from __future__ import annotations

import pytest

from classifier_lab.evaluation import expected_calibration_error, metrics_from_predictions

LABELS3 = ("a", "b", "c")


def test_three_class_example_by_hand() -> None:
    # true: a a a b b c ; pred: a a b b c c
    y_true = ["a", "a", "a", "b", "b", "c"]
    y_pred = ["a", "a", "b", "b", "c", "c"]
    m = metrics_from_predictions(y_true, y_pred, labels=LABELS3)
    assert m.confusion == [[2, 1, 0], [0, 1, 1], [0, 0, 1]]
    # a: P 2/2, R 2/3, F1 0.8 | b: P 1/2, R 1/2, F1 1/2 | c: P 1/2, R 1/1, F1 2/3
    assert m.per_class["a"].precision == pytest.approx(1.0)
    assert m.per_class["a"].recall == pytest.approx(2 / 3)
    assert m.per_class["a"].f1 == pytest.approx(0.8)
    assert m.per_class["b"].f1 == pytest.approx(0.5)
    assert m.per_class["c"].precision == pytest.approx(0.5)
    assert m.per_class["c"].f1 == pytest.approx(2 / 3)
    assert [m.per_class[x].support for x in LABELS3] == [3, 2, 1]
    assert m.accuracy == pytest.approx(4 / 6)
    assert m.balanced_accuracy == pytest.approx((2 / 3 + 1 / 2 + 1) / 3)
    assert m.macro.precision == pytest.approx((1 + 0.5 + 0.5) / 3)
    assert m.macro.f1 == pytest.approx((0.8 + 0.5 + 2 / 3) / 3)
    assert m.weighted.recall == pytest.approx(m.accuracy)  # weighted recall is always accuracy
    assert m.weighted.f1 == pytest.approx((3 * 0.8 + 2 * 0.5 + 1 * 2 / 3) / 6)
    assert m.ece is None


def test_indices_and_names_agree() -> None:
    by_name = metrics_from_predictions(["a", "b", "c"], ["a", "c", "c"], labels=LABELS3)
    by_index = metrics_from_predictions([0, 1, 2], [0, 2, 2], labels=LABELS3)
    assert by_name == by_index


def test_absent_class_is_left_out_of_macro_and_balanced() -> None:
    m = metrics_from_predictions(["a", "a", "b"], ["a", "b", "b"], labels=LABELS3)
    assert m.per_class["c"].support == 0
    assert m.balanced_accuracy == pytest.approx((0.5 + 1.0) / 2)
    assert m.macro.recall == pytest.approx((0.5 + 1.0) / 2)


def test_default_labels_are_the_six_skin_labels() -> None:
    m = metrics_from_predictions(["carcinoma", "acne"], ["carcinoma", "rosacea"])
    assert m.labels[1] == "carcinoma"
    assert m.per_class["carcinoma"].recall == 1.0
    assert m.per_class["acne"].recall == 0.0


def test_ece_by_hand() -> None:
    # bin (0.5, 0.6]: confidences 0.6 and 0.6, one right → |0.5 - 0.6| · 2/4
    # bin (0.9, 1.0]: confidences 1.0 and 1.0, both right → 0
    assert expected_calibration_error([0.6, 0.6, 1.0, 1.0], [1, 0, 1, 1]) == pytest.approx(0.05)
    # an overconfident model: conf 0.9 always, right half the time → 0.4
    assert expected_calibration_error([0.9] * 4, [1, 0, 1, 0]) == pytest.approx(0.4)


def test_ece_from_probabilities() -> None:
    probs = [[0.8, 0.1, 0.1], [0.3, 0.6, 0.1], [0.2, 0.2, 0.6]]
    # predictions a, b, c; truth a, b, a → conf 0.8 right, 0.6 right, 0.6 wrong
    m = metrics_from_predictions(["a", "b", "a"], ["a", "b", "c"], probs, labels=LABELS3)
    expected = (1 / 3) * abs(1 - 0.8) + (2 / 3) * abs(0.5 - 0.6)
    assert m.ece == pytest.approx(expected)


def test_length_mismatch_is_an_error() -> None:
    with pytest.raises(ValueError):
        metrics_from_predictions(["a"], ["a", "b"], labels=LABELS3)
