"""Security review: forged callbacks, case id guessing, image bombs and oversized downloads."""

from __future__ import annotations

import io
import json
import re
import struct
import subprocess
import sys
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from bot.callbacks import Callback
from bot.telegram_channel import verdict_data
from conversations.files import FileStore, new_token
from conversations.intake_state import IntakeAction, Step
from inference.labels import Classification
from testkit.fake_user import FakeUser
from tests.bot.helpers import agree, answer_until_summary, confirm
from tests.conftest import Harness

FAKE_PDF = b"%PDF-1.4\n% owner's report\n"


async def owner_with_pdf(h: Harness, photo: bytes) -> tuple[FakeUser, str]:
    """User A with a confirmed case whose PDF is on disk, as after a finished report."""
    owner = h.api.user(601, "en")
    await agree(h, owner, "en")
    summary = await answer_until_summary(h, owner, "en", photo, name="Ada Owner", report_language="en")
    case_id = await confirm(h, owner, "en", summary)
    # As the model queue and the outbox leave a finished case (no models run in these tests).
    scores = Classification((0.9, 0.02, 0.02, 0.02, 0.02, 0.02))
    await h.services.store.jobs.save_classification(case_id, scores.to_record())
    await h.services.store.jobs.save_report(case_id, "A report.", image_seen=True)
    h.services.files.save_pdf(owner.id, case_id, FAKE_PDF)
    await h.services.store.cases.mark_delivered(case_id)
    return owner, case_id


def documents_to(h: Harness, chat_id: int) -> list[bytes]:
    return [m.document for m in h.api.chat(chat_id) if m.document is not None]


async def test_forged_callbacks_never_reach_another_users_case(harness: Harness, photo_bytes: bytes) -> None:
    await harness.start()
    owner, case_id = await owner_with_pdf(harness, photo_bytes)
    attacker = harness.api.user(602, "en")
    await agree(harness, attacker, "en")
    anchor = attacker.inbox()[-1]

    # 1. The victim's case id with the attacker's own id as owner: passes the owner check, then the
    #    store lookup is scoped by the presser, so the case is not found.
    await attacker.press(anchor, f"pdf|{case_id}||{attacker.id}")
    await harness.wait_key(attacker, "en", "case-pdf-missing")
    # 2. The victim's id as owner: the owner check refuses it outright.
    calls = len(harness.api.calls_of("answerCallbackQuery"))
    await attacker.press(anchor, f"pdf|{case_id}||{owner.id}")
    foreign = harness.t("en", "button-foreign")
    await harness.wait_until(
        lambda: any(
            c.params.get("text") == foreign for c in harness.api.calls_of("answerCallbackQuery")[calls:]
        )
    )
    # 3. Retry of someone else's case, and a path-shaped "case id".
    await attacker.press(anchor, f"retry|{case_id}||{attacker.id}")
    await harness.wait_key(attacker, "en", "retry-not-possible")
    before = len(attacker.inbox())
    await attacker.press(anchor, f"pdf|../../reports/{owner.id}/{case_id}||{attacker.id}")
    await harness.wait_new(attacker, before)
    assert attacker.inbox()[-1].text == harness.t("en", "case-pdf-missing")

    assert documents_to(harness, attacker.id) == []
    case = await harness.services.store.cases.get(owner.id, case_id)
    assert (
        case is not None and case.status == "done" and case.attempts == 0
    )  # the forged retry changed nothing
    # Control: the owner's own press does deliver, so the refusals above are not a broken button.
    await owner.press(owner.inbox()[-1], f"pdf|{case_id}||{owner.id}")
    await harness.wait_until(lambda: documents_to(harness, owner.id) == [FAKE_PDF])


async def test_case_ids_are_128_bit_random(harness: Harness, photo_bytes: bytes) -> None:
    await harness.start()
    _, case_id = await owner_with_pdf(harness, photo_bytes)
    assert re.fullmatch(r"[0-9a-f]{32}", case_id)
    tokens = {new_token() for _ in range(10_000)}
    assert len(tokens) == 10_000
    # No shared prefix or counter: every hex position takes many values across tokens.
    for position in range(32):
        assert len({t[position] for t in tokens}) == 16
    # Stored ids are the only names a path can be built from.
    files = FileStore(Path("var"))
    for bad in ("../x", case_id.upper(), case_id[:-1], f"{case_id}/..", ""):
        with pytest.raises(ValueError):
            files.pdf_path(1, bad)


