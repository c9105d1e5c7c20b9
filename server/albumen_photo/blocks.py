"""Where each format keeps its metadata blocks (EXIF, XMP, IPTC), found with the container readers
the stripper uses: :mod:`~albumen_photo.jpeg`, :mod:`~albumen_photo.png`,
:mod:`~albumen_photo.riff`, :mod:`~albumen_photo.isobmff`, :mod:`~albumen_photo.tiff` and
:mod:`~albumen_photo.iim`.

Reading through the same readers as the stripper means the owner's "what this photo says" and
the server's "what a viewer gets" cannot disagree about what a file holds. Only the blocks are
found here; :mod:`albumen_photo.exif_fields` and :mod:`albumen_photo.xmp_facts` say what they
mean. Files are read piece by piece through :class:`~albumen_photo.byteio.RandomAccess`, never
whole, and a broken container is a problem reported through ``problem``, never raised.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO

from albumen_photo.byteio import RandomAccess
from albumen_photo.errors import Malformed
from albumen_photo.exif_fields import ExifDirectories, exif_from_bytes, exif_from_tiff
from albumen_photo.formats import PhotoFormat
from albumen_photo.iim import IRB_EXIF, IRB_IPTC, IRB_XMP, irb_resources
from albumen_photo.isobmff import cr3_blocks, heif_items, item_extents
from albumen_photo.jpeg import EXIF_ID, PHOTOSHOP_ID, XMP_ID, jpeg_segments
from albumen_photo.png import png_chunks, png_text, raw_profile
from albumen_photo.riff import riff_chunks
from albumen_photo.tiff import TAG_IPTC, TAG_XMP, Tiff

__all__ = ["Blocks", "find_blocks"]

Problem = Callable[[str], None]

_APP1, _APP13 = 0xE1, 0xED
_XMP_EXT_ID = b"http://ns.adobe.com/xmp/extension/\x00"
# GeoTIFF's tie points, pixel scale, transformation and geo keys place the image on Earth.
_GEOTIFF_TAGS = (0x8482, 0x830E, 0x85D8, 0x87AF)
_MAX_BLOCK = 16 << 20  # an XMP packet or IPTC block bigger than this is not metadata
_X3F_SEARCH = 1 << 20  # the preview with the EXIF comes in the first megabyte


@dataclass
class Blocks:
    """Every metadata block found in one file."""

    exif: ExifDirectories = field(default_factory=ExifDirectories)
    xmp: list[bytes] = field(default_factory=list)
    iptc: list[bytes] = field(default_factory=list)
    geotiff: bool = False


def find_blocks(handle: BinaryIO, fmt: PhotoFormat | None, problem: Problem) -> Blocks:
    """The metadata blocks of an open file of format ``fmt``."""
    found = Blocks()
    key = fmt.key if fmt is not None else ""
    try:
        ra = RandomAccess(handle)
        reader = _READERS.get(key)
        if reader is None and fmt is not None and fmt.kind == "raw-tiff":
            reader = _tiff
        if reader is not None:
            reader(ra, found, problem)
    except Malformed as error:
        name = fmt.name if fmt is not None else "file"
        problem(f"the {name} structure is damaged where its metadata is ({error})")
    return found


def _jpeg(ra: RandomAccess, found: Blocks, problem: Problem) -> None:
    extended: dict[bytes, dict[int, bytes]] = {}
    try:
        for segment in jpeg_segments(ra):
            payload = segment.payload
            if segment.marker == _APP1 and payload.startswith(EXIF_ID) and not found.exif:
                found.exif = exif_from_bytes(payload, problem)
            elif segment.marker == _APP1 and payload.startswith(XMP_ID):
                found.xmp.append(payload[len(XMP_ID) :])
            elif segment.marker == _APP1 and payload.startswith(_XMP_EXT_ID):
                # Extended XMP: what did not fit in one segment, in parts by GUID and offset.
                body = payload[len(_XMP_EXT_ID) :]
                if len(body) >= 40:
                    offset = int.from_bytes(body[36:40], "big")
                    extended.setdefault(body[:32], {})[offset] = body[40:]
            elif segment.marker == _APP13 and payload.startswith(PHOTOSHOP_ID):
                _photoshop(payload[len(PHOTOSHOP_ID) :], found, problem)
    finally:
        for parts in extended.values():
            found.xmp.append(b"".join(parts[offset] for offset in sorted(parts)))


def _photoshop(data: bytes, found: Blocks, problem: Problem) -> None:
    """Photoshop image resources: IPTC, XMP and EXIF blocks of their own."""
    try:
        resources = irb_resources(data)
    except Malformed as error:
        problem(f"the Photoshop resources are damaged ({error})")
        return
    for resource in resources:
        if resource.id == IRB_IPTC:
            found.iptc.append(resource.payload)
        elif resource.id == IRB_XMP:
            found.xmp.append(resource.payload)
        elif resource.id in IRB_EXIF and not found.exif:
            found.exif = exif_from_bytes(resource.payload, problem)


def _png(ra: RandomAccess, found: Blocks, problem: Problem) -> None:
    """EXIF and XMP of a PNG, wherever their chunks are (eXIf may follow the image data, which
    Pillow would only find by decoding the whole image)."""
    for chunk in png_chunks(ra):
        if chunk.data is None:
            continue
        if chunk.type == b"eXIf":
            found.exif = exif_from_bytes(chunk.data, problem)
            continue
        if chunk.type not in (b"tEXt", b"zTXt", b"iTXt"):
            continue
        try:
            keyword, text = png_text(chunk.type, chunk.data)
        except Malformed as error:
            problem(f"a PNG text chunk is damaged ({error})")
            continue
        if keyword == "XML:com.adobe.xmp":
            found.xmp.append(text)
        elif keyword.lower().startswith("raw profile type "):
            profile = raw_profile(text)
            if profile is not None:
                _profile(profile[0].decode("latin-1").lower(), profile[1], found, problem)


def _profile(name: str, data: bytes, found: Blocks, problem: Problem) -> None:
    """An ImageMagick raw profile: EXIF, IPTC (bare or in Photoshop resources) or XMP."""
    if name in ("exif", "app1"):
        found.exif = exif_from_bytes(data, problem)
    elif name in ("iptc", "8bim"):
        if data.startswith(b"8BIM"):
            _photoshop(data, found, problem)
        else:
            found.iptc.append(data)
    elif name == "xmp":
        found.xmp.append(data)


def _webp(ra: RandomAccess, found: Blocks, problem: Problem) -> None:
    for chunk in riff_chunks(ra):
        if chunk.size > _MAX_BLOCK:
            continue
        if chunk.fourcc == b"EXIF":
            found.exif = exif_from_bytes(ra.read(chunk.offset, chunk.size), problem)
        elif chunk.fourcc == b"XMP ":
            found.xmp.append(ra.read(chunk.offset, chunk.size))


def _heif(ra: RandomAccess, found: Blocks, problem: Problem) -> None:
    """HEIC, HEIF and AVIF keep EXIF and XMP as items of their meta box."""
    for item in heif_items(ra):
        span = item_extents(item)
        if span is None or span[1] > _MAX_BLOCK:
            continue
        at, length = span
        if item.is_exif and length > 4 and not found.exif:
            # Four bytes give the offset of the TIFF header after them ("Exif\0\0" may sit
            # between).
            skip = int.from_bytes(ra.read(at, 4), "big")
            if 4 + skip < length:
                found.exif = exif_from_tiff(ra.sub(at + 4 + skip, length - 4 - skip), problem)
        elif item.is_xmp:
            found.xmp.append(ra.read(at, length))


def _tiff(ra: RandomAccess, found: Blocks, problem: Problem) -> None:
    """TIFF and the RAW formats built on it (DNG, CR2, NEF, ARW, ORF, RW2...): IFD0 holds the
    EXIF and GPS pointers, the XMP packet and the IPTC block; GeoTIFF tags place the image."""
    tiff = Tiff(ra)
    ifd0 = tiff.read_ifd(tiff.ifd0)
    found.exif = exif_from_tiff(ra, problem, directory=ifd0)
    for tag, blocks in ((TAG_XMP, found.xmp), (TAG_IPTC, found.iptc)):
        entry = ifd0.get(tag)
        if entry is not None and entry.size and entry.size <= _MAX_BLOCK:
            data = tiff.value_bytes(entry)
            if data:
                blocks.append(data)
    found.geotiff = any(ifd0.get(tag) is not None for tag in _GEOTIFF_TAGS)


def _cr3(ra: RandomAccess, found: Blocks, problem: Problem) -> None:
    """Canon CR3 keeps IFD0, the EXIF directory and GPS as three TIFF blocks in its movie-style
    boxes (CMT1, CMT2, CMT4: each the first directory of its own TIFF), and XMP in a box."""
    spans = cr3_blocks(ra)
    parts = {
        name: exif_from_tiff(ra.sub(*spans[name]), problem).ifd0
        for name in ("CMT1", "CMT2", "CMT4")
        if name in spans
    }
    found.exif = ExifDirectories(
        parts.get("CMT1", {}), parts.get("CMT2", {}), parts.get("CMT4", {})
    )
    if "XMP" in spans and spans["XMP"][1] <= _MAX_BLOCK:
        found.xmp.append(ra.read(*spans["XMP"]))


def _raf(ra: RandomAccess, found: Blocks, problem: Problem) -> None:
    """Fujifilm RAF carries a JPEG preview whose EXIF is the camera's; its header says where."""
    header = ra.read(84, 8)
    offset, length = int.from_bytes(header[:4], "big"), int.from_bytes(header[4:], "big")
    _jpeg(ra.sub(offset, min(length, ra.size - offset)), found, problem)


