"""Every key in English exists in Korean and Vietnamese, and every message formats with sample arguments."""

from __future__ import annotations

from pathlib import Path

import pytest
from fluent.syntax import FluentParser, ast
from fluent.syntax.visitor import Visitor as FluentVisitor

from casework.translator import LOCALES_DIR, Translator, pick_language
from conversations.domain import Language


def _messages(lang: str) -> dict[str, ast.Message]:
    found: dict[str, ast.Message] = {}
    for path in sorted((LOCALES_DIR / lang).glob("*.ftl")):
        resource = FluentParser().parse(path.read_text(encoding="utf-8"))
        junk = [e for e in resource.body if isinstance(e, ast.Junk)]
        assert not junk, f"{path}: syntax error near {junk[0].content[:60]!r}"
        for entry in resource.body:
            if isinstance(entry, ast.Message):
                assert entry.id.name not in found, f"{lang}: {entry.id.name} defined twice"
                found[entry.id.name] = entry
    return found


def _variables(node: object) -> set[str]:
    names: set[str] = set()

    class Visitor(FluentVisitor):
        def visit_VariableReference(self, ref: ast.VariableReference) -> None:
            names.add(ref.id.name)

    Visitor().visit(node)
    return names


def test_same_keys_in_every_language() -> None:
    english = set(_messages("en"))
    assert len(english) > 50
    for lang in ("ko", "vi"):
        keys = set(_messages(lang))
        assert english - keys == set(), f"missing in {lang}"
        assert keys - english == set(), f"only in {lang}"


def test_same_variables_in_every_language() -> None:
    english = {k: _variables(m) for k, m in _messages("en").items()}
    for lang in ("ko", "vi"):
        for key, message in _messages(lang).items():
            assert _variables(message) == english[key], f"{lang}:{key} uses other variables than en"


SAMPLES = {
    "days": 30,
    "max": 100,
    "length": 150,
    "text": "abc",
    "size_mb": 25.3,
    "max_mb": 20,
    "megapixels": 400,
    "case": "0123abcd",
    "name": "Henry",
    "age": 15,
    "gender": "Female",
    "history": "none",
    "language": "English",
    "position": 3,
    "percent": 0.25,
    "label": "Acne",
    "count": 2,
    "clinic": "Clinic",
    "date": "2026-11-22",
    "verdict": "Routine",
    "reason": "test",
    "page": 1,
    "pages": 2,
    "total": 2,
}


@pytest.mark.parametrize("lang", list(Language))
def test_every_message_formats(lang: str) -> None:
    t = Translator()
    english = _messages("en")
    for key, _message in _messages(lang).items():
        args = {name: SAMPLES.get(name, 1) for name in _variables(english[key])}
        text = t(lang, key, **args)
        assert text.strip(), f"{lang}:{key} is empty"
        assert "{" not in text, f"{lang}:{key} left a placeholder: {text!r}"


def test_numbers_are_formatted_by_fluent(tmp_path: Path) -> None:
    t = Translator()
    assert "25.3" in t("en", "photo-too-large", size_mb=25.3, max_mb=20)
    assert "25,3" in t("vi", "photo-too-large", size_mb=25.3, max_mb=20)


@pytest.mark.parametrize(
    ("code", "lang"),
    [("ko-KR", "ko"), ("ko", "ko"), ("vi", "vi"), ("en-US", "en"), ("de", "en"), (None, "en"), ("", "en")],
)
def test_pick_language(code: str | None, lang: str) -> None:
    assert pick_language(code) == lang
