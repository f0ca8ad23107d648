"""The local emergency number (SKINBOT_EMERGENCY_NUMBER) in the chat's disclaimer and in the report PDF.

A language is not a country: a Vietnamese speaker in Seoul must not be told to call 115. So the number is the
deployment's, named in every language when it is set and not at all when it is not.
"""

from __future__ import annotations

import dataclasses
import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from casework.translator import emergency_args
from tests.bot.helpers import button
from tests.bot.test_report_delivery import run_case, use_models, wait_pdf
from tests.conftest import Harness
from tests.fakes import ScriptedWriter

LANGS = ["ko", "en", "vi"]


def squash(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize("lang", LANGS)
async def test_the_disclaimer_names_the_deployments_number(harness: Harness, lang: str) -> None:
    harness.settings = dataclasses.replace(harness.settings, emergency_number="115")
    await harness.start()
    user = harness.api.user(901, lang)
    await user.send("/start")
    said = await harness.wait_key(user, lang, "disclaimer", **emergency_args("115"))
    assert "115" in (said.text or "")
    # A returning user's /start says it again, with the same number.
    consent = await harness.wait_key(user, lang, "consent-ask")
    await user.press(consent, button(consent, "agree", lang))
    await harness.wait_key(user, lang, "ask-photo")
    since = len(user.inbox())
    await user.send("/start")
    again = await harness.wait_key(user, lang, "disclaimer", since=since, **emergency_args("115"))
    assert again.text == said.text


@pytest.mark.parametrize("lang", LANGS)
async def test_without_a_number_the_disclaimer_names_none(harness: Harness, lang: str) -> None:
    await harness.start()
    user = harness.api.user(902, lang)
    await user.send("/start")
    said = await harness.wait_key(user, lang, "disclaimer", **emergency_args(""))
    assert not re.search(r"\d", said.text or ""), said.text
    assert said.text != harness.t(lang, "disclaimer", **emergency_args("115"))


async def test_the_report_pdf_names_the_deployments_number(
    harness: Harness, photo_bytes: bytes, trained_classifier_weights: Path
) -> None:
    writer = ScriptedWriter(script=lambda r: "## 1. Findings\nA small red patch.")
    use_models(harness, trained_classifier_weights, lambda s: writer, emergency_number="115")
    await harness.start()
    user = harness.api.user(903, "vi")
    await run_case(harness, user, "vi", photo_bytes, report_language="vi")
    pdf = await wait_pdf(harness, user)
    assert pdf.document is not None
    text = squash("".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf.document)).pages))
    assert squash(harness.t("vi", "pdf-emergency", **emergency_args("115"))) in text
