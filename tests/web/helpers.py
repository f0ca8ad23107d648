"""The web side under test: the real bot Application with the web server on 127.0.0.1 (port 0), the
fake Bot API for Telegram, and models whose output the test chooses."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from PIL import Image

from bot.delivery import Delivery
from bot.services import Services
from inference.labels import LABELS, Classification
from inference.model_queue import ModelQueue
from inference.worker import ModelWorker, ReportWriter
from skinbot.inference_setup import quality_thresholds
from skinbot.settings import Settings
from tests.bot.test_report_delivery import use_models
from tests.conftest import Harness
from tests.fakes import ScriptedWriter


def scores(top: str, p: float = 0.8) -> Classification:
    """A classification with `top` at `p` and the rest spread evenly."""
    rest = (1.0 - p) / (len(LABELS) - 1)
    return Classification(tuple(p if label == top else rest for label in LABELS))


@dataclass
class ScriptedClassifier:
    """Hands out the given results in order (the last one repeats) and a red-tinted heatmap.

    It stands in for the classifier model only; the worker, the gates, the queue and everything after
    them are the real ones."""

    results: list[Classification]
    handed: int = 0
    seen: list[tuple[int, int]] = field(default_factory=list)

    def setup(self) -> None:
        return None

    def predict(self, images: list[Image.Image]) -> list[Classification]:
        out = []
        for image in images:
            self.seen.append(image.size)
            out.append(self.results[min(self.handed, len(self.results) - 1)])
            self.handed += 1
        return out

    def explain(self, image: Image.Image) -> bytes:
        red = Image.new("RGB", image.size, (255, 0, 0))
        buffer = io.BytesIO()
        Image.blend(image.convert("RGB"), red, 0.4).save(buffer, "PNG")
        return buffer.getvalue()


def use_scripted_models(
    h: Harness, classifier: ScriptedClassifier, writer: ReportWriter, **settings: object
) -> None:
    """The production pipeline (Delivery owning one ModelQueue) around a scripted classifier."""
    h.settings = dataclasses.replace(h.settings, **settings)

    def factory(s: Settings, services: Services, app: object) -> Delivery:
        worker = ModelWorker(classifier, writer, quality_thresholds(s), read=services.files.read)
        queue = ModelQueue(worker, services.store.jobs, batch_size=s.batch, job_timeout_s=s.job_timeout_s)
        services.queue = queue
        return Delivery(services, app.bot, queue, on_fatal=services.on_fatal)  # type: ignore[attr-defined]

    h.pipeline_factory = factory


def use_tiny_models(
    h: Harness, weights: Path, writer: Callable[[Settings], ReportWriter], **settings: object
) -> None:
    use_models(h, weights, writer, **settings)


def with_web(h: Harness, **settings: object) -> None:
    h.settings = dataclasses.replace(h.settings, web_port=0, **settings)


def base_url(h: Harness) -> str:
    web = h.web_server
    assert web is not None
    return f"http://127.0.0.1:{web.port}"


async def new_key(h: Harness, name: str = "clinic system") -> tuple[int, str]:
    key, secret = await h.services.store.api_keys.create(name)
    return key.id, secret


def form(
    photo: bytes,
    *,
    age: str | int = 15,
    gender: str = "female",
    language: str = "en",
    history: str | None = "Itchy patches for two weeks",
    name: str | None = "Henry Nguyen",
) -> tuple[dict[str, str], dict[str, tuple[str, bytes, str]]]:
    data = {"age": str(age), "gender": gender, "language": language}
    if history is not None:
        data["history"] = history
    if name is not None:
        data["name"] = name
    return data, {"photo": ("skin.jpg", photo, "image/jpeg")}


def client(h: Harness, secret: str | None = None, **headers: str) -> httpx.AsyncClient:
    sent = {"X-API-Key": secret} if secret else {}
    return httpx.AsyncClient(base_url=base_url(h), headers={**sent, **headers}, timeout=60)


def scripted(text: str, delay: float = 0.0) -> ScriptedWriter:
    return ScriptedWriter(script=lambda request: text, token_delay=delay)


def jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92)
    return out.getvalue()
