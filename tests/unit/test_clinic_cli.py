"""`skinbot clinic list | add | link | revoke` against a data directory, without a bot running."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from conversations.store import Store
from skinbot.cli import main
from tests.qr import decode_qr


@pytest.fixture
def data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("SKINBOT_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SKINBOT_REVIEW_CHAT_ID", "-1001:Hanoi Skin Clinic:vi")
    return tmp_path / "var"


def live_clinic(data_dir: Path, token: str) -> str | None:
    async def look() -> str | None:
        store = await Store.open(data_dir / "skinbot.sqlite3")
        try:
            clinic = await store.clinics.by_token(token)
            return clinic.name if clinic else None
        finally:
            await store.close()

    return asyncio.run(look())


def test_the_setting_seeds_the_list_and_clinics_can_be_added(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["clinic", "list"]) == 0
    assert "Hanoi Skin Clinic (chat -1001, vi)" in capsys.readouterr().out
    assert main(["clinic", "add", "-1002", "Seoul Derm", "--language", "ko"]) == 0
    assert "Seoul Derm (chat -1002, ko) is in the list" in capsys.readouterr().out
    assert main(["clinic", "list"]) == 0
    listing = capsys.readouterr().out
    assert listing.index("Hanoi Skin Clinic") < listing.index("Seoul Derm (chat -1002, ko)")


def test_a_link_prints_the_deep_link_and_writes_its_qr_code(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    qr = tmp_path / "hanoi.png"
    assert (
        main(["clinic", "link", "hanoi skin clinic", "--bot-username", "@skin_test_bot", "--qr", str(qr)])
        == 0
    )
    out = capsys.readouterr().out.splitlines()
    link = out[0]
    prefix = "https://t.me/skin_test_bot?start=c_"
    assert link.startswith(prefix) and len(link) == len(prefix) + 16
    assert decode_qr(qr) == link
    token = link.removeprefix(prefix)
    assert live_clinic(data_dir, token) == "Hanoi Skin Clinic"
    # A second link is another random token; by chat id works as well as by name; the default PNG name.
    assert main(["clinic", "link", "-1001", "--bot-username", "skin_test_bot"]) == 0
    second = capsys.readouterr().out.splitlines()
    assert second[0] != link and Path(second[1].rsplit(": ", 1)[1]).is_file()
    # Revoked by the whole link: it binds no one any more, and a second revoke says there is none.
    assert main(["clinic", "revoke", link]) == 0
    assert live_clinic(data_dir, token) is None
    assert main(["clinic", "revoke", token]) == 2
    assert "no live link" in capsys.readouterr().err
    assert main(["clinic", "list"]) == 0
    listing = capsys.readouterr().out
    assert "revoked" in listing and "live" in listing
    assert token not in listing  # shown once, at `link`: the store has only its hash
    # The second link is revoked by the name the listing gives it.
    second_token = second[0].rsplit("c_", 1)[1]
    [ref] = [
        line.split()[1] for line in listing.splitlines() if line.strip().startswith("link") and "live" in line
    ]
    assert live_clinic(data_dir, second_token) == "Hanoi Skin Clinic"
    assert main(["clinic", "revoke", ref]) == 0
    assert live_clinic(data_dir, second_token) is None


def test_clinics_are_opened_closed_and_take_verdicts_from_staff_only(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["clinic", "add", "-1002", "Seoul Derm", "--language", "ko", "--open"]) == 0
    assert "it is open" in capsys.readouterr().out
    assert main(["clinic", "list"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert "its link's patients only, verdicts by any member" in listing[0]  # the seeded one: closed
    assert "open to every patient" in listing[1]
    assert main(["clinic", "close", "Seoul Derm"]) == 0
    assert main(["clinic", "open", "-1001"]) == 0
    assert "Hanoi Skin Clinic is open" in capsys.readouterr().out.splitlines()[-1]
    assert main(["clinic", "list"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert "open to every patient" in listing[0] and "its link's patients only" in listing[1]
    assert main(["clinic", "open", "Nowhere"]) == 2
    assert "no clinic 'Nowhere'" in capsys.readouterr().err

    assert main(["clinic", "verdicts", "Hanoi Skin Clinic", "staff"]) == 0
    out = capsys.readouterr().out
    assert "only its staff may give verdicts" in out and "(0 with a Telegram id)" in out
    assert "--telegram-id" in out  # how to register the first one
    assert (
        main(["clinic", "staff", "add", "--clinic", "-1001", "--name", "Dr Lan", "--telegram-id", "9001"])
        == 0
    )
    assert main(["clinic", "staff", "add", "--clinic", "-1001", "--name", "Dr Hoa"]) == 0
    capsys.readouterr()
    assert main(["clinic", "staff", "telegram", "2", "9002"]) == 0
    assert main(["clinic", "staff", "telegram", "2", "Dr Hoa"]) == 2
    assert "not a Telegram user id" in capsys.readouterr().err
    assert main(["clinic", "staff", "list"]) == 0
    staff = capsys.readouterr().out
    assert "Dr Lan (telegram 9001)" in staff and "Dr Hoa (telegram 9002)" in staff
    assert main(["clinic", "verdicts", "-1001", "staff"]) == 0
    assert "(2 with a Telegram id)" in capsys.readouterr().out
    assert main(["clinic", "list"]) == 0
    assert "verdicts by staff only" in capsys.readouterr().out.splitlines()[0]
    assert main(["clinic", "verdicts", "-1001", "members"]) == 0
    assert "any member of its chat may give verdicts" in capsys.readouterr().out


def test_unknown_clinic_and_bad_username_are_one_line_errors(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["clinic", "link", "Nowhere", "--bot-username", "skin_test_bot"]) == 2
    assert "no clinic 'Nowhere'" in capsys.readouterr().err
    assert main(["clinic", "link", "Hanoi Skin Clinic", "--bot-username", "not a name!"]) == 2
    assert "is not a Telegram bot username" in capsys.readouterr().err
    # Without --bot-username the token is needed to ask getMe: the settings error names it.
    assert main(["clinic", "link", "Hanoi Skin Clinic"]) == 2
    assert "TELEGRAM_BOT_TOKEN" in capsys.readouterr().err


def test_no_link_token_starts_like_an_option(monkeypatch: pytest.MonkeyPatch) -> None:
    """A token that began with "-" made `clinic revoke TOKEN` an argparse error (one link in 64)."""
    from conversations.store import clinics

    drawn = iter(["-startsWithDash1", "plainTokenXYZ123"])
    monkeypatch.setattr(clinics.secrets, "token_urlsafe", lambda n: next(drawn))
    assert clinics.new_link_token() == "plainTokenXYZ123"
