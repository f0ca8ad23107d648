"""How well near-duplicate grouping finds planted copies, and how often it groups unrelated photos.

Each original gets two planted copies, as the augmented skin set ships them: a mirror image, and a jittered
copy (brightness, contrast, saturation, or all three). The whole pool is grouped as `skinbot split` groups
it, and a copy counts as found when it shares its original's group. The tables count the jittered copies;
the mirror images are counted apart (the flip-invariant pHash finds them alone). False groupings are counted
among unrelated generated photos of one class, where similar lesions make accidental matches most likely.

    python -m tests.classifier.dedup_study [--originals 84] [--unrelated 60] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageEnhance

from classifier_lab.dedup import (
    DEFAULT_THRESHOLD,
    DEFAULT_TONE_THRESHOLD,
    HashTable,
    Thresholds,
    group_indices,
)
from tests.classifier.skin_images import LESIONS, NON_SKIN_PHOTOS, TONE_RANGES, skimage_photo, skin_image

SIDE = 256
Jitter = Callable[[Image.Image], Image.Image]


def brightness(factor: float) -> Jitter:
    return lambda im: ImageEnhance.Brightness(im).enhance(factor)


def contrast(factor: float) -> Jitter:
    return lambda im: ImageEnhance.Contrast(im).enhance(factor)


def saturation(factor: float) -> Jitter:
    return lambda im: ImageEnhance.Color(im).enhance(factor)


def combined(strength: float) -> Jitter:
    """Brightness up, contrast up and saturation down together, each by `strength`."""
    return lambda im: brightness(1 + strength)(contrast(1 + strength / 2)(saturation(1 - strength / 2)(im)))


JITTERS: dict[str, tuple[tuple[float, Jitter], ...]] = {
    "brightness": tuple((f, brightness(f)) for f in (0.6, 0.8, 1.2, 1.4, 1.6, 1.8, 2.0)),
    "contrast": tuple((f, contrast(f)) for f in (0.6, 1.3, 1.6, 2.0)),
    "saturation": tuple((f, saturation(f)) for f in (0.5, 1.5, 2.0)),
    "combined": tuple((s, combined(s)) for s in (0.2, 0.4, 0.6, 0.8)),
}
SIGNALS = {
    "phash": Thresholds(DEFAULT_THRESHOLD, -1),
    "tone": Thresholds(-1, DEFAULT_TONE_THRESHOLD),
    "either": Thresholds(DEFAULT_THRESHOLD, DEFAULT_TONE_THRESHOLD),
}


def generated_originals(
    count: int, seed: int, tones: tuple[str, ...] = tuple(TONE_RANGES)
) -> list[Image.Image]:
    """`count` photos, tones and classes in turn."""
    rng = np.random.default_rng(seed)
    classes = list(LESIONS)
    out = []
    for i in range(count):
        low, high = TONE_RANGES[tones[i % len(tones)]]
        lesion = classes[(i // len(tones)) % len(classes)]
        out.append(skin_image(rng.uniform(low, high), rng, SIDE, lesion=lesion, spread=0.25))
    return out


def photo_originals() -> list[Image.Image]:
    names = (*NON_SKIN_PHOTOS, "astronaut")
    return [skimage_photo(n).resize((SIDE, SIDE), Image.Resampling.LANCZOS) for n in names]


@dataclass(frozen=True)
class Recall:
    found: dict[str, int]  # signal -> jittered copies found
    planted: int  # jittered copies
    mirrors_found: dict[str, int]  # signal -> mirror images found (as many planted)


def recall(
    originals: list[Image.Image], jitter: Jitter, signals: dict[str, Thresholds] | None = None
) -> Recall:
    """Jittered copies (and mirror images) found, by each signal and by either."""
    pool = [*originals]
    pool += [im.transpose(Image.Transpose.FLIP_LEFT_RIGHT) for im in originals]
    pool += [jitter(im) for im in originals]
    table = HashTable.of_images(pool)
    n = len(originals)
    found, mirrors = {}, {}
    for name, limits in (signals or SIGNALS).items():
        group_of = {}
        for g, members in enumerate(group_indices(table, limits)):
            for m in members:
                group_of[m] = g
        mirrors[name] = sum(group_of[i] == group_of[i + n] for i in range(n))
        found[name] = sum(group_of[i] == group_of[i + 2 * n] for i in range(n))
    return Recall(found, n, mirrors)


def false_groupings(
    per_class: int, seed: int, signals: dict[str, Thresholds] | None = None
) -> dict[str, dict[str, int]]:
    """Per signal: unrelated pairs called copies, and images put in a group, summed over the six classes."""
    rng = np.random.default_rng(seed)
    signals = signals or SIGNALS
    totals = {name: {"pairs": 0, "images_grouped": 0} for name in signals}
    for lesion in LESIONS:
        images = [
            skin_image(rng.uniform(-50.0, 65.0), rng, SIDE, lesion=lesion, spread=0.25)
            for _ in range(per_class)
        ]
        table = HashTable.of_images(images)
        for name, limits in signals.items():
            groups = group_indices(table, limits)
            totals[name]["images_grouped"] += sum(len(g) for g in groups if len(g) > 1)
            totals[name]["pairs"] += sum(len(g) * (len(g) - 1) // 2 for g in groups)
    return totals


def study(originals: int = 84, unrelated: int = 60, seed: int = 0) -> dict[str, object]:
    sets = {
        "generated skin, all tones": generated_originals(originals, seed),
        "generated skin, very light": generated_originals(originals, seed + 2, tones=("very_light",)),
        "scikit-image photos": photo_originals(),
    }
    rows = []
    for set_name, images in sets.items():
        for kind, levels in JITTERS.items():
            for strength, jitter in levels:
                r = recall(images, jitter)
                rows.append(
                    {
                        "originals": set_name,
                        "jitter": kind,
                        "strength": strength,
                        "planted": r.planted,
                        "found": r.found,
                        "mirrors_found": r.mirrors_found,
                    }
                )
    sweep = []
    very_light = sets["generated skin, very light"]
    for tone_threshold in (4, 6, 8, 10, 12):
        limits = Thresholds(-1, tone_threshold)
        found = [recall(very_light, brightness(f), {"tone": limits}).found["tone"] for f in (1.6, 1.8, 2.0)]
        wrong = false_groupings(unrelated, seed + 1, {"tone": limits})["tone"]
        sweep.append(
            {
                "tone_threshold": tone_threshold,
                "planted": len(very_light),
                "found_at_brightness": dict(zip(("1.6", "1.8", "2.0"), found, strict=True)),
                "false_pairs": wrong["pairs"],
                "false_images": wrong["images_grouped"],
            }
        )
    return {
        "thresholds": {"phash": DEFAULT_THRESHOLD, "tone": DEFAULT_TONE_THRESHOLD},
        "tone_threshold_sweep": sweep,
        "originals": {name: len(images) for name, images in sets.items()},
        "recall": rows,
        "false_groupings": {
            "images_per_class": unrelated,
            "classes": len(LESIONS),
            "pairs_per_class": unrelated * (unrelated - 1) // 2,
            "by_signal": false_groupings(unrelated, seed + 1),
        },
    }


def markdown(result: dict[str, object]) -> str:
    lines = [
        "| originals | jitter | strength | jittered copies | found by pHash | by tone hash | by either |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for row in result["recall"]:  # type: ignore[union-attr]
        found, planted = row["found"], row["planted"]
        cells = [f"{found[s]} ({100 * found[s] / planted:.0f}%)" for s in ("phash", "tone", "either")]
        lines.append(
            f"| {row['originals']} | {row['jitter']} | {row['strength']} | {planted} | "
            + " | ".join(cells)
            + " |"
        )
    rows = result["recall"]  # type: ignore[assignment]
    mirrors = sum(r["mirrors_found"]["either"] for r in rows)  # type: ignore[index]
    lines += ["", f"Mirror images found by either signal: {mirrors} of {sum(r['planted'] for r in rows)}."]  # type: ignore[index]
    fg = result["false_groupings"]
    lines += ["", "| signal | unrelated pairs called copies | images wrongly grouped |", "|---|---:|---:|"]
    total_pairs = fg["pairs_per_class"] * fg["classes"]  # type: ignore[index]
    total_images = fg["images_per_class"] * fg["classes"]  # type: ignore[index]
    for name, counts in fg["by_signal"].items():  # type: ignore[index]
        lines.append(
            f"| {name} | {counts['pairs']} of {total_pairs} | {counts['images_grouped']} of {total_images} |"
        )
    planted = result["tone_threshold_sweep"][0]["planted"]  # type: ignore[index]
    lines += [
        "",
        f"| tone-hash threshold | very light copies found, brightness ×1.6 / ×1.8 / ×2.0 (of {planted}) | "
        "unrelated pairs called copies | images wrongly grouped |",
        "|---:|---:|---:|---:|",
    ]
    for row in result["tone_threshold_sweep"]:  # type: ignore[union-attr]
        found = " / ".join(str(v) for v in row["found_at_brightness"].values())
        lines.append(f"| {row['tone_threshold']} | {found} | {row['false_pairs']} | {row['false_images']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--originals", type=int, default=84)
    parser.add_argument("--unrelated", type=int, default=60, help="unrelated photos per class")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    result = study(args.originals, args.unrelated, args.seed)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(result, out, indent=2)
    print(markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
