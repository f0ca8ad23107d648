"""On-disk caches for slow test and benchmark artefacts (a tokenizer converted from GGUF, a saved model).

Everything lives under $SKINBOT_TEST_CACHE (default ~/.cache/skinbot-tests), keyed by a hash of its recipe.
The suite runs on several pytest-xdist workers that may ask for the same entry at once: the first builds it
under a file lock while the others wait and then take what it built, so nothing is built twice.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock


def cache_root() -> Path:
    root = Path(os.environ.get("SKINBOT_TEST_CACHE", Path.home() / ".cache" / "skinbot-tests")).expanduser()
    root.mkdir(parents=True, exist_ok=True)
    return root


@contextmanager
def building(path: Path) -> Iterator[None]:
    """Held while `path` is built, across processes (a lock file beside it, which is left in place)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(path.with_name(f"{path.name}.lock")):
        yield


def cached_dir(name: str, build: Callable[[Path], None]) -> Path:
    """Build into a temp sibling and rename, so a crashed build never leaves half a cache."""
    final = cache_root() / name
    if (final / ".complete").is_file():
        return final
    with building(final):
        if (final / ".complete").is_file():  # another worker built it while this one waited
            return final
        tmp = final.with_name(f"{final.name}.tmp-{uuid.uuid4().hex[:8]}")
        try:
            build(tmp)
            (tmp / ".complete").write_text("ok\n")
            shutil.rmtree(final, ignore_errors=True)
            tmp.rename(final)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return final


def publish(source: Path, dest: Path) -> None:
    """Copy `source` to `dest` atomically: a killed run never leaves half a file where a reader looks."""
    partial = dest.with_name(f"{dest.name}.partial-{uuid.uuid4().hex[:8]}")
    try:
        shutil.copy2(source, partial)
        partial.replace(dest)
    finally:
        partial.unlink(missing_ok=True)
