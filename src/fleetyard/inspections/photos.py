"""Photo checks: decoded size, then the content sniffed from its first bytes (never the
declared type alone), then, for the formats Pillow reads, a structural check of the file.

Pure functions over bytes; the service stores what passes."""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
from dataclasses import dataclass
from typing import Final

from PIL import Image, UnidentifiedImageError

from fleetyard.errors import ValidationFailed
from fleetyard.inspections.errors import PhotoTooLarge, PhotoTypeMismatch, UnsupportedPhoto

MAX_PHOTO_BYTES: Final = 10 * 1024 * 1024
HEIF_BRANDS: Final = frozenset(
    {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
)
# A declared type → the sniffed types it may be (HEIF and HEIC are one family).
COMPATIBLE: Final = {
    "image/jpeg": {"image/jpeg"},
    "image/png": {"image/png"},
    "image/webp": {"image/webp"},
    "image/heic": {"image/heic"},
    "image/heif": {"image/heic"},
}
_PILLOW_FORMATS: Final = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}


@dataclass(frozen=True, slots=True)
class CheckedPhoto:
    content_type: str
    data: bytes
    sha256: str


def sniff(data: bytes) -> str | None:
    """The image type the bytes are, by their magic numbers; None for anything else."""
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp" and data[8:12] in HEIF_BRANDS:
        return "image/heic"
    return None


def decode_base64(text: str, where: str) -> bytes:
    """The photo's bytes; refuses anything but plain or URL-safe base64 (a data URL's
    ``data:…;base64,`` prefix is accepted and dropped)."""
    if text.startswith("data:"):
        text = text.partition(",")[2]
    # size before decoding: 4 characters carry 3 bytes
    if len(text) * 3 // 4 > MAX_PHOTO_BYTES + 3:
        raise PhotoTooLarge(
            f"A photo may be at most {MAX_PHOTO_BYTES // (1024 * 1024)} MB.",
            details={"field": where, "max_bytes": MAX_PHOTO_BYTES},
        )
    try:
        return base64.b64decode(text.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationFailed(
            "A photo is not valid base64.", details={"field": where, "reason": "base64"}
        ) from exc


def check_photo(declared: str, data: bytes, where: str) -> CheckedPhoto:
    if len(data) > MAX_PHOTO_BYTES:
        raise PhotoTooLarge(
            f"A photo may be at most {MAX_PHOTO_BYTES // (1024 * 1024)} MB.",
            details={"field": where, "max_bytes": MAX_PHOTO_BYTES, "bytes": len(data)},
        )
    if not data:
        raise ValidationFailed("A photo is empty.", details={"field": where})
    sniffed = sniff(data)
    if sniffed is None:
        raise UnsupportedPhoto(details={"field": where, "declared": declared})
    if sniffed not in COMPATIBLE.get(declared, set()):
        raise PhotoTypeMismatch(details={"field": where, "declared": declared, "found": sniffed})
    _check_structure(sniffed, data, where)
    return CheckedPhoto(sniffed, data, hashlib.sha256(data).hexdigest())


def _check_structure(content_type: str, data: bytes, where: str) -> None:
    """A file that starts like an image must also parse as one (Pillow reads the headers
    and verifies the structure without decoding every pixel)."""
    expected = _PILLOW_FORMATS.get(content_type)
    if expected is None:
        return  # HEIC: Pillow has no reader here; the ftyp box was checked
    try:
        with Image.open(io.BytesIO(data), formats=[expected]) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise UnsupportedPhoto(
            "A photo starts like an image but is not a readable one.",
            details={"field": where, "declared": content_type, "reason": "unreadable"},
        ) from exc
