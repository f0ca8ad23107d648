"""Uploads whose size Telegram does not declare are still size-checked, while downloading."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp import web
from telegram import File

from bot.downloads import download_capped
from conversations.intake_state import Step
from conversations.photos import PhotoRejected
from testkit.loopback import serve_on_loopback
from tests.bot.helpers import agree
from tests.conftest import Harness, settings_for

MB = 1024 * 1024


@pytest.mark.parametrize("kind", ["document", "photo"])
async def test_an_undeclared_oversized_upload_is_refused_without_reading_it_all(
    harness: Harness, tmp_path: Path, kind: str
) -> None:
    harness.settings = settings_for(harness.api, tmp_path / "var", SKINBOT_MAX_DOWNLOAD_MB="1")
    await harness.start()
    user = harness.api.user(1401, "en")
    await agree(harness, user, "en")
    huge = b"\xff\xd8\xff\xe0" + b"\x00" * (48 * MB)  # Telegram says nothing about its size
    if kind == "document":
        await user.send_document(huge, "scan.jpg", "image/jpeg", declare_size=False)
    else:
        await user.send_photo(huge, declare_size=False)
    await harness.wait_key(user, "en", "photo-over-limit", max_mb=1)
    [served] = harness.api.served.values()
    # The bot hung up after about 1 MB; what else was written sat in socket buffers, not in the bot.
    assert served < len(huge) // 2
    intake = await harness.services.store.intakes.load(user.id)
    assert intake is not None and intake.step == Step.PHOTO and intake.draft.photos == ()
    assert not any((harness.settings.data_dir / "images").rglob("*.jpg"))


async def test_an_undeclared_photo_within_the_limit_is_accepted(harness: Harness, photo_bytes: bytes) -> None:
    await harness.start()
    user = harness.api.user(1402, "en")
    await agree(harness, user, "en")
    await user.send_photo(photo_bytes, declare_size=False)
    await harness.wait_key(user, "en", "ask-more-photos", count=1, max=3)
    [served] = harness.api.served.values()
    assert served == len(photo_bytes)


async def test_a_declared_content_length_over_the_limit_is_refused_before_the_body() -> None:
    sent: list[int] = []

    async def serve(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Length": str(30 * MB)})
        await response.prepare(request)
        try:
            for _ in range(30 * 16):
                await response.write(b"\x00" * (64 * 1024))
                sent.append(64 * 1024)
        except ConnectionError:
            pass
        return response

    app = web.Application()
    app.router.add_get("/file/{name}", serve)
    runner, port = await serve_on_loopback(app)
    try:
        tg_file = File("f", "f", file_path=f"http://127.0.0.1:{port}/file/big.jpg")
        with pytest.raises(PhotoRejected) as err:
            await download_capped(tg_file, 2 * MB)
    finally:
        await runner.cleanup()
    assert (err.value.key, err.value.params) == ("photo-over-limit", {"max_mb": 2})
    assert sum(sent) < 30 * MB


async def test_a_local_file_is_read_up_to_the_limit_only(tmp_path: Path) -> None:
    """With a local Bot API server (--local), file_path is a path on this machine."""
    small, big = tmp_path / "small.jpg", tmp_path / "big.jpg"
    small.write_bytes(b"a" * MB)
    big.write_bytes(b"b" * (MB + 1))
    assert await download_capped(File("s", "s", file_path=str(small)), MB) == b"a" * MB
    with pytest.raises(PhotoRejected):
        await download_capped(File("b", "b", file_path=str(big)), MB)
