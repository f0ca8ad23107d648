"""Everything the bot writes under SKINBOT_DATA_DIR is readable by its own user only, whatever the umask:
the directory itself, the database (and its WAL), the photos, the heatmap, the PDF and the key marker."""

from __future__ import annotations

import dataclasses
import stat
from pathlib import Path

from cryptography.fernet import Fernet

from skinbot.settings import Secret
from tests.bot.test_report_delivery import run_case, use_models, wait_pdf
from tests.conftest import Harness
from tests.fakes import ScriptedWriter


async def test_the_data_directory_is_private(
    harness: Harness, photo_bytes: bytes, trained_classifier_weights: Path, loose_umask: None
) -> None:
    use_models(harness, trained_classifier_weights, lambda s: ScriptedWriter(script=lambda r: "A report."))
    harness.settings = dataclasses.replace(harness.settings, data_key=Secret(Fernet.generate_key().decode()))
    await harness.start()
    user = harness.api.user(811, "en")
    case_id = await run_case(harness, user, "en", photo_bytes)
    await wait_pdf(harness, user)
    case = await harness.wait_case(user.id, case_id, "done")
    files, data = harness.services.files, harness.settings.data_dir
    written = [
        files.image_path(user.id, case.image),
        files.heatmap_path(user.id, case_id),
        files.pdf_path(user.id, case_id),
        harness.settings.db_path,
        data / "skinbot.sqlite3-wal",
        data / ".encrypted",
    ]
    assert [p.name for p in written if not p.is_file()] == []

    for path in [data, *data.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), f"{path.relative_to(data.parent)}: {mode:o}"
