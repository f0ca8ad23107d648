"""Telegram's side of a Mini App sign-in, for tests: `initData` signed with the bot token exactly as
https://core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app describes it. Written here
from the documentation, not imported from `web.init_data`, so a slip in the desk's check cannot hide."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from urllib.parse import quote, urlencode


def signed_init_data(
    bot_token: str,
    user_id: int,
    *,
    auth_date: float | None = None,
    language: str = "en",
    extra: dict[str, str] | None = None,
) -> str:
    """The `initData` query string Telegram hands a Mini App opened by `user_id`."""
    user = {"id": user_id, "first_name": "Lan", "last_name": "Nguyễn", "language_code": language}
    fields = {
        "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
        "user": json.dumps(user, ensure_ascii=False, separators=(",", ":")),
        "auth_date": str(int(time.time() if auth_date is None else auth_date)),
        **(extra or {}),
    }
    check = "\n".join(f"{key}={fields[key]}" for key in sorted(fields))
    secret_key = hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()
    fields["hash"] = hmac.new(secret_key, check.encode(), hashlib.sha256).hexdigest()
    return urlencode(fields, quote_via=quote)


def with_hash(init_data: str, new_hash: str) -> str:
    """The same data under another hash: what a forger who lacks the bot token can send."""
    kept = [part for part in init_data.split("&") if not part.startswith("hash=")]
    return "&".join([*kept, f"hash={new_hash}"])


def launch_fragment(init_data: str) -> str:
    """The URL fragment a Telegram client opens a Mini App with (`#tgWebAppData=...`)."""
    return "#" + urlencode(
        {"tgWebAppData": init_data, "tgWebAppVersion": "8.0", "tgWebAppPlatform": "android"}, quote_via=quote
    )