def png_bomb(width: int, height: int, rgb: bool = False) -> bytes:
    """A valid greyscale (or RGB) PNG of zeros: a few hundred kB on the wire, width*height bytes (x3 for
    RGB) once decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    compressor = zlib.compressobj(9)
    row = b"\x00" * (width * (3 if rgb else 1) + 1)  # filter byte + pixels
    body = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 2 if rgb else 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


# Measured in a fresh interpreter, whose own peak this process's (torch, models) would hide. The peak is
# VmHWM, the high-water mark of the process's memory, which starts afresh at exec; ru_maxrss does not: it
# carries over the parent's peak, so under pytest it already stood at the test process's size.
_MEASURE = """
import json, sys

def peak_mb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024

{setup}
before = peak_mb()
{work}
print(json.dumps({{"outcome": outcome, "growth_mb": peak_mb() - before}}))
"""


def peak_growth(setup: str, work: str, *args: str) -> dict[str, Any]:
    """`work` (which sets `outcome`) run after `setup` in a fresh interpreter: its outcome and how many MB
    the peak RSS grew while it ran."""
    run = subprocess.run(
        [sys.executable, "-c", _MEASURE.format(setup=setup, work=work), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
        check=True,
    )
    return json.loads(run.stdout)


_NORMALIZE = """
try:
    normalize_photo(data)
    outcome = "accepted"
except PhotoRejected as exc:
    outcome = exc.key
"""


def jpeg_bomb(width: int, height: int) -> bytes:
    """A JPEG of one grey: well under a megabyte, decodable at 1/8 scale, width*height bytes in full."""
    out = io.BytesIO()
    Image.new("L", (width, height), 128).save(out, "JPEG", quality=50)
    return out.getvalue()


@pytest.mark.parametrize(
    ("bomb", "width", "height"), [(png_bomb, 9000, 7000), (png_bomb, 20000, 20000), (jpeg_bomb, 9000, 7000)]
)
def test_decompression_bomb_is_refused_without_decoding(
    tmp_path: Path, bomb: Callable[[int, int], bytes], width: int, height: int
) -> None:
    # 63 MP is over our 50 MP limit but under Pillow's own warning; 400 MP trips Pillow's bomb error. A JPEG
    # is measured by its header too, not by the reduced scale it could be decoded at.
    path = tmp_path / "bomb"
    path.write_bytes(bomb(width, height))
    assert path.stat().st_size < 2 * 1024 * 1024
    setup = (
        "from conversations.photos import PhotoRejected, normalize_photo\n"
        "data = open(sys.argv[1], 'rb').read()"
    )
    result = peak_growth(setup, _NORMALIZE, str(path))
    assert result["outcome"] == "photo-too-many-pixels"
    assert result["growth_mb"] < 50  # decoding would need width*height bytes: 63 MB and 400 MB, x3 as RGB


def test_a_photo_at_the_pixel_limit_is_decoded_without_extra_copies(tmp_path: Path) -> None:
    """50 MP is accepted, so it must stay affordable: an RGB PNG that size is 200 MB decoded (Pillow keeps
    RGB in 4 bytes a pixel). Turning it upright and to RGB used to copy it twice more."""
    path = tmp_path / "at-limit.png"
    path.write_bytes(png_bomb(8000, 6250, rgb=True))
    setup = (
        "from conversations.photos import PhotoRejected, normalize_photo\n"
        "data = open(sys.argv[1], 'rb').read()"
    )
    result = peak_growth(setup, _NORMALIZE, str(path))
    assert result["outcome"] == "accepted"
    assert result["growth_mb"] < 400  # the decoded image and its thumbnail; with two copies more, 600


@pytest.mark.parametrize("work", ["check_quality(sliver)", "preprocess(sliver, 224)"])
def test_no_working_copy_enlarges_a_sliver_to_full_scale(work: str) -> None:
    """Behind the upload check, the model worker's own copies are bounded too: at the quality gate's 256 px
    scale a 1x2048 image became 256x524,288 pixels (3.2 GB as float64), at the classifier's 224 px 308 MB."""
    setup = (
        "from PIL import Image\n"
        "from inference.classifier import preprocess\n"
        "from inference.quality import check_quality\n"
        "sliver = Image.new('RGB', (1, 2048), (200, 150, 130))"
    )
    result = peak_growth(setup, f"{work}\noutcome = 'done'")
    assert result == {"outcome": "done", "growth_mb": pytest.approx(0, abs=50)}


async def test_bomb_sent_to_the_bot_is_refused(harness: Harness) -> None:
    await harness.start()
    user = harness.api.user(603, "en")
    await agree(harness, user, "en")
    await user.send_document(png_bomb(20000, 20000), "skin.png", "image/png")
    refusal = harness.t("en", "photo-too-many-pixels", megapixels=400)
    await harness.wait_text(user, refusal)
    assert not any(m.text == harness.t("en", "ask-more-photos", count=1, max=3) for m in user.inbox())


