"""Bootstrap intervals: coverage on samples of known truth, agreement with a plain loop, determinism."""

from __future__ import annotations

import numpy as np
import pytest

from classifier_lab.bootstrap import _BLOCK, Interval, bootstrap, ratio_intervals, ratios, resample_counts
from classifier_lab.evaluation_stats import ece_interval, headline
from inference.labels import LABELS


def test_resample_counts_draw_n_with_replacement() -> None:
    counts = resample_counts(50, 400, np.random.default_rng(0))
    assert counts.shape == (400, 50)
    assert (counts.sum(axis=1) == 50).all()
    # Each item is drawn once per replicate on average; about 1/e of them not at all.
    assert counts.mean() == pytest.approx(1.0)
    assert (counts == 0).mean() == pytest.approx(np.exp(-1), abs=0.02)


def test_matches_a_plain_loop_over_resamples() -> None:
    rng = np.random.default_rng(1)
    correct = rng.random(120) < 0.7
    (vectorised,) = ratio_intervals([correct], [np.ones(120)], seed=7)
    counts = resample_counts(120, 2000, _replay(7))  # the same draws, block by block
    looped = [correct.repeat(c).mean() for c in counts]
    low, high = np.percentile(looped, [2.5, 97.5])
    assert vectorised.value == pytest.approx(correct.mean())
    assert vectorised.low == pytest.approx(low) and vectorised.high == pytest.approx(high)


def _replay(seed: int) -> np.random.Generator:
    """A generator that hands out draws in the blocks bootstrap() asks for, so one call can replay them."""
    source = np.random.default_rng(seed)

    class Blocks:
        def integers(self, low: int, high: int, size: tuple[int, int]) -> np.ndarray:
            starts = range(0, size[0], _BLOCK)
            rows = [source.integers(low, high, size=(min(_BLOCK, size[0] - s), size[1])) for s in starts]
            return np.concatenate(rows)

    return Blocks()  # type: ignore[return-value]


def test_interval_covers_the_truth_about_95_percent_of_the_time() -> None:
    rng = np.random.default_rng(2)
    covered = 0
    for trial in range(200):
        sample = rng.random(200) < 0.8
        (interval,) = ratio_intervals([sample], [np.ones(200)], seed=trial)
        assert interval.low is not None and interval.high is not None
        covered += interval.low <= 0.8 <= interval.high
        assert interval.high - interval.low == pytest.approx(2 * 1.96 * np.sqrt(0.16 / 200), rel=0.25)
    assert 0.88 <= covered / 200 <= 0.99


def test_seeded_and_deterministic() -> None:
    sample = np.random.default_rng(3).random(80) < 0.5
    first = ratio_intervals([sample], [np.ones(80)], seed=11)
    assert first == ratio_intervals([sample], [np.ones(80)], seed=11)
    assert first != ratio_intervals([sample], [np.ones(80)], seed=12)


def test_undefined_ratio_is_none() -> None:
    (interval,) = ratio_intervals([np.zeros(10)], [np.zeros(10)])
    assert interval == Interval(None, None, None)
    assert interval.as_text() == "n/a"
    assert bootstrap(np.zeros((0, 2)), ratios(1)) == [Interval(None, None, None)]


def test_headline_figures_and_their_intervals() -> None:
    rng = np.random.default_rng(4)
    truth = rng.integers(0, len(LABELS), 300)
    probs = rng.dirichlet(np.ones(len(LABELS)) * 0.5, 300)
    probs[np.arange(300)[:200], truth[:200]] += 2.0  # two thirds made right
    probs /= probs.sum(axis=1, keepdims=True)
    h = headline(probs, truth, referral_threshold=0.3)
    accuracy = (probs.argmax(axis=1) == truth).mean()
    assert h.accuracy.value == pytest.approx(accuracy)
    for interval in (h.accuracy, h.balanced_accuracy, *h.recall.values(), h.carcinoma_sensitivity):
        assert interval.low is not None and interval.high is not None
        assert 0.0 <= interval.low <= interval.value <= interval.high <= 1.0
    carcinoma = truth == LABELS.index("carcinoma")
    referred = (probs.argmax(axis=1) == 1) | (probs[:, 1] >= 0.3)
    assert h.carcinoma_sensitivity.value == pytest.approx(referred[carcinoma].mean())
    assert h.carcinoma_specificity.value == pytest.approx((~referred[~carcinoma]).mean())
    recalls = [(probs.argmax(axis=1) == truth)[truth == k].mean() for k in range(len(LABELS))]
    assert h.balanced_accuracy.value == pytest.approx(np.mean(recalls))


def test_ece_interval_point_is_the_ece() -> None:
    from classifier_lab.calibration import expected_calibration_error

    rng = np.random.default_rng(5)
    confidence = rng.uniform(0.2, 1.0, 500)
    correct = rng.random(500) < confidence * 0.8
    interval = ece_interval(confidence, correct)
    assert interval.value == pytest.approx(expected_calibration_error(confidence, correct))
    assert interval.low is not None and interval.low < interval.value < interval.high
