"""The report's urgency line held to the triage: an urgent referral is never left saying "self-care".

The prompt tells the model when the cancer signal is on and which urgency levels that allows, and the
patient's history cannot change that (it stays inside its data block). Nothing makes the model obey, so
every finished report passes here: when the triage is urgent, each `Urgency: <level>` line whose level is
not one the referral allows is set to "within days", and a note right after the last one says why. The
streamed text is what the model wrote; the report as it is finished, stored and printed is this one.

The words (label, level names, note) come from the caller in the report's language, so this module stays
free of the bot; they are the words the prompt asks the model to use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol

from inference.report_request import ReportRequest
from inference.triage import Triage, triage

# The urgency levels of the prompt's section 4, most urgent first, as message names (report-urgency-<level>).
LEVELS = ("emergency", "within-days", "routine", "self-care")
URGENT_LEVELS = ("emergency", "within-days")  # what the prompt allows when the cancer signal is on
SET_LEVEL = "within-days"  # what a contradicting line is set to: the triage's own advice
FALLBACK_LANGUAGE = "en"  # the model may write the line in English whatever the report's language

# Markup a line may carry around the label and the level: bullets, heading hashes, bold, code.
_LEAD = r"[ \t>#*_`•+\-]*"
_MARK = r"[*_`]*"
_TAIL = r"[\s*_`.]*"


class Wording(Protocol):
    """Formats a message in a language: the bot's Translator."""

    def __call__(self, lang: str, key: str, **args: Any) -> str: ...


@dataclass(frozen=True)
class SettledReport:
    text: str
    note: str | None = None  # the note added after the corrected line; None when nothing changed


@dataclass(frozen=True)
class _Vocabulary:
    line: re.Pattern[str]
    urgent: tuple[str, ...]  # normalised level names that agree with an urgent triage
    level: str  # the name a contradicting line is set to
    note: str


def _normal(text: str) -> str:
    """Case, hyphens and markup do not matter: "Self care", "self-care" and "**SELF-CARE**" are one."""
    return re.sub(r"[\s\-_*`\"'“”‘’]+", " ", text.casefold()).strip()


class UrgencyGuard:
    def __init__(self, words: Wording) -> None:
        self.words = words
        self._vocabularies: dict[str, _Vocabulary] = {}

    def settle(self, text: str, request: ReportRequest) -> SettledReport:
        """The report as it must end for this request: unchanged unless the triage is urgent and an urgency
        line says otherwise."""
        if triage(request.classification, request.carcinoma_referral) is not Triage.URGENT:
            return SettledReport(text)
        vocabulary = self._vocabulary(request.language)
        lines = text.split("\n")
        last = None
        for index, line in enumerate(lines):
            found = vocabulary.line.match(line)
            if found is None or _normal(found["value"]).startswith(vocabulary.urgent):
                continue
            head = found["head"] if found["head"][-1] not in ":：" else found["head"] + " "
            lines[index] = f"{head}{vocabulary.level}{found['tail']}"
            last = index
        if last is None:
            return SettledReport(text)
        lines.insert(last + 1, vocabulary.note)
        return SettledReport("\n".join(lines), vocabulary.note)

    def _vocabulary(self, language: str) -> _Vocabulary:
        if language not in self._vocabularies:
            languages = dict.fromkeys((language, FALLBACK_LANGUAGE))  # the report's own words first
            labels = {self.words(lang, "report-urgency-label") for lang in languages}
            label = "|".join(re.escape(name) for name in sorted(labels, key=len, reverse=True))
            # An optional word between label and colon ("Urgency level:"), markup on either side.
            line = re.compile(
                rf"^(?P<head>{_LEAD}(?:{label})(?:[ \t]+\w+)?{_MARK}[ \t]*[:：][ \t*_`]*)"
                rf"(?P<value>.*?)(?P<tail>{_TAIL})$",
                re.IGNORECASE,
            )
            urgent = tuple(
                _normal(self.words(lang, f"report-urgency-{level}"))
                for lang in languages
                for level in URGENT_LEVELS
            )
            level = self.words(language, f"report-urgency-{SET_LEVEL}")
            note = self.words(language, "report-urgency-set", level=level)
            self._vocabularies[language] = _Vocabulary(line, urgent, level, note)
        return self._vocabularies[language]
