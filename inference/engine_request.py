"""What is sent to an OpenAI-compatible engine: Gemma chat messages in OpenAI form, photos as JPEG data URLs,
and the streamed request for one report row."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from inference.prompt import chat_messages
from inference.report_request import ReportRequest

if TYPE_CHECKING:
    from PIL.Image import Image

MAX_IMAGE_SIDE = 1536  # MedGemma's processor resizes to 896 px anyway; this only bounds the upload


def report_body(
    model: str,
    request: ReportRequest,
    photos: Sequence[Image],
    max_tokens: int,
    extra_body: dict[str, Any],
) -> dict[str, Any]:
    """The streamed chat completion for one report: the in-process prompt, with `photos` when the engine
    sees them (empty: the text-only prompt)."""
    return {
        "model": model,
        "messages": openai_messages(chat_messages(request, with_image=bool(photos)), photos),
        "stream": True,
        "stream_options": {"include_usage": True},
        "temperature": 0,
        "max_tokens": max_tokens,
        **extra_body,
    }


def openai_messages(messages: list[dict], images: Sequence[Image]) -> list[dict[str, Any]]:
    """Gemma chat messages (inference.prompt) in OpenAI form: each image placeholder becomes the next of
    `images`, as an `image_url` part (several per prompt for a case of several photos).

    The system turn goes as a plain string, which every engine accepts; Gemma 3's chat template renders
    a string and a one-part list identically, so the prompt is the in-process one.
    """
    out: list[dict[str, Any]] = []
    pending = list(images)
    for message in messages:
        parts: list[dict[str, Any]] = []
        for part in message["content"]:
            if part["type"] == "image":
                if pending:
                    parts.append(image_part(pending.pop(0)))
            else:
                parts.append({"type": "text", "text": part["text"]})
        if message["role"] == "system":
            out.append({"role": "system", "content": "".join(p["text"] for p in parts)})
        else:
            out.append({"role": message["role"], "content": parts})
    return out


def image_part(image: Image) -> dict[str, Any]:
    return {"type": "image_url", "image_url": {"url": _jpeg_data_url(image)}}


def _jpeg_data_url(image: Image) -> str:
    picture = image.convert("RGB")
    if max(picture.size) > MAX_IMAGE_SIDE:
        picture = picture.copy()
        picture.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=90)
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii")
