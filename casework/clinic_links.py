"""A clinic's link: `https://t.me/<bot>?start=c_<token>`. `skinbot clinic link` makes it, and /start reads
the token back from it."""

from __future__ import annotations

LINK_PREFIX = "c_"  # the start parameter's prefix that marks a clinic's token


def deep_link(username: str, token: str) -> str:
    return f"https://t.me/{username}?start={LINK_PREFIX}{token}"
