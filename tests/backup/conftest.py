"""The backup tests run `skinbot` in-process, with settings from the environment only."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def settings_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.delenv("SKINBOT_DATA_KEY", raising=False)
    monkeypatch.delenv("SKINBOT_RETENTION_DAYS", raising=False)
