"""The REST API over HTTP: a real uvicorn on 127.0.0.1 inside the real bot, the trained tiny classifier,
and a scripted report writer whose text is known in advance."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

import skinbot.inference_setup
from inference.labels import LABELS, Classification
from testkit.skin_photos import skin_photo
from tests.conftest import Harness
from tests.fakes import FixedClassifier, ScriptedWriter
from tests.web.helpers import client, form, jpeg, new_key, use_tiny_models, with_web

CARCINOMA = Classification((0.1, 0.6, 0.1, 0.1, 0.05, 0.05))  # an urgent referral
REPORT = "## Summary\nSmall inflamed papules on the cheek.\n\n## Care\nWash gently twice a day."


async def start_api(h: Harness, weights: Path, writer: ScriptedWriter | None = None) -> tuple[int, str]:
    """The bot with its API on the tiny models, started, and a new key for it: the key's id and secret."""
    chosen = writer or ScriptedWriter(script=lambda request: REPORT)
    use_tiny_models(h, weights, lambda services: chosen)
    with_web(h)
    await h.start()
    return await new_key(h)


async def answered(h: Harness, secret: str, path: str, seed: int, language: str) -> dict:
    """The JSON of a 200 answer to a form with a generated skin photo."""
    data, files = form(skin_photo(seed=seed), language=language)
    async with client(h, secret) as http:
        response = await http.post(path, data=data, files=files)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("lang", ["ko", "en", "vi"])
async def test_classify_gives_scores_quality_and_triage_in_the_language(
    harness: Harness, trained_classifier_weights: Path, lang: str
) -> None:
    writer = ScriptedWriter(script=lambda request: REPORT)
    _, secret = await start_api(harness, trained_classifier_weights, writer)
    body = await answered(harness, secret, "/api/v1/classify", seed=1, language=lang)
    assert set(body["scores"]) == set(LABELS)
    assert sum(body["scores"].values()) == pytest.approx(1.0, abs=1e-3)
    assert body["top"] == max(body["scores"], key=body["scores"].get)
    assert body["quality"] == {"passed": True, "issues": [], "message": None}
    level = body["triage"]["level"]
    assert body["triage"]["title"] == harness.t(lang, f"triage-{level}-title")
    assert body["notice"] == harness.t(lang, "pdf-disclaimer")
    assert writer.batches == []  # classify never reaches the report model
    # Nothing is kept: no request row, no photo.
    assert await harness.services.store.api_cases.of_key(1) == []
    assert not any((harness.settings.data_dir / "images").rglob("*.jpg"))


async def test_analyze_adds_the_short_analysis(harness: Harness, trained_classifier_weights: Path) -> None:
    _, secret = await start_api(harness, trained_classifier_weights)
    body = await answered(harness, secret, "/api/v1/analyze", seed=2, language="ko")
    t = harness.t
    ranked = sorted(body["scores"].items(), key=lambda kv: kv[1], reverse=True)
    lines = body["analysis"].split("\n")
    assert lines[0].startswith(t("ko", f"triage-{body['triage']['level']}-title"))
    assert lines[1] == t(
        "ko",
        "api-analysis-ranking",
        first=t("ko", f"label-{ranked[0][0]}"),
        first_score=ranked[0][1],
        second=t("ko", f"label-{ranked[1][0]}"),
        second_score=ranked[1][1],
    )
    assert lines[-1] == t("ko", "pdf-disclaimer")


