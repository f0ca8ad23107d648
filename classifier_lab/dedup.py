"""Near-duplicate detection with perceptual hashes that survive flips, rotations and brightness jitter.

The public "augmented skin conditions" set ships several augmented copies (flips, 90° rotations, crops, colour
jitter) of each photo. A split that puts one copy in train and another in test measures memory, not skill, so
every stage that splits or evaluates data groups copies first.

Two signals, either of which makes two photos copies:
- the pHash of the grey image (catches crops, small rotations, mild colour jitter);
- the pHash of a tone-normalised image: the darkest 35% of the least-saturated channel, by rank. A
  brightened copy of a light photo clips towards white and loses its grey texture, so its grey pHash moves
  far; but brightening keeps every pixel's rank, and min(R, G, B) clips last, so the darkest pixels keep
  their order until almost two thirds of the photo is white.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import imagehash
import numpy as np
import scipy.fft
from PIL import Image

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp"})
# Hamming distance (of 64 bits) at or below which two photos count as copies. Unrelated photos sit around 32;
# crops, small rotations and colour jitter of one photo stay well under 10.
DEFAULT_THRESHOLD = 10
# The tone hash keeps less of the picture (a third of the pixels, ranks only), so it needs a stricter limit
# to keep unrelated photos of one class apart. Measured in docs/evaluation.md.
DEFAULT_TONE_THRESHOLD = 6
TONE_KEEP = 0.35  # share of pixels, darkest first, whose ranks the tone hash keeps
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


def tone_hashes(image: Image.Image) -> np.ndarray:
    """64-bit pHashes of the tone-normalised image under all 8 flips/rotations, as uint64[8].

    The image is min(R, G, B) at 32x32, each pixel replaced by its rank (ties share their mean rank), and
    ranks above TONE_KEEP flattened: any brightness or contrast change that keeps the order of pixels,
    clipping of the brighter pixels included, leaves it unchanged.
    """
    small = np.asarray(
        image.convert("RGB").resize((_HASH_SOURCE_SIDE, _HASH_SOURCE_SIDE), Image.Resampling.BOX),
        dtype=np.float64,
    ).min(axis=2)
    normalised = np.minimum(_ranks(small), TONE_KEEP)
    variants = (
        normalised,
        np.fliplr(normalised),
        np.flipud(normalised),
        np.rot90(normalised, 1),
        np.rot90(normalised, 2),
        np.rot90(normalised, 3),
        normalised.T,
        np.rot90(normalised, 2).T,
    )
    return np.array([_phash(v) for v in variants], dtype=np.uint64)


def _ranks(values: np.ndarray) -> np.ndarray:
    """Ranks in [0, 1] with ties sharing their mean rank, so a clipped (flat) region stays flat."""
    flat = values.ravel()
    _, inverse, counts = np.unique(flat, return_inverse=True, return_counts=True)
    first = np.cumsum(counts) - counts
    ranks = (first + (counts - 1) / 2.0)[inverse]
    return (ranks / max(1, flat.size - 1)).reshape(values.shape)


def _phash(pixels: np.ndarray) -> np.uint64:
    """imagehash.phash's bits (8x8 low frequencies of the 2-D DCT above their median) on a 32x32 array."""
    dct = scipy.fft.dct(scipy.fft.dct(pixels, axis=0), axis=1)[:8, :8]
    return np.packbits((dct > np.median(dct)).flatten()).view(">u8")[0]


@dataclass(frozen=True)
class HashTable:
    """Both hashes of n images: uint64[n, 8] each, row i for image i."""

    phash: np.ndarray
    tone: np.ndarray

    def __len__(self) -> int:
        return len(self.phash)

    @classmethod
    def of_images(cls, images: Iterable[Image.Image]) -> HashTable:
        rows = [(dihedral_hashes(im), tone_hashes(im)) for im in images]
        if not rows:
            empty = np.empty((0, len(_DIHEDRAL)), dtype=np.uint64)
            return cls(empty, empty.copy())
        return cls(np.stack([p for p, _ in rows]), np.stack([t for _, t in rows]))


