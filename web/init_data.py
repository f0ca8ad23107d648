"""Telegram Mini App sign-in data (`initData`): who opened the review desk inside Telegram, as Telegram
vouches for it with the bot token.

Checked as https://core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app says: the
fields but `hash`, sorted by name, as `name=value` lines; their HMAC-SHA256 under the key
HMAC-SHA256(key="WebAppData", msg=bot token) must be `hash`. Data older than a day is refused: anyone who
copies it (from a proxy's log, a shared screen) can sign in with it until then.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qsl

MAX_AGE = timedelta(days=1)
# Telegram's clock and this server's may differ a little; more than this is not a clock's doing.
CLOCK_SKEW = timedelta(minutes=5)
# Telegram's initData is well under 2 KB; more is not Telegram's.
MAX_CHARS = 8192


class InitDataRefused(Exception):
    """The data does not sign anyone in. `reason`: "invalid" (not Telegram's, or not as Telegram sends it),
    "stale" (older than a day) or "early" (dated ahead of this server's clock)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class TelegramUser:
    id: int
    language_code: str | None


def expected_hash(fields: dict[str, str], bot_token: str) -> str:
    check = "\n".join(f"{name}={fields[name]}" for name in sorted(fields))
    secret_key = hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()
    return hmac.new(secret_key, check.encode(), hashlib.sha256).hexdigest()


def verify_init_data(
    init_data: str, bot_token: str, now: datetime, max_age: timedelta = MAX_AGE
) -> TelegramUser:
    """The Telegram user `init_data` signs in, or InitDataRefused."""
    # Without a token there is no key: an empty one is a key anyone can sign with.
    if not bot_token or not init_data or len(init_data) > MAX_CHARS:
        raise InitDataRefused("invalid")
    try:
        pairs = parse_qsl(init_data, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise InitDataRefused("invalid") from None
    fields = dict(pairs)
    if len(fields) != len(pairs):  # a field twice could be checked as one copy and read as the other
        raise InitDataRefused("invalid")
    sent = fields.pop("hash", "")
    if not hmac.compare_digest(expected_hash(fields, bot_token).encode(), sent.encode()):
        raise InitDataRefused("invalid")
    # Signed by Telegram from here on; still checked, as a field this code does not expect is no user.
    auth_date = fields.get("auth_date", "")
    if not (auth_date.isascii() and auth_date.isdigit()) or len(auth_date) > 12:
        raise InitDataRefused("invalid")
    age = now - datetime.fromtimestamp(int(auth_date), now.tzinfo)
    if age > max_age:
        raise InitDataRefused("stale")
    if age < -CLOCK_SKEW:
        raise InitDataRefused("early")
    return _user(fields.get("user", ""))


def _user(text: str) -> TelegramUser:
    try:
        user = json.loads(text)
    except ValueError:
        raise InitDataRefused("invalid") from None
    user_id = user.get("id") if isinstance(user, dict) else None
    if type(user_id) is not int or user_id <= 0:
        raise InitDataRefused("invalid")
    language = user.get("language_code")
    return TelegramUser(user_id, language if isinstance(language, str) else None)
