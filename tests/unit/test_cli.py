"""`skinbot diagnose` on the tiny real models, `skinbot check`, and the umask of the commands that handle
patient data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pypdf import PdfReader

from casework.translator import Translator
from skinbot.cli import main
from testkit.skin_photos import skin_photo
from tests.fixtures.hostile_checkpoints import exec_checkpoint
from tests.model_env import use_tiny_models


@pytest.fixture
def model_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, trained_classifier_weights: Path, tiny_gemma_dir: Path
):
    use_tiny_models(monkeypatch, tmp_path, trained_classifier_weights, tiny_gemma_dir)


def diagnosed(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[str, list[str]]:
    """`skinbot diagnose ARGS`, which must succeed: what it printed, and each page's text of the PDF it wrote
    to --out."""
    code = main(["diagnose", *args])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out, [page.extract_text() for page in PdfReader(args[args.index("--out") + 1]).pages]


def test_diagnose_streams_and_writes_the_pdf(
    model_env, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photo = tmp_path / "skin.jpg"
    photo.write_bytes(skin_photo(seed=4))
    out = tmp_path / "report.pdf"
    args = ["--age", "15세", "--gender", "female", "--lang", "ko", "--history", "가려움", "--name", "홍길동"]
    printed, pages = diagnosed(capsys, str(photo), *args, "--out", str(out))
    assert "분류 모델 점수" in printed  # the Korean classification title
    text = "".join(pages)
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


def test_check_names_a_classifier_that_would_run_code_without_running_it(
    model_env, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys
) -> None:
    marker = tmp_path / "the-checkpoint-ran-code.txt"
    monkeypatch.setenv("SKINBOT_CLASSIFIER", str(exec_checkpoint(tmp_path / "skin-cls.pt", marker)))
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ")

    assert main(["check"]) == 1

    out = capsys.readouterr().out
    (line,) = [line for line in out.splitlines() if line.split()[1] == "classifier"]
    assert line.startswith("MISSING") and "names builtins.exec" in line and "skinbot train" in line, out
    assert not marker.exists()


def test_the_models_load_at_start_runs_no_code_from_the_classifier(
    model_env, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys
) -> None:
    """`skinbot diagnose` loads the models as the bot does at start (one build_worker for both)."""
    marker = tmp_path / "the-checkpoint-ran-code.txt"
    monkeypatch.setenv("SKINBOT_CLASSIFIER", str(exec_checkpoint(tmp_path / "skin-cls.pt", marker)))
    photo = tmp_path / "skin.jpg"
    photo.write_bytes(skin_photo())

    code = main(["diagnose", str(photo), "--age", "40", "--gender", "male"])

    err = capsys.readouterr().err
    assert code != 0 and "Traceback" not in err, err
    assert "names builtins.exec" in err, err
    assert not marker.exists()


def test_diagnose_takes_a_close_up_and_an_overview(
    model_env, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photos = [tmp_path / "close.jpg", tmp_path / "overview.jpg"]
    for seed, path in enumerate(photos, start=5):
        path.write_bytes(skin_photo(seed=seed))
    out = tmp_path / "two.pdf"
    answers = ["--age", "40", "--gender", "male", "--body-site", "leg"]
    printed, pages = diagnosed(capsys, *map(str, photos), *answers, "--out", str(out))
    assert "Mean of 2 photos" in printed
    text = "".join("".join(page.split()) for page in pages)
    assert "Scoresperphoto" in text and "Leg" in text
    too_many = main(["diagnose", *map(str, photos * 2), "--age", "40", "--gender", "male"])
    assert too_many == 2 and "at most 3 photos" in capsys.readouterr().err


@pytest.mark.parametrize(
    "command",
    [["backup", "dest"], ["restore", "src"], ["diagnose", "skin.jpg", "--age", "x", "--gender", "male"]],
    ids=["backup", "restore", "diagnose"],
)
def test_commands_that_handle_patient_data_run_under_umask_077(
    command: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, loose_umask: None, capsys
) -> None:
    """Whatever a library writes without an explicit mode (SQLite's journal, a PDF) is private too."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SKINBOT_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("SKINBOT_DATA_KEY", raising=False)
    assert main(command) == 2  # each fails at once here (nothing to back up, restore or read)
    assert os.umask(0o022) == 0o077


def test_diagnose_refuses_a_photo_under_the_configured_minimum_side(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SKINBOT_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SKINBOT_MIN_SIDE", "300")
    photo = tmp_path / "small.jpg"
    photo.write_bytes(skin_photo(400, 280))
    assert main(["diagnose", str(photo), "--age", "40", "--gender", "male"]) == 2
    assert Translator()("en", "photo-too-small", side=280, min_side=300) in capsys.readouterr().err


def test_diagnose_of_an_urgent_case_ends_on_the_triages_urgency(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The scripted model says self-care (in Vietnamese) while the classifier sees a possible carcinoma: the
    terminal's last words are the note, and the PDF has the urgent level."""
    import skinbot.inference_setup
    from casework.translator import Translator
    from inference.labels import Classification
    from tests.fakes import FixedClassifier, ScriptedWriter

    report = "## Tóm tắt\nCó thể là chàm.\n\n## 4. Khi nào cần đi khám\nMức độ khẩn cấp: tự chăm sóc\n"
    carcinoma = Classification((0.1, 0.6, 0.1, 0.1, 0.05, 0.05))
    monkeypatch.setattr(skinbot.inference_setup, "build_classifier", lambda s: FixedClassifier(carcinoma))
    monkeypatch.setattr(
        skinbot.inference_setup, "build_writer", lambda s: ScriptedWriter(script=lambda r: report)
    )
    monkeypatch.setenv("SKINBOT_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.chdir(tmp_path)
    photo, out = tmp_path / "skin.jpg", tmp_path / "report.pdf"
    photo.write_bytes(skin_photo(seed=4))
    printed, pages = diagnosed(
        capsys, str(photo), "--age", "60", "--gender", "male", "--lang", "vi", "--out", str(out)
    )
    t = Translator()
    level = t("vi", "report-urgency-within-days")
    assert printed.strip().endswith(t("vi", "report-urgency-set", level=level))
    text = "".join("".join(page.split()) for page in pages)
    assert "".join(f"Mức độ khẩn cấp: {level}".split()) in text and "tựchămsóc" not in text


def test_check_and_run_refuse_a_plain_http_engine_on_another_machine(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    monkeypatch.setenv("SKINBOT_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SKINBOT_LLM", "http://10.0.0.5:8000/v1")
    monkeypatch.delenv("SKINBOT_LLM_ALLOW_HTTP", raising=False)
    assert main(["check"]) == 1
    [line] = capsys.readouterr().out.splitlines()
    assert line.startswith("MISSING  settings") and "SKINBOT_LLM_ALLOW_HTTP=1" in line
    assert main(["run"]) == 2  # the start: one line, before anything is opened
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("skinbot: SKINBOT_LLM ") and "10.0.0.5" in err


def test_check_warns_about_an_allowed_plain_http_engine() -> None:
    from skinbot.check import check_engine_link, report
    from skinbot.settings import Settings

    def line(env: dict[str, str]) -> str:
        item = check_engine_link(Settings.from_env(env, env_file=None, telegram=False))
        assert item is not None
        return report([item])[0]

    allowed = line({"SKINBOT_LLM": "http://10.0.0.5:8000/v1", "SKINBOT_LLM_ALLOW_HTTP": "1"})
    assert allowed.startswith("warning  engine link") and "10.0.0.5" in allowed and "unencrypted" in allowed
    assert line({"SKINBOT_LLM": "https://gpu-host/v1"}).startswith("ok       engine link")
    assert line({"SKINBOT_LLM": "http://127.0.0.1:8000/v1"}).startswith("ok       engine link")
    assert check_engine_link(Settings.from_env({}, env_file=None, telegram=False)) is None  # local weights


def test_check_warns_when_no_clinic_takes_patients_without_a_link() -> None:
    from conversations.domain import Clinic
    from skinbot.check import check_clinic_access, report
    from skinbot.settings import Settings

    linked = Settings.from_env({}, env_file=None, telegram=False)
    closed = [Clinic(1, -100, "Hanoi"), Clinic(2, -200, "Seoul")]
    item = check_clinic_access(linked, closed)
    assert item is not None
    line, code = report([item])
    assert line.startswith("warning  clinic access") and "skinbot clinic open NAME" in line
    assert code == 0  # a warning: the bot runs, patients with a link still reach their clinic
    assert check_clinic_access(linked, [closed[0], Clinic(3, -300, "Open", open=True)]) is None
    assert check_clinic_access(linked, []) is None
    everyone = Settings.from_env({"SKINBOT_CLINIC_ACCESS": "all"}, env_file=None, telegram=False)
    assert check_clinic_access(everyone, closed) is None
