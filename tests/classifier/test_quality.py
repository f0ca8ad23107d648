"""The photo quality gate on crafted images, and its Fluent messages in every locale."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from fluent.syntax import FluentParser, ast
from PIL import Image, ImageFilter

from inference.quality import QualityIssue, QualityThresholds, check_quality, laplacian_variance, measure

LOCALES_DIR = Path(__file__).resolve().parents[2] / "locales"


def good_photo(side: int = 512, seed: int = 0) -> Image.Image:
    """Skin-toned, mid-brightness, with edges: blotches and pores over a smooth shading."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:side, 0:side].astype(np.float32) / side
    shading = 0.85 + 0.3 * xx
    pixels = np.array([200, 150, 130], dtype=np.float32) * shading[..., None]
    for _ in range(40):
        cy, cx, r = rng.uniform(0, 1), rng.uniform(0, 1), rng.uniform(0.01, 0.05)
        mask = (yy - cy) ** 2 + (xx - cx) ** 2 < r**2
        pixels[mask] *= rng.uniform(0.55, 0.8)
    pixels += rng.normal(0, 8, size=pixels.shape)
    return Image.fromarray(pixels.clip(0, 255).astype(np.uint8))


def test_good_photo_passes() -> None:
    assert check_quality(good_photo()) == []


def test_good_photo_passes_at_any_resolution() -> None:
    photo = good_photo(1024)
    assert check_quality(photo) == []
    assert check_quality(photo.resize((300, 300), Image.Resampling.LANCZOS)) == []


def test_black_image_is_too_dark() -> None:
    black = Image.new("RGB", (512, 512), (0, 0, 0))
    assert QualityIssue.TOO_DARK in check_quality(black)


def test_dim_photo_is_too_dark() -> None:
    dim = Image.eval(good_photo(), lambda v: v // 6)
    assert check_quality(dim) == [QualityIssue.TOO_DARK]


def test_white_image_is_too_bright() -> None:
    white = Image.new("RGB", (512, 512), (255, 255, 255))
    issues = check_quality(white)
    assert QualityIssue.TOO_BRIGHT in issues
    assert QualityIssue.TOO_DARK not in issues


def test_blurred_photo_is_blurry() -> None:
    photo = good_photo()
    assert QualityIssue.BLURRY not in check_quality(photo)
    assert check_quality(photo.filter(ImageFilter.GaussianBlur(6))) == [QualityIssue.BLURRY]


def test_tiny_image_is_too_small() -> None:
    tiny = good_photo(512).resize((100, 160), Image.Resampling.LANCZOS)
    assert QualityIssue.TOO_SMALL in check_quality(tiny)


def test_min_side_counts_the_shorter_side() -> None:
    wide = good_photo(1024).resize((1024, 200), Image.Resampling.LANCZOS)
    assert QualityIssue.TOO_SMALL in check_quality(wide)
    assert QualityIssue.TOO_SMALL not in check_quality(wide, QualityThresholds(min_side=150))


def test_flat_colour_is_flat_not_blurry() -> None:
    flat = Image.new("RGB", (512, 512), (180, 140, 120))
    assert check_quality(flat) == [QualityIssue.FLAT]


def test_thresholds_are_settings() -> None:
    photo = good_photo()
    brightness = measure(photo).brightness
    strict = QualityThresholds(min_brightness=brightness + 1)
    assert check_quality(photo, strict) == [QualityIssue.TOO_DARK]
    lenient = QualityThresholds(min_sharpness=0.0)
    assert QualityIssue.BLURRY not in check_quality(photo.filter(ImageFilter.GaussianBlur(6)), lenient)


def test_transparent_png_is_judged_on_white() -> None:
    rgba = Image.new("RGBA", (512, 512), (0, 0, 0, 0))
    assert QualityIssue.TOO_DARK not in check_quality(rgba)


def test_laplacian_variance_sees_edges() -> None:
    edge = np.zeros((20, 20), dtype=np.uint8)
    edge[:, 10:] = 255
    assert laplacian_variance(Image.fromarray(edge)) > 0
    assert laplacian_variance(Image.new("L", (20, 20), 128)) == 0


def test_message_ids() -> None:
    assert QualityIssue.TOO_SMALL.message_id == "quality-too-small"
    assert QualityIssue.TOO_SMALL.tip_id == "quality-too-small-tip"


@pytest.mark.parametrize("locale", ["en", "ko", "vi"])
def test_every_issue_has_reason_and_tip(locale: str) -> None:
    resource = FluentParser().parse((LOCALES_DIR / locale / "quality.ftl").read_text(encoding="utf-8"))
    assert not [e for e in resource.body if isinstance(e, ast.Junk)], "syntax errors in the .ftl file"
    messages = {e.id.name: e for e in resource.body if isinstance(e, ast.Message)}
    for issue in QualityIssue:
        for message_id in (issue.message_id, issue.tip_id):
            assert message_id in messages, f"{locale}: {message_id} missing"
            assert messages[message_id].value is not None


def test_translations_are_not_english_copies() -> None:
    def texts(locale: str) -> dict[str, str]:
        resource = FluentParser().parse((LOCALES_DIR / locale / "quality.ftl").read_text(encoding="utf-8"))
        return {
            e.id.name: "".join(p.value for p in e.value.elements if isinstance(p, ast.TextElement))
            for e in resource.body
            if isinstance(e, ast.Message) and e.value is not None
        }

    en, ko, vi = texts("en"), texts("ko"), texts("vi")
    for message_id, english in en.items():
        assert ko[message_id] != english and vi[message_id] != english
        assert any("\uac00" <= ch <= "\ud7a3" for ch in ko[message_id]), f"ko {message_id} has no Hangul"
