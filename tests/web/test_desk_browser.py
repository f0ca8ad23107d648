"""The review desk in a real browser: Debian's Chromium driven by Playwright (never a downloaded one).

A staff member signs in with a one-time link, sees the urgent case first although it is the older one,
opens it, zooms the photo and shows the Grad-CAM heatmap, records a verdict with a note, and the patient
gets it over the fake Bot API in their language. Screenshots of the queue and of a case page at phone and
desktop widths go to tests/artifacts/ (git-ignored), for a person to look at.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.bot.helpers import agree
from tests.conftest import Harness
from tests.web.desk_setup import CLINIC_NAME, ROUTINE, URGENT, login_link, reviewed_case, start_desk
from tests.web.helpers import base_url

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


async def test_a_verdict_from_the_browser_reaches_the_patient(harness: Harness, browser) -> None:  # type: ignore[no-untyped-def]
    start_desk(harness, [URGENT, ROUTINE])
    await harness.start()
    first, second = harness.api.user(801, "ko"), harness.api.user(802, "vi")
    await agree(harness, first, "ko")
    await agree(harness, second, "vi")
    urgent, _ = await reviewed_case(harness, first, "ko", seed=1)  # the older case
    routine, _ = await reviewed_case(harness, second, "vi", seed=2)
    link = await login_link(harness, lang="en")
    t = harness.t
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    context = await browser.new_context(viewport=PHONE, device_scale_factor=2)
    page = await context.new_page()
    await page.goto(link)
    await page.click("#sign-in")
    await page.wait_for_url("**/desk")

    # The queue: the urgent case comes first, though it is the older one.
    items = page.locator("li.item")
    assert await items.count() == 2
    assert await items.nth(0).get_attribute("data-case") == urgent[:8]
    assert await items.nth(0).get_attribute("data-triage") == "urgent"
    assert await items.nth(1).get_attribute("data-case") == routine[:8]
    assert t("en", "triage-urgent-title") in await items.nth(0).inner_text()
    await page.screenshot(path=str(ARTIFACTS / "desk-queue-phone.png"), full_page=True)
    await page.set_viewport_size(DESKTOP)
    await page.screenshot(path=str(ARTIFACTS / "desk-queue-desktop.png"), full_page=True)

    # The case page: photo, heatmap toggle, zoom, scores, answers, report, PDF.
    await items.nth(0).locator("a").click()
    await page.wait_for_url("**/desk/cases/*")
    assert await page.inner_text("#triage") == t("en", "triage-urgent-title")
    loaded = await page.eval_on_selector("#photo", "img => img.complete && img.naturalWidth > 0")
    assert loaded
    assert not await page.is_visible("#heatmap")
    await page.click("label[for=heatmap-toggle]")
    assert await page.is_visible("#heatmap")
    viewer_width = await page.eval_on_selector("#viewer", "v => v.clientWidth")
    await page.click("[data-zoom=in]")
    await page.click("[data-zoom=in]")
    assert await page.eval_on_selector("#stage", "s => s.offsetWidth") >= 1.9 * viewer_width
    await page.click("[data-zoom=reset]")
    assert await page.locator("#scores tr").count() == 6
    assert "Small red papules on the left cheek." in await page.inner_text("#report")
    assert await page.locator("#report h3").all_inner_texts() == ["Findings", "Care"]
    pdf = await context.request.get(base_url(harness) + str(await page.get_attribute("#pdf", "href")))
    assert pdf.status == 200 and (await pdf.body()).startswith(b"%PDF")
    await page.screenshot(path=str(ARTIFACTS / "desk-case-desktop.png"), full_page=True)
    await page.set_viewport_size(PHONE)
    await page.screenshot(path=str(ARTIFACTS / "desk-case-phone.png"), full_page=True)

    # The verdict, with a note.
    note = "Please book a visit this week."
    await page.fill("#note", note)
    await page.click("button[name=verdict][value=visit]")
    await page.wait_for_selector("#decided")
    assert await page.inner_text("#result") == t("en", "desk-verdict-won")
    assert "Dr Lan" in await page.inner_text("#decided")

    # The patient hears it in their language, with the note, exactly as from the clinic chat.
    day = datetime.now(UTC).date().isoformat()
    await harness.wait_key(
        first,
        "ko",
        "review-verdict",
        clinic=CLINIC_NAME,
        case=urgent[:8],
        date=day,
        verdict=t("ko", "verdict-visit"),
    )
    await harness.wait_key(first, "ko", "review-note", note=note)

    # The staff member reads the desk in Korean from now on.
    await page.select_option("#language", "ko")
    await page.wait_for_function("document.documentElement.lang === 'ko'")
    assert t("ko", "desk-verdict") in await page.inner_text("#verdict")
    await context.close()


# Words of the page that the browser broke across two lines (Korean may break between any two syllables
# unless told to keep words whole). A middle dot separates words, as a space does (안면 홍반·딸기코).
BROKEN_WORDS = """() => {
  const broken = [];
  const walker = document.createTreeWalker(document.querySelector("main"), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const match of node.data.matchAll(/[^\\s·]+/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
      if (tops.size > 1) broken.push(match[0]);
    }
  }
  return broken;
}"""


async def test_korean_words_are_not_broken_across_lines_on_a_phone(harness: Harness, browser) -> None:  # type: ignore[no-untyped-def]
    start_desk(harness, [URGENT])
    await harness.start()
    patient = harness.api.user(803, "ko")
    await agree(harness, patient, "ko")
    await reviewed_case(harness, patient, "ko", seed=3)
    context = await browser.new_context(viewport={"width": 360, "height": 800})
    page = await context.new_page()
    await page.goto(await login_link(harness, lang="ko"))
    await page.click("#sign-in")
    await page.wait_for_url("**/desk")
    assert await page.evaluate(BROKEN_WORDS) == []
    await page.locator("li.item").nth(0).locator("a").click()
    await page.wait_for_url("**/desk/cases/*")
    assert await page.evaluate(BROKEN_WORDS) == []
    await context.close()
