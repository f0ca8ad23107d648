"""render_pdf: content, languages, fonts, size, page numbers, threads."""

from __future__ import annotations

import io
import logging
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from casework.pdf.document import DocumentPhoto, ReportDocument
from casework.pdf.fonts import FontSet
from casework.pdf.render import render_pdf
from casework.translator import Translator, emergency_args
from inference.labels import LABELS
from inference.triage import Triage
from tests.pdf.conftest import CASE_ID, HISTORIES, NAMES, synthetic_photo

MakeDoc = Callable[..., ReportDocument]
LANGS = ("ko", "en", "vi")


def squash(text: str) -> str:
    """Extracted text breaks lines wherever the layout wrapped them: compare without whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", text))


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def assert_contains(text: str, *needles: str) -> None:
    haystack = squash(text)
    for needle in needles:
        assert squash(needle) in haystack, f"{needle!r} not in the PDF text"


def font_resources(data: bytes) -> list[dict[str, object]]:
    fonts = []
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/FontDescriptor"].get_object()
            fonts.append({"name": str(font["/BaseFont"]), "embedded": "/FontFile2" in descriptor})
    return fonts


@pytest.fixture(scope="module")
def rendered(fonts: FontSet, translator: Translator, make_doc: MakeDoc) -> dict[str, bytes]:
    return {lang: render_pdf(make_doc(lang, Triage.URGENT), translator, fonts=fonts) for lang in LANGS}


@pytest.mark.parametrize("lang", LANGS)
def test_full_document(
    lang: str, rendered: dict[str, bytes], translator: Translator, artifacts_dir: Path
) -> None:
    data = rendered[lang]
    (artifacts_dir / f"report-{lang}.pdf").write_bytes(data)
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert len(data) < 2 * 1024 * 1024
    reader = PdfReader(io.BytesIO(data))
    for page in reader.pages:
        assert abs(float(page.mediabox.width) - 595.28) < 1 and abs(float(page.mediabox.height) - 841.89) < 1
    text = pdf_text(data)
    t = translator
    labels = [t(lang, f"label-{label}") for label in LABELS]
    assert_contains(
        text,
        t(lang, "pdf-title"),
        t(lang, "pdf-section-patient"),
        t(lang, "pdf-section-classification"),
        NAMES[lang],
        HISTORIES[lang],
        t(lang, "pdf-patient-age-value", age=47),
        CASE_ID,
        CASE_ID[:8],
        *labels,
        t(lang, "pdf-disclaimer"),
        t(lang, "pdf-emergency", **emergency_args("")),
        t(lang, "pdf-probability", value=0.62),
    )
    total = len(reader.pages)
    assert total >= 2
    for number in range(1, total + 1):
        assert_contains(text, t(lang, "pdf-page", page=number, total=total))
    # The characters that would break reportlab's mini-markup are printed literally.
    assert_contains(text, "< 3 cm &", "snake_case_marker", "* ")


@pytest.mark.parametrize(("lang", "number"), [("ko", "119"), ("vi", "115"), ("en", "112")])
def test_the_emergency_line_names_the_deployments_number(
    lang: str, number: str, fonts: FontSet, translator: Translator, make_doc: MakeDoc
) -> None:
    text = pdf_text(render_pdf(make_doc(lang), translator, fonts=fonts, emergency_number=number))
    assert_contains(text, translator(lang, "pdf-emergency", **emergency_args(number)), number)
    without = translator(lang, "pdf-emergency", **emergency_args(""))
    assert squash(without) not in squash(text)


def test_korean_and_vietnamese_text(rendered: dict[str, bytes]) -> None:
    assert_contains(
        pdf_text(rendered["ko"]), "피부 사전 선별 검사 보고서", "환자 정보", "기저세포암", "3주 동안 가려움"
    )
    assert_contains(
        pdf_text(rendered["vi"]), "Chẩn đoán có thể", "Tiền sử bệnh", "Nguyễn Thị Hằng", "chẩn đoán"
    )


@pytest.mark.parametrize("lang", LANGS)
def test_fonts_are_embedded_noto(lang: str, rendered: dict[str, bytes]) -> None:
    fonts = font_resources(rendered[lang])
    assert fonts
    for font in fonts:
        assert font["embedded"], font
        assert re.fullmatch(r"/[A-Z]{6}\+NotoSans(KR)?-(Regular|Bold)", str(font["name"])), font
    names = {str(font["name"]).split("+")[1] for font in fonts}
    expected = "NotoSansKR" if lang == "ko" else "NotoSans"
    assert {f"{expected}-Regular", f"{expected}-Bold"} <= names


@pytest.mark.parametrize(
    ("level", "present", "absent"),
    [
        (Triage.URGENT, ["triage-urgent-title", "triage-urgent", "triage-urgent-why"], ["triage-routine"]),
        (
            Triage.UNCERTAIN,
            ["triage-uncertain-title", "triage-uncertain"],
            ["triage-urgent", "triage-routine"],
        ),
        (Triage.ROUTINE, ["triage-routine-title", "triage-routine"], ["triage-urgent", "triage-uncertain"]),
    ],
)
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_triage_box(
    lang: str,
    level: Triage,
    present: list[str],
    absent: list[str],
    fonts: FontSet,
    translator: Translator,
    make_doc: MakeDoc,
) -> None:
    text = pdf_text(render_pdf(make_doc(lang, level), translator, fonts=fonts))
    assert_contains(text, *(translator(lang, key) for key in present))
    for key in absent:
        assert squash(translator(lang, key)) not in squash(text)
    if level is Triage.UNCERTAIN:
        assert_contains(text, translator(lang, "pdf-classifier-uncertain"))


def test_review_stamp_and_image_not_seen(fonts: FontSet, translator: Translator, make_doc: MakeDoc) -> None:
    stamp = "Reviewed by Clinic Hà Nội on 5 March 2025: benign, routine follow-up"
    doc = make_doc("vi", Triage.ROUTINE, review_stamp=stamp, image_seen_by_model=False)
    text = pdf_text(render_pdf(doc, translator, fonts=fonts))
    assert_contains(text, stamp, translator("vi", "pdf-review-title"), translator("vi", "pdf-image-not-seen"))

    plain = pdf_text(render_pdf(make_doc("vi", Triage.ROUTINE), translator, fonts=fonts))
    assert squash(translator("vi", "pdf-image-not-seen")) not in squash(plain)
    assert squash(translator("vi", "pdf-review-title")) not in squash(plain)


@pytest.mark.parametrize(
    ("lang", "name"), [("vi", "김민지"), ("ko", "Nguyễn Thị Hằng"), ("en", "Trần 김 Smith")]
)
def test_names_in_other_scripts(
    lang: str, name: str, fonts: FontSet, translator: Translator, make_doc: MakeDoc
) -> None:
    data = render_pdf(make_doc(lang, Triage.ROUTINE, patient_name=name), translator, fonts=fonts)
    assert_contains(pdf_text(data), name)
    if re.search(r"[가-힣]", name) and lang != "ko":
        # Hangul is drawn with the KR font as a fallback, not as boxes in Noto Sans.
        assert any("NotoSansKR" in str(font["name"]) for font in font_resources(data))


def test_long_history_and_large_photo(fonts: FontSet, translator: Translator, make_doc: MakeDoc) -> None:
    history = ("Itchy patches on both forearms since childhood, worse in winter. " * 40)[:1990] + " TAIL-MARK"
    big_photo = synthetic_photo((4000, 3000), seed=30)
    assert len(big_photo) > 1_000_000  # the thumbnail step is what keeps the PDF small
    doc = make_doc("en", Triage.ROUTINE, history=history, photos=(DocumentPhoto(big_photo),))
    data = render_pdf(doc, translator, fonts=fonts)
    assert len(data) < 2 * 1024 * 1024
    assert_contains(pdf_text(data), "TAIL-MARK", history[:200])


def test_hostile_input_does_not_crash(fonts: FontSet, translator: Translator, make_doc: MakeDoc) -> None:
    doc = make_doc(
        "en",
        Triage.UNCERTAIN,
        history="\n" * 2000,
        patient_name="<script>&amp;</script> 🙂",
        photos=(DocumentPhoto(b"not an image"),),
        heatmap_png=None,
        report_text="⚠️ **unclosed <b> & </para> \x00\x07 " + "x" * 3000 + "\n\n- \n#\n",
    )
    text = pdf_text(render_pdf(doc, translator, fonts=fonts))
    assert_contains(
        text, "<script>&amp;</script>", translator("en", "pdf-photo-unreadable"), "**unclosed <b> & </para>"
    )


def test_parallel_renders(fonts: FontSet, translator: Translator, make_doc: MakeDoc) -> None:
    docs = [
        make_doc(lang, Triage.ROUTINE, patient_name=f"{NAMES[lang]} #{i}") for i, lang in enumerate(LANGS * 2)
    ]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda d: render_pdf(d, translator, fonts=fonts), docs))
    for doc, data in zip(docs, results, strict=True):
        assert_contains(pdf_text(data), doc.patient_name, translator(doc.language, "pdf-title"))


def test_no_patient_data_in_logs(
    fonts: FontSet, translator: Translator, make_doc: MakeDoc, caplog: pytest.LogCaptureFixture
) -> None:
    doc = make_doc("en", Triage.URGENT)
    with caplog.at_level(logging.DEBUG):
        render_pdf(doc, translator, fonts=fonts)
    assert caplog.records  # the render does log, so the check below means something
    assert doc.patient_name not in caplog.text and doc.history not in caplog.text
    assert doc.patient_name not in repr(doc)


def test_document_validation(make_doc: MakeDoc) -> None:
    doc = make_doc("en")
    with pytest.raises(ValueError):
        replace(doc, created_at=datetime(2025, 3, 4, 14, 5))
    with pytest.raises(ValueError):
        replace(doc, case_id="short")
    with pytest.raises(ValueError):
        replace(doc, language="fr")


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) not installed")
@pytest.mark.parametrize("lang", LANGS)
def test_png_artefact(lang: str, rendered: dict[str, bytes], artifacts_dir: Path) -> None:
    pdf = artifacts_dir / f"report-{lang}.pdf"
    pdf.write_bytes(rendered[lang])
    prefix = artifacts_dir / f"report-{lang}"
    subprocess.run(["pdftoppm", "-r", "80", "-png", "-f", "1", "-l", "2", str(pdf), str(prefix)], check=True)
    pngs = sorted(artifacts_dir.glob(f"report-{lang}-*.png"))
    assert pngs and all(p.stat().st_size > 10_000 for p in pngs)
