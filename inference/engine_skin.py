"""The skin question (`inference.skin_question`) over an OpenAI-compatible engine: one short non-streamed
completion per photo, read from the first token's top log-probabilities, which vLLM returns; an engine that
refuses them (once) or leaves them out is read from its one-word answer instead."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import httpx

from inference.engine_errors import first_line
from inference.engine_request import openai_messages
from inference.skin_question import question_messages, yes_share_from_text, yes_share_from_top

if TYPE_CHECKING:
    from PIL.Image import Image

log = logging.getLogger(__name__)

SKIN_TOP_LOGPROBS = 10  # "yes" and "no" in any spelling are among them unless the model ignores the question


class EngineSkinQuestion:
    """Asks `model` at `url`; remembers when the engine has no log-probabilities, so it is told only once."""

    def __init__(self, url: str, model: str) -> None:
        self.url, self.model = url, model
        self.logprobs = True  # until the engine refuses them

    def ask(self, client: httpx.Client, image: Image) -> float | None:
        """The model's P(yes) for one photo (0 or 1 when read from a worded answer); None when the engine
        fails or answers neither yes nor no."""
        body: dict[str, Any] = {
            "model": self.model,
            "messages": openai_messages(question_messages(), [image]),
            "max_tokens": 2,
            "temperature": 0,
            "stream": False,
        }
        if self.logprobs:
            body |= {"logprobs": True, "top_logprobs": SKIN_TOP_LOGPROBS}
        try:
            response = client.post(f"{self.url}/chat/completions", json=body)
            if response.status_code == 400 and self.logprobs:
                self.logprobs = False  # the engine has no log-probabilities: read its answer
                return self.ask(client, image)
            response.raise_for_status()
            choice = response.json()["choices"][0]
        except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as exc:
            log.warning("skin question: the engine gave no answer (%s); the photo passes", first_line(exc))
            return None
        top = _first_top_logprobs(choice)
        if top:
            return yes_share_from_top(top)
        return yes_share_from_text(str((choice.get("message") or {}).get("content") or ""))


def _first_top_logprobs(choice: dict[str, Any]) -> dict[str, float]:
    """{token: logprob} of the first answer token, from an OpenAI chat choice; {} when it has none."""
    try:
        first = choice["logprobs"]["content"][0]["top_logprobs"]
        return {str(entry["token"]): float(entry["logprob"]) for entry in first}
    except (KeyError, IndexError, TypeError, ValueError):
        return {}
