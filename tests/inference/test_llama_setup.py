"""Choosing the llama.cpp writer from SKINBOT_LLM, what `skinbot check` says about it, and `skinbot diagnose`
end to end on the tiny GGUF."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from inference.llama_vision import Projector
from inference.llama_writer import LLAMA_MISSING, LlamaWriter
from inference.report_model import ReportModel
from skinbot.check import check_gpu, check_llm
from skinbot.cli import main
from skinbot.inference_setup import build_writer
from skinbot.settings import Settings
from testkit.skin_photos import skin_photo
from tests.model_env import use_tiny_models


def settings(**env: str) -> Settings:
    return Settings.from_env(env, env_file=None, telegram=False)


def test_a_gguf_file_selects_llama_and_folders_keep_transformers(tmp_path: Path) -> None:
    model = tmp_path / "medgemma-4b-it-q4_k_m.gguf"
    model.write_bytes(b"GGUF")
    (tmp_path / "mmproj-medgemma-4b-it-f16.gguf").write_bytes(b"GGUF")
    writer = build_writer(settings(SKINBOT_LLM=str(model), SKINBOT_LLM_THREADS="3"))
    assert isinstance(writer, LlamaWriter)
    assert writer.mmproj_path == tmp_path / "mmproj-medgemma-4b-it-f16.gguf" and writer.threads == 3
    elsewhere = tmp_path / "projector.gguf"
    chosen = build_writer(settings(SKINBOT_LLM=str(model), SKINBOT_LLM_MMPROJ=str(elsewhere)))
    assert isinstance(chosen, LlamaWriter) and chosen.mmproj_path == elsewhere and chosen.threads >= 1
    # A folder with only a .gguf is the transformers text-only path; with config.json, the full model.
    text_only = build_writer(settings(SKINBOT_LLM=str(tmp_path)))
    assert isinstance(text_only, ReportModel) and text_only.gguf_file == "medgemma-4b-it-q4_k_m.gguf"
    (tmp_path / "config.json").write_text("{}")
    full = build_writer(settings(SKINBOT_LLM=str(tmp_path)))
    assert isinstance(full, ReportModel) and full.gguf_file is None


def test_check_names_what_is_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model = tmp_path / "m.gguf"
    absent = check_llm(settings(SKINBOT_LLM=str(model)))
    assert not absent.ok and "the GGUF model" in absent.detail and "weights fetch --gguf" in absent.detail
    model.write_bytes(b"GGUF")
    no_projector = check_llm(settings(SKINBOT_LLM=str(model)))
    assert not no_projector.ok and "mmproj" in no_projector.detail
    (tmp_path / "mmproj-m.gguf").write_bytes(b"GGUF")
    monkeypatch.setitem(__import__("sys").modules, "llama_cpp", None)  # as if it were not installed
    not_installed = check_llm(settings(SKINBOT_LLM=str(model)))
    assert not not_installed.ok and not_installed.detail == LLAMA_MISSING
    assert "skinbot[llama]" in LLAMA_MISSING


def test_check_without_cuda_says_which_backend_runs(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    llama = check_gpu(settings(SKINBOT_LLM=str(tmp_path / "m.gguf"), SKINBOT_LLM_THREADS="2"))
    assert "llama.cpp" in llama.detail and "2 CPU threads" in llama.detail and "2.5 min" in llama.detail
    transformers = check_gpu(settings(SKINBOT_LLM=str(tmp_path)))
    assert "transformers" in transformers.detail
    for item in (llama, transformers):
        assert "docs/benchmarks.md" in item.detail and not item.required


def test_diagnose_writes_a_report_through_llama_without_the_name(
    tiny_gguf: tuple[Path, Path],
    trained_classifier_weights: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    model, mmproj = tiny_gguf
    # The projector elsewhere than beside the model: SKINBOT_LLM_MMPROJ names it.
    folder = tmp_path / "weights"
    folder.mkdir()
    shutil.copy(model, folder / model.name)
    use_tiny_models(
        monkeypatch,
        tmp_path,
        trained_classifier_weights,
        folder / model.name,
        SKINBOT_LLM_MMPROJ=str(mmproj),
        SKINBOT_LLM_THREADS="2",
    )
    prompts: list[tuple[str, int]] = []  # each prompt llama.cpp read, and the encodes once it had
    evaluate = Projector.evaluate

    def recorded(self: Projector, text: str, images: list) -> object:
        state = evaluate(self, text, images)
        prompts.append((text, self.encodes))
        return state

    monkeypatch.setattr(Projector, "evaluate", recorded)
    photo = tmp_path / "skin.jpg"
    photo.write_bytes(skin_photo(seed=4))
    out = tmp_path / "report.pdf"
    args = ["diagnose", str(photo), "--age", "40", "--gender", "female", "--history", "Itchy since May"]
    code = main([*args, "--name", "Henry Nguyen", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert out.read_bytes().startswith(b"%PDF")
    # The skin question, then the report: the photo encoded once, the history read, the name never.
    assert len(prompts) == 2 and [encodes for _, encodes in prompts] == [1, 1]
    assert "Itchy since May" in prompts[-1][0]
    assert not any("Henry" in text or "Nguyen" in text for text, _ in prompts)
