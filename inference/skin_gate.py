"""The "is this a photo of skin?" gate: runs after the quality gate and before any report.

Two checks, both must pass:
- skin-likeness, before the classifier runs: enough of the photo has the colour of skin (any tone);
- the classifier's own score, right after it runs: its calibrated top probability is at least the threshold
  fitted on the validation split and stored in the weights' sidecar (`inference.sidecar`). Without a
  sidecar this check is off.

Colour alone cannot tell skin from everything skin-coloured (a tabby cat, a wooden table), and the score
alone is only as good as the model's sense of what it was not trained on; docs/evaluation.md measures both.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image

from inference.labels import Classification
from inference.skin_colour import SkinColourRanges, skin_share

NOT_SKIN = "not_skin"  # the issue a Rejected event carries; locales/*/scores.ftl words it
# The tip the user gets asks for skin filling most of the frame: a close-up is mostly skin even with a large
# lesion or a little background; a photo of an object, a document or a room is not.
MIN_SKIN_SHARE = 0.5


@dataclass(frozen=True)
class SkinGate:
    min_skin_share: float = MIN_SKIN_SHARE
    ranges: SkinColourRanges = field(default_factory=SkinColourRanges)

    def looks_like_skin(self, image: Image.Image) -> bool:
        return skin_share(image, self.ranges) >= self.min_skin_share

    @staticmethod
    def familiar(result: Classification) -> bool:
        """False when the classifier's score says the photo is unlike anything it was trained on."""
        return not result.unfamiliar


DEFAULT_GATE = SkinGate()