async def test_diagnose_returns_the_report_and_a_pdf_only_its_key_can_read(
    harness: Harness, trained_classifier_weights: Path
) -> None:
    prompts: list[str] = []

    def script(request) -> str:  # type: ignore[no-untyped-def]
        prompts.append(repr(request))
        return REPORT

    key_id, secret = await start_api(harness, trained_classifier_weights, ScriptedWriter(script=script))
    _, other = await new_key(harness, "someone else")
    data, files = form(skin_photo(seed=3), name="Henry Nguyen", history="Itchy since May")
    async with client(harness, secret) as http:
        # A forged Host header must not end up in the link (SKINBOT_WEB_URL is unset: it is relative).
        forged = {"Host": "evil.example"}
        response = await http.post("/api/v1/diagnose", data=data, files=files, headers=forged)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["report"] == REPORT and body["report_cut"] is False
        assert set(body["scores"]) == set(LABELS)
        assert body["pdf_url"] == f"/api/v1/reports/{body['case_id']}.pdf"
        pdf = await http.get(body["pdf_url"])
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Henry Nguyen" in text and "Itchy since May" in text
    # The model saw the history but never the name.
    assert len(prompts) == 1 and "Itchy since May" in prompts[0] and "Henry" not in prompts[0]
    async with client(harness, other) as http:
        assert (await http.get(body["pdf_url"])).status_code == 404
    async with client(harness) as http:
        assert (await http.get(body["pdf_url"])).status_code == 401
    # An API request is no Telegram case: the outbox sends nothing anywhere.
    stored = await harness.services.store.api_cases.get(key_id, body["case_id"])
    assert stored is not None and stored.status == "done" and stored.report == REPORT
    assert await harness.services.store.jobs.queued() == []
    assert not [c for c in harness.api.calls if c.method in ("sendDocument", "sendMessage")]


async def test_a_photo_the_gate_turns_back(harness: Harness, trained_classifier_weights: Path) -> None:
    _, secret = await start_api(harness, trained_classifier_weights)
    dark = jpeg(Image.new("RGB", (640, 480), (8, 6, 5)))
    async with client(harness, secret) as http:
        data, files = form(dark, language="vi")
        classified = await http.post("/api/v1/classify", data=data, files=files)
        diagnosed = await http.post("/api/v1/diagnose", data=data, files=files)
        # Turned back at upload, before a job is queued: the stream is refused, not opened.
        streamed = await http.post("/api/v1/diagnose-stream", data=data, files=files)
    assert streamed.status_code == 422 and streamed.json()["error"]["code"] == "photo_rejected"
    assert "too_dark" in streamed.json()["error"]["issues"]
    assert classified.status_code == 200
    quality = classified.json()["quality"]
    assert quality["passed"] is False and "too_dark" in quality["issues"]
    assert quality["message"].startswith(harness.t("vi", "quality-rejected"))
    assert classified.json()["scores"] is None
    assert diagnosed.status_code == 422
    error = diagnosed.json()["error"]
    assert error["code"] == "photo_rejected" and "too_dark" in error["issues"]
    assert error["message"] == harness.t("vi", "api-error-photo-rejected")
    assert await harness.services.store.api_cases.of_key(1) == []


async def test_diagnose_of_an_urgent_case_answers_with_the_triages_urgency(
    harness: Harness, trained_classifier_weights: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The model says self-care (here in Korean, 자가 관리) while the classifier sees a possible carcinoma:
    the answer, its PDF and the stored report carry the urgent level and the note, and say so."""
    contradicting = (
        "## 요약\n습진으로 보입니다.\n\n## 4. 진료가 필요한 시점\n긴급도: 자가 관리\n- 피가 나면\n"
    )
    monkeypatch.setattr(skinbot.inference_setup, "build_classifier", lambda s: FixedClassifier(CARCINOMA))
    writer = ScriptedWriter(script=lambda request: contradicting)
    key_id, secret = await start_api(harness, trained_classifier_weights, writer)
    body = await answered(harness, secret, "/api/v1/diagnose", seed=3, language="ko")
    async with client(harness, secret) as http:
        pdf = await http.get(body["pdf_url"])
    level = harness.t("ko", "report-urgency-within-days")
    note = harness.t("ko", "report-urgency-set", level=level)
    assert body["triage"]["level"] == "urgent"
    assert f"긴급도: {level}\n{note}" in body["report"] and "자가 관리" not in body["report"]
    assert body["urgency_corrected"] is True
    text = "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert f"긴급도:{level.replace(' ', '')}" in text and "자가관리" not in text
    stored = await harness.services.store.api_cases.get(key_id, body["case_id"])
    assert stored is not None and stored.report == body["report"]
