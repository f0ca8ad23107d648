from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.settings import Secret, Settings, SettingsError
from testkit.bot_process import run_to_end

TOKEN = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def test_defaults_and_contract_names() -> None:
    s = Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN}, env_file=None)
    assert s.telegram_api_url == "https://api.telegram.org/bot"
    assert s.telegram_file_url == "https://api.telegram.org/file/bot"
    assert s.data_dir == Path("var")
    assert s.classifier == Path("weights/skin-cls.pt")
    assert s.llm == "weights/medgemma-4b-it"
    assert (s.device, s.quantize) == ("auto", "none")
    names = {name for name, _ in Settings.table()}
    for contract in (
        "TELEGRAM_BOT_TOKEN",
        "TELEGRAM_API_URL",
        "TELEGRAM_FILE_URL",
        "SKINBOT_DATA_DIR",
        "SKINBOT_CLASSIFIER",
        "SKINBOT_LLM",
        "SKINBOT_DEVICE",
        "SKINBOT_QUANTIZE",
    ):
        assert contract in names


def test_env_file_is_read_and_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\nSKINBOT_DEVICE=cpu\nSKINBOT_QUANTIZE=4bit\n")
    s = Settings.from_env({"SKINBOT_QUANTIZE": "none"}, env_file=env_file)
    assert (s.device, s.quantize) == ("cpu", "none")


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({}, "TELEGRAM_BOT_TOKEN"),
        ({"TELEGRAM_BOT_TOKEN": "nonsense"}, "TELEGRAM_BOT_TOKEN"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "SKINBOT_DEVICE": "tpu"}, "SKINBOT_DEVICE"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "SKINBOT_QUANTIZE": "8bit"}, "SKINBOT_QUANTIZE"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": "ftp://x"}, "TELEGRAM_API_URL"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "SKINBOT_BATCH": "0"}, "SKINBOT_BATCH"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "SKINBOT_EMERGENCY_NUMBER": "call 119"}, "SKINBOT_EMERGENCY_NUMBER"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "SKINBOT_EMERGENCY_NUMBER": "none"}, "SKINBOT_EMERGENCY_NUMBER"),
    ],
)
def test_invalid_settings_name_the_setting(env: dict[str, str], names: str) -> None:
    with pytest.raises(SettingsError) as err:
        Settings.from_env(env, env_file=None)
    assert names in str(err.value)
    assert "\n" not in str(err.value)


def test_the_emergency_number_is_named_only_when_set() -> None:
    unset = Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN}, env_file=None)
    assert unset.emergency_number == ""
    korea = Settings.from_env(
        {"TELEGRAM_BOT_TOKEN": TOKEN, "SKINBOT_EMERGENCY_NUMBER": " 119 "}, env_file=None
    )
    assert korea.emergency_number == "119"


def test_token_never_shows() -> None:
    s = Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN}, env_file=None)
    assert TOKEN not in repr(s) and TOKEN not in str(s)
    assert repr(Secret("x")) == "Secret('***')"
    with pytest.raises(SettingsError) as err:
        Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "SKINBOT_DEVICE": TOKEN}, env_file=None)
    with pytest.raises(SettingsError) as err2:
        Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN[:8]}, env_file=None)
    assert TOKEN[:8] not in str(err2.value)
    assert "SKINBOT_DEVICE" in str(err.value)


def test_cli_prints_one_line_without_traceback(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SKINBOT_"))}
    result = run_to_end({**env, "PYTHONPATH": str(Path.cwd())}, "run", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "TELEGRAM_BOT_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_bot_api_is_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SKINBOT_"))}
    env.update(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": "http://127.0.0.1:9/bot",
            "SKINBOT_DATA_DIR": str(tmp_path / "var"),
            "PYTHONPATH": str(Path.cwd()),
        }
    )
    result = run_to_end(env, "run", cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and TOKEN not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("skinbot: cannot reach the Telegram Bot API")
