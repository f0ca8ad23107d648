"""The formatter decides the layout everywhere: no file opts out of it."""

from __future__ import annotations

from pathlib import Path

from skinbot.logging_setup import OWN_LOGGERS

ROOT = Path(__file__).resolve().parents[2]
# Every package that runs (the ones whose loggers are ours), and the test and benchmark code beside them.
PACKAGES = (*(name for name in OWN_LOGGERS if name != "__main__"), "benchmarks", "testkit", "tests")


def test_no_formatter_opt_outs() -> None:
    markers = ("fmt: " + "skip", "fmt: " + "off")  # split, so this file does not match itself
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if any(marker in line for marker in markers)
    ]
    assert found == []
