"""Near-duplicate hashing and the group-aware split."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from classifier_lab.dedup import (
    HashTable,
    UnionFind,
    dihedral_hashes,
    distances,
    find_leaks,
    group_indices,
    hash_files,
    list_images,
    tone_hashes,
)
from classifier_lab.split import SPLITS, SplitError, split_dataset
from tests.fixtures.classifier_models import SyntheticDataset, near_copy, synthetic_image


def _where(out: Path) -> dict[str, str]:
    """relative raw path 'class/name' → split it landed in."""
    return {f"{p.parent.name}/{p.name}": p.parents[1].name for p in out.rglob("*.jpg")}


@pytest.mark.parametrize("kind", ["flip", "rot90", "crop_jitter"])
def test_augmented_copies_are_near(kind: str) -> None:
    original = synthetic_image("Acne", np.random.default_rng(7))
    a, b = dihedral_hashes(original), dihedral_hashes(near_copy(original, kind))
    assert distances(a, b[None])[0] <= 10


def test_every_dihedral_transform_is_found() -> None:
    original = synthetic_image("Milia", np.random.default_rng(3))
    a = dihedral_hashes(original)
    for op in Image.Transpose:
        if op is Image.Transpose.ROTATE_90 or op.name.startswith(("FLIP", "ROTATE", "TRANS")):
            assert distances(a, dihedral_hashes(original.transpose(op))[None])[0] <= 4, op.name


def test_different_images_are_far() -> None:
    rng = np.random.default_rng(11)
    table = HashTable.of_images([synthetic_image("Eczema", rng) for _ in range(20)])
    assert len(group_indices(table)) == 20


def test_distance_is_symmetric() -> None:
    rng = np.random.default_rng(5)
    a, b = dihedral_hashes(synthetic_image("Acne", rng)), dihedral_hashes(synthetic_image("Rosacea", rng))
    assert distances(a, b[None])[0] == distances(b, a[None])[0]


def test_union_find_joins_transitively() -> None:
    uf = UnionFind(5)
    uf.union(0, 1)
    uf.union(1, 2)
    uf.union(3, 4)
    assert sorted(sorted(g) for g in uf.groups()) == [[0, 1, 2], [3, 4]]


def test_split_keeps_planted_copies_together(synthetic_dataset: SyntheticDataset, tmp_path: Path) -> None:
    report = split_dataset(synthetic_dataset.raw_dir, tmp_path / "out", seed=0)
    where = _where(tmp_path / "out")
    raw_files = list(synthetic_dataset.raw_dir.rglob("*.jpg"))
    assert len(where) == len(raw_files) == report.images
    for original, copy in synthetic_dataset.planted:
        a = f"{original.parent.name}/{original.name}"
        b = f"{copy.parent.name}/{copy.name}"
        assert where[a] == where[b], f"{a} in {where[a]} but its copy {b} in {where[b]}"
    # The copies were grouped (and are not lost in one giant group): 13 planted copies, the cross-class one
    # shares its original with a flip, so groups = images - planted copies.
    assert report.groups == report.images - len(synthetic_dataset.planted)
    assert all(report.counts[s] for s in SPLITS), "every split gets images"
    assert (
        find_leaks(
            list((tmp_path / "out" / "test").rglob("*.jpg")),
            list((tmp_path / "out" / "train").rglob("*.jpg")),
        )
        == []
    )


def test_split_is_stratified(synthetic_dataset: SyntheticDataset, tmp_path: Path) -> None:
    report = split_dataset(synthetic_dataset.raw_dir, tmp_path / "out", seed=3)
    for cls in synthetic_dataset.classes:
        assert report.counts["train"].get(cls, 0) > report.counts["test"].get(cls, 0) > 0


def test_split_is_deterministic_per_seed(synthetic_dataset: SyntheticDataset, tmp_path: Path) -> None:
    first = _where(tmp_path / "a") if split_dataset(synthetic_dataset.raw_dir, tmp_path / "a", seed=1) else {}
    second = (
        _where(tmp_path / "b") if split_dataset(synthetic_dataset.raw_dir, tmp_path / "b", seed=1) else {}
    )
    other = _where(tmp_path / "c") if split_dataset(synthetic_dataset.raw_dir, tmp_path / "c", seed=2) else {}
    assert first == second
    assert first != other


def test_split_refuses_to_mix_into_an_existing_split(
    synthetic_dataset: SyntheticDataset, tmp_path: Path
) -> None:
    split_dataset(synthetic_dataset.raw_dir, tmp_path / "out")
    with pytest.raises(SplitError, match="already holds a split"):
        split_dataset(synthetic_dataset.raw_dir, tmp_path / "out")


def test_split_explains_a_wrong_raw_folder(tmp_path: Path) -> None:
    with pytest.raises(SplitError, match="not a folder"):
        split_dataset(tmp_path / "missing", tmp_path / "out")
    (tmp_path / "empty" / "acne").mkdir(parents=True)
    with pytest.raises(SplitError, match="no images"):
        split_dataset(tmp_path / "empty", tmp_path / "out")


def test_hash_files_matches_in_memory(synthetic_dataset: SyntheticDataset) -> None:
    paths = list_images(synthetic_dataset.raw_dir / "Acne")[:3]
    table = hash_files(paths)
    assert len(table) == 3
    with Image.open(paths[0]) as im:
        assert (table.phash[0] == dihedral_hashes(im)).all()
        assert (table.tone[0] == tone_hashes(im)).all()
