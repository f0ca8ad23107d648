"""Every word a user sees comes from locales/<lang>/*.ftl through fluent.runtime."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from fluent.runtime import FluentBundle, FluentResource

from conversations.domain import DEFAULT_LANGUAGE, Language

log = logging.getLogger(__name__)

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"


def pick_language(code: str | None) -> Language:
    """Map a Telegram language_code such as 'ko-KR' onto ko, en or vi, falling back to en."""
    if not code:
        return DEFAULT_LANGUAGE
    base = code.split("-")[0].split("_")[0].lower()
    return Language.of(base) or DEFAULT_LANGUAGE


# The Fluent variant of `disclaimer` and `pdf-emergency` that names no number: a deployment that has not set
# SKINBOT_EMERGENCY_NUMBER names none, since the right one depends on the country, not the language.
NO_EMERGENCY_NUMBER = "none"


def emergency_args(number: str) -> dict[str, str]:
    """The arguments of the messages that tell a patient what to do in an emergency."""
    return {"emergency_number": number or NO_EMERGENCY_NUMBER}


class MissingMessage(KeyError):
    pass


class Translator:
    """One FluentBundle per language, built once; English fills a gap in another language."""

    def __init__(self, locales_dir: Path = LOCALES_DIR) -> None:
        self._bundles: dict[str, FluentBundle] = {}
        for lang in Language:
            # Isolation marks (U+2068/9) show up as boxes in some Telegram clients and in PDFs.
            bundle = FluentBundle([lang], use_isolating=False)
            for path in sorted((locales_dir / lang).glob("*.ftl")):
                bundle.add_resource(FluentResource(path.read_text(encoding="utf-8")))
            self._bundles[lang] = bundle

    def has(self, lang: str, key: str) -> bool:
        return self._bundles[lang].has_message(key)

    def __call__(self, lang: str, key: str, **args: Any) -> str:
        bundle = self._bundles.get(lang) or self._bundles[DEFAULT_LANGUAGE]
        if not bundle.has_message(key):
            log.warning("message %s missing in %s, using %s", key, lang, DEFAULT_LANGUAGE)
            bundle = self._bundles[DEFAULT_LANGUAGE]
            if not bundle.has_message(key):
                raise MissingMessage(key)
        message = bundle.get_message(key)
        if message.value is None:
            raise MissingMessage(key)
        text, errors = bundle.format_pattern(message.value, args)
        if errors:
            log.warning("message %s in %s formatted with errors: %s", key, lang, errors)
        return text
