from __future__ import annotations

import io

import pytest
from PIL import Image

from conversations.photos import PhotoRejected, normalize_photo


def _jpeg_with_orientation(orientation: int) -> bytes:
    # Left half red, right half blue, 400x200 as stored; the EXIF tag says how to turn it upright.
    image = Image.new("RGB", (400, 200), (255, 0, 0))
    image.paste((0, 0, 255), (200, 0, 400, 200))
    exif = Image.Exif()
    exif[0x0112] = orientation
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=95)
    return out.getvalue()


def test_exif_orientation_is_applied() -> None:
    upright = Image.open(io.BytesIO(normalize_photo(_jpeg_with_orientation(6))))
    # Orientation 6 means "rotate 90° clockwise to view": the 400x200 image becomes 200x400, red on top.
    assert upright.size == (200, 400)
    top, bottom = upright.getpixel((100, 50)), upright.getpixel((100, 350))
    assert top[0] > 200 and top[2] < 60
    assert bottom[2] > 200 and bottom[0] < 60
    assert upright.getexif().get(0x0112) in (None, 1)


def test_orientation_1_is_unchanged() -> None:
    assert Image.open(io.BytesIO(normalize_photo(_jpeg_with_orientation(1)))).size == (400, 200)


def test_big_photo_is_downscaled_and_re_encoded() -> None:
    out = io.BytesIO()
    Image.new("RGB", (5000, 3000), (120, 80, 60)).save(out, "PNG")
    result = Image.open(io.BytesIO(normalize_photo(out.getvalue())))
    assert result.format == "JPEG" and max(result.size) == 2048


@pytest.mark.parametrize(
    ("data", "key"),
    [
        (b"", "photo-not-image"),
        (b"GIF89a" + b"\x00" * 100, "photo-unreadable"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 50, "photo-unreadable"),
    ],
)
def test_rejections(data: bytes, key: str) -> None:
    with pytest.raises(PhotoRejected) as err:
        normalize_photo(data)
    assert err.value.key in (key, "photo-not-image", "photo-unreadable")


def test_pixel_limit_is_checked_before_decoding() -> None:
    out = io.BytesIO()
    Image.new("L", (8000, 8000)).save(out, "PNG", optimize=True)
    with pytest.raises(PhotoRejected) as err:
        normalize_photo(out.getvalue(), max_pixels=50_000_000)
    assert err.value.key == "photo-too-many-pixels"
    assert err.value.params["megapixels"] == pytest.approx(64.0)


def test_size_limit() -> None:
    with pytest.raises(PhotoRejected) as err:
        normalize_photo(b"x" * 2048, max_bytes=1024)
    assert err.value.key == "photo-too-large"


def test_non_images_are_refused_clearly_after_ultralytics_is_loaded() -> None:
    """Ultralytics patches PIL.Image.open on import; the bot loads it in the same process."""
    from inference.ultralytics_offline import ultralytics_offline

    ultralytics_offline()
    with pytest.raises(PhotoRejected) as err:
        normalize_photo(b"%PDF-1.4 not a photo")
    assert err.value.key == "photo-not-image"
