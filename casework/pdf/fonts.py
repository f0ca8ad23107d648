"""Embedded Unicode fonts for the PDF, from Python packages only (never the system's fonts).

Noto Sans (fontpkg-noto-sans) covers Latin with Vietnamese; Noto Sans KR (justmytype-intl-cjk) covers
Hangul, Latin and Vietnamese. Both ship as variable TrueType fonts, which reportlab cannot use directly
(and the KR default instance is Thin), so we cut static 400 and 700 instances with fontTools and keep
them on disk, keyed by the source file's hash, because instancing the KR font takes ~15 s.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import multiprocessing
import os
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

log = logging.getLogger(__name__)

DEFAULT_CACHE_DIR = Path.home() / ".cache" / "skinbot" / "fonts"
# Bump when the instancing recipe changes, so old cache files are not reused.
_RECIPE = "v2"
WEIGHTS: tuple[int, ...] = (400, 700)


class FontError(RuntimeError):
    """A font package is missing or its font cannot be used."""


@dataclass(frozen=True)
class FontSource:
    """One variable font we instance from."""

    family: str  # reportlab family name we register, e.g. "NotoSansKR"
    label: str  # human name for `skinbot check`
    package: str  # the PyPI distribution that ships it


NOTO_SANS = FontSource("NotoSans", "Noto Sans", "fontpkg-noto-sans")
NOTO_SANS_KR = FontSource("NotoSansKR", "Noto Sans KR", "justmytype-intl-cjk")
SOURCES: tuple[FontSource, ...] = (NOTO_SANS, NOTO_SANS_KR)


@dataclass(frozen=True)
class FontFamily:
    """reportlab font names of one registered family."""

    family: str
    regular: str
    bold: str
    path_regular: Path
    path_bold: Path


@dataclass(frozen=True)
class FontSet:
    """The registered families and which one each report language uses."""

    latin: FontFamily  # Noto Sans: en, vi
    korean: FontFamily  # Noto Sans KR: ko, and the fallback for Hangul in other languages

    def for_language(self, lang: str) -> FontFamily:
        return self.korean if lang == "ko" else self.latin

    def fallback_for(self, lang: str) -> FontFamily:
        """The family that fills glyphs the primary one lacks (a Korean name in a Vietnamese report)."""
        return self.latin if lang == "ko" else self.korean

    def families(self) -> tuple[FontFamily, ...]:
        return (self.latin, self.korean)


@dataclass(frozen=True)
class FontStatus:
    """One font family as `skinbot check` sees it."""

    label: str
    ok: bool
    detail: str
    cached: bool = False  # its static instances are already on disk


def source_path(source: FontSource) -> Path:
    """Locate the variable font inside its installed package."""
    if source is NOTO_SANS:
        try:
            import fontpkg

            # fontpkg resolves the family through its entry points; the variable file covers 400-700.
            return Path(fontpkg.path(source.label, weight=400))
        except Exception as exc:  # the package or its metadata is missing
            raise FontError(f"{source.label} not found; install {source.package}") from exc
    if source is NOTO_SANS_KR:
        try:
            root = resources.files("justmytype_intl_cjk")
        except ModuleNotFoundError as exc:
            raise FontError(f"{source.label} not found; install {source.package}") from exc
        candidates = sorted(Path(str(root)).glob("fonts/**/NotoSansKR*.ttf"))
        if not candidates:
            raise FontError(f"{source.label} not found inside {source.package}")
        return candidates[0]
    raise FontError(f"unknown font source {source.label}")


def _file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()[:16]


def _cache_path(cache_dir: Path, source: FontSource, src_hash: str, weight: int) -> Path:
    return cache_dir / f"{source.family}-{weight}-{_RECIPE}-{src_hash}.ttf"


def _instance(src: Path, dest: Path, weight: int) -> None:
    """Write a static TrueType instance of `src` at `weight` to `dest`, atomically."""
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    font = TTFont(src)
    if "glyf" not in font:
        # reportlab embeds TrueType outlines only; a CFF-flavoured font would need converting first.
        raise FontError(f"{src.name} has no TrueType outlines; reportlab cannot embed it")
    # reportlab places glyphs itself (no shaping), so OpenType layout tables are dead weight, and
    # instancing and saving them (GSUB offset overflows) is most of the time spent here. Vietnamese
    # and Hangul render from precomposed code points, which we guarantee by NFC-normalising text.
    for tag in ("GSUB", "GPOS", "GDEF", "BASE", "vhea", "vmtx", "VVAR"):
        if tag in font:
            del font[tag]
    axes = {axis.axisTag: axis for axis in font["fvar"].axes} if "fvar" in font else {}
    location: dict[str, float] = {}
    if "wght" in axes:
        location["wght"] = float(weight)
    if "wdth" in axes:
        location["wdth"] = 100.0  # normal width, not condensed
    if location:
        font = instancer.instantiateVariableFont(font, location, updateFontNames=True)
    if "STAT" in font:
        del font["STAT"]  # only needed above, to name the instance
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=dest.stem, suffix=".tmp")
    os.close(fd)
    try:
        font.save(tmp)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the cache may be shared by service users
        # Another process may be writing the same file: os.replace makes the last writer win cleanly.
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _build_missing(jobs: list[tuple[FontSource, Path, Path, int]]) -> None:
    """Instance every missing (source, weight). Each takes 5-15 s of pure-Python work, so in parallel."""
    if not jobs:
        return
    for source, _src, dest, weight in jobs:
        log.info("instancing %s weight %d into %s (one-off, slow)", source.label, weight, dest)
    workers = min(len(jobs), os.cpu_count() or 1)
    if workers <= 1:
        for _source, src, dest, weight in jobs:
            _instance(src, dest, weight)
        return
    # spawn, not fork: the bot process has threads (asyncio, the to_thread pool) that fork would copy.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(_instance, src, dest, weight) for _source, src, dest, weight in jobs]
        for future in futures:
            future.result()


@contextmanager
def _instancing_lock(cache: Path) -> Iterator[None]:
    """Held, across processes, while missing instances are cut: a second process waits for the first and
    then finds them, rather than spending the same minute of CPU beside it."""
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / ".instancing.lock", "a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)  # released when the file is closed
        yield


_lock = threading.Lock()
_registered: FontSet | None = None


def _register_family(source: FontSource, regular: Path, bold: Path) -> FontFamily:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    names = (f"{source.family}-Regular", f"{source.family}-Bold")
    for name, path in zip(names, (regular, bold), strict=True):
        pdfmetrics.registerFont(TTFont(name, str(path)))
    # Maps <b> in Paragraph mini-markup onto the bold instance.
    pdfmetrics.registerFontFamily(
        source.family, normal=names[0], bold=names[1], italic=names[0], boldItalic=names[1]
    )
    return FontFamily(source.family, names[0], names[1], regular, bold)


def ensure_fonts(cache_dir: Path | None = None) -> FontSet:
    """Instance (first time on this machine) and register (first time in this process) our fonts.

    Safe to call from several threads; later calls return the already registered set.
    """
    global _registered
    with _lock:
        if _registered is not None:
            return _registered
        cache = Path(cache_dir) if cache_dir is not None else DEFAULT_CACHE_DIR
        planned: dict[str, tuple[FontSource, list[Path]]] = {}
        missing: list[tuple[FontSource, Path, Path, int]] = []
        for source in SOURCES:
            src = source_path(source)
            src_hash = _file_hash(src)
            paths = [_cache_path(cache, source, src_hash, weight) for weight in WEIGHTS]
            planned[source.family] = (source, paths)
            missing += [(source, src, p, w) for p, w in zip(paths, WEIGHTS, strict=True) if not p.exists()]
        if missing:
            with _instancing_lock(cache):  # the bot and the web server, or two test workers, start together
                _build_missing([job for job in missing if not job[2].exists()])
        families = {
            family: _register_family(source, paths[0], paths[1])
            for family, (source, paths) in planned.items()
        }
        _registered = FontSet(latin=families[NOTO_SANS.family], korean=families[NOTO_SANS_KR.family])
        log.info("PDF fonts registered from %s", cache)
        return _registered


def describe_fonts(cache_dir: Path | None = None) -> list[FontStatus]:
    """Cheap health check for `skinbot check`: are the font packages there, are instances cached?"""
    cache = Path(cache_dir) if cache_dir is not None else DEFAULT_CACHE_DIR
    statuses: list[FontStatus] = []
    for source in SOURCES:
        try:
            src = source_path(source)
        except FontError as exc:
            statuses.append(FontStatus(source.label, False, str(exc)))
            continue
        src_hash = _file_hash(src)
        missing = [w for w in WEIGHTS if not _cache_path(cache, source, src_hash, w).exists()]
        if missing:
            detail = (
                f"found in {source.package}; weights {missing} will be instanced on first use into {cache}"
            )
        else:
            detail = f"found in {source.package}; instances cached in {cache}"
        statuses.append(FontStatus(source.label, True, detail, cached=not missing))
    return statuses
