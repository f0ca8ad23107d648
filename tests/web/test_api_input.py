"""What the API refuses, and how: keys, rate limit, sizes and fields, each a 4xx with a JSON error in the
requested language. And the OpenAPI document, the key commands, and the retention purge."""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image

from conversations.photos import MAX_PIXELS
from conversations.store import utcnow
from skinbot.cli import main
from testkit.skin_photos import skin_photo
from tests.conftest import Harness
from tests.fakes import ScriptedWriter
from tests.web.helpers import (
    ScriptedClassifier,
    client,
    form,
    new_key,
    scores,
    scripted,
    use_scripted_models,
    use_tiny_models,
    with_web,
)


def start(h: Harness, weights: Path, **settings: object) -> None:
    use_tiny_models(h, weights, lambda s: ScriptedWriter(script=lambda r: "A short report."), **settings)
    with_web(h)


def error(response) -> dict:  # type: ignore[no-untyped-def]
    assert response.headers["content-type"].startswith("application/json"), response.text
    return response.json()["error"]


async def test_fields_are_checked_and_answered_in_the_requested_language(
    harness: Harness, trained_classifier_weights: Path
) -> None:
    start(harness, trained_classifier_weights)
    await harness.start()
    _, secret = await new_key(harness)
    t = harness.t
    photo = skin_photo(seed=12)
    async with client(harness, secret, **{"Accept-Language": "vi-VN,vi;q=0.9,en;q=0.5"}) as http:

        async def post(data: dict[str, str], files: dict | None = None):  # type: ignore[no-untyped-def]
            return await http.post("/api/v1/classify", data=data, files=files or form(photo)[1])

        data, _ = form(photo, language="ko")
        missing = await post({k: v for k, v in data.items() if k != "age"})
        assert missing.status_code == 422
        assert error(missing) == {
            "code": "missing_field",
            "message": t("ko", "api-error-missing", field="age"),
            "field": "age",
        }
        for age in ("abc", "200", "-1"):
            wrong = await post({**data, "age": age})
            assert wrong.status_code == 422 and error(wrong)["message"] == t("ko", "api-error-age")
        gender = await post({**data, "gender": "robot"})
        assert error(gender)["message"] == t("ko", "api-error-gender")
        history = await post({**data, "history": "x" * 2001})
        assert error(history)["message"] == t("ko", "api-error-history", max=2000)
        name = await post({**data, "name": "n" * 101})
        assert error(name)["message"] == t("ko", "api-error-name", max=100)
        # An unknown language: the answer falls back on Accept-Language (vi here).
        language = await post({**data, "language": "fr"})
        assert error(language)["message"] == t("vi", "api-error-language")
        no_photo = await http.post("/api/v1/classify", data=data)
        assert error(no_photo)["field"] == "photo" and error(no_photo)["code"] == "missing_field"
        not_image = await post(data, {"photo": ("x.jpg", b"this is not a photo", "image/jpeg")})
        assert not_image.status_code == 422
        assert error(not_image) == {
            "code": "photo_not_image",
            "message": t("ko", "photo-not-image"),
            "field": "photo",
        }
        huge = io.BytesIO()
        Image.new("1", (8000, 7000)).save(huge, "PNG")  # 56 megapixels in a few kilobytes
        bomb = await post(data, {"photo": ("big.png", huge.getvalue(), "image/png")})
        assert bomb.status_code == 422
        assert error(bomb)["message"] == t("ko", "photo-too-many-pixels", megapixels=56.0)
    assert await harness.services.store.api_cases.of_key(1) == []


