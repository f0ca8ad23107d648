"""The API reference at /docs: the OpenAPI document as a page of our own, with no script and nothing
loaded from elsewhere. Swagger UI would load its scripts from a CDN, which the networks this serves often
cannot reach, and would need inline script, which the desk's Content-Security-Policy (sent here too)
forbids. The document itself stays at /openapi.json for tools. `SKINBOT_WEB_DOCS=off` serves neither.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from casework.translator import Translator
from web.desk import TEMPLATES
from web.errors import accepted_language


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    required: bool
    description: str


@dataclass(frozen=True)
class Answer:
    status: str
    description: str
    example: str


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    description: str
    fields: list[Field]
    answers: list[Answer]


def kind_of(schema: dict[str, Any]) -> str:
    """A field's type in a few words: `ko | en | vi`, `integer`, `file`."""
    if "enum" in schema:
        return " | ".join(str(value) for value in schema["enum"])
    if "anyOf" in schema:
        return " | ".join(kind_of(option) for option in schema["anyOf"] if option.get("type") != "null")
    if schema.get("format") == "binary" or "contentMediaType" in schema:
        return "file"
    return str(schema.get("type", ""))


def operations(document: dict[str, Any]) -> list[Operation]:
    schemas = document.get("components", {}).get("schemas", {})

    def resolve(schema: dict[str, Any]) -> dict[str, Any]:
        ref = schema.get("$ref", "")
        return schemas.get(ref.rsplit("/", 1)[-1], {}) if ref else schema

    def example_of(content: dict[str, Any]) -> str:
        for media in content.values():
            example = media.get("example")
            if example is None:
                examples = resolve(media.get("schema", {})).get("examples") or [None]
                example = examples[0]
            if isinstance(example, str):
                return example
            if example is not None:
                return json.dumps(example, indent=2, ensure_ascii=False)
        return ""

    found = []
    for path, methods in document.get("paths", {}).items():
        for method, operation in methods.items():
            fields = [
                Field(
                    p["name"],
                    kind_of(p.get("schema", {})),
                    bool(p.get("required")),
                    p.get("description", ""),
                )
                for p in operation.get("parameters", [])
            ]
            body = operation.get("requestBody", {}).get("content", {}).get("multipart/form-data", {})
            form = resolve(body.get("schema", {}))
            required = set(form.get("required", []))
            fields += [
                Field(name, kind_of(schema), name in required, schema.get("description", ""))
                for name, schema in form.get("properties", {}).items()
            ]
            answers = [
                Answer(status, answer.get("description", ""), example_of(answer.get("content", {})))
                for status, answer in operation.get("responses", {}).items()
            ]
            found.append(
                Operation(
                    method.upper(),
                    path,
                    operation.get("summary", ""),
                    operation.get("description", ""),
                    fields,
                    answers,
                )
            )
    return found


class ApiReference:
    def __init__(self, t: Translator, document: Callable[[], dict[str, Any]]) -> None:
        self.t, self.document = t, document
        self.templates = Jinja2Templates(directory=str(TEMPLATES))

    async def page(self, request: Request) -> HTMLResponse:
        lang = accepted_language(request)
        document = self.document()
        info = document.get("info", {})

        def tr(key: str, **args: Any) -> str:
            return self.t(lang, key, **args)

        return self.templates.TemplateResponse(
            request,
            "docs.html",
            {
                "t": tr,
                "lang": lang,
                "title": info.get("title", ""),
                "intro": [part.strip() for part in info.get("description", "").split("\n\n") if part.strip()],
                "operations": operations(document),
            },
        )
