"""Camera RAW files: their size and rotation from LibRaw's header parse.

LibRaw (rawpy) knows the sensor's size, the camera's default crop and its rotation ("flip") of
every RAW format without developing it. The metadata reader, the desktop's scan and the server's
probe all take a RAW's size from here, so all three say the same (the size the camera states,
as ExifTool's ImageSize does). Where each maker keeps its EXIF block is
:mod:`albumen_photo.blocks`' business.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from albumen_photo.decode import FLIP_TO_ORIENTATION, libraw_message, open_raw

__all__ = ["RawSize", "raw_size"]


@dataclass(frozen=True)
class RawSize:
    """The photo's size as the camera states it (its default crop, before rotation) and the
    rotation LibRaw reads as an EXIF orientation."""

    width: int
    height: int
    orientation: int | None


def raw_size(path: Path) -> tuple[RawSize | None, str]:
    """The RAW's size and rotation from LibRaw's header parse, or None and LibRaw's reason."""
    try:
        with open_raw(path) as raw:
            sizes = raw.sizes
            width = int(getattr(sizes, "crop_width", 0) or sizes.width)
            height = int(getattr(sizes, "crop_height", 0) or sizes.height)
            flip = int(sizes.flip)
    except Exception as error:  # LibRaw has its own exception hierarchy
        return None, libraw_message(error)
    if not width or not height:
        return None, "LibRaw found no image size"
    return RawSize(width, height, FLIP_TO_ORIENTATION.get(flip)), ""
