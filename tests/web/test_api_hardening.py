"""The API against abuse (issue 24): wrong keys are limited per client address, which only the listed
proxies may name; a key's last use is written at most once a minute and never for a refused request;
the API reference is our own page under the desk's headers, or off."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from conversations.store import utcnow
from tests.conftest import Harness
from tests.web.helpers import client, new_key, with_web
from web.api_gate import WRONG_KEYS_PER_MINUTE

MISSING_REPORT = "/api/v1/reports/" + "0" * 32 + ".pdf"


def error(response) -> dict:  # type: ignore[no-untyped-def]
    assert response.headers["content-type"].startswith("application/json"), response.text
    return response.json()["error"]


async def test_wrong_keys_are_limited_per_client_address(harness: Harness) -> None:
    with_web(harness)
    await harness.start()
    _, secret = await new_key(harness)
    wrong = secret[:-2] + "xx"
    # 127.0.0.1 is a trusted proxy by default, so X-Forwarded-For names the client.
    attacker = {"X-Forwarded-For": "203.0.113.7", "Accept-Language": "vi"}
    async with client(harness) as http:
        for _ in range(WRONG_KEYS_PER_MINUTE - 1):
            refused = await http.get(MISSING_REPORT, headers={**attacker, "X-API-Key": wrong})
            assert refused.status_code == 401
        assert (await http.get(MISSING_REPORT, headers=attacker)).status_code == 401  # no key at all
        limited = await http.get(MISSING_REPORT, headers={**attacker, "X-API-Key": wrong})
        assert limited.status_code == 429
        seconds = int(limited.headers["retry-after"])
        assert seconds == 60 // WRONG_KEYS_PER_MINUTE
        assert error(limited) == {
            "code": "rate_limited",
            "message": harness.t("vi", "api-error-wrong-keys", seconds=seconds),
        }
        # Refused before the key is looked at: from there, even the right key waits.
        assert (await http.get(MISSING_REPORT, headers={**attacker, "X-API-Key": secret})).status_code == 429
        # Another address is not held up by it.
        elsewhere = {"X-Forwarded-For": "203.0.113.8", "X-API-Key": secret}
        assert (await http.get(MISSING_REPORT, headers=elsewhere)).status_code == 404


async def test_only_the_listed_proxies_may_name_the_client(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    # uvicorn would trust every address named in this variable; the setting decides instead.
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "*")
    with_web(harness, web_trusted_proxies=("10.20.30.40",))
    await harness.start()
    async with client(harness) as http:
        for attempt in range(WRONG_KEYS_PER_MINUTE):
            spoofed = {"X-Forwarded-For": f"198.51.100.{attempt}", "X-API-Key": "skb_wrong"}
            assert (await http.get(MISSING_REPORT, headers=spoofed)).status_code == 401
        # Every attempt came from 127.0.0.1, whatever the header said.
        last = {"X-Forwarded-For": "198.51.100.200", "X-API-Key": "skb_wrong"}
        assert (await http.get(MISSING_REPORT, headers=last)).status_code == 429


async def test_a_keys_last_use_is_written_at_most_once_a_minute(harness: Harness) -> None:
    now = [utcnow()]
    harness.clock = lambda: now[0]
    with_web(harness, api_rate_per_minute=3)
    await harness.start()
    key_id, secret = await new_key(harness)
    keys = harness.services.store.api_keys

    async def last_used():  # type: ignore[no-untyped-def]
        key = await keys.get(key_id)
        assert key is not None
        return key.last_used_at

    start = now[0]
    async with client(harness, secret) as http:
        assert (await http.get(MISSING_REPORT)).status_code == 404
        assert await last_used() == start
        now[0] = start + timedelta(seconds=30)
        assert (await http.get(MISSING_REPORT)).status_code == 404
        assert await last_used() == start  # within the minute: not written again
        now[0] = start + timedelta(seconds=61)
        assert (await http.get(MISSING_REPORT)).status_code == 404
        assert await last_used() == now[0]
        later = now[0]
        now[0] = start + timedelta(seconds=200)
        refused = await http.get(MISSING_REPORT)  # the fourth in this minute of the limiter's clock
        assert refused.status_code == 429
        assert await last_used() == later  # a refused request is no use of the key


async def test_the_api_reference_is_our_own_page_under_the_desks_headers(harness: Harness) -> None:
    with_web(harness)
    await harness.start()
    async with client(harness, **{"Accept-Language": "ko"}) as http:
        docs = await http.get("/docs")
        document = await http.get("/openapi.json")
    assert docs.status_code == 200 and document.status_code == 200
    for response in (docs, document):
        assert response.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
    page = docs.text
    # Nothing loaded from elsewhere (no CDN), and no inline script the policy would block anyway.
    links = re.findall(r'(?:src|href)="([^"]*)"', page)
    assert links and all(link.startswith("/") and not link.startswith("//") for link in links)
    assert "<script>" not in page and "swagger" not in page.lower()
    assert harness.t("ko", "docs-title") in page and 'lang="ko"' in page
    for path in document.json()["paths"]:
        assert path in page
    assert "X-API-Key" in page and "/openapi.json" in page


async def test_the_api_reference_can_be_turned_off(harness: Harness) -> None:
    with_web(harness, web_docs=False)
    await harness.start()
    async with client(harness) as http:
        assert (await http.get("/docs")).status_code == 404
        assert (await http.get("/openapi.json")).status_code == 404
        assert (await http.get("/")).headers.get("location") != "/docs"
