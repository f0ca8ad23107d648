"""What the skin gate does to scikit-image's photographs, to real faces, and to generated skin of every tone.

The classifier is the tiny one the tests train on generated skin (tests/classifier/tone_model.py), with the
score threshold its training fitted on the validation split, or your weights with `--classifier`. With
`--report-model` the report model is asked the skin question too (`tiny` for the tests' random Gemma 3,
whose answers mean nothing; a folder such as weights/medgemma-4b-it for the real one).

    python -m tests.classifier.gate_study [--per-tone 30] [--json out.json]
        [--classifier weights/skin-cls.pt] [--report-model weights/medgemma-4b-it] [--device auto]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from inference.classifier import SkinClassifier
from inference.quality import check_quality
from inference.report_model import ReportModel
from inference.skin_colour import skin_share
from inference.skin_gate import MIN_SKIN_SHARE
from inference.skin_question import SkinQuestion
from tests.classifier import tone_model
from tests.classifier.skin_images import (
    LESIONS,
    NON_SKIN_PHOTOS,
    TONE_RANGES,
    face_crops,
    skimage_photo,
    skin_image,
)


@dataclass(frozen=True)
class Gate:
    classifier: SkinClassifier
    report_model: ReportModel | None = None
    question: SkinQuestion = field(default_factory=SkinQuestion)

    def verdict(self, image: Image.Image) -> dict[str, object]:
        """The gate's steps in the worker's order, and where the photo stops."""
        issues = [str(i) for i in check_quality(image)]
        share = skin_share(image)
        (result,) = self.classifier.predict([image])
        (yes,) = self.report_model.skin_yes([image]) if self.report_model is not None else (None,)
        if issues:
            stop = "quality: " + ", ".join(issues)
        elif share < MIN_SKIN_SHARE:
            stop = "not skin (colour)"
        elif result.unfamiliar:
            stop = "not skin (classifier score)"
        elif not self.question.says_skin(yes):
            stop = "not skin (report model)"
        else:
            stop = "report"
        return {
            "size": list(image.size),
            "skin_share": round(share, 3),
            "top": result.top,
            "confidence": round(result.confidence, 3),
            "p_yes": None if yes is None else round(yes, 3),
            "outcome": stop,
        }


def load_report_model(source: str, device: str) -> ReportModel:
    if source == "tiny":
        from testkit.random_gemma import cached_tiny_gemma_dir

        source = str(cached_tiny_gemma_dir())
    model = ReportModel(Path(source), device=device)
    model.setup()
    return model


def study(
    per_tone: int = 30,
    seed: int = 0,
    weights: Path | None = None,
    report_model: str | None = None,
    device: str = "cpu",
) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        if weights is None:
            split = tone_model.build_tone_split(Path(tmp) / "split")
            weights = tone_model.tone_weights(split, Path(tmp) / "train")
        classifier = SkinClassifier(weights, device=device)
        classifier.setup()
    gate = Gate(classifier, load_report_model(report_model, device) if report_model else None)
    verdict = gate.verdict
    photos = {name: verdict(skimage_photo(name)) for name in NON_SKIN_PHOTOS}
    # A phone photo of a face is larger than these crops; upscaled, the quality gate judges skin, not size.
    faces = {
        name: verdict(ImageOps.contain(face, (480, 480), Image.Resampling.LANCZOS))
        for name, face in face_crops().items()
    }
    rng = np.random.default_rng(seed)
    lesions = [None, *LESIONS]
    tones = {}
    for tone, (low, high) in TONE_RANGES.items():
        outcomes = [
            verdict(skin_image(rng.uniform(low, high), rng, 320, lesion=lesions[i % len(lesions)]))["outcome"]
            for i in range(per_tone)
        ]
        tones[tone] = {outcome: outcomes.count(outcome) for outcome in sorted(set(outcomes))}
    return {
        "min_skin_share": MIN_SKIN_SHARE,
        "score_threshold": classifier.unfamiliar_below,
        "temperature": classifier.temperature,
        "report_model": report_model,
        "min_yes": gate.question.min_yes,
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
    ]
    asked = result["report_model"] is not None
    if asked:
        lines[0] += f" Report model ({result['report_model']}): P(yes) ≥ {result['min_yes']:.2f}."
    lines += [
        "| photograph | skin-coloured | model's top class | calibrated confidence |"
        + (" report model's P(yes) |" if asked else "")
        + " outcome |",
        "|---|---:|---|---:|" + ("---:|" if asked else "") + "---|",
    ]
    for group in ("photographs", "faces"):
        for name, row in result[group].items():  # type: ignore[union-attr]
            label = name if group == "photographs" else f"{name} (face crop, real skin)"
            share = f"{100 * row['skin_share']:.0f}%"
            yes = f" {row['p_yes']:.2f} |" if asked else ""
            lines.append(
                f"| {label} | {share} | {row['top']} | {row['confidence']:.2f} |{yes} {row['outcome']} |"
            )
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
    parser.add_argument("--classifier", type=Path, default=None, help="weights (with their sidecar)")
    parser.add_argument("--report-model", default=None, help="'tiny' or a MedGemma folder")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args(argv)
    result = study(args.per_tone, weights=args.classifier, report_model=args.report_model, device=args.device)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
