"""The report's opening summary: in its own box on the first page, and not repeated in the report."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader

from casework.pdf.document import ReportDocument
from casework.pdf.fonts import FontSet
from casework.pdf.render import render_pdf
from casework.translator import Translator
from inference.triage import Triage
from tests.pdf.conftest import REPORTS
from tests.pdf.test_pdf_render import squash

SUMMARIES = {
    "en": "## Summary\nMost likely a basal cell carcinoma. See a dermatologist within days.\n\n",
    "ko": "## 요약\n기저세포암일 가능성이 가장 높습니다. 며칠 안에 피부과 진료를 받고 긁지 마십시오.\n\n",
    "vi": "## Tóm tắt\nCó khả năng cao nhất là ung thư biểu mô tế bào đáy. Hãy đi khám sớm.\n\n",
}


def pages(data: bytes) -> list[str]:
    return [squash(page.extract_text() or "") for page in PdfReader(io.BytesIO(data)).pages]


@pytest.mark.parametrize("lang", ["ko", "en", "vi"])
def test_summary_box_on_page_one(
    lang: str, fonts: FontSet, translator: Translator, make_doc: Callable[..., ReportDocument]
) -> None:
    body = SUMMARIES[lang].split("\n")[1]
    doc = make_doc(lang, Triage.URGENT, report_text=SUMMARIES[lang] + REPORTS[lang])
    text = pages(render_pdf(doc, translator, fonts=fonts))
    first = text[0]
    title = squash(translator(lang, "pdf-summary-title"))
    assert title + squash(body) in first  # the box: its title, then the summary
    # Above the patient's details, under the triage box.
    assert first.index(squash(body)) < first.index(squash(translator(lang, "pdf-section-patient")))
    assert first.index(squash(translator(lang, "pdf-section-triage"))) < first.index(title)
    everything = "".join(text)
    assert everything.count(squash(body)) == 1  # not printed again in the report section
    assert squash(REPORTS[lang].split("\n")[1]) in everything  # the rest of the report is all there


def test_no_summary_no_box(
    fonts: FontSet, translator: Translator, make_doc: Callable[..., ReportDocument]
) -> None:
    text = "".join(pages(render_pdf(make_doc("en", Triage.ROUTINE), translator, fonts=fonts)))
    assert squash(translator("en", "pdf-summary-title")) not in text
    assert squash(REPORTS["en"].split("\n")[1]) in text


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) not installed")
def test_summary_png_artefact(
    fonts: FontSet, translator: Translator, make_doc: Callable[..., ReportDocument], artifacts_dir: Path
) -> None:
    """Page one as a PNG under tests/artifacts, to look at on a phone-sized screen."""
    doc = make_doc("vi", Triage.ROUTINE, report_text=SUMMARIES["vi"] + REPORTS["vi"])
    pdf = artifacts_dir / "report-summary-vi.pdf"
    pdf.write_bytes(render_pdf(doc, translator, fonts=fonts))
    prefix = artifacts_dir / "report-summary-vi"
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(pdf), str(prefix)], check=True)
    assert any(p.stat().st_size > 10_000 for p in artifacts_dir.glob("report-summary-vi-*.png"))
