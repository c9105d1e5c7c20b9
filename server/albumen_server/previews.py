"""The web-size JPEG an arriving photo is seen from: checked, then cleaned, before it is kept.

The client sends it (`PUT /api/photos/{id}/preview`) so that viewers see the photo before its
original has crossed a slow uplink. It comes from anyone holding an owner token, so it is held to
what the contract says it is: a JPEG (by its content, never its name or Content-Type: else 415),
at most :data:`PREVIEW_EDGE` px on its long edge (else 422, checked from the header before a
pixel is decoded), and whole (decoded to the last pixel: else 422).

Then it is re-encoded, from its pixels alone: whatever the client left in the file (EXIF, XMP,
IPTC, comments, a second image after the first, bytes after the end) is gone, so a viewer can
never learn more from an arriving photo than from the facts the client announced. The colour
profile stays (it is how the picture looks, as in every derivative). The pixels are taken as
upright, as the contract says: an Orientation tag is not applied but dropped.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Final

from PIL import Image, UnidentifiedImageError

from albumen_photo import decode
from albumen_photo.formats import FORMAT_NAMES, sniff_format
from albumen_server.derivatives import PREVIEW_EDGE
from albumen_server.errors import ApiError

QUALITY: Final = 92
"""High enough that the thumb and preview rendered from it look as the client's file did."""


@dataclass(frozen=True)
class CleanPreview:
    """A preview fit to keep: a JPEG with nothing in it but pixels (and their colour profile)."""

    jpeg: bytes
    width: int
    height: int


def _not_jpeg(filename: str, why: str) -> ApiError:
    return ApiError(
        415,
        "not_jpeg",
        f"the preview of {filename} {why}; send the web-size JPEG (image/jpeg) as the body",
    )


def clean_preview(data: bytes, filename: str) -> CleanPreview:
    """The preview the server keeps of `data`, or an ApiError saying what is wrong with it."""
    if not data:
        raise _not_jpeg(filename, "is empty (0 bytes)")
    kind = sniff_format(data[:32])
    if kind != "jpeg":
        what = f"it is {FORMAT_NAMES.get(kind, kind)}" if kind else "nor any image Albumen knows"
        raise _not_jpeg(filename, f"is not a JPEG ({what})")
    try:
        image = Image.open(io.BytesIO(data), formats=["JPEG"])
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        raise _not_jpeg(filename, f"is not a JPEG Albumen can read ({error})") from None
    with image:
        width, height = image.size
        if max(width, height) > PREVIEW_EDGE or min(width, height) < 1:
            raise ApiError(
                422,
                "preview_too_large",
                f"the preview of {filename} is {width}x{height} px; a preview's long edge is"
                f" at most {PREVIEW_EDGE} px",
            )
        try:
            image.load()  # every pixel: a truncated or damaged file fails here
            pixels, icc = decode.to_rgb(image, image.info.get("icc_profile"))
            jpeg = decode.jpeg_bytes(pixels, QUALITY, icc, optimize=True, progressive=True)
        except Exception as error:  # truncated, damaged, an odd variant: all unreadable
            raise ApiError(
                422,
                "unreadable_preview",
                f"the preview of {filename} is not a whole JPEG: {error}",
            ) from None
    return CleanPreview(jpeg=jpeg, width=width, height=height)
