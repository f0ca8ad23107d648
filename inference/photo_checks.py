"""The cheap checks of one photo: the quality gate (size, dark, bright, flat, blur), then the colour of skin.

Both adapters run them as each photo arrives, before the next question or before a job is queued, so a photo
that cannot be assessed is turned back while the user still holds the camera. The model worker runs them
again on every case's photos before the classifier: it is the last line of defence (photos stored before an
upgrade, anything that reaches the queue another way). Pure PIL + numpy, no model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image

from inference.quality import QualityThresholds, check_quality
from inference.skin_gate import DEFAULT_GATE, NOT_SKIN, SkinGate

# The shorter side of the copy judged at upload. The blur measure works at 256 px (quality.ANALYSIS_SIDE) and
# the colour check at 128 px anyway; brightness and contrast are means over the whole frame, which a smaller
# copy keeps. Judging a 2048 px photo at full size took 70 ms of CPU, this copy under 10.
UPLOAD_SIDE = 512


@dataclass(frozen=True)
class PhotoChecks:
    thresholds: QualityThresholds = field(default_factory=QualityThresholds)
    gate: SkinGate = DEFAULT_GATE

    def issues(self, image: Image.Image) -> tuple[str, ...]:
        """Why the photo cannot be assessed: the quality gate's reasons, else "not skin"; () when it passes.
        Quality comes first: a dark or blurred frame says nothing about colour."""
        quality = check_quality(image, self.thresholds)
        if quality:
            return tuple(str(issue) for issue in quality)
        return () if self.gate.looks_like_skin(image) else (NOT_SKIN,)

    def issues_at_upload(self, image: Image.Image) -> tuple[str, ...]:
        """`issues` judged on a copy reduced by a whole factor to a shorter side of at least UPLOAD_SIDE (or
        the configured minimum side, when that is larger, so the copy is never "too small" where the photo
        is not). A whole factor averages pixel blocks: a few ms, where resampling to an exact size took 15.
        Averaging lowers pixel noise, so a photo within a hair of the contrast limit (`min_contrast`) may
        read as flat here and not in the worker: at upload the user can simply send another."""
        factor = min(image.size) // max(UPLOAD_SIDE, self.thresholds.min_side)
        return self.issues(image.reduce(factor) if factor >= 2 else image)
