from __future__ import annotations

import os
from pathlib import Path

import pytest

from skinbot.settings import Secret, Settings, SettingsError
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


ENGINE_KEY = "sk-engine-5d1e9a"


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://10.0.0.5:8000/v1", "10.0.0.5"),
        ("http://gpu-host:8000/v1", "gpu-host"),
        ("http://[fd00::7]:8000/v1", "fd00::7"),
        ("http://127.0.0.1.example.org/v1", "127.0.0.1.example.org"),  # a name, not this machine
        ("http://localhost.example.org/v1", "localhost.example.org"),
        ("http://user:hunter2@llm.example.org/v1", "llm.example.org"),
    ],
)
def test_plain_http_to_another_machine_is_refused(url: str, host: str) -> None:
    """Photos, histories and the bearer key would cross the network in clear text."""
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "SKINBOT_LLM": url, "SKINBOT_LLM_API_KEY": ENGINE_KEY}
    with pytest.raises(SettingsError) as err:
        Settings.from_env(env, env_file=None)
    message = str(err.value)
    assert message.startswith("SKINBOT_LLM ") and "SKINBOT_LLM_ALLOW_HTTP=1" in message and host in message
    assert "\n" not in message and ENGINE_KEY not in message and "hunter2" not in message
    allowed = Settings.from_env({**env, "SKINBOT_LLM_ALLOW_HTTP": "1"}, env_file=None)
    assert allowed.llm == url and allowed.llm_allow_http


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/v1",
        "http://127.8.9.10:8000/v1",
        "http://[::1]:8000/v1",
        "http://localhost:8080/v1",
        "http://LOCALHOST/v1",
        "https://gpu-host:8000/v1",
        "weights/medgemma-4b-it",
    ],
)
def test_loopback_https_and_local_weights_need_no_permission(url: str) -> None:
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "SKINBOT_LLM": url}, env_file=None)
    assert settings.llm == url and not settings.llm_allow_http


def test_an_allowed_plain_http_engine_is_warned_about_once_at_start(caplog: pytest.LogCaptureFixture) -> None:
    from skinbot.inference_setup import build_writer

    env = {"SKINBOT_LLM": "http://gpu-host:8000/v1", "SKINBOT_LLM_ALLOW_HTTP": "1"}
    env["SKINBOT_LLM_API_KEY"] = ENGINE_KEY
    settings = Settings.from_env(env, env_file=None, telegram=False)
    with caplog.at_level("WARNING"):
        build_writer(settings)
    [warning] = [r for r in caplog.records if r.levelname == "WARNING"]
    assert "gpu-host" in warning.getMessage() and "SKINBOT_LLM_ALLOW_HTTP" in warning.getMessage()
    assert ENGINE_KEY not in warning.getMessage()
    caplog.clear()
    with caplog.at_level("WARNING"):
        build_writer(Settings.from_env({"SKINBOT_LLM": "https://gpu-host/v1"}, env_file=None, telegram=False))
    assert not [r for r in caplog.records if r.levelname == "WARNING"]


def test_web_proxies_and_docs_settings() -> None:
    base = {"TELEGRAM_BOT_TOKEN": TOKEN}
    assert Settings.from_env(base, env_file=None).web_trusted_proxies == ("127.0.0.1", "::1")
    listed = Settings.from_env(
        {**base, "SKINBOT_WEB_TRUSTED_PROXIES": "10.0.0.2, 10.1.0.0/16 "}, env_file=None
    )
    assert listed.web_trusted_proxies == ("10.0.0.2", "10.1.0.0/16")
    nobody = Settings.from_env({**base, "SKINBOT_WEB_TRUSTED_PROXIES": "none"}, env_file=None)
    assert nobody.web_trusted_proxies == ()
    for bad in ("*", "proxy.local", "10.0.0.300"):
        with pytest.raises(SettingsError, match="SKINBOT_WEB_TRUSTED_PROXIES"):
            Settings.from_env({**base, "SKINBOT_WEB_TRUSTED_PROXIES": bad}, env_file=None)
    docs = Settings.from_env({**base, "SKINBOT_WEB_DOCS": "off"}, env_file=None)
    assert docs.web_docs is False and Settings.from_env(base, env_file=None).web_docs is True
