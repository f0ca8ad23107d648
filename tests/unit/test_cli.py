"""`skinbot diagnose` on the tiny real models, and `skinbot check`."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from bot.cli import main
from testkit.skin_photos import skin_photo
from tests.model_env import use_tiny_models


@pytest.fixture
def model_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, trained_classifier_weights: Path, tiny_gemma_dir: Path
):
    use_tiny_models(monkeypatch, tmp_path, trained_classifier_weights, tiny_gemma_dir)


def test_diagnose_streams_and_writes_the_pdf(
    model_env, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photo = tmp_path / "skin.jpg"
    photo.write_bytes(skin_photo(seed=4))
    out = tmp_path / "report.pdf"
    code = main(
        [
            "diagnose",
            str(photo),
            "--age",
            "15세",
            "--gender",
            "female",
            "--lang",
            "ko",
            "--history",
            "가려움",
            "--name",
            "홍길동",
            "--out",
            str(out),
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "분류 모델 점수" in captured.out  # the Korean classification title
    text = "".join(page.extract_text() for page in PdfReader(out).pages)
    assert "홍길동" in text and "가려움" in text


def test_diagnose_rejects_bad_age(model_env, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    photo = tmp_path / "skin.jpg"
    photo.write_bytes(skin_photo())
    assert main(["diagnose", str(photo), "--age", "abc", "--gender", "male"]) == 2
    assert "abc" in capsys.readouterr().err


def test_check_reports_each_item(model_env, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    code = main(["check"])
    out = capsys.readouterr().out
    names = [line.split()[1] for line in out.splitlines()]
    assert names[:4] == ["settings", "database", "classifier", "language"]
    assert "fonts" in names and "gpu" in names
    assert out.splitlines()[0].startswith("ok")
    assert code == 0, out  # all required items present (the GPU is optional without SKINBOT_DEVICE=cuda)


def test_check_names_what_is_missing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    monkeypatch.setenv("SKINBOT_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("SKINBOT_CLASSIFIER", raising=False)
    monkeypatch.delenv("SKINBOT_LLM", raising=False)
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert "MISSING  classifier" in out and "skinbot train" in out
    assert "MISSING  language model" in out and "medgemma-4b-it" in out


def test_diagnose_takes_a_close_up_and_an_overview(
    model_env, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photos = [tmp_path / "close.jpg", tmp_path / "overview.jpg"]
    for seed, path in enumerate(photos, start=5):
        path.write_bytes(skin_photo(seed=seed))
    out = tmp_path / "two.pdf"
    code = main(
        [
            "diagnose",
            *map(str, photos),
            "--age",
            "40",
            "--gender",
            "male",
            "--body-site",
            "leg",
            "--out",
            str(out),
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "Mean of 2 photos" in captured.out
    text = "".join("".join(page.extract_text().split()) for page in PdfReader(out).pages)
    assert "Scoresperphoto" in text and "Leg" in text
    too_many = main(["diagnose", *map(str, photos * 2), "--age", "40", "--gender", "male"])
    assert too_many == 2 and "at most 3 photos" in capsys.readouterr().err
