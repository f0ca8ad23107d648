"""Engine fixtures: real `transformers serve` processes (one per session and model) and a counting proxy."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from testkit.cache import cached_dir
from tests.engine.servers import CountingProxy, EngineServer, add_to_hub_cache, build_text_only_model

IMAGE_MODEL = "skinbot-test/tiny-gemma3"
TEXT_MODEL = "skinbot-test/tiny-gemma3-text"
TEXT_MODEL_RECIPE = "tiny-gemma3-text-only/v1"


@pytest.fixture(scope="session")
def engine_hub(
    tmp_path_factory: pytest.TempPathFactory, tiny_gemma_dir: Path, gemma_tokenizer_dir: Path
) -> Path:
    """A private Hugging Face cache holding an image-text and a text-only tiny Gemma 3."""
    from testkit.random_gemma import TINY_TEXT, recipe_hash

    key = recipe_hash(TEXT_MODEL_RECIPE, TINY_TEXT, gemma_tokenizer_dir.name)
    text_dir = cached_dir(
        f"tiny-gemma3-text-{key}",
        lambda dest: build_text_only_model(gemma_tokenizer_dir, dest),
    )
    hub = tmp_path_factory.mktemp("engine-hub")
    add_to_hub_cache(hub, IMAGE_MODEL, tiny_gemma_dir)
    add_to_hub_cache(hub, TEXT_MODEL, text_dir)
    return hub


def _serve(hub: Path, repo_id: str, logs: Path) -> Iterator[EngineServer]:
    try:
        import fastapi  # noqa: F401
        import openai  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        raise RuntimeError("the engine tests need transformers[serving]: pip install -e '.[test]'") from exc
    server = EngineServer(hub, repo_id, logs / f"{repo_id.replace('/', '_')}.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def image_engine(engine_hub: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[EngineServer]:
    yield from _serve(engine_hub, IMAGE_MODEL, tmp_path_factory.mktemp("engine-logs"))


@pytest.fixture(scope="session")
def text_engine(engine_hub: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[EngineServer]:
    yield from _serve(engine_hub, TEXT_MODEL, tmp_path_factory.mktemp("engine-logs"))


@pytest.fixture
async def proxy(image_engine: EngineServer) -> AsyncIterator[CountingProxy]:
    async with CountingProxy(image_engine.url) as counting:
        yield counting
