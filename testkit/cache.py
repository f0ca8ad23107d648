"""On-disk caches for slow test and benchmark artefacts (a tokenizer converted from GGUF, a saved model).

Everything lives under $SKINBOT_TEST_CACHE (default ~/.cache/skinbot-tests), keyed by a hash of its recipe.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path


def cache_root() -> Path:
    root = Path(os.environ.get("SKINBOT_TEST_CACHE", Path.home() / ".cache" / "skinbot-tests")).expanduser()
    root.mkdir(parents=True, exist_ok=True)
    return root


def cached_dir(name: str, build: Callable[[Path], None]) -> Path:
    """Build into a temp sibling and rename, so a crashed or concurrent build never leaves half a cache."""
    final = cache_root() / name
    if (final / ".complete").is_file():
        return final
    tmp = final.with_name(f"{final.name}.tmp-{uuid.uuid4().hex[:8]}")
    try:
        build(tmp)
        (tmp / ".complete").write_text("ok\n")
        shutil.rmtree(final, ignore_errors=True)
        try:
            tmp.rename(final)
        except OSError:
            if not (final / ".complete").is_file():  # lost a race to another builder: theirs is as good
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final
