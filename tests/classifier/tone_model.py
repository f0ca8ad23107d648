"""The dataset of generated skin across the ITA range, and the tiny classifier trained on it, outside pytest.

The score tests (tests/classifier/conftest.py) and the studies behind docs/evaluation.md share them. The
trained weights and their sidecar are cached on disk like the other tiny models, so only the first run trains.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from inference.sidecar import sidecar_path
from testkit.cache import building, publish
from tests.classifier.skin_images import TONE_RANGES, tone_dataset
from tests.fixtures.classifier_models import TRAIN_RECIPE, cache_dir, recipe_key, train_tiny

TONES = tuple(TONE_RANGES)
# Per class and tone. The test split has 36 photos in each of the three lighter groups and 12 in each darker
# one, so both sides of the "too few to judge" line (30) are exercised, as in real dermatology sets.
TONE_COUNTS: dict[str, dict[str, int]] = {
    "train": dict.fromkeys(TONES, 4),
    "val": dict.fromkeys(TONES, 2),
    "test": {tone: 6 if i < 3 else 2 for i, tone in enumerate(TONES)},
}
TONE_DATASET_VERSION = 4  # bump when tests/classifier/skin_images.py changes what it draws
TONE_RECIPE = {**TRAIN_RECIPE, "epochs": 60}


def build_tone_split(root: Path) -> Path:
    """root/{train,val,test}/<class>/<tone>_<i>.jpg of generated skin, 64 px."""
    return tone_dataset(root, TONE_COUNTS)


def tone_weights(split: Path, workdir: Path) -> Path:
    """A yolov8n-cls trained on `split` (from build_tone_split), with the sidecar `skinbot train` wrote."""
    key = recipe_key({**TONE_RECIPE, "tone_dataset": TONE_DATASET_VERSION, "counts": TONE_COUNTS})
    target = cache_dir() / f"tones-classifier-{key}.pt"
    if target.is_file() and sidecar_path(target).is_file():
        return target
    with building(target):  # another xdist worker may be training it: wait for that one
        if not (target.is_file() and sidecar_path(target).is_file()):
            trained = train_tiny(
                split, workdir / "skin-cls.pt", workdir / "runs", epochs=TONE_RECIPE["epochs"]
            )
            publish(sidecar_path(trained), sidecar_path(target))
            publish(trained, target)  # the .pt last: its presence says the pair is complete
    return target


def main(argv: list[str] | None = None) -> int:
    """`python -m tests.classifier.tone_model OUT`: the tiny model's evaluation report on generated skin."""
    import argparse
    import tempfile

    from classifier_lab.cli_classifier import summary_lines
    from classifier_lab.evaluation import evaluate

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("out", type=Path, help="report folder")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        split = build_tone_split(Path(tmp) / "split")
        cached = tone_weights(split, Path(tmp) / "train")
        weights = Path(tmp) / "skin-cls.pt"  # a copy: evaluating rewrites the sidecar
        shutil.copy2(cached, weights)
        shutil.copy2(sidecar_path(cached), sidecar_path(weights))
        report = evaluate(weights, split, out_dir=args.out, device="cpu", calibrate=True, record=True)
        print("\n".join(summary_lines(report)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
