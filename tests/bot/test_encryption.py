"""Encryption at rest: photos and PDFs on disk are ciphertext; a missing or wrong key stops start-up."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from skinbot.inference_setup import StartupError
from skinbot.settings import Secret
from tests.bot.test_report_delivery import run_case, use_models, wait_pdf
from tests.conftest import Harness
from tests.fakes import ScriptedWriter


async def test_encrypted_files_and_key_checks(
    harness: Harness, photo_bytes: bytes, trained_classifier_weights: Path
) -> None:
    key = Fernet.generate_key().decode()
    use_models(
        harness, trained_classifier_weights, lambda s: ScriptedWriter(script=lambda r: "Encrypted report.")
    )
    harness.settings = dataclasses.replace(harness.settings, data_key=Secret(key))
    await harness.start()
    user = harness.api.user(801, "en")
    case_id = await run_case(harness, user, "en", photo_bytes)
    sent = await wait_pdf(harness, user)
    assert sent.document.startswith(b"%PDF")  # the user gets a real PDF

    files = harness.services.files
    case = await harness.services.store.cases.get(user.id, case_id)
    on_disk_photo = files.image_path(user.id, case.image).read_bytes()
    on_disk_pdf = files.pdf_path(user.id, case_id).read_bytes()
    assert not on_disk_photo.startswith(b"\xff\xd8") and not on_disk_pdf.startswith(b"%PDF")
    assert Fernet(key.encode()).decrypt(on_disk_pdf) == sent.document
    await harness.stop()

    # Without the key, or with another one, the bot refuses to start.
    for other in (Secret(""), Secret(Fernet.generate_key().decode())):
        harness.settings = dataclasses.replace(harness.settings, data_key=other)
        with pytest.raises(StartupError) as err:
            await harness.start()
        assert "SKINBOT_DATA_KEY" in str(err.value)
        await harness.stop_quietly()
