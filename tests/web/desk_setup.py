"""A bot with two clinics, scripted models (so the test decides which case is urgent), the web desk on
127.0.0.1, and patients who send finished cases to a clinic over the fake Bot API."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta

import httpx

from conversations.domain import Language, Review
from inference.labels import Classification
from skinbot.settings import _clinics
from testkit.fake_user import FakeUser
from testkit.skin_photos import skin_photo
from tests.bot.helpers import agree, answer_until_summary, button, confirm
from tests.conftest import Harness
from tests.fakes import ScriptedWriter
from tests.polling import until
from tests.web.helpers import ScriptedClassifier, base_url, scores, use_scripted_models, with_web

CLINIC, OTHER = -100500, -100600
CLINIC_NAME, OTHER_NAME = "Hanoi Skin Clinic", "Seoul Derm"
REPORT = (
    "## Findings\nSmall red papules on the left cheek.\n\n## Care\nWash gently; see a doctor if it spreads."
)
URGENT, ROUTINE, UNCERTAIN = (
    scores("carcinoma", 0.7),
    scores("acne", 0.85),
    Classification((0.3, 0.1, 0.25, 0.15, 0.1, 0.1), uncertain=True),
)


def start_desk(h: Harness, results: list[Classification], report: str = REPORT) -> ScriptedClassifier:
    h.api.add_group(CLINIC, CLINIC_NAME)
    h.api.add_group(OTHER, OTHER_NAME)
    classifier = ScriptedClassifier(list(results))
    use_scripted_models(h, classifier, ScriptedWriter(script=lambda r: report))
    with_web(h)
    h.settings = dataclasses.replace(
        h.settings,
        review_chats=_clinics(f"{CLINIC}:{CLINIC_NAME}:vi,{OTHER}:{OTHER_NAME}:ko"),
        clinic_access="all",  # patients without a clinic link choose either clinic
    )
    return classifier


async def reviewed_case(
    h: Harness,
    user: FakeUser,
    lang: str,
    *,
    clinic: int = 0,
    seed: int = 0,
    report_language: str | None = None,
    **answers: str,
) -> tuple[str, Review]:
    """A finished case of `user`, sent with their consent to clinic number `clinic`; `answers` are the
    intake's (name, history, ...) where the defaults will not do."""
    summary = await answer_until_summary(
        h, user, lang, skin_photo(seed=seed), report_language=report_language or lang, **answers
    )
    case_id = await confirm(h, user, lang, summary)

    def offer():  # type: ignore[no-untyped-def]
        return next(
            (
                m
                for m in user.inbox()
                if any(b["callback_data"].startswith(f"review|{case_id}|") for b in m.buttons())
            ),
            None,
        )

    await until(lambda: offer() is not None, 60, "the review offer")
    since = len(user.inbox())  # the same questions were asked for this user's earlier cases
    await user.press(offer(), button(offer(), "review", case_id))
    chosen = await h.services.store.clinics.by_chat((CLINIC, OTHER)[clinic])
    assert chosen is not None
    pick = await h.wait_key(user, lang, "review-pick-clinic", since=since)
    await user.press(pick, button(pick, "rvpick", f"{case_id}.{chosen.id}"))
    consent = await h.wait_key(user, lang, "review-consent", clinic=chosen.name, count=1, since=since)
    await user.press(consent, button(consent, "rvsend", f"{case_id}.{chosen.id}"))
    review = await _review_of(h, case_id)
    return case_id, review


async def routine_case_at_the_desk(h: Harness, user_id: int, lang: str) -> tuple[FakeUser, str, Review]:
    """The bot and the desk started (every case routine), and a consenting patient's case sent to the
    first clinic: the patient, the case id and its review."""
    start_desk(h, [ROUTINE])
    await h.start()
    patient = h.api.user(user_id, lang)
    await agree(h, patient, lang)
    case_id, review = await reviewed_case(h, patient, lang)
    return patient, case_id, review


async def _review_of(h: Harness, case_id: str) -> Review:
    store = h.services.store
    for _ in range(200):
        review = await store.reviews.of_case(case_id)
        if review is not None and review.summary_message_id is not None:
            return review
        await __import__("asyncio").sleep(0.05)
    raise AssertionError("the case did not reach the clinic")


async def login_link(h: Harness, clinic: int = CLINIC, name: str = "Dr Lan", lang: str = "vi") -> str:
    store = h.services.store
    staff = await store.staff.add(clinic, name, Language(lang))
    token = await store.staff.new_link(staff.id, timedelta(hours=1))
    return f"{base_url(h)}/desk/login/{token}"


def desk_client(h: Harness) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base_url(h), timeout=30, follow_redirects=False)


async def sign_in(http: httpx.AsyncClient, link: str) -> None:
    page = await http.get(link)
    assert page.status_code == 200, page.text
    signed = await http.post(link)
    assert signed.status_code == 303 and signed.headers["location"] == "/desk", signed.text
    assert "skinbot_desk" in http.cookies


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def queue_cases(html: str) -> list[tuple[str, str]]:
    """(short case id, triage level) of each row of the queue page, in order."""
    return re.findall(r'data-case="([0-9a-f]{8})" data-triage="(\w+)"', html)
