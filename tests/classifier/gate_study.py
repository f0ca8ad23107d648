"""What the skin gate does to scikit-image's photographs, to real faces, and to generated skin of every tone.

The classifier is the tiny one the tests train on generated skin (tests/classifier/tone_model.py), with the
score threshold its training fitted on the validation split.

    python -m tests.classifier.gate_study [--per-tone 30] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from inference.classifier import SkinClassifier
from inference.quality import check_quality
from inference.skin_colour import skin_share
from inference.skin_gate import MIN_SKIN_SHARE
from tests.classifier import tone_model
from tests.classifier.skin_images import (
    LESIONS,
    NON_SKIN_PHOTOS,
    TONE_RANGES,
    face_crops,
    skimage_photo,
    skin_image,
)


def verdict(classifier: SkinClassifier, image: Image.Image) -> dict[str, object]:
    """The gate's steps in the worker's order, and where the photo stops."""
    issues = [str(i) for i in check_quality(image)]
    share = skin_share(image)
    (result,) = classifier.predict([image])
    if issues:
        stop = "quality: " + ", ".join(issues)
    elif share < MIN_SKIN_SHARE:
        stop = "not skin (colour)"
    elif result.unfamiliar:
        stop = "not skin (classifier score)"
    else:
        stop = "report"
    return {
        "size": list(image.size),
        "skin_share": round(share, 3),
        "top": result.top,
        "confidence": round(result.confidence, 3),
        "outcome": stop,
    }


def study(per_tone: int = 30, seed: int = 0) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        split = tone_model.build_tone_split(Path(tmp) / "split")
        weights = tone_model.tone_weights(split, Path(tmp) / "train")
        classifier = SkinClassifier(weights, device="cpu")
        classifier.setup()
    photos = {name: verdict(classifier, skimage_photo(name)) for name in NON_SKIN_PHOTOS}
    # A phone photo of a face is larger than these crops; upscaled, the quality gate judges skin, not size.
    faces = {
        name: verdict(classifier, ImageOps.contain(face, (480, 480), Image.Resampling.LANCZOS))
        for name, face in face_crops().items()
    }
    rng = np.random.default_rng(seed)
    lesions = [None, *LESIONS]
    tones = {}
    for tone, (low, high) in TONE_RANGES.items():
        outcomes = [
            verdict(
                classifier, skin_image(rng.uniform(low, high), rng, 320, lesion=lesions[i % len(lesions)])
            )["outcome"]
            for i in range(per_tone)
        ]
        tones[tone] = {outcome: outcomes.count(outcome) for outcome in sorted(set(outcomes))}
    return {
        "min_skin_share": MIN_SKIN_SHARE,
        "score_threshold": classifier.unfamiliar_below,
        "temperature": classifier.temperature,
        "photographs": photos,
        "faces": faces,
        "generated_skin_per_tone": {"images_per_tone": per_tone, "outcomes": tones},
    }


def markdown(result: dict[str, object]) -> str:
    share, threshold, temperature = result["min_skin_share"], result["score_threshold"], result["temperature"]
    lines = [
        f"Colour check: at least {100 * share:.0f}% skin-coloured pixels. Classifier score: calibrated top "  # type: ignore[operator]
        f"probability ≥ {threshold:.3f} (temperature {temperature:.3f}).",
        "",
        "| photograph | skin-coloured | model's top class | calibrated confidence | outcome |",
        "|---|---:|---|---:|---|",
    ]
    for group in ("photographs", "faces"):
        for name, row in result[group].items():  # type: ignore[union-attr]
            label = name if group == "photographs" else f"{name} (face crop, real skin)"
            share = f"{100 * row['skin_share']:.0f}%"
            lines.append(f"| {label} | {share} | {row['top']} | {row['confidence']:.2f} | {row['outcome']} |")
    per = result["generated_skin_per_tone"]
    lines += [
        "",
        f"| generated skin, {per['images_per_tone']} photos per ITA group | outcomes |",
        "|---|---|",
    ]  # type: ignore[index]
    for tone, outcomes in per["outcomes"].items():  # type: ignore[index]
        lines.append(
            f"| {tone.replace('_', ' ')} | " + ", ".join(f"{k}: {v}" for k, v in outcomes.items()) + " |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-tone", type=int, default=30)
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    result = study(args.per_tone)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
