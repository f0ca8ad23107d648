"""Report PDFs rendered in a worker process read the same as those rendered on a thread."""

from __future__ import annotations

import io
from collections.abc import Callable

from pypdf import PdfReader

from casework.pdf.document import ReportDocument
from casework.pdf.renderers import ProcessRenderer, ThreadRenderer
from casework.translator import Translator, emergency_args


def text_of(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


async def test_a_worker_process_renders_what_a_thread_renders(
    make_doc: Callable[..., ReportDocument], t: Translator
) -> None:
    document = make_doc(language="ko")
    in_thread = await ThreadRenderer(t, emergency_number="119").render(document)
    renderer = ProcessRenderer(t, workers=1, emergency_number="119")
    renderer.start()
    try:
        in_process = await renderer.render(document)
        again = await renderer.render(document)  # the worker stays up, translator and fonts ready
    finally:
        renderer.stop()
    assert in_process.startswith(b"%PDF") and again.startswith(b"%PDF")
    assert text_of(in_process) == text_of(in_thread) == text_of(again)
    assert "".join(t("ko", "pdf-emergency", **emergency_args("119")).split()) in "".join(
        text_of(in_process).split()
    )


async def test_a_dead_worker_falls_back_to_a_thread(
    make_doc: Callable[..., ReportDocument], t: Translator
) -> None:
    document = make_doc()
    renderer = ProcessRenderer(t, workers=1)
    renderer.start()
    try:
        await renderer.render(document)
        pool = renderer._pool
        assert pool is not None
        for process in pool._processes.values():  # killed, as an out-of-memory kill would
            process.kill()
        pdf = await renderer.render(document)
    finally:
        renderer.stop()
    assert pdf.startswith(b"%PDF") and text_of(pdf)
