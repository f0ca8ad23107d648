"""The store's side of the clinical workflow: the migration of older cases, photos and follow-up links,
clinics and their links, reminders, and how reminders and the retention purge meet."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from conversations.domain import CasePhoto, Language
from conversations.intake_state import Draft, Intake
from conversations.store import Store
from conversations.store.database import migrations
from conversations.web_domain import secret_hash
from tests.drafts import answered


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 10, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def draft(*photos: str, follow_up: str | None = None, site: str | None = None) -> Draft:
    return answered(*photos, body_site=site, follow_up=follow_up)


@pytest.fixture
async def store(tmp_path: Path):
    clock = Clock()
    s = await Store.open(tmp_path / "db.sqlite3", clock)
    s.test_clock = clock  # type: ignore[attr-defined]
    yield s
    await s.close()


async def reported(store: Store, user_id: int, *photos: str, **kw: object) -> str:
    if await store.users.get(user_id) is None:
        await store.users.add_consent(user_id, "en")
    case = await store.cases.create(user_id, user_id, draft(*photos, **kw), "en")  # type: ignore[arg-type]
    await store.jobs.save_classification(
        case.id,
        {
            "probs": dict.fromkeys(("acne", "carcinoma", "eczema", "keratosis", "milia", "rosacea"), 1 / 6),
            "uncertain": False,
        },
    )
    await store.jobs.save_report(case.id, "report", True)
    return case.id


def test_migration_0004_is_the_clinical_one() -> None:
    assert len(migrations()) >= 4
    assert "ALTER TABLE cases ADD COLUMN photos" in migrations()[3]


async def test_a_case_made_before_the_upgrade_has_its_one_photo(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    for number, step in enumerate(migrations()[:3], start=1):
        old.executescript(f"BEGIN; {step}; PRAGMA user_version={number}; COMMIT;")
    now = "2025-12-01T10:00:00+00:00"
    old.execute("INSERT INTO users VALUES (7, 'ko', ?, ?)", (now, now))
    old.execute(
        "INSERT INTO cases(id, user_id, chat_id, patient_name, age, gender, report_language, ui_language,"
        " image, status, created_at, updated_at)"
        " VALUES (?, 7, 7, 'Minh', 40, 'male', 'ko', 'ko', ?, 'done', ?, ?)",
        ("c" * 32, "a" * 32, now, now),
    )
    state = {"step": "name", "draft": {"photo": "b" * 32}, "editing": False}
    old.execute("INSERT INTO conversations VALUES (7, ?, ?)", (json.dumps(state), now))
    old.commit()
    old.close()

    store = await Store.open(path)
    try:
        assert await store.schema_version() == len(migrations())
        case = await store.cases.get(7, "c" * 32)
        assert case is not None
        assert case.photos == (CasePhoto("a" * 32, "close_up"),) and case.images == ("a" * 32,)
        assert case.body_site is None and case.follow_up_of is None
        intake = await store.intakes.load(7)
        assert intake is not None and intake.draft.photos == ("b" * 32,)
        user = await store.users.get(7)
        assert user is not None and user.clinic_id is None
    finally:
        await store.close()


async def test_photos_in_order_with_their_kinds(store: Store) -> None:
    case_id = await reported(store, 1, "a" * 32, "b" * 32, "c" * 32, site="back")
    case = await store.cases.get(1, case_id)
    assert case is not None
    assert [p.kind for p in case.photos] == ["close_up", "overview", "extra"]
    assert case.image == "a" * 32 and case.images == ("a" * 32, "b" * 32, "c" * 32)
    assert case.body_site == "back"


async def test_a_follow_up_links_only_to_the_same_users_case(store: Store) -> None:
    mine = await reported(store, 1, "a" * 32)
    theirs = await reported(store, 2, "b" * 32)
    linked = await reported(store, 1, "c" * 32, follow_up=mine)
    forged = await reported(store, 1, "d" * 32, follow_up=theirs)
    assert (await store.cases.get(1, linked)).follow_up_of == mine  # type: ignore[union-attr]
    assert (await store.cases.get(1, forged)).follow_up_of is None  # type: ignore[union-attr]
    earlier = await store.cases.earlier(await store.cases.get(1, linked))  # type: ignore[arg-type]
    assert earlier is not None and earlier.id == mine


async def test_follow_up_offers_are_the_newest_case_of_each_chain(store: Store) -> None:
    clock = store.test_clock  # type: ignore[attr-defined]
    first = await reported(store, 1, "a" * 32)
    clock.now += timedelta(days=1)
    other = await reported(store, 1, "b" * 32)
    clock.now += timedelta(days=1)
    follow = await reported(store, 1, "c" * 32, follow_up=first)
    clock.now += timedelta(days=1)
    rejected = (await store.cases.create(1, 1, draft("d" * 32, follow_up=other), "en")).id
    await store.jobs.mark_rejected(rejected, ("too_dark",))
    offers = [c.id for c in await store.cases.follow_up_candidates(1)]
    # `first` is followed up by a reported case; `other` only by a rejected one, so it is still offered.
    assert offers == [follow, other]
    assert await store.cases.follow_up_candidates(2) == []


async def test_purging_an_earlier_case_unlinks_its_follow_up(store: Store) -> None:
    clock = store.test_clock  # type: ignore[attr-defined]
    first = await reported(store, 1, "a" * 32)
    clock.now += timedelta(days=40)
    follow = await reported(store, 1, "b" * 32, follow_up=first)
    expired = await store.erasure.purge_before(clock.now - timedelta(days=30))
    assert expired == [(1, first, ("a" * 32,))]
    assert (await store.cases.get(1, follow)).follow_up_of is None  # type: ignore[union-attr]


async def test_a_reminded_case_is_kept_until_its_reminder_and_a_while_after(store: Store) -> None:
    clock = store.test_clock  # type: ignore[attr-defined]
    case_id = await reported(store, 1, "a" * 32, "b" * 32)
    assert await store.reminders.set(1, case_id, clock.now + timedelta(weeks=12)) is not None
    clock.now += timedelta(days=60)
    assert await store.erasure.purge_before(clock.now - timedelta(days=30)) == []  # reminder pending
    clock.now += timedelta(days=30)  # past its due time
    [due] = await store.reminders.due(clock.now)
    await store.reminders.mark_sent(due.case_id)
    assert await store.reminders.pending(1) == []
    clock.now += timedelta(days=29)
    assert await store.erasure.purge_before(clock.now - timedelta(days=30)) == []  # sent 29 days ago
    clock.now += timedelta(days=2)
    expired = await store.erasure.purge_before(clock.now - timedelta(days=30))
    assert expired == [(1, case_id, ("a" * 32, "b" * 32))]
    assert await store.db.all("SELECT * FROM reminders") == []


async def test_a_cancelled_reminder_keeps_nothing(store: Store) -> None:
    clock = store.test_clock  # type: ignore[attr-defined]
    case_id = await reported(store, 1, "a" * 32)
    await store.reminders.set(1, case_id, clock.now + timedelta(weeks=12))
    assert await store.reminders.cancel(1, case_id)
    assert not await store.reminders.cancel(1, case_id)
    clock.now += timedelta(days=31)
    assert len(await store.erasure.purge_before(clock.now - timedelta(days=30))) == 1


async def test_reminders_are_the_users_own_and_one_per_case(store: Store) -> None:
    clock = store.test_clock  # type: ignore[attr-defined]
    case_id = await reported(store, 1, "a" * 32)
    assert await store.reminders.set(2, case_id, clock.now) is None  # not user 2's case
    queued = (await store.cases.create(1, 1, draft("b" * 32), "en")).id
    assert await store.reminders.set(1, queued, clock.now) is None  # no report yet
    await store.reminders.set(1, case_id, clock.now + timedelta(weeks=2))
    await store.reminders.set(1, case_id, clock.now + timedelta(weeks=4))
    [reminder] = await store.reminders.pending(1)
    assert reminder.due_at == clock.now + timedelta(weeks=4)
    assert await store.reminders.due(clock.now + timedelta(weeks=3)) == []
    assert [r.case_id for r in await store.reminders.due(clock.now + timedelta(weeks=4))] == [case_id]
    assert not await store.reminders.cancel(2, case_id)


async def test_clinics_seeded_added_linked_revoked_and_bound(store: Store) -> None:
    await store.clinics.seed([(-1001, "Hanoi", "vi"), (-1002, "Seoul", "ko")])
    await store.clinics.seed([(-1001, "Hanoi Skin Clinic", "vi")])  # the setting renamed it
    names = [c.name for c in await store.clinics.all()]
    assert names == ["Hanoi Skin Clinic", "Seoul"]
    busan = await store.clinics.add(-1003, "Busan", "ko")
    assert await store.clinics.by_name("busan") == busan
    one, two = await store.clinics.create_link(busan.id), await store.clinics.create_link(busan.id)
    assert one != two and len(one) == 16
    assert await store.clinics.by_token(one) == busan
    assert await store.clinics.by_token("nope") is None
    assert await store.clinics.revoke(one)
    assert not await store.clinics.revoke(one)
    assert await store.clinics.by_token(one) is None
    assert await store.clinics.by_token(two) == busan  # the other link still works
    links = await store.clinics.links(busan.id)
    assert [link.revoked_at is not None for link in links] == [True, False]
    await store.users.add_consent(5, "ko")
    assert len(await store.clinics.for_user(5, any_clinic=True)) == 3  # unbound, SKINBOT_CLINIC_ACCESS=all
    await store.clinics.bind(5, busan.id)
    assert await store.clinics.for_user(5) == [busan]
    assert (await store.users.get(5)).clinic_id == busan.id  # type: ignore[union-attr]


async def test_an_unbound_patient_may_send_only_to_open_clinics(store: Store) -> None:
    hanoi, seoul = (
        await store.clinics.add(-1001, "Hanoi", "vi"),
        await store.clinics.add(-1002, "Seoul", "ko"),
    )
    await store.users.add_consent(5, "ko")
    assert await store.clinics.for_user(5) == []  # none is open yet
    await store.clinics.set_open(seoul.id, True)
    assert [c.name for c in await store.clinics.for_user(5)] == ["Seoul"]
    assert (await store.clinics.get(seoul.id)).open  # type: ignore[union-attr]
    await store.clinics.add(-1002, "Seoul Derm", "ko")  # renamed by the setting: still open
    assert [c.name for c in await store.clinics.for_user(5)] == ["Seoul Derm"]
    await store.clinics.bind(5, hanoi.id)  # a bound patient: their clinic only, open or not
    assert [c.name for c in await store.clinics.for_user(5)] == ["Hanoi"]
    await store.clinics.set_open(seoul.id, False)
    await store.users.add_consent(6, "en")
    assert await store.clinics.for_user(6) == []


async def test_link_tokens_are_kept_only_as_hashes_and_revoked_by_their_listed_name(store: Store) -> None:
    clinic = await store.clinics.add(-1003, "Busan", "ko")
    token = await store.clinics.create_link(clinic.id)
    raw = (await store.db.all("SELECT * FROM clinic_links"))[0]
    assert token not in [str(value) for value in tuple(raw)] and raw["token_hash"] == secret_hash(token)
    [link] = await store.clinics.links(clinic.id)
    assert link.ref == secret_hash(token)[:12] and token not in repr(link)
    assert not await store.clinics.revoke_listed(link.ref[:6])  # too short to name one link
    assert await store.clinics.revoke_listed(link.ref.upper())
    assert await store.clinics.by_token(token) is None
    assert not await store.clinics.revoke_listed(link.ref)  # already revoked


async def test_links_handed_out_before_tokens_were_hashed_keep_working(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    steps = migrations()
    before = next(i for i, step in enumerate(steps) if "clinic_links_hashed" in step)
    for number, step in enumerate(steps[:before], start=1):
        old.executescript(f"BEGIN; {step}; PRAGMA user_version={number}; COMMIT;")
    now = "2025-12-01T10:00:00+00:00"
    old.execute(
        "INSERT INTO clinics(id, chat_id, name, language, created_at) VALUES (1, -1001, 'Hanoi', 'vi', ?)",
        (now,),
    )
    old.execute("INSERT INTO clinic_links VALUES ('live-token-abcdef', 1, ?, NULL)", (now,))
    old.execute("INSERT INTO clinic_links VALUES ('revoked-token-xyz', 1, ?, ?)", (now, now))
    old.execute(
        "INSERT INTO staff(clinic_chat_id, name, language, created_at) VALUES (-1001, 'Dr Lan', 'vi', ?)",
        (now,),
    )
    old.commit()
    old.close()

    store = await Store.open(path)
    try:
        assert await store.schema_version() == len(steps)
        hanoi = await store.clinics.by_token("live-token-abcdef")
        assert hanoi is not None and hanoi.name == "Hanoi" and not hanoi.open and not hanoi.verdicts_by_staff
        assert await store.clinics.by_token("revoked-token-xyz") is None
        stored = [tuple(r) for r in await store.db.all("SELECT * FROM clinic_links")]
        assert not any("token-" in str(value) for row in stored for value in row)
        assert await store.clinics.revoke("live-token-abcdef")
        [staff] = await store.staff.all()
        assert staff.telegram_id is None
    finally:
        await store.close()


async def test_staff_are_found_by_their_telegram_id_in_their_own_clinic(store: Store) -> None:
    lan = await store.staff.add(-1001, "Dr Lan", Language.VI, telegram_id=9001)
    other = await store.staff.add(-1002, "Dr Park", Language.KO)
    assert await store.staff.by_telegram(-1001, 9001) == lan
    assert await store.staff.by_telegram(-1002, 9001) is None  # another clinic's chat
    assert await store.staff.set_telegram_id(other.id, 9002)
    assert (await store.staff.by_telegram(-1002, 9002)).name == "Dr Park"  # type: ignore[union-attr]
    await store.staff.remove(lan.id)
    assert await store.staff.by_telegram(-1001, 9001) is None
    assert not await store.staff.set_telegram_id(lan.id, 9003)


def test_an_intake_state_keeps_offers_through_json() -> None:
    from conversations.intake import start
    from conversations.intake_state import Earlier

    intake = start((Earlier("a" * 32, "2026-01-01", "Lan", 30, "female", "vi", None, "acne"),))
    assert Intake.from_json(intake.to_json()) == intake
