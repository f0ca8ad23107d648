"""A photo that is not skin gets no report, in the chat and in `skinbot diagnose`; the PDF's skin-tone note
says what the sidecar measured and nothing more."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from fluent.syntax import FluentParser, ast
from PIL import Image
from pypdf import PdfReader

from casework.case_messages import quality_lines
from casework.pdf.render import render_pdf
from casework.translator import LOCALES_DIR, Translator
from conversations.intake_state import Step
from inference.sidecar import MIN_GROUP_IMAGES, OutOfDistribution, load_sidecar, save_sidecar
from inference.skin_gate import NOT_SKIN
from skinbot.cli import main
from tests.bot.helpers import new_photo_to_summary
from tests.bot.test_report_delivery import _scripted_case
from tests.classifier.skin_images import skimage_photo
from tests.conftest import Harness, skin_photo
from tests.model_env import use_tiny_models
from tests.pdf.conftest import build_doc, synthetic_photo

LANGS = ("en", "ko", "vi")


def jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92)
    return out.getvalue()


@pytest.mark.parametrize("lang", LANGS)
def test_not_skin_has_its_own_header_and_tip(t: Translator, lang: str) -> None:
    lines = quality_lines(t, lang, (NOT_SKIN,))
    assert lines == [t(lang, "scores-not-skin"), t(lang, "scores-not-skin-tip")]
    assert t(lang, "quality-rejected") not in lines


def test_scores_messages_are_translated() -> None:
    def texts(lang: str) -> dict[str, str]:
        resource = FluentParser().parse((LOCALES_DIR / lang / "scores.ftl").read_text(encoding="utf-8"))
        assert not [e for e in resource.body if isinstance(e, ast.Junk)]
        return {
            e.id.name: "".join(p.value for p in e.value.elements if isinstance(p, ast.TextElement))
            for e in resource.body
            if isinstance(e, ast.Message) and e.value is not None
        }

    en, ko, vi = texts("en"), texts("ko"), texts("vi")
    assert set(en) == set(ko) == set(vi)
    for key, english in en.items():
        assert ko[key] != english and vi[key] != english, key
        assert any("\uac00" <= ch <= "\ud7a3" for ch in ko[key]), f"ko {key} has no Hangul"


def pdf_text(data: bytes) -> str:
    return " ".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(data)).pages)


def squash(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize("lang", LANGS)
def test_pdf_names_only_the_tones_that_were_evaluated(t: Translator, lang: str) -> None:
    photo = synthetic_photo((400, 300))
    doc = build_doc(photo, None, language=lang)
    evaluated = dataclasses.replace(doc.classification, evaluated_tones=("light", "intermediate"))
    text = squash(pdf_text(render_pdf(dataclasses.replace(doc, classification=evaluated), t)))
    names = ", ".join(t(lang, f"scores-tone-{key}") for key in ("light", "intermediate"))
    assert squash(t(lang, "scores-pdf-tones-evaluated", groups=names, min=MIN_GROUP_IMAGES)) in text
    assert squash(t(lang, "scores-tone-dark")) not in text
    never = squash(pdf_text(render_pdf(doc, t)))  # weights never evaluated per skin tone
    assert squash(t(lang, "scores-pdf-tones-unmeasured")) in never
    assert squash(t(lang, "scores-tone-light")) not in never


async def _rejected_with(harness: Harness, photo: bytes, weights: Path) -> None:
    """Run a case with this photo; the chat must say "not skin", write no report and ask for another photo."""
    # Unchecked at upload, where colour alone would turn a rocket back: the worker's gates decide here.
    user, case_id = await _scripted_case(harness, photo, weights, "never written", unchecked=True)
    header = harness.t("en", "scores-not-skin")
    await harness.wait_until(lambda: any(m.text and m.text.startswith(header) for m in user.inbox()), 60)
    rejection = next(m for m in user.inbox() if m.text and m.text.startswith(header))
    assert harness.t("en", "scores-not-skin-tip") in rejection.text
    assert harness.t("en", "quality-send-another") in rejection.text
    assert harness.t("en", "quality-rejected") not in rejection.text
    texts = [m.text or "" for m in user.inbox()]
    assert not any(harness.t("en", "classification-title") in text for text in texts)
    assert not any("never written" in text for text in texts)
    assert not any(m.document for m in user.inbox())
    case = await harness.services.store.cases.get(user.id, case_id)
    assert case is not None and case.status == "rejected" and case.error == NOT_SKIN
    intake = await harness.services.store.intakes.load(user.id)
    assert intake is not None and intake.step == Step.PHOTO and intake.draft.photos == ()
    # A photo of skin, and then "Done", go straight back to the summary: the other answers were kept.
    await new_photo_to_summary(harness, user, skin_photo(seed=3))


async def test_chat_a_photo_of_a_rocket(harness: Harness, tone_weights_copy: Path) -> None:
    """Turned back by colour, before the classifier runs."""
    await _rejected_with(harness, jpeg(skimage_photo("rocket")), tone_weights_copy)


async def test_chat_a_photo_the_classifier_finds_unfamiliar(
    harness: Harness, tone_weights_copy: Path
) -> None:
    """Skin-coloured, so the colour check passes; the classifier's calibrated score is below the threshold."""
    sidecar = load_sidecar(tone_weights_copy)
    assert sidecar is not None
    save_sidecar(tone_weights_copy, dataclasses.replace(sidecar, ood=OutOfDistribution(threshold=1.0)))
    await _rejected_with(harness, skin_photo(seed=9), tone_weights_copy)


