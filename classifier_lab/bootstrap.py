"""Percentile bootstrap confidence intervals, vectorised over replicates. numpy only, seeded.

Every statistic here is a function of per-image sums (correct answers, cases, flags), so one resample is a
vector of per-image counts w (how often each image was drawn) and its sums are w @ columns: a whole block
of replicates is one matrix product.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

REPLICATES = 2000
CONFIDENCE = 0.95
SEED = 0
_BLOCK = 250  # replicates per matrix product: bounds memory at _BLOCK × n counts

Statistic = Callable[[np.ndarray], np.ndarray]  # sums (r × m) → statistics (r × k); NaN where undefined


@dataclass(frozen=True)
class Interval:
    """A statistic on the full sample and its bootstrap interval; None where it is undefined (no cases)."""

    value: float | None
    low: float | None
    high: float | None

    def as_text(self, percent: bool = True, digits: int = 1) -> str:
        if self.value is None:
            return "n/a"
        scale, unit = (100.0, "%") if percent else (1.0, "")
        value = f"{scale * self.value:.{digits}f}{unit}"
        if self.low is None or self.high is None:
            return value
        return f"{value} ({scale * self.low:.{digits}f}–{scale * self.high:.{digits}f})"


def resample_counts(n: int, replicates: int, rng: np.random.Generator) -> np.ndarray:
    """(replicates × n) how many times each of n items is drawn, n draws with replacement per replicate."""
    draws = rng.integers(0, n, size=(replicates, n))
    offsets = (np.arange(replicates) * n)[:, None]
    return np.bincount((draws + offsets).ravel(), minlength=replicates * n).reshape(replicates, n)


def bootstrap(
    columns: np.ndarray,
    statistic: Statistic,
    *,
    replicates: int = REPLICATES,
    confidence: float = CONFIDENCE,
    seed: int = SEED,
) -> list[Interval]:
    """Intervals for the k statistics that `statistic` computes from the column sums of `columns` (n × m)."""
    columns = np.asarray(columns, dtype=np.float64)
    n = len(columns)
    with np.errstate(invalid="ignore", divide="ignore"):
        point = np.asarray(statistic(columns.sum(axis=0)[None, :]), dtype=np.float64)[0]
    if n == 0:
        return [Interval(None, None, None) for _ in point]
    rng = np.random.default_rng(seed)
    parts = []
    for start in range(0, replicates, _BLOCK):
        counts = resample_counts(n, min(_BLOCK, replicates - start), rng).astype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            parts.append(np.asarray(statistic(counts @ columns), dtype=np.float64))
    samples = np.concatenate(parts)
    tail = 100.0 * (1.0 - confidence) / 2.0
    out = []
    for k, value in enumerate(point):
        column = samples[:, k]
        column = column[np.isfinite(column)]
        if not np.isfinite(value):
            out.append(Interval(None, None, None))
        elif column.size == 0:
            out.append(Interval(float(value), None, None))
        else:
            low, high = np.percentile(column, [tail, 100.0 - tail])
            out.append(Interval(float(value), float(low), float(high)))
    return out


def ratios(pairs: int) -> Statistic:
    """Statistic for columns laid out as (numerator_1, denominator_1, ..., numerator_k, denominator_k)."""

    def statistic(sums: np.ndarray) -> np.ndarray:
        return sums[:, 0 : 2 * pairs : 2] / sums[:, 1 : 2 * pairs : 2]

    return statistic


def ratio_intervals(
    numerators: list[np.ndarray], denominators: list[np.ndarray], *, seed: int = SEED
) -> list[Interval]:
    """Σ numerator / Σ denominator for each pair of per-image arrays (e.g. correct & is-class / is-class)."""
    columns = np.column_stack([x for pair in zip(numerators, denominators, strict=True) for x in pair])
    return bootstrap(columns, ratios(len(numerators)), seed=seed)
