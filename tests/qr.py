"""Reading back a QR code the CLI wrote, as a phone's camera would."""

from __future__ import annotations

from pathlib import Path


def decode_qr(path: Path) -> str:
    """The text of the QR code in the image, or "" when none reads. OpenCV's detector misses some codes at
    their drawn size (it depends on the token's pattern), so it also tries the image enlarged and with a wider
    quiet zone, and OpenCV's second detector, before giving up."""
    import cv2

    image = cv2.imread(str(path))
    variants = [
        image,
        cv2.resize(image, None, fx=2, fy=2, interpolation=cv2.INTER_NEAREST),
        cv2.copyMakeBorder(image, 40, 40, 40, 40, cv2.BORDER_CONSTANT, value=(255, 255, 255)),
    ]
    detectors = [cv2.QRCodeDetector()]
    if hasattr(cv2, "QRCodeDetectorAruco"):
        detectors.append(cv2.QRCodeDetectorAruco())
    for detector in detectors:
        for variant in variants:
            text, _, _ = detector.detectAndDecode(variant)
            if text:
                return text
    return ""
