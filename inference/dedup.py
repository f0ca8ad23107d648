"""Near-duplicate detection with perceptual hashes that survive flips and rotations.

The public "augmented skin conditions" set ships several augmented copies (flips, 90° rotations, crops, colour
jitter) of each photo. A split that puts one copy in train and another in test measures memory, not skill, so
every stage that splits or evaluates data groups copies first.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import imagehash
import numpy as np
from PIL import Image

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp"})
# Hamming distance (of 64 bits) at or below which two photos count as copies. Unrelated photos sit around 32;
# crops, small rotations and colour jitter of one photo stay well under 10.
DEFAULT_THRESHOLD = 10
_HASH_SOURCE_SIDE = 32  # imagehash.phash works on a 32x32 grey image; shrink once, transform the small copy
_DIHEDRAL = (
    None,
    Image.Transpose.FLIP_LEFT_RIGHT,
    Image.Transpose.FLIP_TOP_BOTTOM,
    Image.Transpose.ROTATE_90,
    Image.Transpose.ROTATE_180,
    Image.Transpose.ROTATE_270,
    Image.Transpose.TRANSPOSE,
    Image.Transpose.TRANSVERSE,
)


def list_images(folder: Path) -> list[Path]:
    """Image files directly in `folder`, sorted so runs are reproducible."""
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)


def dihedral_hashes(image: Image.Image) -> np.ndarray:
    """64-bit pHashes of the image under all 8 flips/rotations, as uint64[8]; index 0 is the image itself."""
    small = image.convert("L").resize((_HASH_SOURCE_SIDE, _HASH_SOURCE_SIDE), Image.Resampling.LANCZOS)
    out = np.empty(len(_DIHEDRAL), dtype=np.uint64)
    for i, op in enumerate(_DIHEDRAL):
        variant = small if op is None else small.transpose(op)
        bits = imagehash.phash(variant).hash.flatten()
        out[i] = np.packbits(bits).view(">u8")[0]
    return out


def hash_files(paths: Sequence[Path]) -> np.ndarray:
    """uint64[n, 8] dihedral hashes of the files."""
    table = np.empty((len(paths), len(_DIHEDRAL)), dtype=np.uint64)
    for row, path in enumerate(paths):
        with Image.open(path) as image:
            table[row] = dihedral_hashes(image)
    return table


def distances(query: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Flip/rotation-invariant Hamming distances from one image's hashes (uint64[8]) to each row of `table`.

    If B is a flipped A, one of B's 8 variants is A itself, so comparing A's identity hash with B's variants
    finds it.
    """
    forward = np.bitwise_count(np.bitwise_xor(table, query[0])).min(axis=1)
    # And the other way round, so d(A, B) == d(B, A) even where resampling makes the variants differ slightly.
    backward = np.bitwise_count(np.bitwise_xor(table[:, :1], query[None, :])).min(axis=1)
    return np.minimum(forward, backward)


def cross_pairs(
    left: np.ndarray, right: np.ndarray, threshold: int = DEFAULT_THRESHOLD
) -> list[tuple[int, int, int]]:
    """(i, j, distance) for every left[i] that is a near-duplicate of right[j]."""
    pairs: list[tuple[int, int, int]] = []
    if len(right) == 0:
        return pairs
    for i in range(len(left)):
        d = distances(left[i], right)
        for j in np.flatnonzero(d <= threshold):
            pairs.append((i, int(j), int(d[j])))
    return pairs


def self_pairs(table: np.ndarray, threshold: int = DEFAULT_THRESHOLD) -> list[tuple[int, int]]:
    """(i, j) with i < j for every near-duplicate pair inside one table."""
    pairs: list[tuple[int, int]] = []
    for i in range(len(table) - 1):
        d = distances(table[i], table[i + 1 :])
        pairs.extend((i, i + 1 + int(j)) for j in np.flatnonzero(d <= threshold))
    return pairs


class UnionFind:
    """Disjoint sets over 0..n-1, so copies of copies end up in one group."""

    def __init__(self, n: int) -> None:
        self._parent = list(range(n))

    def find(self, x: int) -> int:
        root = x
        while self._parent[root] != root:
            root = self._parent[root]
        while self._parent[x] != root:  # path compression keeps later finds flat
            self._parent[x], x = root, self._parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self._parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> list[list[int]]:
        by_root: dict[int, list[int]] = {}
        for x in range(len(self._parent)):
            by_root.setdefault(self.find(x), []).append(x)
        return list(by_root.values())


def group_indices(table: np.ndarray, threshold: int = DEFAULT_THRESHOLD) -> list[list[int]]:
    """Indices grouped so that any two near-duplicates share a group (transitively)."""
    uf = UnionFind(len(table))
    for a, b in self_pairs(table, threshold):
        uf.union(a, b)
    return uf.groups()


@dataclass(frozen=True)
class Leak:
    """A held-out image that is a copy of an image the model was trained or selected on."""

    held_out: Path
    seen: Path
    distance: int


def find_leaks(
    held_out: Iterable[Path], seen: Iterable[Path], threshold: int = DEFAULT_THRESHOLD
) -> list[Leak]:
    held_out, seen = list(held_out), list(seen)
    pairs = cross_pairs(hash_files(held_out), hash_files(seen), threshold)
    return [Leak(held_out[i], seen[j], d) for i, j, d in pairs]
