"""The PDF's Fluent files: same keys in every language, real translations, every label and triage key."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fluent.syntax import FluentParser, ast

from casework.translator import LOCALES_DIR, Translator
from conversations.domain import Language
from inference.labels import LABELS
from inference.triage import Triage

FILES = ("pdf.ftl", "triage.ftl", "labels.ftl")
ARGS = {
    "case": "3f2a9c1b",
    "created": datetime(2025, 3, 4, 14, 5, tzinfo=ZoneInfo("Asia/Seoul")),
    "zone": "KST, UTC+09:00",
    "age": 47,
    "value": 0.125,
    "page": 1,
    "total": 2,
    "emergency_number": "119",
}

# Messages that are only a formatted number: nothing to translate, only the number format differs.
LANGUAGE_NEUTRAL = {"pdf-probability"}


def keys(lang: str, name: str) -> set[str]:
    resource = FluentParser().parse((LOCALES_DIR / lang / name).read_text(encoding="utf-8"))
    junk = [entry for entry in resource.body if isinstance(entry, ast.Junk)]
    assert not junk, f"{lang}/{name} has syntax errors: {junk[0].content!r}"
    return {entry.id.name for entry in resource.body if isinstance(entry, ast.Message)}


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("lang", [lang for lang in Language if lang != "en"])
def test_parity(lang: str, name: str) -> None:
    assert keys(lang, name) == keys("en", name)


def test_labels_and_triage_keys_exist() -> None:
    assert {f"label-{label}" for label in LABELS} == keys("en", "labels.ftl")
    triage_keys = keys("en", "triage.ftl")
    for level in Triage:
        assert {f"triage-{level.value}", f"triage-{level.value}-title"} <= triage_keys
    assert "triage-urgent-why" in triage_keys


@pytest.mark.parametrize("lang", list(Language))
def test_every_message_formats_and_is_translated(lang: str, caplog: pytest.LogCaptureFixture) -> None:
    t = Translator(Path(LOCALES_DIR))
    for name in FILES:
        for key in sorted(keys("en", name)):
            text = t(lang, key, **ARGS)
            assert text and "{" not in text, (lang, key, text)
            if key in LANGUAGE_NEUTRAL:
                continue
            if lang == "ko":
                assert re.search(r"[가-힣]", text), (key, text)
            elif lang == "vi":
                assert text != t("en", key, **ARGS), (key, text)
    assert "formatted with errors" not in caplog.text
    assert "missing" not in caplog.text
