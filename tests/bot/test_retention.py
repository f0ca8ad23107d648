"""Retention: cases, photos and PDFs older than SKINBOT_RETENTION_DAYS are purged; the log has counts only."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.telegram_channel import TelegramChannel
from casework.housekeeping import Housekeeping
from testkit.skin_photos import skin_photo
from tests.bot.helpers import agree, answer_until_summary, confirm
from tests.bot.test_report_delivery import use_models, wait_pdf
from tests.conftest import Harness
from tests.fakes import ScriptedWriter


async def test_purge_after_retention_days(
    harness: Harness, trained_classifier_weights: Path, caplog: pytest.LogCaptureFixture
) -> None:
    now = [datetime(2026, 10, 1, 12, 0, tzinfo=UTC)]
    harness.clock = lambda: now[0]
    use_models(harness, trained_classifier_weights, lambda s: ScriptedWriter(), retention_days=30)
    await harness.start()
    user = harness.api.user(601, "en")
    await agree(harness, user, "en")
    summary = await answer_until_summary(harness, user, "en", skin_photo(seed=11), name="Old Patient")
    old_case = await confirm(harness, user, "en", summary)
    await wait_pdf(harness, user)
    # The delivery goes on a moment after the PDF (the case is marked, offers follow): let it end on the
    # old day, before the clock jumps.
    await harness.wait_case(user.id, old_case, "done", timeout=60)
    files = harness.services.files
    old = await harness.services.store.cases.get(user.id, old_case)
    old_paths = [files.image_path(user.id, old.image), files.pdf_path(user.id, old_case)]
    assert all(p.is_file() for p in old_paths)
    old_paths.append(files.heatmap_path(user.id, old_case))  # present when Grad-CAM succeeded
    existing = sum(p.is_file() for p in old_paths)

    now[0] += timedelta(days=20)
    await user.send("/new")
    await harness.wait_key(user, "en", "new-case")
    summary = await answer_until_summary(harness, user, "en", skin_photo(seed=12), name="New Patient")
    new_case = await confirm(harness, user, "en", summary)
    await harness.wait_until(lambda: sum(m.document is not None for m in user.inbox()) == 2, 60)

    housekeeping = Housekeeping(harness.services, TelegramChannel(harness.app.bot))
    now[0] += timedelta(days=10, hours=1)  # the first case is now 30 days and 1 hour old
    with caplog.at_level(logging.INFO, logger="casework.housekeeping"):
        cases, removed = await housekeeping.purge()
    assert (cases, removed) == (1, existing)
    assert await harness.services.store.cases.get(user.id, old_case) is None
    assert await harness.services.store.cases.get(user.id, new_case) is not None
    assert not any(p.exists() for p in old_paths)
    purge_lines = [r.getMessage() for r in caplog.records if "retention purge" in r.getMessage()]
    assert purge_lines and all("Patient" not in line for line in purge_lines)
    assert "1 case(s)" in purge_lines[0]
    # Nothing more to purge on the next pass.
    assert (await housekeeping.purge())[0] == 0
