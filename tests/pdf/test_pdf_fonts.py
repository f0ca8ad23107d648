"""casework.pdf.fonts: static Noto instances from package data, cached, registered once."""

from __future__ import annotations

import fcntl
import shutil
import subprocess
import sys
import time
from pathlib import Path

from fontTools.ttLib import TTFont

from casework.pdf.fonts import NOTO_SANS_KR, FontSet, describe_fonts, ensure_fonts, source_path

VIETNAMESE = "Tiếng Việt Chẩn đoán Nguyễn Thị Hằng ĐƯỜNG ỹ ữ ộ"


def test_fonts_come_from_packages(fonts: FontSet) -> None:
    kr = source_path(NOTO_SANS_KR)
    assert "site-packages" in kr.parts or "dist-packages" in kr.parts
    assert not any(part in ("/usr/share/fonts", "fonts-noto") for part in map(str, kr.parents))


def test_static_instances(fonts: FontSet) -> None:
    for family in fonts.families():
        for path, weight in ((family.path_regular, 400), (family.path_bold, 700)):
            # Fonts register once per process, from whichever cache dir asked first; what matters is that
            # they are cached static instances, not where.
            assert path.parent.name == "fonts" and path.is_file()
            font = TTFont(path)
            assert "glyf" in font and "fvar" not in font and "gvar" not in font  # TrueType, not variable
            assert font["OS/2"].usWeightClass == weight
            assert font["name"].getDebugName(6) == (family.regular if weight == 400 else family.bold)
            cmap = font.getBestCmap()
            assert all(ord(ch) in cmap for ch in VIETNAMESE if not ch.isspace())
    kr_cmap = TTFont(fonts.korean.path_regular).getBestCmap()
    assert all(ord(ch) in kr_cmap for ch in "피부 사전 선별 검사 보고서" if not ch.isspace())


def test_language_choice(fonts: FontSet) -> None:
    assert fonts.for_language("ko") is fonts.korean
    assert fonts.for_language("vi") is fonts.latin and fonts.for_language("en") is fonts.latin
    assert fonts.fallback_for("vi") is fonts.korean and fonts.fallback_for("ko") is fonts.latin


def test_registered_once(fonts: FontSet, tmp_path: Path) -> None:
    # A second call, even with another cache dir, returns the registered set without instancing again.
    assert ensure_fonts(tmp_path) is fonts
    assert not any(tmp_path.iterdir())


def test_describe_fonts(fonts: FontSet, tmp_path: Path) -> None:
    # Fonts register once per process, from whichever cache dir asked first (the bot's tests may have).
    cached = describe_fonts(fonts.latin.path_regular.parent)
    assert [s.label for s in cached] == ["Noto Sans", "Noto Sans KR"]
    assert all(s.ok and "cached" in s.detail for s in cached)
    cold = describe_fonts(tmp_path)
    assert all(s.ok and "first use" in s.detail for s in cold)


# A process of its own (fonts register once per process), logging what it instances.
SECOND_PROCESS = """
import logging, sys
from pathlib import Path
logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(message)s")
from casework.pdf.fonts import ensure_fonts
print("ready", flush=True)
ensure_fonts(Path(sys.argv[1]))
"""


def test_a_second_process_waits_for_the_instances_another_is_cutting(fonts: FontSet, tmp_path: Path) -> None:
    # This test plays the first process (two test workers, or the bot and the web server, on a cold cache):
    # it holds the lock while "cutting", and the second must wait and take its instances, not cut its own.
    with open(tmp_path / ".instancing.lock", "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        second = subprocess.Popen(
            [sys.executable, "-c", SECOND_PROCESS, str(tmp_path)], stdout=subprocess.PIPE, text=True
        )
        assert second.stdout is not None and second.stdout.readline() == "ready\n"
        time.sleep(1.0)  # let it find the cache cold
        for family in fonts.families():
            for path in (family.path_regular, family.path_bold):
                shutil.copy2(path, tmp_path / path.name)
    out, _ = second.communicate(timeout=120)
    assert second.returncode == 0
    assert "instancing" not in out and "PDF fonts registered" in out
