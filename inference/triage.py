"""The clinical triage rule on classifier output. Pure: no torch, no I/O."""

from __future__ import annotations

from enum import StrEnum

from inference.labels import Classification


class Triage(StrEnum):
    URGENT = "urgent"  # possible cancer signal: urgent referral
    UNCERTAIN = "uncertain"  # the photo could not be assessed reliably
    ROUTINE = "routine"


def triage(result: Classification, carcinoma_threshold: float = 0.30) -> Triage:
    """Cancer signals win over uncertainty: a blurry photo of a possible carcinoma still gets a referral."""
    if result.top == "carcinoma" or result.prob("carcinoma") >= carcinoma_threshold:
        return Triage.URGENT
    if result.uncertain:
        return Triage.UNCERTAIN
    return Triage.ROUTINE
