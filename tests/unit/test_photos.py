from __future__ import annotations

import io
import time

import pytest
from PIL import Image

from conversations.photos import MAX_ASPECT_RATIO, MAX_PIXELS, MIN_SIDE, PhotoRejected, normalize_photo


def _encoded(size: tuple[int, int], fmt: str, mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (200, 150, 130) if mode == "RGB" else 128).save(out, fmt)
    return out.getvalue()


def _writable(fmt: str) -> bool:
    """AVIF comes from Pillow's own plugin, HEIF from pillow-heif; either may be built without an encoder."""
    try:
        _encoded((8, 8), fmt)
    except (KeyError, OSError, ValueError):
        return False
    return True


FORMATS = [
    pytest.param(f, marks=pytest.mark.skipif(not _writable(f), reason=f"cannot write {f}"))
    for f in ("JPEG", "PNG", "WEBP", "AVIF", "HEIF")
]


def _jpeg_with_orientation(orientation: int) -> bytes:
    # Left half red, right half blue, 480x240 as stored; the EXIF tag says how to turn it upright.
    image = Image.new("RGB", (480, 240), (255, 0, 0))
    image.paste((0, 0, 255), (240, 0, 480, 240))
    exif = Image.Exif()
    exif[0x0112] = orientation
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=95)
    return out.getvalue()


def test_exif_orientation_is_applied() -> None:
    upright = Image.open(io.BytesIO(normalize_photo(_jpeg_with_orientation(6))))
    # Orientation 6 means "rotate 90° clockwise to view": the 480x240 image becomes 240x480, red on top.
    assert upright.size == (240, 480)
    top, bottom = upright.getpixel((120, 60)), upright.getpixel((120, 420))
    assert top[0] > 200 and top[2] < 60
    assert bottom[2] > 200 and bottom[0] < 60
    assert upright.getexif().get(0x0112) in (None, 1)


def test_orientation_1_is_unchanged() -> None:
    assert Image.open(io.BytesIO(normalize_photo(_jpeg_with_orientation(1)))).size == (480, 240)


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


SECRET = "GPS 37.5665N patient Kim Minji"


def _segments(jpeg: bytes) -> list[int]:
    """The JPEG markers before the image data (0xE0 APP0 … 0xFE COM), read from the byte stream itself."""
    assert jpeg[:2] == b"\xff\xd8"
    markers, at = [], 2
    while at < len(jpeg):
        assert jpeg[at] == 0xFF, "not a marker"
        marker = jpeg[at + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            break
        at += 2 + int.from_bytes(jpeg[at + 2 : at + 4], "big")
    return markers


def _assert_pixels_only(stored: bytes) -> None:
    assert SECRET.encode() not in stored and b"Kim" not in stored
    markers = _segments(stored)
    assert 0xFE not in markers, "a JPEG comment was kept"
    assert not [m for m in markers if 0xE1 <= m <= 0xEF], "an APPn segment (EXIF, XMP, ICC) was kept"
    reopened = Image.open(io.BytesIO(stored))
    assert set(reopened.info) <= {"jfif", "jfif_version", "jfif_unit", "jfif_density", "dpi"}
    assert not reopened.getexif()


def _picture() -> Image.Image:
    return Image.new("RGB", (320, 240), (150, 100, 90))


def test_jpeg_comment_exif_gps_xmp_and_icc_are_dropped() -> None:
    from PIL import ImageCms

    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (37.0, 33.0, 59.4), 3: "E", 4: (126.0, 58.0, 40.6)}  # GPSInfo
    exif[0x010E] = SECRET  # ImageDescription
    exif[0x013B] = "Kim Minji"  # Artist
    xmp = f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:creator>{SECRET}</dc:creator></x:xmpmeta>'.encode()
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    _picture().save(out, "JPEG", comment=SECRET.encode(), exif=exif, xmp=xmp, icc_profile=icc)
    upload = out.getvalue()
    assert SECRET.encode() in upload and 0xFE in _segments(upload)  # the fixture really carries it
    _assert_pixels_only(normalize_photo(upload))


def _gps_and_owner_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (37.0, 33.0, 59.4), 3: "E", 4: (126.0, 58.0, 40.6)}  # GPSInfo
    exif[0x010E] = SECRET  # ImageDescription
    exif[0x013B] = "Kim Minji"  # Artist
    exif[0x8298] = "Kim Minji"  # Copyright
    exif.get_ifd(0x8769)[0xA430] = "Kim Minji"  # CameraOwnerName, in the Exif sub-IFD
    return exif


