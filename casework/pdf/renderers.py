"""Where report PDFs are rendered: on a thread of this process, or in worker processes.

Rendering a report is tens of milliseconds of pure-Python reportlab work that holds the GIL the whole time.
On a thread it competes with the event loop that answers every user; in a worker process it can run on
another core, at the price of sending the document across and of the worker's own memory. On a 2-core
machine the thread measured as well or better (docs/benchmarks.md), so it is the default; the composition
root picks one (`SKINBOT_PDF_WORKERS`, 0 = the thread) and hands its `render` down.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial

from casework.pdf.document import ReportDocument
from casework.pdf.render import render_pdf
from casework.translator import Translator

log = logging.getLogger(__name__)

# What the case services are handed to render a report: a renderer's `render`.
RenderPdf = Callable[[ReportDocument], Awaitable[bytes]]


class ThreadRenderer:
    """On one thread of its own ("pdf-render"): renders run one at a time, and their CPU can be told apart
    from the rest of the bot's."""

    def __init__(self, t: Translator, emergency_number: str = "") -> None:
        self.t, self.emergency_number = t, emergency_number
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pdf-render")

    def start(self) -> None:
        return None

    async def render(self, document: ReportDocument) -> bytes:
        render = partial(render_pdf, document, self.t, emergency_number=self.emergency_number)
        return await asyncio.get_running_loop().run_in_executor(self._thread, render)

    def stop(self) -> None:
        self._thread.shutdown(wait=False)


_translator: Translator | None = None  # the worker process's own, built once per process


def _prepare_worker() -> None:
    from casework.pdf.fonts import ensure_fonts

    global _translator
    _translator = Translator()
    ensure_fonts()


def _render_in_worker(document: ReportDocument, emergency_number: str) -> bytes:
    assert _translator is not None
    return render_pdf(document, _translator, emergency_number=emergency_number)


class ProcessRenderer:
    """`workers` spawned processes, each with its own translator and registered fonts."""

    def __init__(self, t: Translator, workers: int = 1, emergency_number: str = "") -> None:
        self.workers, self.emergency_number = workers, emergency_number
        self._fallback = ThreadRenderer(t, emergency_number)
        self._pool: ProcessPoolExecutor | None = None

    def start(self) -> None:
        # spawn, not fork: this process has threads (the event loop's helpers, the model worker).
        self._pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_prepare_worker,
        )

    async def render(self, document: ReportDocument) -> bytes:
        if self._pool is None:
            return await self._fallback.render(document)
        try:
            return await asyncio.get_running_loop().run_in_executor(
                self._pool, _render_in_worker, document, self.emergency_number
            )
        except BrokenProcessPool:
            # A worker died (killed, out of memory): this PDF and the next ones are made here instead of
            # failing; a restart brings the workers back.
            log.error("the PDF worker process died; rendering on a thread from now on")
            self._pool = None
            return await self._fallback.render(document)

    def stop(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
