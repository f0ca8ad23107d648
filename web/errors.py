"""API errors: a status, a stable code for programs, and a message in the requested language."""

from __future__ import annotations

from typing import Any

from starlette.requests import HTTPConnection

from casework.translator import Translator, pick_language
from conversations.domain import DEFAULT_LANGUAGE, Language


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        key: str,
        *,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
        lang: Language | None = None,
        **args: Any,
    ) -> None:
        super().__init__(code)
        self.status, self.code, self.key, self.args_ = status, code, key, args
        self.headers = headers or {}
        self.extra = extra or {}
        self.lang = lang  # the request's language, once known; else the handler negotiates it

    def body(self, t: Translator, lang: str) -> dict[str, Any]:
        return error_body(t, lang, self.code, self.key, extra=self.extra, **self.args_)


def error_body(
    t: Translator, lang: str, code: str, key: str, extra: dict[str, Any] | None = None, **args: Any
) -> dict[str, Any]:
    return {"error": {"code": code, "message": t(lang, key, **args), **(extra or {})}}


def accepted_language(connection: HTTPConnection) -> Language:
    """The first of ko, en, vi that Accept-Language names, by preference; English otherwise."""
    header = connection.headers.get("accept-language", "")
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag:
            ranked.append((-quality, index, tag))
    for _, _, tag in sorted(ranked):
        if Language.of(tag.split("-")[0].lower()) is not None:
            return pick_language(tag)
    return DEFAULT_LANGUAGE


def request_language(connection: HTTPConnection, form_language: object = None) -> Language:
    """The language a request asked for: its `language` field when that is valid, else Accept-Language."""
    return Language.of(form_language) or accepted_language(connection)
