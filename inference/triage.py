"""The clinical triage rule on classifier output. Pure: no torch, no I/O."""

from __future__ import annotations

from enum import StrEnum

from inference.labels import Classification

# Carcinoma probability at or above which a result is urgent (SKINBOT_CARCINOMA_REFERRAL's default).
DEFAULT_CARCINOMA_REFERRAL = 0.30


class Triage(StrEnum):
    URGENT = "urgent"  # possible cancer signal: urgent referral
    UNCERTAIN = "uncertain"  # the photo could not be assessed reliably
    ROUTINE = "routine"


def triage(result: Classification, carcinoma_threshold: float = DEFAULT_CARCINOMA_REFERRAL) -> Triage:
    """Cancer signals win over uncertainty: a blurry photo of a possible carcinoma still gets a referral."""
    if result.top == "carcinoma" or result.prob("carcinoma") >= carcinoma_threshold:
        return Triage.URGENT
    if result.uncertain:
        return Triage.UNCERTAIN
    return Triage.ROUTINE
