"""The review desk over HTTP: sign-in links, clinic scoping, CSRF, the queue's order and filters, and
verdicts racing between the desk and the clinic's Telegram chat (the first one wins either way)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from bot.telegram_channel import verdict_data
from casework.review_desk import VERDICTS
from conversations.domain import Language, Review
from inference.labels import Classification
from skinbot.cli import main
from testkit.fake_user import FakeUser
from tests.bot.helpers import agree
from tests.conftest import Harness
from tests.web.desk_setup import (
    CLINIC,
    CLINIC_NAME,
    OTHER,
    ROUTINE,
    UNCERTAIN,
    URGENT,
    csrf_of,
    desk_client,
    login_link,
    queue_cases,
    reviewed_case,
    routine_case_at_the_desk,
    sign_in,
    start_desk,
)
from tests.web.helpers import base_url
from web.context import VERDICTS as WEB_VERDICTS


@asynccontextmanager
async def signed_in(h: Harness, lang: str = "vi") -> AsyncIterator[httpx.AsyncClient]:
    """A desk client signed in with a fresh link for Dr Lan of the first clinic."""
    async with desk_client(h) as http:
        await sign_in(http, await login_link(h, lang=lang))
        yield http


async def reviewed_with_a_doctor(
    h: Harness, triage: Classification, patient_id: int, lang: str, doctor_id: int
) -> tuple[FakeUser, FakeUser, str, Review]:
    """The desk started with every case of this triage, a consenting patient's case sent to the first
    clinic, and Dr Minh in its chat: the patient, the doctor, the case id and its review."""
    start_desk(h, [triage])
    await h.start()
    patient, doctor = h.api.user(patient_id, lang), h.api.user(doctor_id, "vi", "Dr Minh")
    await agree(h, patient, lang)
    case_id, review = await reviewed_case(h, patient, lang)
    return patient, doctor, case_id, review


def test_the_desk_offers_the_chats_verdicts() -> None:
    assert tuple(VERDICTS.values()) == WEB_VERDICTS


async def test_a_login_link_works_once_and_only_in_time(harness: Harness) -> None:
    start_desk(harness, [ROUTINE])
    await harness.start()
    link = await login_link(harness)
    async with desk_client(harness) as http:
        assert (await http.get("/desk")).status_code == 401  # not signed in
        page = await http.get(link)
        assert harness.t("vi", "desk-login-as", name="Dr Lan", clinic=CLINIC_NAME) in page.text
        assert (await http.get(link)).status_code == 200  # looking (a link preview) does not spend it
        await sign_in(http, link)
        assert (await http.get("/desk")).status_code == 200
    async with desk_client(harness) as other:
        again = await other.post(link)
        assert again.status_code == 404 and "skinbot_desk" not in other.cookies
        assert harness.t("en", "desk-login-invalid") in again.text
    store = harness.services.store
    staff = await store.staff.add(CLINIC, "Dr Late", Language.EN)
    expired = await store.staff.new_link(staff.id, timedelta(seconds=-1))
    async with desk_client(harness) as http:
        assert (await http.post(f"/desk/login/{expired}")).status_code == 404
        assert (await http.get("/desk/login/not-a-token")).status_code == 404
    # Only hashes are stored.
    assert link.rsplit("/", 1)[1].encode() not in harness.settings.db_path.read_bytes()


async def test_staff_see_only_their_own_clinics_cases(harness: Harness) -> None:
    _, case_id, review = await routine_case_at_the_desk(harness, 701, "en")
    async with desk_client(harness) as http:
        await sign_in(http, await login_link(harness, OTHER, "Dr Park", "ko"))
        queue = await http.get("/desk?status=all")
        assert queue_cases(queue.text) == [] and case_id[:8] not in queue.text
        page = await http.get("/desk")
        token = csrf_of(page.text)
        for path in ("", "/photo", "/heatmap", "/report.pdf"):
            answer = await http.get(f"/desk/cases/{review.id}{path}")
            assert answer.status_code == 404, path
        verdict = await http.post(
            f"/desk/cases/{review.id}/verdict", data={"csrf": token, "verdict": "urgent"}
        )
        assert verdict.status_code == 404
    assert (await harness.services.store.reviews.get(review.id)).verdict is None  # type: ignore[union-attr]
    async with desk_client(harness) as http, desk_client(harness) as other:
        await sign_in(http, await login_link(harness, CLINIC, "Dr Lan", "vi"))
        assert [c for c, _ in queue_cases((await http.get("/desk")).text)] == [case_id[:8]]
        photo = await http.get(f"/desk/cases/{review.id}/photo")
        assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
        assert "no-store" in photo.headers["cache-control"]
        assert (await http.get(f"/desk/cases/{review.id}")).status_code == 200  # audited: "view"
        assert case_id[:8] in (await http.get("/desk/audit")).text
        # The other clinic's audit log shows nothing of it, nor who opened it.
        await sign_in(other, await login_link(harness, OTHER, "Dr Kim", "ko"))
        audit = await other.get("/desk/audit")
        assert audit.status_code == 200 and case_id[:8] not in audit.text and "Dr Lan" not in audit.text


async def test_forms_need_the_sessions_csrf_token(harness: Harness) -> None:
    _, _, review = await routine_case_at_the_desk(harness, 702, "en")
    async with signed_in(harness) as http:
        page = await http.get(f"/desk/cases/{review.id}")
        assert page.headers["x-frame-options"] == "DENY"
        assert "default-src 'self'" in page.headers["content-security-policy"]
        for data in ({"verdict": "urgent"}, {"verdict": "urgent", "csrf": "forged"}):
            refused = await http.post(f"/desk/cases/{review.id}/verdict", data=data)
            assert refused.status_code == 403 and harness.t("vi", "desk-csrf") in refused.text
        language = await http.post("/desk/language", data={"language": "ko"})
        assert language.status_code == 403
        for data in ({}, {"csrf": "forged"}):
            assert (await http.post("/desk/logout", data=data)).status_code == 403
        assert (await http.get("/desk")).status_code == 200  # still signed in
    stored = await harness.services.store.reviews.get(review.id)
    assert stored is not None and stored.verdict is None


async def test_the_queue_puts_urgent_cases_first_and_filters(harness: Harness) -> None:
    start_desk(harness, [URGENT, ROUTINE, UNCERTAIN])
    await harness.start()
    a, b = harness.api.user(703, "ko"), harness.api.user(704, "en")
    await agree(harness, a, "ko")
    await agree(harness, b, "en")
    urgent, _ = await reviewed_case(harness, a, "ko", seed=1)  # the oldest
    routine, _ = await reviewed_case(harness, b, "en", seed=2)
    uncertain, _ = await reviewed_case(harness, b, "en", seed=3, report_language="vi")
    async with signed_in(harness) as http:

        async def listed(query: str = "") -> list[tuple[str, str]]:
            page = await http.get(f"/desk{query}")
            assert page.status_code == 200
            return queue_cases(page.text)

        assert await listed() == [
            (urgent[:8], "urgent"),
            (uncertain[:8], "uncertain"),
            (routine[:8], "routine"),
        ]
        assert await listed("?triage=routine") == [(routine[:8], "routine")]
        assert [c for c, _ in await listed("?language=vi")] == [uncertain[:8]]
        assert [c for c, _ in await listed("?language=ko")] == [urgent[:8]]
        today = datetime.now(UTC).date()
        assert len(await listed(f"?from={today}&until={today}")) == 3
        assert await listed(f"?from={today + timedelta(days=1)}") == []
        assert await listed("?status=answered") == []
        assert len(await listed("?triage=nonsense&status=bogus")) == 3  # unknown values are ignored


async def test_a_desk_verdict_reaches_the_patient_and_a_later_chat_press_loses(harness: Harness) -> None:
    patient, doctor, case_id, review = await reviewed_with_a_doctor(harness, URGENT, 705, "ko", 905)
    note = "Please come on Monday morning & bring <this> report."
    async with signed_in(harness) as http:
        page = await http.get(f"/desk/cases/{review.id}")
        decided = await http.post(
            f"/desk/cases/{review.id}/verdict",
            data={"csrf": csrf_of(page.text), "verdict": "visit", "note": note},
        )
        assert decided.status_code == 303
        shown = await http.get(decided.headers["location"])
        assert harness.t("vi", "desk-verdict-won") in shown.text
        # Staff read the verdict in their own words, the button's, not the sentence the patient gets.
        audit = await http.get("/desk/audit")
        for page_text in (shown.text, audit.text):
            assert harness.t("vi", "btn-verdict-visit") in page_text
            assert harness.t("vi", "verdict-visit") not in page_text
    day = datetime.now(UTC).date().isoformat()
    verdict = harness.t("ko", "verdict-visit")
    await harness.wait_key(
        patient, "ko", "review-verdict", clinic=CLINIC_NAME, case=case_id[:8], date=day, verdict=verdict
    )
    await harness.wait_key(patient, "ko", "review-note", note=note)
    answered = harness.t(
        "vi", "clinic-answered", reviewer="Dr Lan", verdict=harness.t("vi", "btn-verdict-visit")
    )
    await harness.wait_text_in(CLINIC, answered)
    # The clinic chat's buttons come too late now.
    summary = next(m for m in harness.api.chat(CLINIC) if m.message_id == review.summary_message_id)
    await doctor.press(summary, verdict_data(review.id, "u"))
    await harness.wait_until(lambda: any(c.method == "answerCallbackQuery" for c in harness.api.calls))
    stored = await harness.services.store.reviews.get(review.id)
    assert stored is not None and (stored.verdict, stored.reviewer, stored.note) == ("visit", "Dr Lan", note)
    told = [m for m in patient.inbox() if m.text and m.text.startswith("👩‍⚕️")]
    assert len(told) == 1
    audit = await harness.services.store.audit.of_review(CLINIC, review.id)
    assert [(e.action, e.source, e.actor) for e in reversed(audit)] == [
        ("view", "web", "Dr Lan"),
        ("verdict", "web", "Dr Lan"),
        ("view", "web", "Dr Lan"),
    ]


async def test_a_chat_verdict_first_wins_over_the_desk(harness: Harness) -> None:
    patient, doctor, _, review = await reviewed_with_a_doctor(harness, ROUTINE, 706, "vi", 906)
    async with signed_in(harness) as http:
        page = await http.get(f"/desk/cases/{review.id}")  # the form, still open
        summary = next(m for m in harness.api.chat(CLINIC) if m.message_id == review.summary_message_id)
        await doctor.press(summary, verdict_data(review.id, "r"))
        await harness.wait_key(
            patient,
            "vi",
            "review-verdict",
            clinic=CLINIC_NAME,
            case=review.case_id[:8],
            date=datetime.now(UTC).date().isoformat(),
            verdict=harness.t("vi", "verdict-routine"),
        )
        late = await http.post(
            f"/desk/cases/{review.id}/verdict", data={"csrf": csrf_of(page.text), "verdict": "urgent"}
        )
        shown = await http.get(late.headers["location"])
        assert harness.t("vi", "desk-verdict-lost", reviewer="Dr Minh") in shown.text
        audit = await http.get("/desk/audit")
    assert harness.t("vi", "desk-audit-source-telegram") in audit.text
    stored = await harness.services.store.reviews.get(review.id)
    assert stored is not None and (stored.verdict, stored.reviewer) == ("routine", "Dr Minh")


async def test_a_note_verdict_needs_its_note(harness: Harness) -> None:
    patient, _, review = await routine_case_at_the_desk(harness, 707, "en")
    async with signed_in(harness, "en") as http:
        token = csrf_of((await http.get(f"/desk/cases/{review.id}")).text)
        url = f"/desk/cases/{review.id}/verdict"
        empty = await http.post(url, data={"csrf": token, "verdict": "note", "note": "   "})
        assert empty.status_code == 400 and harness.t("en", "desk-note-required") in empty.text
        long = await http.post(url, data={"csrf": token, "verdict": "note", "note": "x" * 1001})
        assert long.status_code == 400
        assert harness.t("en", "desk-note-too-long", length=1001, max=1000) in long.text
        assert "x" * 1001 in long.text  # what was typed is kept
        assert (await harness.services.store.reviews.get(review.id)).verdict is None  # type: ignore[union-attr]
        ok = await http.post(
            url, data={"csrf": token, "verdict": "note", "note": "Apply the cream twice a day."}
        )
        assert ok.status_code == 303
    await harness.wait_key(patient, "en", "review-note", note="Apply the cream twice a day.")


async def test_language_audit_log_and_sign_out(harness: Harness) -> None:
    patient, _, review = await routine_case_at_the_desk(harness, 708, "en")
    async with signed_in(harness) as http:
        page = await http.get("/desk")
        assert harness.t("vi", "desk-queue-title") in page.text and 'lang="vi"' in page.text
        changed = await http.post(
            "/desk/language", data={"csrf": csrf_of(page.text), "language": "ko", "next": "/desk"}
        )
        assert changed.status_code == 303
        page = await http.get("/desk")
        assert harness.t("ko", "desk-queue-title") in page.text and 'lang="ko"' in page.text
        pdf = await http.get(f"/desk/cases/{review.id}/report.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        audit = await http.get("/desk/audit")
        for key in ("desk-audit-action-login", "desk-audit-action-pdf"):
            assert harness.t("ko", key) in audit.text
        out = await http.post("/desk/logout", data={"csrf": csrf_of(page.text)})
        assert harness.t("ko", "desk-signed-out") in out.text
        assert (await http.get("/desk")).status_code == 401
    # None of it ever went to the patient.
    assert not any(m.text and "Dr Lan" in m.text for m in patient.inbox())


async def test_staff_commands(harness: Harness, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    start_desk(harness, [ROUTINE])
    await harness.start()
    monkeypatch.setenv("SKINBOT_DATA_DIR", str(harness.settings.data_dir))
    monkeypatch.setenv("SKINBOT_REVIEW_CHAT_ID", f"{CLINIC}:{CLINIC_NAME}:vi")
    monkeypatch.setenv("SKINBOT_WEB_URL", base_url(harness))
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.chdir(harness.settings.data_dir.parent)
    assert await asyncio.to_thread(main, ["clinic", "staff", "add", "--clinic", "-1", "--name", "X"]) == 2
    assert "-1 is not a clinic" in capsys.readouterr().err
    code = await asyncio.to_thread(
        main, ["clinic", "staff", "add", "--clinic", str(CLINIC), "--name", "Dr Hoa"]
    )
    assert code == 0
    link = next(line for line in capsys.readouterr().out.splitlines() if "/desk/login/" in line)
    async with desk_client(harness) as http:
        await sign_in(http, link)
        assert "Dr Hoa" in (await http.get("/desk")).text
        assert await asyncio.to_thread(main, ["clinic", "staff", "list"]) == 0
        assert "Dr Hoa" in capsys.readouterr().out
        assert await asyncio.to_thread(main, ["clinic", "staff", "remove", "1"]) == 0
        assert (await http.get("/desk")).status_code == 401  # the session ended with the removal
    assert await asyncio.to_thread(main, ["clinic", "staff", "link", "1"]) == 2
