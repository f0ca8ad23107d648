"""The review desk opened inside Telegram (a Mini App): staff sign in with `initData` that Telegram signs
with the bot token, here signed by the tests themselves (`tests.web.init_data_signing`). Valid data from a
registered staff member opens the same session a login link does; forged, stale or early data, and a
Telegram account that is not staff of that clinic, get a page that says why, and no session.

Over HTTP first, then in Chromium as Telegram opens it: the page, with Telegram's data in its fragment,
posts it itself. Telegram's script (telegram.org) is answered by the test, never fetched."""

from __future__ import annotations

import html
import time
from datetime import timedelta

import httpx

from conversations.domain import Clinic, Language
from conversations.web_domain import Staff
from tests.conftest import Harness
from tests.web.desk_setup import CLINIC, OTHER, csrf_of, desk_client, queue_cases, routine_case_at_the_desk
from tests.web.helpers import base_url
from tests.web.init_data_signing import launch_fragment, signed_init_data, with_hash

DOCTOR, STRANGER = 4242, 5151
SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}


async def staff_on_telegram(
    h: Harness, telegram_id: int = DOCTOR, chat: int = CLINIC, lang: str = "en"
) -> tuple[Staff, Clinic]:
    store = h.services.store
    staff = await store.staff.add(chat, "Dr Lan", Language(lang), telegram_id=telegram_id)
    clinic = await store.clinics.by_chat(chat)
    assert clinic is not None
    return staff, clinic


def init_data(h: Harness, user_id: int = DOCTOR, **kwargs: object) -> str:
    return signed_init_data(h.settings.telegram_bot_token.get(), user_id, **kwargs)  # type: ignore[arg-type]


async def post(http: httpx.AsyncClient, data: str, clinic: Clinic | int, **headers: str) -> httpx.Response:
    clinic_id = clinic.id if isinstance(clinic, Clinic) else clinic
    return await http.post(
        "/desk/telegram",
        data={"init_data": data, "clinic": str(clinic_id)},
        headers={**SAME_ORIGIN, **headers},
    )


async def test_a_staff_member_signed_in_by_telegram_gets_the_clinics_queue(harness: Harness) -> None:
    _, case_id, review = await routine_case_at_the_desk(harness, 711, "en")
    staff, clinic = await staff_on_telegram(harness)
    async with desk_client(harness) as http:
        answer = await post(http, init_data(harness), clinic)
        assert answer.status_code == 303 and answer.headers["location"] == "/desk", answer.text
        assert "skinbot_desk" in http.cookies
        queue = await http.get("/desk")
        assert queue_cases(queue.text) == [(case_id[:8], "routine")]
        # The very session a login link gives: its CSRF token, its verdicts.
        verdict = await http.post(
            f"/desk/cases/{review.id}/verdict", data={"csrf": csrf_of(queue.text), "verdict": "visit"}
        )
        assert verdict.status_code == 303, verdict.text
    store = harness.services.store
    assert (await store.reviews.get(review.id)).reviewer == "Dr Lan"  # type: ignore[union-attr]
    logins = [e for e in await store.audit.of_clinic(CLINIC) if e.action == "login"]
    assert [(e.actor, e.source, e.staff_id) for e in logins] == [("Dr Lan", "telegram", staff.id)]


async def test_refused_telegram_sign_ins_say_why_and_leave_no_session(harness: Harness) -> None:
    await routine_case_at_the_desk(harness, 712, "en")
    _, clinic = await staff_on_telegram(harness)
    await staff_on_telegram(harness, STRANGER, OTHER)  # staff of the other clinic only
    good = init_data(harness)
    forged = with_hash(good, "0" * 64)
    stale = init_data(harness, auth_date=time.time() - timedelta(days=1, minutes=1).total_seconds())
    early = init_data(harness, auth_date=time.time() + 3600)
    t = harness.t
    cases = [
        (forged, clinic, "desk-telegram-invalid", "en"),
        (good.replace(str(DOCTOR), str(STRANGER), 1), clinic, "desk-telegram-invalid", "en"),  # another id
        ("", clinic, "desk-telegram-invalid", "en"),
        (stale, clinic, "desk-telegram-stale", "en"),
        (early, clinic, "desk-telegram-early", "en"),
        # Signed, but not this clinic's staff: refused in the language their Telegram speaks.
        (init_data(harness, STRANGER, language="ko"), clinic, "desk-telegram-not-staff", "ko"),
        (good, 999_999, "desk-telegram-not-staff", "en"),  # no such clinic
        (good, "x", "desk-telegram-not-staff", "en"),
    ]
    for data, where, key, lang in cases:
        async with desk_client(harness) as http:
            answer = await (
                post(http, data, where)  # type: ignore[arg-type]
                if not isinstance(where, str)
                else http.post(
                    "/desk/telegram", data={"init_data": data, "clinic": where}, headers=SAME_ORIGIN
                )
            )
            assert answer.status_code == 403, (key, answer.text)
            assert t(lang, key) in html.unescape(answer.text), key
            assert "skinbot_desk" not in http.cookies
            assert (await http.get("/desk")).status_code == 401
    # Valid data sent by another site's page is refused before it is read.
    async with desk_client(harness) as http:
        answer = await post(http, good, clinic, **{"Sec-Fetch-Site": "cross-site"})
        assert answer.status_code == 403 and t("en", "desk-cross-site") in answer.text
        assert "skinbot_desk" not in http.cookies
    # A removed staff member's Telegram account signs in no more.
    store = harness.services.store
    staff = await store.staff.by_telegram(CLINIC, DOCTOR)
    assert staff is not None and await store.staff.remove(staff.id)
    async with desk_client(harness) as http:
        answer = await post(http, good, clinic)
        assert answer.status_code == 403 and "skinbot_desk" not in http.cookies
    assert not [e for e in await store.audit.of_clinic(CLINIC) if e.action == "login"]