def hash_files(paths: Sequence[Path]) -> HashTable:
    """Both dihedral hashes of each file."""
    phash = np.empty((len(paths), len(_DIHEDRAL)), dtype=np.uint64)
    tone = np.empty_like(phash)
    for row, path in enumerate(paths):
        with Image.open(path) as image:
            phash[row] = dihedral_hashes(image)
            tone[row] = tone_hashes(image)
    return HashTable(phash, tone)


@dataclass(frozen=True)
class Thresholds:
    """Largest Hamming distances (of 64 bits) at which each hash calls two images copies."""

    phash: int = DEFAULT_THRESHOLD
    tone: int = DEFAULT_TONE_THRESHOLD


def distances(query: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Flip/rotation-invariant Hamming distances from one image's hashes (uint64[8]) to each row of `table`.

    If B is a flipped A, one of B's 8 variants is A itself, so comparing A's identity hash with B's variants
    finds it.
    """
    forward = np.bitwise_count(np.bitwise_xor(table, query[0])).min(axis=1)
    # And the other way round, so d(A, B) == d(B, A) even where resampling makes the variants differ slightly.
    backward = np.bitwise_count(np.bitwise_xor(table[:, :1], query[None, :])).min(axis=1)
    return np.minimum(forward, backward)


def _copies(query: int, left: HashTable, right: HashTable, start: int, limits: Thresholds) -> np.ndarray:
    """Which rows of right[start:] are copies of left[query], by either signal."""
    by_phash = distances(left.phash[query], right.phash[start:]) <= limits.phash
    by_tone = distances(left.tone[query], right.tone[start:]) <= limits.tone
    return by_phash | by_tone


def cross_pairs(
    left: HashTable, right: HashTable, limits: Thresholds = Thresholds()
) -> list[tuple[int, int, int, str]]:
    """(i, j, distance, signal) for every left[i] that is a near-duplicate of right[j].

    `signal` is "phash" when the grey pHash found it, else "tone"; `distance` is that hash's distance.
    """
    pairs: list[tuple[int, int, int, str]] = []
    if len(right) == 0:
        return pairs
    for i in range(len(left)):
        grey = distances(left.phash[i], right.phash)
        tone = distances(left.tone[i], right.tone)
        for j in np.flatnonzero((grey <= limits.phash) | (tone <= limits.tone)):
            found = ("phash", grey[j]) if grey[j] <= limits.phash else ("tone", tone[j])
            pairs.append((i, int(j), int(found[1]), found[0]))
    return pairs


def self_pairs(table: HashTable, limits: Thresholds = Thresholds()) -> list[tuple[int, int]]:
    """(i, j) with i < j for every near-duplicate pair inside one table."""
    pairs: list[tuple[int, int]] = []
    for i in range(len(table) - 1):
        pairs.extend((i, i + 1 + int(j)) for j in np.flatnonzero(_copies(i, table, table, i + 1, limits)))
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


def group_indices(table: HashTable, limits: Thresholds = Thresholds()) -> list[list[int]]:
    """Indices grouped so that any two near-duplicates share a group (transitively)."""
    uf = UnionFind(len(table))
    for a, b in self_pairs(table, limits):
        uf.union(a, b)
    return uf.groups()


@dataclass(frozen=True)
class Leak:
    """A held-out image that is a copy of an image the model was trained or selected on."""

    held_out: Path
    seen: Path
    distance: int
    signal: str = "phash"  # or "tone": which hash found it


def find_leaks(
    held_out: Iterable[Path], seen: Iterable[Path], limits: Thresholds = Thresholds()
) -> list[Leak]:
    held_out, seen = list(held_out), list(seen)
    pairs = cross_pairs(hash_files(held_out), hash_files(seen), limits)
    return [Leak(held_out[i], seen[j], d, signal) for i, j, d, signal in pairs]