@pytest.mark.parametrize("fmt", FORMATS)
def test_exif_gps_owner_and_xmp_are_dropped_in_every_format(fmt: str) -> None:
    from PIL import PngImagePlugin

    xmp = f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:creator>{SECRET}</dc:creator></x:xmpmeta>'
    out = io.BytesIO()
    if fmt == "PNG":  # PNG keeps XMP in an iTXt chunk of its own name, EXIF in an eXIf chunk
        info = PngImagePlugin.PngInfo()
        info.add_itxt("XML:com.adobe.xmp", xmp)
        _picture().save(out, fmt, exif=_gps_and_owner_exif(), pnginfo=info)
    else:
        _picture().save(out, fmt, exif=_gps_and_owner_exif(), xmp=xmp.encode())
    upload = Image.open(io.BytesIO(out.getvalue()))
    # The fixture really carries them: the GPS position, the owner and the XMP.
    assert upload.getexif().get_ifd(0x8825) and upload.getexif().get_ifd(0x8769)[0xA430] == "Kim Minji"
    assert SECRET in str(upload.info.get("xmp") or upload.info.get("XML:com.adobe.xmp"))
    _assert_pixels_only(normalize_photo(out.getvalue()))


@pytest.mark.parametrize("chunk", ["tEXt", "iTXt", "zTXt"])
def test_png_text_chunks_are_dropped(chunk: str) -> None:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    for key in ("comment", "Description", "Author"):
        if chunk == "iTXt":
            info.add_itxt(key, SECRET, lang="en", tkey=key)
        else:
            info.add_text(key, SECRET, zip=chunk == "zTXt")
    out = io.BytesIO()
    _picture().save(out, "PNG", pnginfo=info)
    assert chunk.encode() in out.getvalue()
    assert Image.open(io.BytesIO(out.getvalue())).info.get("comment") == SECRET
    _assert_pixels_only(normalize_photo(out.getvalue()))


def test_png_comment_too_long_for_a_jpeg_is_dropped_not_a_crash() -> None:
    """A JPEG comment holds at most 65,533 bytes; the picture is fine, its comment is not kept."""
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("comment", "Kim " * 17_500)  # 70,000 characters
    out = io.BytesIO()
    _picture().save(out, "PNG", pnginfo=info)
    stored = normalize_photo(out.getvalue())
    _assert_pixels_only(stored)
    assert Image.open(io.BytesIO(stored)).size == (320, 240)


def test_png_text_chunk_too_big_to_decompress_is_refused_as_unreadable() -> None:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "A" * (PngImagePlugin.MAX_TEXT_CHUNK + 1), zip=True)
    out = io.BytesIO()
    _picture().save(out, "PNG", pnginfo=info)
    with pytest.raises(PhotoRejected) as err:
        normalize_photo(out.getvalue())
    assert err.value.key == "photo-unreadable"


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_sliver_is_refused_from_its_header_at_once(fmt: str) -> None:
    """1x2048 is a few hundred bytes; enlarged to the quality gate's scale it stalled the model worker."""
    sliver = _encoded((1, 2048), fmt)
    assert len(sliver) < 2048
    started = time.perf_counter()
    with pytest.raises(PhotoRejected) as err:
        normalize_photo(sliver)
    assert time.perf_counter() - started < 0.1
    assert err.value.key == "photo-too-small"
    assert err.value.params == {"side": 1, "min_side": MIN_SIDE}


def test_the_minimum_side_is_the_callers() -> None:
    small = _encoded((180, 240), "JPEG")
    with pytest.raises(PhotoRejected) as err:
        normalize_photo(small)
    assert err.value.params == {"side": 180, "min_side": MIN_SIDE}
    assert Image.open(io.BytesIO(normalize_photo(small, min_side=150))).size == (180, 240)


@pytest.mark.parametrize("size", [(1500, 300), (300, 1500)])
def test_an_extreme_aspect_ratio_is_refused(size: tuple[int, int]) -> None:
    with pytest.raises(PhotoRejected) as err:
        normalize_photo(_encoded(size, "PNG"))
    assert err.value.key == "photo-too-elongated"
    assert err.value.params == {"ratio": 5.0, "max_ratio": MAX_ASPECT_RATIO}
    wide_but_fine = (300 * MAX_ASPECT_RATIO, 300)
    assert Image.open(io.BytesIO(normalize_photo(_encoded(wide_but_fine, "PNG")))).size == wide_but_fine


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_the_pixel_limit_is_read_from_the_header_in_every_format(fmt: str) -> None:
    """A JPEG used to be measured after its reduced-scale decode was chosen, so 52.5 MP passed as 13 MP."""
    with pytest.raises(PhotoRejected) as err:
        normalize_photo(_encoded((8200, 6400), fmt, mode="L"))
    assert err.value.key == "photo-too-many-pixels"
    assert err.value.params["megapixels"] == pytest.approx(52.48)


def test_a_photo_of_exactly_the_pixel_limit_is_accepted() -> None:
    width = 8000
    at_limit = _encoded((width, MAX_PIXELS // width), "JPEG", mode="L")
    assert max(Image.open(io.BytesIO(normalize_photo(at_limit))).size) == 2048
    with pytest.raises(PhotoRejected):
        normalize_photo(_encoded((width + 1, MAX_PIXELS // width), "JPEG", mode="L"))
