"""The PDF of a case with several photos (each photo's scores and their mean, the body site) and of a
follow-up (earlier and current photos side by side, both sets of scores, the dates), in ko, en and vi.

The PNG artefacts (tests/artifacts/clinical-*.png) are rendered at a phone's width for a person to look at.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from pypdf import PdfReader

from casework.pdf.document import DocumentPhoto, EarlierCase, ReportDocument
from casework.pdf.fonts import FontSet
from casework.pdf.render import render_pdf
from casework.translator import Translator
from inference.labels import Classification
from inference.triage import Triage, triage
from tests.pdf.conftest import build_doc, synthetic_photo
from tests.pdf.test_pdf_render import assert_contains, pdf_text, squash

LANGS = ("ko", "en", "vi")
CLOSE_UP = Classification((0.05, 0.03, 0.70, 0.12, 0.05, 0.05))
OVERVIEW = Classification((0.15, 0.05, 0.40, 0.30, 0.05, 0.05))
MEAN = Classification.mean([CLOSE_UP, OVERVIEW])  # eczema 55 %, keratosis 21 %
EARLIER = Classification((0.10, 0.02, 0.30, 0.48, 0.05, 0.05))  # keratosis on top then
THEN = datetime(2025, 1, 20, 9, 30, tzinfo=ZoneInfo("UTC"))


def two_photos(lang: str, heatmap: bytes | None) -> ReportDocument:
    assert triage(MEAN) is Triage.ROUTINE
    photos = (
        DocumentPhoto(synthetic_photo(seed=1), "close_up", CLOSE_UP),
        DocumentPhoto(synthetic_photo((1200, 1600), seed=2), "overview", OVERVIEW),
    )
    return build_doc(
        synthetic_photo(), heatmap, lang, Triage.ROUTINE, photos=photos, classification=MEAN, body_site="arm"
    )


def follow_up(lang: str, heatmap: bytes | None, earlier_photo: bytes | None) -> ReportDocument:
    return replace(two_photos(lang, heatmap), earlier=EarlierCase(THEN, earlier_photo, EARLIER))


@pytest.fixture(scope="module")
def docs(fonts: FontSet, translator: Translator, heatmap: bytes) -> dict[tuple[str, str], bytes]:
    earlier = synthetic_photo(seed=5)
    out = {}
    for lang in LANGS:
        out[(lang, "two")] = render_pdf(two_photos(lang, heatmap), translator, fonts=fonts)
        out[(lang, "follow-up")] = render_pdf(follow_up(lang, heatmap, earlier), translator, fonts=fonts)
    return out


@pytest.fixture(params=LANGS)
def lang(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def t(lang: str, translator: Translator) -> Callable[..., str]:
    """The translator in the test's language."""
    return lambda key, **args: translator(lang, key, **args)


def images_on(data: bytes) -> list[int]:
    """How many pictures each page draws."""
    return [len(page.images) for page in PdfReader(io.BytesIO(data)).pages]


def test_two_photos_show_each_photos_scores_and_the_mean(
    lang: str, t: Callable[..., str], docs: dict[tuple[str, str], bytes]
) -> None:
    data = docs[(lang, "two")]
    assert len(data) < 2 * 1024 * 1024
    text = pdf_text(data)
    assert_contains(
        text,
        t("pdf-section-photos"),
        t("pdf-photo-kind", number=1, kind=t("photo-kind-close-up").capitalize()),
        t("pdf-photo-kind", number=2, kind=t("photo-kind-overview").capitalize()),
        t("pdf-per-photo-title"),
        t("pdf-col-mean"),
        t("pdf-mean-of-photos", count=2),
        t("pdf-patient-site"),
        t("site-arm"),
    )
    # Each photo's own score and their mean: eczema 70 % on the close-up, 40 % on the overview, 55 % mean.
    for value in (0.70, 0.40, 0.55):
        assert_contains(text, t("pdf-probability", value=value))
    assert sum(images_on(data)) == 3  # two photos and the heatmap


def test_a_follow_up_shows_the_earlier_and_current_photos_and_scores_with_dates(
    lang: str, t: Callable[..., str], docs: dict[tuple[str, str], bytes]
) -> None:
    data = docs[(lang, "follow-up")]
    text = pdf_text(data)
    then, now = "2025-01-20", "2025-03-04"
    assert_contains(
        text,
        t("pdf-section-follow-up", date=then),
        t("pdf-earlier-caption", date=then),
        t("pdf-now-caption", date=now),
        t("pdf-col-then", date=then),
        t("pdf-col-now", date=now),
        t("pdf-follow-up-note"),
    )
    # Eczema went from 30 % to 55 % (+25 points), keratosis from 48 % to 21 % (-27 points).
    assert_contains(text, t("pdf-change-points", sign="+", points=25.0))
    assert_contains(text, t("pdf-change-points", sign="−", points=27.0))
    assert_contains(text, t("pdf-probability", value=0.48))
    assert sum(images_on(data)) == 5  # two photos, the heatmap, then the earlier and current close-ups
    # The comparison comes before the model's text, so the doctor sees the change first.
    order = squash(text)
    assert order.index(squash(t("pdf-section-follow-up", date=then))) < order.index(
        squash(t("pdf-section-report"))
    )


def test_a_follow_up_whose_earlier_photo_is_gone_says_so(
    fonts: FontSet, translator: Translator, heatmap: bytes
) -> None:
    data = render_pdf(follow_up("en", heatmap, None), translator, fonts=fonts)
    assert_contains(pdf_text(data), translator("en", "pdf-earlier-photo-gone"))
    assert sum(images_on(data)) == 4


def test_one_photo_has_no_per_photo_table_and_says_when_no_body_site(
    fonts: FontSet, translator: Translator, heatmap: bytes
) -> None:
    doc = build_doc(synthetic_photo(), heatmap, "en", Triage.ROUTINE)
    text = pdf_text(render_pdf(doc, translator, fonts=fonts))
    assert squash(translator("en", "pdf-per-photo-title")) not in squash(text)
    assert_contains(text, translator("en", "pdf-photo-caption"), translator("en", "pdf-site-none"))


def test_the_document_checks_photos_and_body_site() -> None:
    doc = two_photos("en", None)
    with pytest.raises(ValueError):
        replace(doc, photos=())
    with pytest.raises(ValueError):
        replace(doc, photos=doc.photos * 2)
    with pytest.raises(ValueError):
        replace(doc, body_site="tail")
    with pytest.raises(ValueError):
        DocumentPhoto(b"", "selfie")


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) not installed")
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", ["two", "follow-up"])
def test_png_at_a_phone_width(
    lang: str, kind: str, docs: dict[tuple[str, str], bytes], artifacts_dir: Path
) -> None:
    pdf = artifacts_dir / f"clinical-{kind}-{lang}.pdf"
    pdf.write_bytes(docs[(lang, kind)])
    prefix = artifacts_dir / f"clinical-{kind}-{lang}"
    # 1080 px across the A4 page: a phone screen's width in device pixels.
    subprocess.run(
        ["pdftoppm", "-scale-to-x", "1080", "-scale-to-y", "-1", "-png", str(pdf), str(prefix)], check=True
    )
    pngs = sorted(artifacts_dir.glob(f"clinical-{kind}-{lang}-*.png"))
    assert pngs
    for png in pngs:
        with Image.open(png) as page:
            assert page.width == 1080
