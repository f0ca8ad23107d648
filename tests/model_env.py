"""The environment the CLI tests run `skinbot` in: the tiny models on CPU, data in the test's folder."""

from __future__ import annotations

from pathlib import Path

import pytest


def use_tiny_models(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, classifier: Path, report_model: Path, **more: str
) -> None:
    for key, value in {
        "SKINBOT_CLASSIFIER": str(classifier),
        "SKINBOT_LLM": str(report_model),
        "SKINBOT_DEVICE": "cpu",
        "SKINBOT_MAX_NEW_TOKENS": "16",
        "SKINBOT_DATA_DIR": str(tmp_path / "var"),
        **more,
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
