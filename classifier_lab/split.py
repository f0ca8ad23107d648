"""Group-aware, stratified, seeded split of RAW/<class>/*.jpg into OUT/{train,val,test}/<class>/."""

from __future__ import annotations

import logging
import random
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from classifier_lab.dedup import (
    DEFAULT_THRESHOLD,
    DEFAULT_TONE_THRESHOLD,
    Thresholds,
    group_indices,
    hash_files,
    list_images,
)

log = logging.getLogger(__name__)

SPLITS = ("train", "val", "test")
DEFAULT_RATIOS = (0.7, 0.15, 0.15)


class SplitError(Exception):
    """The raw folder or the output folder is not usable; the message says why."""


@dataclass
class SplitReport:
    images: int = 0
    groups: int = 0
    grouped_copies: int = 0  # images that share a group with at least one other image
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # split -> class -> images

    def as_dict(self) -> dict[str, object]:
        return {
            "images": self.images,
            "groups": self.groups,
            "grouped_copies": self.grouped_copies,
            "counts": self.counts,
        }


def split_dataset(
    raw: Path,
    out: Path,
    *,
    seed: int = 0,
    threshold: int = DEFAULT_THRESHOLD,
    tone_threshold: int = DEFAULT_TONE_THRESHOLD,
    ratios: tuple[float, float, float] = DEFAULT_RATIOS,
) -> SplitReport:
    """Copy every image of `raw` into one split; near-duplicates (also across classes) share a split."""
    raw, out = Path(raw), Path(out)
    items = _raw_items(raw)
    if any((out / s).exists() and any((out / s).iterdir()) for s in SPLITS):
        raise SplitError(f"{out} already holds a split; remove it or pick another --out")
    if abs(sum(ratios) - 1.0) > 1e-6 or any(r < 0 for r in ratios):
        raise SplitError(f"split ratios must be non-negative and sum to 1, got {ratios}")

    paths = [p for _, p in items]
    groups = group_indices(hash_files(paths), Thresholds(threshold, tone_threshold))
    assignment = _assign(groups, [c for c, _ in items], ratios, seed)

    report = SplitReport(images=len(items), groups=len(groups))
    report.grouped_copies = sum(len(g) for g in groups if len(g) > 1)
    counts: dict[str, Counter[str]] = {s: Counter() for s in SPLITS}
    for index, split in assignment.items():
        cls, src = items[index]
        dest = out / split / cls / src.name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest)
        counts[split][cls] += 1
    report.counts = {s: dict(sorted(counts[s].items())) for s in SPLITS}
    log.info(
        "split %d images in %d groups (%d copies kept together)",
        report.images,
        report.groups,
        report.grouped_copies,
    )
    return report


def _raw_items(raw: Path) -> list[tuple[str, Path]]:
    if not raw.is_dir():
        raise SplitError(f"{raw} is not a folder; expected RAW/<class>/*.jpg")
    items = [(d.name, p) for d in sorted(raw.iterdir()) if d.is_dir() for p in list_images(d)]
    if not items:
        raise SplitError(f"no images found under {raw}/<class>/")
    return items


def _assign(
    groups: list[list[int]], classes: list[str], ratios: tuple[float, float, float], seed: int
) -> dict[int, str]:
    """Whole groups go to the split whose share of the group's main class lags its target most.

    Groups are visited in a seeded shuffled order, so the result is deterministic for a seed and still
    stratified per class.
    """
    rng = random.Random(seed)
    order = sorted(groups, key=lambda g: min(g))  # independent of union-find internals
    rng.shuffle(order)
    per_class_total = Counter(classes)
    filled: dict[str, list[int]] = {c: [0, 0, 0] for c in per_class_total}
    assignment: dict[int, str] = {}
    for group in order:
        main = Counter(classes[i] for i in group).most_common(1)[0][0]
        done = filled[main]
        total = per_class_total[main]
        # Deficit after placing the group; ties go to the earlier split (train first).
        deficits = [ratios[k] * total - done[k] for k in range(len(SPLITS))]
        k = max(range(len(SPLITS)), key=lambda s: (deficits[s], -s))
        done[k] += len(group)
        for i in group:
            assignment[i] = SPLITS[k]
    return assignment
