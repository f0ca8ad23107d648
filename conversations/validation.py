"""Parsing and checking what a patient types. Pure functions."""

from __future__ import annotations

import re
import unicodedata

NAME_MAX = 100
HISTORY_MAX = 2000
AGE_MAX = 120

# A whole number with an optional unit in any of our languages: "15", "15 years", "15세", "15 tuổi".
_AGE = re.compile(r"^(\d{1,3})\s*(?:years?(?:\s+old)?|yrs?|y|yo|세|살|tuổi)?\.?$", re.IGNORECASE)


def _clean(text: str) -> str:
    """NFKC folds full-width digits; control characters never belong in a stored answer."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")


def parse_age(text: str) -> int | None:
    match = _AGE.match(_clean(text).strip())
    if match is None:
        return None
    age = int(match.group(1))
    return age if 0 <= age <= AGE_MAX else None


def clean_name(text: str) -> str:
    return " ".join(_clean(text).split())


def clean_history(text: str) -> str:
    lines = [" ".join(line.split()) for line in _clean(text).strip().splitlines()]
    return "\n".join(lines).strip()
