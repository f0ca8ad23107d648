"""/privacy and the welcome note say where data goes, from the settings the bot runs with."""

from __future__ import annotations

import pytest

from bot.routers.common import engine_origin
from tests.conftest import Harness, settings_for

ENGINE = "https://skin:sk-engine-key-123@llm.example.org:8443/v1/tenant-42?api_key=abc987"
CLINICS = "-1001234:Hanoi Skin Clinic:vi,-1005678:Seoul Derm:ko"
# Words of each language's note that only the configuration decides (not copied from the .ftl files).
LOCAL_WORDS = {"en": "outside AI service", "ko": "외부 AI 서비스", "vi": "dịch vụ AI bên ngoài"}
NO_CLINIC_WORDS = {
    "en": "not shared with anyone",
    "ko": "누구와도 공유되지",
    "vi": "không được chia sẻ với ai",
}
ONLY_HERE = {"en": "own server only", "ko": "서버에만", "vi": "chỉ trên máy chủ"}


def test_engine_origin_keeps_scheme_and_host_only() -> None:
    assert engine_origin(ENGINE) == "https://llm.example.org"
    assert engine_origin("http://[fd00::7]:8000/v1") == "http://[fd00::7]"
    assert engine_origin("http://10.0.0.5:8000/v1") == "http://10.0.0.5"


async def _privacy(harness: Harness, lang: str, user_id: int) -> str:
    await harness.start()
    user = harness.api.user(user_id, lang)
    await user.send("/privacy")
    await harness.wait_until(lambda: any(m.text and m.text.startswith("🔒") for m in user.inbox()))
    [note] = [m.text for m in user.inbox() if m.text and m.text.startswith("🔒")]
    return note


@pytest.mark.parametrize("lang", ["en", "ko", "vi"])
async def test_local_models_and_no_clinics(harness: Harness, lang: str) -> None:
    note = await _privacy(harness, lang, 1201)
    assert f"{harness.settings.retention_days}" in note
    assert LOCAL_WORDS[lang] in note and NO_CLINIC_WORDS[lang] in note
    assert "http" not in note and "Hanoi" not in note
    assert ONLY_HERE[lang] not in note  # messages pass through Telegram; "only" was never true


@pytest.mark.parametrize("lang", ["en", "ko", "vi"])
async def test_remote_engine_and_clinics(harness: Harness, tmp_path, lang: str) -> None:
    harness.settings = settings_for(
        harness.api,
        tmp_path / "var",
        SKINBOT_LLM=ENGINE,
        SKINBOT_REVIEW_CHAT_ID=CLINICS,
        SKINBOT_CLINIC_ACCESS="all",  # every clinic may get this user's cases, so the note names both
    )
    note = await _privacy(harness, lang, 1202)
    assert "https://llm.example.org" in note
    for secret in ("sk-engine-key-123", "skin:", "8443", "tenant-42", "abc987", "/v1"):
        assert secret not in note, secret
    assert "Hanoi Skin Clinic" in note and "Seoul Derm" in note
    assert LOCAL_WORDS[lang] not in note and NO_CLINIC_WORDS[lang] not in note
    assert ONLY_HERE[lang] not in note


@pytest.mark.parametrize("lang", ["en", "ko", "vi"])
async def test_the_welcome_note_says_the_same(harness: Harness, tmp_path, lang: str) -> None:
    harness.settings = settings_for(harness.api, tmp_path / "var", SKINBOT_LLM=ENGINE)
    await harness.start()
    user = harness.api.user(1203, lang)
    await user.send("/start")
    await harness.wait_key(user, lang, "consent-ask")
    [note] = [m.text for m in user.inbox() if m.text and m.text.startswith("🔒")]
    assert "https://llm.example.org" in note and "sk-engine-key-123" not in note
    assert NO_CLINIC_WORDS[lang] in note


BACKUP_WORDS = {"en": "backup", "ko": "백업", "vi": "sao lưu"}


@pytest.mark.parametrize("lang", ["en", "ko", "vi"])
async def test_the_note_says_how_long_deleted_data_stays_in_backups(
    harness: Harness, tmp_path, lang: str
) -> None:
    harness.settings = settings_for(harness.api, tmp_path / "var", SKINBOT_RETENTION_DAYS="45")
    note = await _privacy(harness, lang, 1204)
    [line] = [line for line in note.splitlines() if BACKUP_WORDS[lang] in line.lower()]
    assert "45" in line and "/delete" in line