async def test_uploads_over_the_size_limit(harness: Harness, trained_classifier_weights: Path) -> None:
    start(harness, trained_classifier_weights, max_download_mb=1)
    await harness.start()
    _, secret = await new_key(harness)
    t = harness.t
    async with client(harness, secret, **{"Accept-Language": "ko"}) as http:
        data, _ = form(b"", language="vi")
        # Far over: refused from its Content-Length without reading the photo. The fields sent before
        # it (as browsers, curl -F and httpx send them) are read, so the form's language wins.
        far = await http.post("/api/v1/diagnose", data=data, files={"photo": ("a.jpg", b"\xff" * 1_300_000)})
        assert far.status_code == 413
        assert error(far) == {"code": "too_large", "message": t("vi", "api-error-too-large", max_mb=1)}
        # A language sent after the photo cannot be read without reading the photo: Accept-Language.
        boundary = "photo-first"
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; filename="a.jpg"\r\n\r\n'
        tail = f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="language"\r\n\r\nvi\r\n'
        tail += f"--{boundary}--\r\n"
        photo_first = await http.post(
            "/api/v1/diagnose",
            content=head.encode() + b"\xff" * 1_300_000 + tail.encode(),
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        assert photo_first.status_code == 413
        assert error(photo_first)["message"] == t("ko", "api-error-too-large", max_mb=1)
        # Just over: the photo itself is measured, and the form's language is known by then.
        near = await http.post("/api/v1/diagnose", data=data, files={"photo": ("a.jpg", b"\xff" * 1_060_000)})
        assert near.status_code == 413
        size_mb = 1_060_000 / 1024 / 1024
        assert error(near)["message"] == t("vi", "photo-too-large", size_mb=size_mb, max_mb=1)

        async def chunks():  # type: ignore[no-untyped-def]
            yield b"--x\r\n"

        chunked = await http.post(
            "/api/v1/diagnose", content=chunks(), headers={"Content-Type": "multipart/form-data; boundary=x"}
        )
        assert chunked.status_code == 411 and error(chunked)["code"] == "length_required"


async def test_keys_and_the_rate_limit(harness: Harness, trained_classifier_weights: Path) -> None:
    start(harness, trained_classifier_weights, api_rate_per_minute=3)
    await harness.start()
    _, secret = await new_key(harness)
    t = harness.t
    missing_report = "/api/v1/reports/" + "0" * 32 + ".pdf"
    async with client(harness, None, **{"Accept-Language": "vi"}) as http:
        nobody = await http.get(missing_report)
        assert nobody.status_code == 401 and error(nobody)["message"] == t("vi", "api-error-unauthorized")
        wrong = await http.get(missing_report, headers={"X-API-Key": secret[:-2] + "xx"})
        assert wrong.status_code == 401
    async with client(harness, secret) as http:
        answers = [await http.get(missing_report) for _ in range(4)]
        assert [a.status_code for a in answers] == [404, 404, 404, 429]
        assert error(answers[-1])["code"] == "rate_limited" and answers[-1].headers["retry-after"] == "20"
    other_id, other = await new_key(harness, "another")
    async with client(harness, other) as http:
        assert (await http.get(missing_report)).status_code == 404  # limits are per key
        await harness.services.store.api_keys.revoke(other_id)
        assert (await http.get(missing_report)).status_code == 401


async def test_the_openapi_document_is_complete(harness: Harness, trained_classifier_weights: Path) -> None:
    start(harness, trained_classifier_weights)
    await harness.start()
    async with client(harness) as http:
        document = (await http.get("/openapi.json")).json()
    assert document["components"]["securitySchemes"]["ApiKey"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": document["components"]["securitySchemes"]["ApiKey"]["description"],
    }
    schemas = document["components"]["schemas"]
    for path in ("classify", "analyze", "diagnose", "diagnose-stream"):
        operation = document["paths"][f"/api/v1/{path}"]["post"]
        assert operation["summary"] and operation["description"]
        assert operation["security"] == [{"ApiKey": []}]
        body = operation["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"].split("/")[-1]
        fields = schemas[body]["properties"]
        assert set(fields) == {"photo", "age", "gender", "language", "history", "name"}
        assert set(schemas[body]["required"]) == {"photo", "age", "gender"}
        for name in ("age", "gender", "language", "history", "name"):
            assert fields[name].get("examples"), (path, name)
        limits = f"at most 20 MB and {MAX_PIXELS // 1_000_000} megapixels, its shorter side at least 224 px"
        assert limits in fields["photo"]["description"]
        for status in ("401", "413", "422", "429"):
            assert operation["responses"][status]["content"]["application/json"]["example"]["error"]["code"]
        ok = operation["responses"]["200"]["content"]
        if path == "diagnose-stream":
            example = ok["text/event-stream"]["example"]
            assert all(f"event: {kind}" in example for kind in ("queued", "classified", "delta", "done"))
        else:
            model = ok["application/json"]["schema"]["$ref"].split("/")[-1]
            assert schemas[model]["examples"][0]["scores"]["acne"] > 0
    assert "/api/v1/reports/{case_id}.pdf" in document["paths"]


async def test_key_commands_store_only_a_hash(
    harness: Harness, trained_classifier_weights: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    start(harness, trained_classifier_weights)
    monkeypatch.setenv("SKINBOT_DATA_DIR", str(harness.settings.data_dir))
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.chdir(harness.settings.data_dir.parent)
    assert await asyncio.to_thread(main, ["api-key", "create", "Hanoi clinic system"]) == 0
    printed = capsys.readouterr().out.splitlines()
    secret = printed[1]
    assert printed[0] == "API key 1 (Hanoi clinic system):" and secret.startswith("skb_") and len(secret) > 40
    await harness.start()
    data, files = form(skin_photo(seed=13))
    async with client(harness, secret) as http:
        assert (await http.post("/api/v1/classify", data=data, files=files)).status_code == 200
    assert secret.encode() not in harness.settings.db_path.read_bytes()
    assert await asyncio.to_thread(main, ["api-key", "list"]) == 0
    listing = capsys.readouterr().out
    assert "Hanoi clinic system" in listing and "live" in listing and secret not in listing
    assert await asyncio.to_thread(main, ["api-key", "revoke", "1"]) == 0
    assert "revoked" in capsys.readouterr().out
    async with client(harness, secret) as http:
        assert (await http.post("/api/v1/classify", data=data, files=files)).status_code == 401
    assert await asyncio.to_thread(main, ["api-key", "revoke", "1"]) == 2


async def test_reports_are_purged_with_the_bots_cases(
    harness: Harness, trained_classifier_weights: Path
) -> None:
    now = [utcnow()]
    harness.clock = lambda: now[0]
    start(harness, trained_classifier_weights)
    await harness.start()
    key_id, secret = await new_key(harness)
    data, files = form(skin_photo(seed=14))
    async with client(harness, secret) as http:
        body = (await http.post("/api/v1/diagnose", data=data, files=files)).json()
        assert (await http.get(body["pdf_url"])).status_code == 200
        root = harness.settings.data_dir
        assert list((root / "reports" / str(-key_id)).glob("*.pdf"))
        now[0] += timedelta(days=harness.settings.retention_days + 1)
        assert harness.services.housekeeping is not None
        purged, _ = await harness.services.housekeeping.purge()
        assert purged == 1
        assert (await http.get(body["pdf_url"])).status_code == 404
    assert not [p for p in (root / "reports" / str(-key_id)).rglob("*") if p.is_file()]
    assert not [p for p in (root / "images" / str(-key_id)).rglob("*") if p.is_file()]


def _encoded(size: tuple[int, int], fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("L", size, 128).save(out, fmt)
    return out.getvalue()


async def test_a_sliver_or_too_many_pixels_never_reaches_the_model_worker(harness: Harness) -> None:
    """A 1x2048 image used to hold the one model worker for seconds; an 8200x6400 JPEG was classified."""
    classifier = ScriptedClassifier([scores("eczema")])
    use_scripted_models(harness, classifier, scripted("A short report."))
    with_web(harness)
    await harness.start()
    _, secret = await new_key(harness)
    t = harness.t
    min_side = harness.settings.min_side
    async with client(harness, secret) as http:
        data, _ = form(b"", language="vi")
        for name, mime in (("sliver.jpg", "image/jpeg"), ("sliver.avif", "image/avif")):
            sliver = _encoded((1, 2048), name.rsplit(".", 1)[1].upper().replace("JPG", "JPEG"))
            refused = await http.post("/api/v1/classify", data=data, files={"photo": (name, sliver, mime)})
            assert refused.status_code == 422, name
            assert error(refused) == {
                "code": "photo_too_small",
                "message": t("vi", "photo-too-small", side=1, min_side=min_side),
                "field": "photo",
            }
        big = _encoded((8200, 6400), "JPEG")
        refused = await http.post(
            "/api/v1/classify", data=data, files={"photo": ("big.jpg", big, "image/jpeg")}
        )
        assert refused.status_code == 422
        assert error(refused)["message"] == t("vi", "photo-too-many-pixels", megapixels=52.48)
        corrupt = skin_photo()[:600] + b"\x00garbage" * 50
        refused = await http.post(
            "/api/v1/classify", data=data, files={"photo": ("c.jpg", corrupt, "image/jpeg")}
        )
        assert refused.status_code == 422
        assert error(refused)["message"] == t("vi", "photo-unreadable")
        # Control: an ordinary photo does reach it.
        fine = await http.post("/api/v1/classify", data=data, files=form(skin_photo(seed=15))[1])
        assert fine.status_code == 200, fine.text
    assert classifier.seen == [(800, 600)]
