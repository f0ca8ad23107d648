"""The Mini App's `initData` check (`web.init_data`): Telegram's HMAC with the bot token, a day's lifetime,
a small allowance for clocks, and nothing but a well-formed, signed user accepted."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from tests.web.init_data_signing import signed_init_data, with_hash
from web.init_data import InitDataRefused, verify_init_data

TOKEN = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"
NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def signed(user_id: int = 4242, age: timedelta = timedelta(minutes=1), **kwargs: object) -> str:
    return signed_init_data(TOKEN, user_id, auth_date=(NOW - age).timestamp(), **kwargs)  # type: ignore[arg-type]


def refusal(init_data: str, token: str = TOKEN) -> str:
    with pytest.raises(InitDataRefused) as refused:
        verify_init_data(init_data, token, NOW)
    return refused.value.reason


def test_signed_data_names_its_telegram_user() -> None:
    user = verify_init_data(signed(4242, language="ko"), TOKEN, NOW)
    assert (user.id, user.language_code) == (4242, "ko")


def test_fields_telegram_adds_later_are_signed_too() -> None:
    # Every field but the hash is in the checked string, including ones this code does not read.
    data = signed(extra={"signature": "c2lnbmF0dXJl", "chat_type": "sender", "start_param": "x"})
    assert verify_init_data(data, TOKEN, NOW).id == 4242


def test_a_forged_hash_is_refused() -> None:
    data = signed()
    good = data.rsplit("hash=", 1)[1]
    flipped = ("0" if good[0] != "0" else "1") + good[1:]
    assert refusal(with_hash(data, flipped)) == "invalid"
    assert refusal(with_hash(data, "")) == "invalid"
    assert refusal(with_hash(data, "é" * 64)) == "invalid"  # not even hex: refused, not a crash
    assert refusal(data.replace("hash=", "h=")) == "invalid"  # no hash at all


def test_changed_data_under_a_real_hash_is_refused() -> None:
    data = signed(4242)
    assert refusal(data.replace("4242", "4243", 1)) == "invalid"  # another user's id, the first user's hash
    assert refusal(data + "&is_staff=1") == "invalid"


def test_data_signed_with_another_bot_token_is_refused() -> None:
    other = signed_init_data("654321:ZYX-other-bot-token", 4242, auth_date=NOW.timestamp())
    assert refusal(other) == "invalid"


def test_without_a_bot_token_nothing_is_accepted() -> None:
    # An empty key is a key anyone can sign with.
    empty = signed_init_data("", 4242, auth_date=NOW.timestamp())
    assert refusal(empty, token="") == "invalid"


def test_a_day_old_sign_in_is_stale() -> None:
    assert verify_init_data(signed(age=timedelta(hours=23, minutes=59)), TOKEN, NOW).id == 4242
    assert refusal(signed(age=timedelta(days=1, seconds=1))) == "stale"
    assert refusal(signed(age=timedelta(days=30))) == "stale"


def test_a_sign_in_from_the_future_is_refused_beyond_a_small_skew() -> None:
    assert verify_init_data(signed(age=-timedelta(seconds=30)), TOKEN, NOW).id == 4242
    assert refusal(signed(age=-timedelta(hours=1))) == "early"


@pytest.mark.parametrize(
    "extra",
    [
        {"user": "not json"},
        {"user": '{"first_name":"no id"}'},
        {"user": '{"id":"4242"}'},
        {"user": '{"id":-5}'},
        {"user": "[4242]"},
        {"auth_date": "yesterday"},
        {"auth_date": ""},
        {"auth_date": "²"},
        {"auth_date": "9" * 40},
    ],
)
def test_malformed_fields_are_refused_even_when_signed(extra: dict[str, str]) -> None:
    assert refusal(signed(extra=extra)) == "invalid"


def test_malformed_strings_are_refused() -> None:
    for data in ("", "&&&", "hash", "user=%7B&user=%7B&hash=00", "x" * 20_000):
        assert refusal(data) == "invalid", data[:40]
    # A field given twice could be read one way and checked another: refused, even if one copy is signed.
    data = signed()
    assert refusal(data + "&auth_date=" + str(int(time.time()))) == "invalid"