async def test_only_the_entry_page_may_load_telegrams_script(harness: Harness) -> None:
    await routine_case_at_the_desk(harness, 713, "en")
    async with desk_client(harness) as http:
        entry = await http.get("/desk/telegram?clinic=1")
        assert entry.status_code == 200
        assert harness.t("en", "desk-telegram-outside") in entry.text
        assert "script-src 'self' https://telegram.org;" in entry.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in entry.headers["content-security-policy"]
        queue = await http.get("/desk")
        assert "telegram.org" not in queue.headers["content-security-policy"]


# --- in Chromium, as Telegram opens it ----------------------------------------------------------------

# What Telegram's telegram-web-app.js offers the page, enough for it: the test answers the script's URL
# with this, so nothing is fetched from the network, and records what the page called.
TELEGRAM_SCRIPT = """
window.Telegram = {WebApp: {
  initData: new URLSearchParams(location.hash.slice(1)).get("tgWebAppData"),
  ready() { document.documentElement.dataset.ready = "yes"; },
  expand() {},
}};
"""


async def open_in_telegram(browser, url: str, telegram: str = "stub"):  # type: ignore[no-untyped-def]
    """A fresh browser context that opens `url` as a Telegram client would; Telegram's script is answered
    by the test (`telegram`: "stub") or fails to load ("fail"). Returns (context, page, answer, fetched):
    the URLs it asked for beyond the desk."""
    context = await browser.new_context(viewport={"width": 390, "height": 844})
    fetched: list[str] = []

    async def outside(route) -> None:  # type: ignore[no-untyped-def]
        fetched.append(route.request.url)
        if telegram == "stub" and route.request.url == "https://telegram.org/js/telegram-web-app.js":
            await route.fulfill(body=TELEGRAM_SCRIPT, content_type="application/javascript")
        else:
            await route.abort()

    await context.route(lambda url: not url.startswith("http://127.0.0.1:"), outside)
    page = await context.new_page()
    async with page.expect_response(
        lambda r: r.url.endswith("/desk/telegram") and r.request.method == "POST"
    ) as posted:
        await page.goto(url)
    answer = await posted.value
    await page.wait_for_load_state()
    return context, page, answer, fetched


async def test_the_desk_opens_inside_telegram_in_chromium(harness: Harness, browser) -> None:  # type: ignore[no-untyped-def]
    _, case_id, _ = await routine_case_at_the_desk(harness, 721, "vi")
    _, clinic = await staff_on_telegram(harness, lang="vi")
    entry = f"{base_url(harness)}/desk/telegram?clinic={clinic.id}"

    context, page, answer, fetched = await open_in_telegram(
        browser, entry + launch_fragment(init_data(harness))
    )
    assert answer.status == 303
    await page.wait_for_url("**/desk")
    assert await page.locator("li.item").count() == 1
    assert await page.locator("li.item").nth(0).get_attribute("data-case") == case_id[:8]
    assert harness.t("vi", "desk-signed-in-as", name="Dr Lan") in await page.inner_text("header")
    assert fetched == ["https://telegram.org/js/telegram-web-app.js"]  # Telegram's script, and nothing else
    assert [c["name"] for c in await context.cookies()] == ["skinbot_desk"]
    await context.close()

    # Telegram's script may fail to load (no network to telegram.org): the fragment alone signs in.
    context, page, answer, _ = await open_in_telegram(
        browser, entry + launch_fragment(init_data(harness)), telegram="fail"
    )
    await page.wait_for_url("**/desk")
    assert await page.locator("li.item").count() == 1
    await context.close()


async def test_forged_stale_and_strangers_are_refused_in_chromium(harness: Harness, browser) -> None:  # type: ignore[no-untyped-def]
    await routine_case_at_the_desk(harness, 722, "en")
    _, clinic = await staff_on_telegram(harness)
    entry = f"{base_url(harness)}/desk/telegram?clinic={clinic.id}"
    day_ago = time.time() - timedelta(days=1, minutes=5).total_seconds()
    refused = [
        (with_hash(init_data(harness), "f" * 64), "desk-telegram-invalid", "en"),
        (init_data(harness, auth_date=day_ago), "desk-telegram-stale", "en"),
        (init_data(harness, STRANGER, language="ko"), "desk-telegram-not-staff", "ko"),
    ]
    for data, key, lang in refused:
        context, page, answer, _ = await open_in_telegram(browser, entry + launch_fragment(data))
        assert answer.status == 403, key
        assert harness.t(lang, key) in await page.inner_text("main"), key
        assert await context.cookies() == [], key
        await page.goto(base_url(harness) + "/desk")
        assert harness.t("en", "desk-login-needed") in await page.inner_text("main")
        await context.close()

    # Opened outside Telegram (no fragment): it says how to sign in, posts nothing, loads nothing outside.
    context = await browser.new_context()
    fetched: list[str] = []
    await context.route(
        lambda url: not url.startswith("http://127.0.0.1:"), lambda r: fetched.append(r.request.url)
    )
    page = await context.new_page()
    await page.goto(entry)
    await page.wait_for_timeout(500)
    assert page.url == entry and fetched == []
    assert await page.is_visible("#telegram-outside") and not await page.is_visible("#telegram-wait")
    await context.close()
