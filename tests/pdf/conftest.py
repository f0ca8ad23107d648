"""Fixtures for PDF tests: the fonts (cached where the bot caches them), a synthetic case."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PIL import Image, ImageDraw, ImageFilter

from casework.pdf.document import DocumentPhoto, ReportDocument
from casework.pdf.fonts import ensure_fonts
from casework.translator import Translator
from inference.labels import Classification
from inference.triage import Triage, triage

TESTS_DIR = Path(__file__).resolve().parent.parent
ARTIFACTS = TESTS_DIR / "artifacts"

CASE_ID = "3f2a9c1be0d84f6a9b7c5e1d2a4f6b80"

# Markdown-ish model output: headings in three styles, bullets, and characters that must survive
# reportlab's mini-markup: < & * _ and an unclosed **.
REPORT_TEXT = """## 1. Visual observations
A reddish, raised patch about 2 cm wide with a pearly border. Size < 3 cm & stable for 2 weeks.

**2. Possible conditions**
- **Basal cell carcinoma**: pearly edge, fine vessels
- Actinic keratosis * less likely, snake_case_marker stays
* Eczema: unlikely because the patch is not itchy

3. Recommendations
Please see a dermatologist within two weeks. Broken **markdown here stays visible.
"""

REPORT_KO = """## 1. 육안 소견
약 2 cm 크기의 붉고 약간 솟은 병변이 있으며 가장자리가 진주빛을 띱니다. 크기 < 3 cm & 2주간 변화 없음.

**2. 가능한 질환**
- **기저세포암**: 진주빛 가장자리, 가는 혈관
- 광선각화증 * 가능성 낮음, snake_case_marker 유지

3. 권고 사항
2주 이내에 피부과 전문의의 진료를 받으세요.
"""

REPORT_VI = """## 1. Quan sát bằng mắt
Một mảng đỏ, hơi gồ lên, rộng khoảng 2 cm, bờ óng như ngọc trai. Kích thước < 3 cm & ổn định trong 2 tuần.

**2. Chẩn đoán có thể**
- **Ung thư biểu mô tế bào đáy**: bờ óng ánh, mạch máu nhỏ
- Dày sừng quang hóa * ít khả năng, snake_case_marker vẫn còn

3. Khuyến nghị
Hãy đi khám bác sĩ da liễu trong vòng hai tuần.
"""

REPORTS = {"en": REPORT_TEXT, "ko": REPORT_KO, "vi": REPORT_VI}
NAMES = {"en": "Jane <Doe> & Co", "ko": "김민지", "vi": "Nguyễn Thị Hằng"}
HISTORIES = {
    "en": "Itchy for 3 weeks; uses hydrocortisone 1% cream. Allergic to penicillin & latex.",
    "ko": "3주 동안 가려움. 하이드로코르티손 1% 크림 사용 중. 페니실린 알레르기 있음.",
    "vi": "Ngứa 3 tuần nay; đang dùng kem hydrocortisone 1%. Dị ứng với penicillin.",
}
ZONES = {"en": "Europe/London", "ko": "Asia/Seoul", "vi": "Asia/Ho_Chi_Minh"}


def synthetic_photo(size: tuple[int, int] = (1600, 1200), seed: int = 0) -> bytes:
    """A skin-toned photo with a lesion, noisy enough to compress like a real one."""
    image = Image.new("RGB", size, (224, 180, 150))
    draw = ImageDraw.Draw(image)
    w, h = size
    draw.ellipse((w * 0.35, h * 0.3, w * 0.6, h * 0.65), fill=(170, 70, 70), outline=(120, 40, 40), width=8)
    noise = Image.effect_noise(size, 40 + seed).convert("RGB")
    image = Image.blend(image, noise, 0.15).filter(ImageFilter.GaussianBlur(1))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92)
    return out.getvalue()


def synthetic_heatmap(size: tuple[int, int] = (448, 448)) -> bytes:
    image = Image.radial_gradient("L").resize(size)
    coloured = Image.merge("RGB", (Image.eval(image, lambda v: 255 - v), Image.new("L", size, 60), image))
    out = io.BytesIO()
    coloured.save(out, "PNG")
    return out.getvalue()


# Probabilities in LABELS order: acne, carcinoma, eczema, keratosis, milia, rosacea.
PROBS = {
    Triage.URGENT: (0.05, 0.62, 0.08, 0.2, 0.02, 0.03),
    Triage.ROUTINE: (0.81, 0.02, 0.07, 0.04, 0.04, 0.02),
    Triage.UNCERTAIN: (0.3, 0.05, 0.28, 0.12, 0.1, 0.15),
}


@pytest.fixture(scope="session")
def translator() -> Translator:
    # Not the root conftest's `t`: the PDF tests name a function-scoped `t` of their own after it.
    return Translator()


# Made once a session, each by its function with the defaults. The bot under test registers its fonts from
# the default cache, and a process registers them once, from whichever cache asks first: one cache for both,
# so no worker instances them twice.
fonts = pytest.fixture(ensure_fonts, scope="session", name="fonts")
photo = pytest.fixture(synthetic_photo, scope="session", name="photo")
heatmap = pytest.fixture(synthetic_heatmap, scope="session", name="heatmap")


def build_doc(
    photo: bytes, heatmap: bytes | None, language: str = "en", level: Triage = Triage.URGENT, **changes: Any
) -> ReportDocument:
    classification = Classification(PROBS[level], uncertain=level is Triage.UNCERTAIN)
    assert triage(classification) is level  # the fixture data must mean what the test says
    doc = ReportDocument(
        case_id=CASE_ID,
        created_at=datetime(2025, 3, 4, 14, 5, tzinfo=ZoneInfo(ZONES[language])),
        language=language,
        patient_name=NAMES[language],
        age=47,
        gender="female",
        history=HISTORIES[language],
        photos=(DocumentPhoto(photo),),
        classification=classification,
        triage=level,
        report_text=REPORTS[language],
        heatmap_png=heatmap,
    )
    return replace(doc, **changes)


@pytest.fixture(scope="session")
def make_doc(photo: bytes, heatmap: bytes) -> Callable[..., ReportDocument]:
    return partial(build_doc, photo, heatmap)


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
