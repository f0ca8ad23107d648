"""A patient's answers as a finished intake holds them, for tests that need a case's draft."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from conversations.intake_state import Draft

# Every question answered: photos done, body site and history skipped, report in Vietnamese.
ANSWERED = Draft(
    photos_done=True,
    body_site_answered=True,
    name="Lan",
    age=30,
    gender="female",
    history=None,
    history_answered=True,
    report_language="vi",
)


def answered(*photos: str, **fields: Any) -> Draft:
    """ANSWERED with these photos, and `fields` in place of its answers."""
    return replace(ANSWERED, photos=photos, **fields)
