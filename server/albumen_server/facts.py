"""The camera facts a viewer may read beside a photo: camera, lens, exposure.

Shown only on links with `show_metadata`; the viewer module decides that, this one only reads.
They are read from the original's header when a viewer first asks and remembered per blob (a
blob never changes), rather than stored on the photo row, because no other part needs them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from fractions import Fraction
from typing import IO, Any, Final

from PIL import Image

_MAKE, _MODEL = 0x010F, 0x0110
_EXIF_IFD: Final = 0x8769
_EXPOSURE_TIME, _F_NUMBER, _ISO, _FOCAL_LENGTH = 0x829A, 0x829D, 0x8827, 0x920A
_LENS_MAKE, _LENS_MODEL = 0xA433, 0xA434


@dataclass(frozen=True)
class CameraFacts:
    """What a photographer's peers like to know; any part may be missing."""

    camera: str | None = None
    lens: str | None = None
    exposure: str | None = None


def _text(value: Any) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    value = value.replace("\x00", "").strip()
    return value or None


def _number(value: Any) -> float | None:
    if isinstance(value, tuple) and len(value) == 1:
        value = value[0]
    try:
        number = float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return number if number > 0 else None


def _camera(make: str | None, model: str | None) -> str | None:
    if make and model and model.lower().startswith(make.split()[0].lower()):
        return model  # "Canon" + "Canon EOS R5" reads as "Canon EOS R5"
    return " ".join(part for part in (make, model) if part) or None


def _exposure(exif: Any) -> str | None:
    parts = []
    time = _number(exif.get(_EXPOSURE_TIME))
    if time is not None:
        if time < 1:
            parts.append(f"1/{round(1 / time)}\u00a0s")  # no-break spaces: units stay on their line
        else:
            parts.append(f"{Fraction(time).limit_denominator(10)}\u00a0s")
    f_number = _number(exif.get(_F_NUMBER))
    if f_number is not None:
        parts.append(f"f/{f_number:g}")
    iso = _number(exif.get(_ISO))
    if iso is not None:
        parts.append(f"ISO\u00a0{iso:g}")
    focal = _number(exif.get(_FOCAL_LENGTH))
    if focal is not None:
        parts.append(f"{focal:g}\u00a0mm")
    return " · ".join(parts) or None


def read_facts(source: IO[bytes]) -> CameraFacts:
    """Camera facts from an image file's header; empty for anything Pillow cannot look into."""
    try:
        with Image.open(source) as image:
            tags = image.getexif()
            exif = tags.get_ifd(_EXIF_IFD)
    except Exception:  # not an image Pillow reads (a RAW, a broken file): nothing to tell
        return CameraFacts()
    lens = _text(exif.get(_LENS_MODEL))
    lens_make = _text(exif.get(_LENS_MAKE))
    if lens and lens_make and not lens.lower().startswith(lens_make.lower()):
        lens = f"{lens_make} {lens}"
    return CameraFacts(
        camera=_camera(_text(tags.get(_MAKE)), _text(tags.get(_MODEL))),
        lens=lens,
        exposure=_exposure(exif),
    )


@functools.lru_cache(maxsize=4096)
def _cached(sha256: str, opener: Any) -> CameraFacts:
    with opener(sha256) as source:
        return read_facts(source)


def facts_of_blob(open_blob: Any, sha256: str) -> CameraFacts:
    """Facts of the blob `sha256`, opened with `open_blob` (a BlobStore's `open`), cached."""
    return _cached(sha256, open_blob)
