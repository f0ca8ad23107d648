"""How a `skinbot` command reports a known failure: one line on stderr that names the program, and exit
status 2, so scripts can tell it from a crash (1) without parsing the text."""

from __future__ import annotations

import sys

EXIT_FAILED = 2
# `skinbot bench` needs the bench extra, and the `benchmarks` package of a source checkout.
BENCH_EXTRA_HINT = "pip install -e '.[bench]'"


def fail(message: str) -> int:
    """Print `skinbot: message` on stderr; returns the exit status for the command to return."""
    print(f"skinbot: {message}", file=sys.stderr)
    return EXIT_FAILED
