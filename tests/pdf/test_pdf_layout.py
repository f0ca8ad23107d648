"""How the longest PDF looks in each language: a follow-up of three photos, reviewed, cut short, the image
unseen by the model. A heading never ends a page without its text, and a condition's name is not broken
across lines in the score tables, whose number columns have room to spare."""

from __future__ import annotations

import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from casework.pdf.document import DocumentPhoto, EarlierCase, ReportDocument
from casework.pdf.fonts import FontSet
from casework.pdf.render import render_pdf
from casework.translator import Translator
from inference.labels import LABELS, Classification
from inference.triage import Triage
from tests.pdf.conftest import PROBS, REPORTS, build_doc, synthetic_heatmap, synthetic_photo

LANGS = ("ko", "en", "vi")
FOOTER_LINES = 2  # the footer's case id and page number close every page's text


def longest_doc(lang: str, t: Translator, per_photo: bool = True) -> ReportDocument:
    photos = [synthetic_photo(seed=seed) for seed in (1, 2, 3)]
    each = [Classification(PROBS[Triage.URGENT]), Classification((0.1, 0.5, 0.1, 0.2, 0.05, 0.05))] * 2
    result = Classification.mean(each[:3])
    stamp = t(
        lang, "review-stamp", clinic="Hanoi Skin Clinic", date="2025-03-05", verdict=t(lang, "verdict-visit")
    )
    return build_doc(
        photos[0],
        synthetic_heatmap(),
        lang,
        Triage.URGENT,
        photos=tuple(
            DocumentPhoto(p, kind, c)
            for p, kind, c in zip(photos, ("close_up", "overview", "extra"), each, strict=False)
        ),
        classification=result if per_photo else Classification(PROBS[Triage.URGENT]),
        body_site="genital",
        review_stamp=stamp,
        report_cut=True,
        image_seen_by_model=False,
        earlier=EarlierCase(datetime(2025, 1, 2, 9, 0, tzinfo=ZoneInfo("Asia/Seoul")), photos[0], each[1]),
    )


def page_lines(data: bytes) -> list[list[str]]:
    return [(page.extract_text() or "").splitlines() for page in PdfReader(io.BytesIO(data)).pages]


@pytest.fixture(scope="module")
def pages(fonts: FontSet, translator: Translator) -> dict[str, list[list[str]]]:
    return {
        lang: page_lines(render_pdf(longest_doc(lang, translator), translator, fonts=fonts)) for lang in LANGS
    }


def headings(lang: str, t: Translator) -> set[str]:
    marked = re.compile(r"^(#{1,6} |\*\*|\d+\. )")  # the fixture report's headings, in its three styles
    written = {line.strip("#* ").strip() for line in REPORTS[lang].splitlines() if marked.match(line)}
    keys = ("pdf-section-patient", "pdf-section-photos", "pdf-section-report", "pdf-per-photo-title")
    return {h for h in written if h} | {t(lang, key) for key in keys}


@pytest.mark.parametrize("per_photo", [True, False])
@pytest.mark.parametrize("lang", LANGS)
def test_no_page_ends_with_a_heading(
    lang: str, per_photo: bool, fonts: FontSet, translator: Translator
) -> None:
    pages = page_lines(render_pdf(longest_doc(lang, translator, per_photo), translator, fonts=fonts))
    assert len(pages) > 2
    titles = headings(lang, translator)
    for number, lines in enumerate(pages[:-1], start=1):
        last = lines[-FOOTER_LINES - 1].strip()
        assert last not in titles, f"{lang}: page {number} ends with the heading {last!r}"


@pytest.mark.parametrize("lang", LANGS)
def test_condition_names_stay_on_one_line(
    lang: str, pages: dict[str, list[list[str]]], translator: Translator
) -> None:
    """Each name starts a row of three tables (the mean, the scores per photo, the follow-up); a name broken
    in two starts its row with a part of it only. The top class carries its "most likely" on the same line."""
    lines = [line.strip() for page in pages[lang] for line in page]
    top = translator(lang, "label-carcinoma")
    assert f"{top} · {translator(lang, 'pdf-top-class')}" in lines
    for label in LABELS:
        name = translator(lang, f"label-{label}")
        rows = [line for line in lines if line.startswith(name)]
        assert len(rows) >= 3, f"{lang}: {name!r} is broken across lines: {rows}"


@pytest.mark.parametrize("lang", LANGS)
def test_column_headings_stay_on_one_line(
    lang: str, pages: dict[str, list[list[str]]], translator: Translator
) -> None:
    lines = [line.strip() for page in pages[lang] for line in page]
    title = translator(lang, "pdf-section-classification")
    lines = lines[next(i for i, line in enumerate(lines) if line.startswith(title)) :]  # past the captions
    headings = [translator(lang, "pdf-col-confidence")]
    for number, kind in enumerate(("close-up", "overview", "extra"), start=1):
        name = translator(lang, f"photo-kind-{kind}")
        headings.append(translator(lang, "pdf-photo-kind", number=number, kind=name[:1].upper() + name[1:]))
    for heading in headings:
        assert any(line.startswith(heading) for line in lines), f"{lang}: the heading {heading!r} is broken"