Diagnose = Callable[..., tuple[int, str, bool]]


@pytest.fixture
def diagnose(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    tone_weights_copy: Path,
    tiny_gemma_dir: Path,
    capsys: pytest.CaptureFixture[str],
) -> Diagnose:
    """`skinbot diagnose` on one photo with the tiny models: (exit code, what it printed, PDF written)."""

    def run(photo: bytes, lang: str, **env: str) -> tuple[int, str, bool]:
        use_tiny_models(monkeypatch, tmp_path, tone_weights_copy, tiny_gemma_dir, **env)
        path, out = tmp_path / "photo.jpg", tmp_path / "report.pdf"
        path.write_bytes(photo)
        code = main(
            ["diagnose", str(path), "--age", "40", "--gender", "male", "--lang", lang, "--out", str(out)]
        )
        return code, capsys.readouterr().out, out.exists()

    return run


def test_diagnose_writes_no_report_for_a_photo_that_is_not_skin(diagnose: Diagnose, t: Translator) -> None:
    code, printed, pdf = diagnose(jpeg(skimage_photo("coins")), "vi")
    assert code == 1
    assert t("vi", "scores-not-skin") in printed and t("vi", "scores-not-skin-tip") in printed
    assert t("vi", "classification-title") not in printed
    assert not pdf


@pytest.mark.parametrize(("min_yes", "reported"), [("1.0", False), ("0", True)])
def test_diagnose_asks_the_report_model_whether_the_photo_is_skin(
    min_yes: str, reported: bool, diagnose: Diagnose, tone_weights_copy: Path, t: Translator
) -> None:
    """A skin photo that passes colour and classifier; the tiny random Gemma's P(yes) is about a half, so a
    threshold of 1 turns it back and 0 (the question off) lets it through to a report."""
    sidecar = load_sidecar(tone_weights_copy)
    assert sidecar is not None
    save_sidecar(tone_weights_copy, dataclasses.replace(sidecar, ood=None))
    code, printed, pdf = diagnose(skin_photo(seed=4), "ko", SKINBOT_SKIN_QUESTION_MIN_YES=min_yes)
    assert (t("ko", "scores-not-skin") in printed) is not reported
    assert (t("ko", "classification-title") in printed) is reported
    assert pdf is reported
    assert code == (0 if reported else 1)
