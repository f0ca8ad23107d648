"""A whole case through the real bot with the llama.cpp writer: chosen from SKINBOT_LLM as at start, the
tiny GGUF streaming into the chat, the PDF at the end."""

from __future__ import annotations

from pathlib import Path

from inference.llama_writer import LlamaWriter
from skinbot.inference_setup import build_writer
from tests.bot.test_report_delivery import run_case, use_models, wait_pdf
from tests.conftest import Harness


async def test_a_case_on_the_llama_writer(
    harness: Harness, photo_bytes: bytes, trained_classifier_weights: Path, tiny_gguf: tuple[Path, Path]
) -> None:
    model, _ = tiny_gguf
    writers: list[object] = []

    def production(settings):  # the start's own choice, kept to look at afterwards
        writers.append(build_writer(settings))
        return writers[-1]

    use_models(
        harness, trained_classifier_weights, production, llm=str(model), llm_threads=2, max_new_tokens=16
    )
    await harness.start()
    user = harness.api.user(403, "en")
    case_id = await run_case(harness, user, "en", photo_bytes)
    pdf = await wait_pdf(harness, user)
    case = await harness.wait_case(user.id, case_id, "done")
    assert case.report and pdf.document is not None and pdf.document.startswith(b"%PDF")
    [writer] = writers
    assert isinstance(writer, LlamaWriter) and writer.encodes == 1
