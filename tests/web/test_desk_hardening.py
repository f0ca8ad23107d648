"""The review desk against a hostile web (issue 24): older login links die with a new one, a sign-in
posted from another site is refused, the sign-in page shows nothing of a signed-in desk, and whatever a
patient, a clinic chat member or a staff member typed is shown as text, never as markup."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.telegram_channel import verdict_data
from conversations.domain import Language
from tests.bot.helpers import agree
from tests.conftest import Harness
from tests.web.desk_setup import (
    CLINIC,
    ROUTINE,
    csrf_of,
    desk_client,
    login_link,
    reviewed_case,
    routine_case_at_the_desk,
    sign_in,
    start_desk,
)
from tests.web.helpers import base_url

SCRIPT = "<script>alert(1)</script>"
IMAGE = '"><img src=x onerror=alert(2)>'
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
ESCAPED_IMAGE = "&#34;&gt;&lt;img src=x onerror=alert(2)&gt;"


async def test_a_new_login_link_revokes_the_unused_older_ones(harness: Harness) -> None:
    start_desk(harness, [ROUTINE])
    await harness.start()
    store = harness.services.store
    staff = await store.staff.add(CLINIC, "Dr Lan", Language.VI)
    older = [await store.staff.new_link(staff.id, timedelta(hours=1)) for _ in range(2)]
    newest = await store.staff.new_link(staff.id, timedelta(hours=1))
    other = await store.staff.add(CLINIC, "Dr Hoa", Language.VI)
    colleague = await store.staff.new_link(other.id, timedelta(hours=1))
    async with desk_client(harness) as http:
        for token in older:
            assert (await http.get(f"/desk/login/{token}")).status_code == 404
            refused = await http.post(f"/desk/login/{token}")
            assert refused.status_code == 404 and "skinbot_desk" not in http.cookies
            assert harness.t("en", "desk-login-invalid") in refused.text
        await sign_in(http, f"{base_url(harness)}/desk/login/{newest}")
    async with desk_client(harness) as http:
        await sign_in(http, f"{base_url(harness)}/desk/login/{colleague}")  # one member's link, not others'


async def test_a_sign_in_posted_from_another_site_is_refused(harness: Harness) -> None:
    _, _, review = await routine_case_at_the_desk(harness, 711, "en")
    link = await login_link(harness, lang="ko")
    forged = (
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site", "Origin": "https://desk.evil.example"},
    )
    async with desk_client(harness) as http:
        for headers in forged:
            refused = await http.post(link, headers=headers)
            assert refused.status_code == 403, headers
            assert harness.t("ko", "desk-cross-site") in refused.text
            assert "skinbot_desk" not in http.cookies
        # The refused posts did not spend the link: the staff member's own press still signs in.
        own = {"Origin": base_url(harness), "Sec-Fetch-Site": "same-origin"}
        signed = await http.post(link, headers=own)
        assert signed.status_code == 303 and "skinbot_desk" in http.cookies
        # A signed-in form with the right token, posted from elsewhere, is refused as well.
        page = await http.get(f"/desk/cases/{review.id}")
        verdict = {"csrf": csrf_of(page.text), "verdict": "urgent"}
        url = f"/desk/cases/{review.id}/verdict"
        elsewhere = {"Origin": "https://evil.example"}
        assert (await http.post(url, data=verdict, headers=elsewhere)).status_code == 403
        assert (await harness.services.store.reviews.get(review.id)).verdict is None  # type: ignore[union-attr]
        assert (await http.post(url, data=verdict, headers=own)).status_code == 303


async def test_the_sign_in_page_shows_nothing_of_a_signed_in_desk(harness: Harness) -> None:
    start_desk(harness, [ROUTINE])
    await harness.start()
    async with desk_client(harness) as http:
        page = await http.get(await login_link(harness, name="Dr Lan", lang="vi"))
    assert page.status_code == 200
    t = harness.t
    assert t("vi", "desk-login-as", name="Dr Lan", clinic="Hanoi Skin Clinic") in page.text
    assert t("vi", "desk-signed-in-as", name="Dr Lan") not in page.text
    for signed_in_only in ("/desk/logout", "/desk/language", "/desk/audit", 'name="csrf"'):
        assert signed_in_only not in page.text
    for key in ("desk-logout", "desk-language-save", "desk-nav-queue", "desk-nav-audit"):
        assert t("vi", key) not in page.text, key


async def test_what_patients_and_chat_members_write_is_shown_as_text(harness: Harness) -> None:
    # The report is untrusted too: the model may echo what the history asked it to write.
    start_desk(harness, [ROUTINE], report=f"## Findings {SCRIPT}\nRed papules {IMAGE}")
    await harness.start()
    patient = harness.api.user(712, "en")
    doctor = harness.api.user(912, "vi", f"Dr {SCRIPT}")
    await agree(harness, patient, "en")
    case_id, review = await reviewed_case(
        harness, patient, "en", name=f"Ann {SCRIPT}", history=f"Itch {IMAGE}"
    )
    summary = next(m for m in harness.api.chat(CLINIC) if m.message_id == review.summary_message_id)
    await doctor.press(summary, verdict_data(review.id, "v"))
    for _ in range(300):
        stored = await harness.services.store.reviews.get(review.id)
        if stored is not None and stored.verdict is not None:
            break
        await asyncio.sleep(0.05)
    assert stored is not None and stored.reviewer == f"Dr {SCRIPT}"
    async with desk_client(harness) as http:
        await sign_in(http, await login_link(harness, name=f"Dr Lan {IMAGE}", lang="en"))
        pages = {
            "queue": await http.get("/desk?status=all"),
            "case": await http.get(f"/desk/cases/{review.id}"),
            "audit": await http.get("/desk/audit"),
        }
    for where, page in pages.items():
        assert page.status_code == 200, where
        assert "<script>alert" not in page.text and "<img src=x" not in page.text, where
        assert "Dr &lt;script&gt;alert(1)&lt;/script&gt;" in page.text, where  # the chat member's name
    case = pages["case"].text
    assert f"Ann {ESCAPED_SCRIPT}" in case and f"Itch {ESCAPED_IMAGE}" in case
    assert f"Findings {ESCAPED_SCRIPT}" in case and f"Red papules {ESCAPED_IMAGE}" in case
    assert f"Dr Lan {ESCAPED_IMAGE}" in pages["audit"].text
    assert case_id[:8] in pages["queue"].text
