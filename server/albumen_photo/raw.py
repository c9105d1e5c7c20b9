"""Camera RAW files: their size and rotation from LibRaw's header parse, and where each maker
keeps the EXIF block that TIFF-based formats keep in their first directory.

LibRaw (rawpy) knows the sensor's size and the camera's rotation ("flip") of every RAW format
without developing it. The EXIF block (camera, lens, exposure, date, GPS) is found per maker:
Canon CR3 keeps it in movie-style boxes, Fujifilm RAF in its embedded JPEG preview, Minolta MRW
in a block of its own, Panasonic RW2 and Olympus ORF in TIFF with a vendor's magic number.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from albumen_photo.decode import FLIP_TO_ORIENTATION, libraw_message, open_raw
from albumen_photo.exif_fields import ExifDirectories, exif_from_bytes

__all__ = ["RawSize", "raw_size", "vendor_exif"]

_EMBEDDED_JPEG_HEAD = 256 << 10  # enough for the EXIF segment of an embedded preview


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


def vendor_exif(
    kind: str, path: Path, head: bytes, problem: Callable[[str], None]
) -> ExifDirectories:
    """The EXIF directories of a RAW format that is not plain TIFF, from its first megabytes."""
    if kind in ("rw2", "orf"):
        # TIFF with a vendor's magic number: the directories are plain TIFF.
        return exif_from_bytes(head[:2] + b"\x2a\x00" + head[4:], problem)
    if kind == "cr3":
        return _cr3_exif(head, problem)
    if kind == "raf":
        return _raf_exif(path, head, problem)
    if kind == "mrw":
        return _mrw_exif(head, problem)
    return ExifDirectories()


def _cr3_exif(head: bytes, problem: Callable[[str], None]) -> ExifDirectories:
    """Canon CR3 keeps IFD0, the EXIF directory and GPS as three TIFF blocks in its
    movie-style boxes: CMT1, CMT2 and CMT4."""
    blocks: dict[bytes, dict[int, object]] = {}
    for name in (b"CMT1", b"CMT2", b"CMT4"):
        at = head.find(name)
        if at < 4:
            continue
        (size,) = struct.unpack(">I", head[at - 4 : at])
        blocks[name] = exif_from_bytes(head[at + 4 : at - 4 + size], problem).ifd0
    return ExifDirectories(
        dict(blocks.get(b"CMT1", {})), dict(blocks.get(b"CMT2", {})), dict(blocks.get(b"CMT4", {}))
    )


def _raf_exif(path: Path, head: bytes, problem: Callable[[str], None]) -> ExifDirectories:
    """Fujifilm RAF carries a JPEG preview whose EXIF is the camera's."""
    if len(head) < 92:
        return ExifDirectories()
    offset, length = struct.unpack(">II", head[84:92])
    try:
        with path.open("rb") as handle:
            handle.seek(offset)
            jpeg = handle.read(min(length, _EMBEDDED_JPEG_HEAD))
        with Image.open(io.BytesIO(jpeg), formats=("JPEG",)) as preview:
            raw = preview.info.get("exif")
    except Exception:  # no usable preview: the RAW header still gives size and rotation
        return ExifDirectories()
    return exif_from_bytes(raw, problem) if isinstance(raw, bytes) else ExifDirectories()


def _mrw_exif(head: bytes, problem: Callable[[str], None]) -> ExifDirectories:
    """Minolta MRW: a chain of blocks after an 8-byte header; the TTW block is TIFF."""
    pos = 8
    while pos + 8 <= len(head):
        name = head[pos : pos + 4]
        (length,) = struct.unpack(">I", head[pos + 4 : pos + 8])
        if name == b"\x00TTW":
            return exif_from_bytes(head[pos + 8 : pos + 8 + length], problem)
        pos += 8 + length
    return ExifDirectories()