def _x3f(ra: RandomAccess, found: Blocks, problem: Problem) -> None:
    """Sigma X3F: the camera's EXIF sits in the JPEG preview the file embeds near its start."""
    head = ra.read(0, min(ra.size, _X3F_SEARCH))
    start = head.find(b"\xff\xd8\xff")
    if start > 0:
        _jpeg(ra.sub(start, ra.size - start), found, problem)


def _mrw(ra: RandomAccess, found: Blocks, problem: Problem) -> None:
    """Minolta MRW: a chain of blocks after an 8-byte header; the TTW block is a TIFF."""
    end = min(8 + int.from_bytes(ra.read(4, 4), "big"), ra.size)
    pos = 8
    while pos + 8 <= end:
        head = ra.read(pos, 8)
        length = int.from_bytes(head[4:], "big")
        if head[:4] == b"\x00TTW":
            found.exif = exif_from_tiff(ra.sub(pos + 8, min(length, ra.size - pos - 8)), problem)
            return
        pos += 8 + length


def _psd(ra: RandomAccess, found: Blocks, problem: Problem) -> None:
    """Photoshop PSD: after the 26-byte header and the colour mode data come the image
    resources, which hold EXIF, IPTC and XMP."""
    colour = int.from_bytes(ra.read(26, 4), "big")
    at = 30 + colour
    size = int.from_bytes(ra.read(at, 4), "big")
    if size <= _MAX_BLOCK:
        _photoshop(ra.read(at + 4, size), found, problem)


_READERS: dict[str, Callable[[RandomAccess, Blocks, Problem], None]] = {
    "jpeg": _jpeg,
    "png": _png,
    "webp": _webp,
    "heic": _heif,
    "heif": _heif,
    "avif": _heif,
    "tiff": _tiff,
    "cr2": _tiff,
    "rw2": _tiff,
    "orf": _tiff,
    "cr3": _cr3,
    "raf": _raf,
    "mrw": _mrw,
    "x3f": _x3f,
    "psd": _psd,
}