async def test_oversized_download_is_refused_before_get_file(harness: Harness, photo_bytes: bytes) -> None:
    await harness.start()
    user = harness.api.user(604, "en")
    await agree(harness, user, "en")
    await user.send_document(photo_bytes, "skin.jpg", "image/jpeg", size=25 * 1024 * 1024)
    await harness.wait_text(user, harness.t("en", "photo-too-large", size_mb=25.0, max_mb=20))
    assert harness.api.calls_of("getFile") == []
    # Control: the same photo with its true size is fetched and accepted.
    await user.send_document(photo_bytes, "skin.jpg", "image/jpeg")
    await harness.wait_key(user, "en", "ask-more-photos", count=1, max=3)
    assert len(harness.api.calls_of("getFile")) == 1


async def test_understated_size_is_caught_at_get_file(harness: Harness) -> None:
    # A client can claim any size in the message; getFile's answer is checked again before downloading.
    await harness.start()
    user = harness.api.user(605, "en")
    await agree(harness, user, "en")
    big = b"\xff\xd8" + b"\x00" * (21 * 1024 * 1024)
    await user.send_document(big, "skin.jpg", "image/jpeg", size=1000)
    await harness.wait_text(
        user, harness.t("en", "photo-too-large", size_mb=len(big) / 1024 / 1024, max_mb=20)
    )
    assert len(harness.api.calls_of("getFile")) == 1


async def test_forged_intake_and_verdict_callbacks_change_nothing(
    harness: Harness, photo_bytes: bytes
) -> None:
    """Kept from the review's "withstood" list: an intake button forged with another user's id or intake,
    a made-up intake key, malformed data, and a verdict pressed in a group that is no clinic."""
    harness.api.add_group(-100321, "Hanoi Skin Clinic")
    await harness.start()
    victim, attacker = harness.api.user(606, "en"), harness.api.user(607, "en")
    for user in (victim, attacker):
        await agree(harness, user, "en")
    summary = await answer_until_summary(harness, victim, "en", photo_bytes, name="Ada Victim")
    mine = await answer_until_summary(harness, attacker, "en", photo_bytes, name="Mal Attacker")
    victim_intake = await harness.services.store.intakes.load(victim.id)
    assert victim_intake is not None

    def answered() -> list[str | None]:
        return [c.params.get("text") for c in harness.api.calls_of("answerCallbackQuery")]

    forged = [
        # The victim's own confirm button, pressed by the attacker: not theirs.
        (summary, Callback(IntakeAction.CONFIRM, "", victim.id, Step.SUMMARY, victim_intake.key).pack()),
        # The attacker's own id with the victim's intake key: not the attacker's intake, so out of date.
        (mine, Callback(IntakeAction.CANCEL, "", attacker.id, Step.SUMMARY, victim_intake.key).pack()),
        # A made-up key, a malformed one, and data over 64 bytes.
        (mine, Callback(IntakeAction.CONFIRM, "", attacker.id, Step.SUMMARY, "00000000.0").pack()),
        (mine, f"confirm||h../../x|{attacker.id}"),
        (mine, "confirm|" + "x" * 60 + f"||{attacker.id}"),
    ]
    expected = ["button-foreign", "button-stale", "button-stale", "button-stale", "button-stale"]
    for (message, data), key in zip(forged, expected, strict=True):
        before = len(answered())
        await attacker.press(message, data)
        await harness.wait_until(lambda b=before: len(answered()) > b)
        assert answered()[-1] == harness.t("en", key), data
    for user, name in ((victim, "Ada Victim"), (attacker, "Mal Attacker")):
        intake = await harness.services.store.intakes.load(user.id)
        assert intake is not None and intake.step == Step.SUMMARY and intake.draft.name == name
        assert await harness.services.store.cases.recent(user.id) == []

    # A verdict pressed in a group the bot is in that is not a clinic; then in a clinic, for a review that
    # is another clinic's.
    case_id = await confirm(harness, victim, "en", summary)
    await harness.services.store.db.execute("UPDATE cases SET status='done' WHERE id=?", (case_id,))
    clinic = await harness.services.store.clinics.add(-100321, "Hanoi Skin Clinic", "en")
    other = await harness.services.store.clinics.add(-100322, "Seoul Derm", "en")
    review = await harness.services.store.reviews.create(victim.id, case_id, other.chat_id)
    assert review is not None
    family = -100777
    harness.api.add_group(family, "Family chat")
    for chat in (family, clinic.chat_id):
        in_chat = harness.api._new_message(chat, text="a message of the bot's", reply_markup=None)
        before = len(answered())
        await attacker.press(in_chat, verdict_data(review.id, "u"))
        await harness.wait_until(lambda b=before: len(answered()) > b)
        assert answered()[-1] == harness.t("en", "clinic-not-a-clinic")
    stored = await harness.services.store.reviews.get(review.id)
    assert stored is not None and stored.verdict is None
