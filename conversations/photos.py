"""Turn untrusted upload bytes into one bounded, upright RGB JPEG, or a reason to refuse them.

The stored JPEG carries pixels only. Phone photos and edited images bring metadata that can name the
patient or place them (EXIF GPS and owner fields, XMP, JPEG comments, PNG text chunks), and Pillow would
copy a comment into the re-encoded file, so every metadata field is dropped before saving. The ICC
profile goes too: the models and the PDF treat every photo as sRGB anyway.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, ImageOps

try:  # HEIC photos from iPhones, when the optional decoder is present.
    from pillow_heif import register_heif_opener

    register_heif_opener()
except ImportError:  # pragma: no cover - pillow-heif is a declared dependency
    pass

MAX_BYTES = 20 * 1024 * 1024  # the Bot API's own download limit
# Read from the header before any decoding, in every format. A 48 MP phone photo (8064x6048) fits; the
# models need under 1 MP, and a JPEG is then decoded at a reduced scale (draft).
MAX_PIXELS = 50_000_000
MAX_SIDE_STORED = 2048  # what we keep: enough for the classifier, the model and the PDF
# The shorter side the quality gate asks for by default (SKINBOT_MIN_SIDE), and the longest a side may be
# beside it. Beyond these an image is a thumbnail, a strip or a sliver: nothing a model can assess, and its
# working copies at the models' scale would be far bigger than its few bytes suggest.
MIN_SIDE = 224
MAX_ASPECT_RATIO = 4
ACCEPTED_FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "HEIF", "AVIF"}


@dataclass(frozen=True)
class PhotoRejected(Exception):
    key: str  # Fluent message id with the reason
    params: dict[str, Any] = field(default_factory=dict)


def check_size(size_bytes: int | None, max_bytes: int = MAX_BYTES) -> None:
    """Refuse before downloading when Telegram already tells us the size."""
    if size_bytes is not None and size_bytes > max_bytes:
        raise PhotoRejected(
            "photo-too-large", {"size_mb": size_bytes / 1024 / 1024, "max_mb": max_bytes // 1024 // 1024}
        )


def check_dimensions(width: int, height: int, min_side: int = MIN_SIDE, max_pixels: int = MAX_PIXELS) -> None:
    """Refuse from the dimensions alone: those Telegram reports before a download, or a file's header."""
    if width * height > max_pixels:
        raise PhotoRejected("photo-too-many-pixels", {"megapixels": width * height / 1e6})
    shorter, longer = sorted((width, height))
    if shorter < min_side:
        raise PhotoRejected("photo-too-small", {"side": shorter, "min_side": min_side})
    if longer > shorter * MAX_ASPECT_RATIO:
        raise PhotoRejected("photo-too-elongated", {"ratio": longer / shorter, "max_ratio": MAX_ASPECT_RATIO})


def normalize_photo(
    data: bytes, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS, min_side: int = MIN_SIDE
) -> bytes:
    """Decode with bounded memory, apply EXIF orientation and re-encode as a JPEG of at most 2048 px."""
    return pixels_only_jpeg(decode_photo(data, max_bytes, max_pixels, min_side))


def decode_photo(
    data: bytes, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS, min_side: int = MIN_SIDE
) -> Image.Image:
    """The upload as an upright RGB image of at most 2048 px, decoded with bounded memory; what
    `normalize_photo` stores, before it is encoded (so a check can look at it without decoding it again)."""
    check_size(len(data), max_bytes)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            # Image.open reads only the header, so the dimensions are known before any decoding.
            if image.format not in ACCEPTED_FORMATS:
                raise PhotoRejected("photo-not-image")
            check_dimensions(image.width, image.height, min_side, max_pixels)
            if image.format in ("JPEG", "MPO"):
                # JPEG can decode at 1/2, 1/4 or 1/8 scale directly, which keeps big photos cheap.
                image.draft("RGB", (MAX_SIDE_STORED, MAX_SIDE_STORED))
            image.load()
            # In place, and no copy of what is RGB already: a 50 MP PNG then peaks near its decoded size
            # (200 MB) rather than three times that.
            ImageOps.exif_transpose(image, in_place=True)
            rgb = image if image.mode == "RGB" else image.convert("RGB")
    except PhotoRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as bomb:
        # Pillow's own guard fires inside Image.open for the worst bombs; its message has the pixel count.
        found = re.search(r"\((\d+) pixels\)", str(bomb))
        megapixels = int(found.group(1)) / 1e6 if found else max_pixels / 1e6
        raise PhotoRejected("photo-too-many-pixels", {"megapixels": megapixels}) from None
    except Image.UnidentifiedImageError:
        raise PhotoRejected("photo-not-image") from None
    except (OSError, SyntaxError, ValueError, EOFError):
        # Pillow reports truncated and corrupt data with all of these.
        raise PhotoRejected("photo-unreadable") from None
    rgb.thumbnail((MAX_SIDE_STORED, MAX_SIDE_STORED), Image.Resampling.LANCZOS)
    return rgb


def pixels_only_jpeg(image: Image.Image) -> bytes:
    """Re-encode with no metadata: `info` (comments, text chunks, XMP, ICC, EXIF bytes) is emptied and
    the save is told explicitly to write no EXIF, ICC profile, XMP or comment."""
    image.info = {}
    out = io.BytesIO()
    try:
        image.save(out, "JPEG", quality=90, optimize=True, exif=b"", icc_profile=None, comment=b"")
    except (OSError, ValueError):
        # Nothing from the upload reaches the encoder but pixels; refuse cleanly rather than crash if a
        # future Pillow disagrees.
        raise PhotoRejected("photo-unreadable") from None
    return out.getvalue()
