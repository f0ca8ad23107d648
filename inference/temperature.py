"""Temperature scaling as serving applies it: the classifier's probabilities softened or sharpened by the
temperature its sidecar holds. numpy only. Fitting the temperature is offline work
(`classifier_lab.calibration`).

The weights export probabilities, not logits, but log-probabilities are the logits up to a per-image
constant, which softmax ignores, so scaling them is exact.
"""

from __future__ import annotations

import numpy as np

_FLOOR = 1e-30  # float32 softmax underflows to 0 for hopeless classes; log(0) would poison the fit


def log_probabilities(probs: np.ndarray) -> np.ndarray:
    return np.log(np.clip(np.asarray(probs, dtype=np.float64), _FLOOR, None))


def apply_temperature(probs: np.ndarray, temperature: float) -> np.ndarray:
    """Rows of probabilities rescaled as softmax(log p / T); T = 1 returns them (renormalised) unchanged."""
    z = log_probabilities(probs) / float(temperature)
    z -= z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)
