"""What an OpenAI-compatible engine is asked at start-up: which models it serves, and whether it takes images.

vLLM lists no modality flag in /models, so the engine itself is asked: a one-token completion of a short
text, with and without a tiny JPEG. The engine takes images when the image request succeeds and counts more
prompt tokens than the text-only one. It does not when the image request is refused (vLLM answers 400 for a
text-only model, llama.cpp without --mmproj answers 500 "image input is not supported") or when the prompt
tokens are equal (transformers serve silently drops images for a text-only model).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from inference.engine_errors import EngineError, first_line, server_reason
from inference.engine_request import image_part

if TYPE_CHECKING:
    from PIL.Image import Image

_IMAGE_REFUSAL_WORDS = ("image", "multimodal", "multi-modal", "mmproj", "vision")


def list_models(client: httpx.Client, url: str) -> list[str]:
    """The ids GET /models lists; EngineError when the engine cannot be reached or does not answer so."""
    try:
        response = client.get(f"{url}/models")
    except httpx.ConnectError as exc:
        raise EngineError(f"engine at {url} refused the connection: {first_line(exc)}") from exc
    except httpx.TimeoutException as exc:
        raise EngineError(f"engine at {url} did not answer GET /models in time") from exc
    except httpx.HTTPError as exc:
        raise EngineError(f"engine at {url}: GET /models failed: {first_line(exc)}") from exc
    if response.status_code != 200:
        hint = " (check SKINBOT_LLM_API_KEY)" if response.status_code in (401, 403) else ""
        raise EngineError(
            f"engine at {url} answered GET /models with HTTP {response.status_code}: "
            f"{server_reason(response.content)}{hint}"
        )
    try:
        data = response.json()["data"]
        return [str(m["id"]) for m in data]
    except (ValueError, KeyError, TypeError) as exc:
        raise EngineError(f"engine at {url}: GET /models did not return an OpenAI model list") from exc


def detect_images(client: httpx.Client, url: str, model: str) -> tuple[bool, str]:
    """(whether `model` on the engine takes images, why we think so); EngineError when it cannot generate."""

    def ask(with_image: bool) -> httpx.Response:
        content: list[dict[str, Any]] = [{"type": "text", "text": "Reply with the word OK."}]
        if with_image:
            content.insert(0, image_part(_probe_image()))
        body = {
            "model": model,
            "messages": [{"role": "user", "content": content}],
            "max_tokens": 1,
            "temperature": 0,
            "stream": False,
        }
        try:
            return client.post(f"{url}/chat/completions", json=body)
        except httpx.HTTPError as exc:
            raise EngineError(f"engine at {url}: probe request failed: {first_line(exc)}") from exc

    text = ask(with_image=False)
    if text.status_code != 200:
        raise EngineError(
            f"engine at {url} cannot generate with model {model!r}: "
            f"HTTP {text.status_code}: {server_reason(text.content)}"
        )
    image = ask(with_image=True)
    reason = server_reason(image.content)
    if 400 <= image.status_code < 500:
        return False, f"the engine refused an image: HTTP {image.status_code}: {reason}"
    if image.status_code >= 500:
        if any(word in reason.lower() for word in _IMAGE_REFUSAL_WORDS):
            return False, f"the engine refused an image: HTTP {image.status_code}: {reason}"
        raise EngineError(f"engine at {url}: image probe failed with HTTP {image.status_code}: {reason}")
    with_tokens, without_tokens = _prompt_tokens(image), _prompt_tokens(text)
    if with_tokens is None or without_tokens is None:
        return True, "the engine accepted an image (it reports no token usage to confirm)"
    if with_tokens > without_tokens:
        return True, f"an image adds {with_tokens - without_tokens} prompt tokens"
    return False, "the engine accepted an image but did not count it: it drops images"


def _prompt_tokens(response: httpx.Response) -> int | None:
    try:
        value = response.json()["usage"]["prompt_tokens"]
    except (ValueError, KeyError, TypeError):
        return None
    return value if isinstance(value, int) else None


def _probe_image() -> Image:
    from PIL import Image as PILImage

    return PILImage.new("RGB", (64, 64), (180, 120, 110))
