"""Is a photo file whole? Proved from its structure in a millisecond or two, without decoding.

Why: sharing starts with checking every file, and decoding a 24-megapixel JPEG just to learn that
it is whole costs a hundred milliseconds, which delays the first upload by seconds in a batch. A
file that was cut short (the common damage: an interrupted copy, a card pulled out) shows in its
container: a chunk, box, segment or strip runs past the end of the file, or the end marker the
format requires is missing. So the containers are walked with the same readers that read and
strip metadata (:mod:`albumen_photo.jpeg`, :mod:`~albumen_photo.png`, :mod:`~albumen_photo.riff`,
:mod:`~albumen_photo.isobmff`, :mod:`~albumen_photo.tiff`), reading only headers and a few bytes at
the end; the image is decoded once, later, for its thumbnail, and a file whose pixels are broken
inside a whole structure is reported then.

What each format must show (:func:`check_structure`):

- JPEG: a consistent chain of segments from SOI to the first scan, a frame header (SOF) before
  it, and an end-of-image marker (FFD9) somewhere after the scan starts. Cameras and phones
  append data after the primary image (MPF second images, Samsung and Google trailers, motion
  photo videos), so the marker is looked for backwards from the end of the file: the first
  window read holds it in a whole file, and only a cut file is read back to its scan's start.
  Entropy-coded data never holds FFD9 (a 0xFF there is stuffed), so one found after the scan
  starts proves the primary image ends.
- PNG: every chunk up to IEND, each one's CRC-32 checked (zlib's crc32 runs at well over
  1 GB/s, a few milliseconds for a large PNG, the same order as the SHA-256 the caller takes).
- WebP: the RIFF size within the file, the chunk chain consistent with it, an image chunk.
- GIF: the blocks walked to the trailer (0x3B).
- HEIF/HEIC, AVIF, CR3: top-level boxes chained to the end of the file; for HEIF and AVIF
  every item's extents (the image data, usually in mdat) within the file.
- TIFF and TIFF-based RAW: the first directory, and the strips, tiles and embedded JPEGs of
  every directory in the chain and under SubIFDs within the file.

Other formats (BMP, PSD, RAW of their own structure) are not covered: :func:`covers` says so,
and their caller decides by decoding. The reasons are worded as the desktop's scan words its
decoder's: they follow the file's name ("photo.jpg is truncated (...)").
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from albumen_photo.byteio import RandomAccess
from albumen_photo.errors import Malformed, Truncated
from albumen_photo.formats import FORMATS, PhotoFormat
from albumen_photo.isobmff import boxes, heif_items
from albumen_photo.jpeg import jpeg_segments
from albumen_photo.png import png_chunks
from albumen_photo.riff import riff_chunks
from albumen_photo.tiff import TAG_SUB_IFDS, Tiff

__all__ = ["TRUNCATED", "check_structure", "covers"]

TRUNCATED = "is truncated (the file ends early): copy it again"

_WINDOW = 1 << 20  # bytes read at a time where a file is read through


class _Damaged(Exception):
    """The structure is inconsistent inside the file: the message says where and how."""


def check_structure(path: Path, fmt: PhotoFormat | None) -> str | None:
    """None when the structure of the file at ``path`` (of format ``fmt``, as
    :func:`albumen_photo.formats.identify` told it) is whole, else the reason for a person:
    "is truncated (the file ends early): copy it again" or "is damaged (...)".

    None too for a format this module does not cover (see :func:`covers`): a decode decides.
    Never raises for a bad file; an unreadable one gives "cannot be read: ...".
    """
    if fmt is None or fmt.key not in _CHECKERS:
        return None
    checker = _CHECKERS[fmt.key]
    try:
        with Path(path).open("rb") as handle:
            ra = RandomAccess(handle)
            if ra.size == 0:
                return "is empty (0 bytes)"
            try:
                checker(ra, handle)
            except Truncated as error:
                if _ends_whole(fmt, ra):  # the end is there: a length inside is wrong
                    return _damaged(fmt, str(error))
                return TRUNCATED
            except (_Damaged, Malformed) as error:
                return _damaged(fmt, str(error))
    except OSError as error:
        return f"cannot be read: {error.strerror or error}"
    return None


def covers(fmt: PhotoFormat | None) -> bool:
    """Whether :func:`check_structure` proves files of this format whole (else it says None
    without looking, and only a decode can tell)."""
    return fmt is not None and fmt.key in _CHECKERS


def _damaged(fmt: PhotoFormat, detail: str) -> str:
    return f"is damaged (its {fmt.name} structure is broken: {detail})"


def _ends_whole(fmt: PhotoFormat, ra: RandomAccess) -> bool:
    """Whether the file ends as a whole file of its format does, so a structure running past
    the end is a wrong length rather than a cut (only JPEG and PNG have such an ending)."""
    if fmt.key == "jpeg" and ra.size >= 2:
        return ra.read(ra.size - 2, 2) == b"\xff\xd9"
    if fmt.key == "png" and ra.size >= 12:
        return ra.read(ra.size - 12, 12) == b"\x00\x00\x00\x00IEND\xae\x42\x60\x82"
    return False


# JPEG -----------------------------------------------------------------------------------------

_SOS, _DHT, _JPG, _DAC = 0xDA, 0xC4, 0xC8, 0xCC
_EOI = b"\xff\xd9"


def _check_jpeg(ra: RandomAccess, handle: BinaryIO) -> None:
    frame = None
    scan_end = 0
    at = 2  # where the next segment starts
    try:
        for segment in jpeg_segments(ra):
            marker, payload = segment.marker, segment.payload
            at = segment.offset + len(payload)
            if 0xC0 <= marker <= 0xCF and marker not in (_DHT, _JPG, _DAC):
                frame = payload
            if marker == _SOS:
                if frame is None:
                    raise _Damaged("no frame header (SOF) before the image data")
                if not payload or len(payload) != 4 + 2 * payload[0]:
                    raise _Damaged(f"the scan header at byte {segment.offset - 4} is malformed")
                scan_end = segment.offset + len(payload)
    except Truncated:
        raise Truncated(f"the segment at byte {at} runs past the end of the file") from None
    except Malformed as error:
        if ra.size < 4:
            raise Truncated("the file ends in its first bytes") from None
        raise _Damaged(str(error)) from None
    if not scan_end:  # jpeg_segments stops only at a scan or with an error
        raise _Damaged("no image data")
    assert frame is not None
    if len(frame) < 6 or len(frame) != 6 + 3 * frame[5] or not 1 <= frame[5] <= 4:
        raise _Damaged("the frame header (SOF) is malformed")
    if int.from_bytes(frame[3:5], "big") == 0:
        raise _Damaged("the frame header (SOF) gives a width of 0")
    if _find_backwards(handle, _EOI, scan_end, ra.size) < 0:
        raise Truncated("no end-of-image marker after the image data")


def _find_backwards(handle: BinaryIO, needle: bytes, start: int, end: int) -> int:
    """The offset of the last ``needle`` between ``start`` and ``end``, or -1; read backwards
    a window at a time, so a needle near the end costs one small read."""
    high = end
    window = 64 << 10  # a whole file's end, trailers included, usually in the first window
    while high > start:
        low = max(start, high - window)
        handle.seek(low)
        data = handle.read(min(end, high + len(needle) - 1) - low)  # overlap the next window
        found = data.rfind(needle)
        if found >= 0:
            return low + found
        high = low
        window = _WINDOW
    return -1


# PNG ------------------------------------------------------------------------------------------


def _check_png(ra: RandomAccess, handle: BinaryIO) -> None:
    first = True
    image_data = False
    try:
        for chunk in png_chunks(ra):
            at = chunk.offset - 8
            name = chunk.type.decode("ascii")
            if chunk.offset + chunk.length + 4 > ra.size:
                raise Truncated(f"the {name} chunk at byte {at} runs past the end of the file")
            if first and chunk.type != b"IHDR":
                raise _Damaged(f"it starts with a {name} chunk instead of IHDR")
            first = False
            stored = int.from_bytes(ra.read(chunk.offset + chunk.length, 4), "big")
            if _crc32(handle, chunk.offset - 4, chunk.length + 4) != stored:
                raise _Damaged(f"the {name} chunk at byte {at} fails its checksum")
            image_data = image_data or chunk.type == b"IDAT"
            if chunk.type == b"IEND":
                if not image_data:
                    raise _Damaged("no image data (IDAT)")
                return
    except (Truncated, _Damaged):
        raise
    except Malformed as error:
        if ra.size < 8:
            raise Truncated("the file ends in its signature") from None
        raise _Damaged(str(error)) from None
    raise Truncated("no IEND chunk")


def _crc32(handle: BinaryIO, offset: int, length: int) -> int:
    """CRC-32 of ``length`` bytes at ``offset``, read a window at a time into one buffer."""
    handle.seek(offset)
    crc = 0
    buffer = bytearray(min(length, _WINDOW))
    view = memoryview(buffer)
    while length > 0:
        got = handle.readinto(view[: min(length, _WINDOW)])  # type: ignore[attr-defined]
        if not got:
            raise Truncated("the file is shorter than its header says")
        crc = zlib.crc32(view[:got], crc)
        length -= got
    return crc


# WebP -----------------------------------------------------------------------------------------

_WEBP_IMAGE = frozenset({b"VP8 ", b"VP8L", b"VP8X"})


def _check_webp(ra: RandomAccess, _handle: BinaryIO) -> None:
    header = ra.read(0, 12)
    riff_end = 8 + int.from_bytes(header[4:8], "little")
    if riff_end > ra.size:
        raise Truncated("the RIFF container runs past the end of the file")
    if riff_end < 20:
        raise _Damaged(f"the RIFF header declares {riff_end - 8} bytes")
    chunks = list(riff_chunks(ra))
    if not chunks or chunks[0].fourcc not in _WEBP_IMAGE:
        raise _Damaged("no image chunk (VP8, VP8L or VP8X) first")
    last = chunks[-1]
    if riff_end not in (last.offset + last.size, last.offset + last.size + (last.size & 1)):
        raise _Damaged("the RIFF size does not match its chunks")


# GIF ------------------------------------------------------------------------------------------


class _Bytes:
    """Single bytes of a file at increasing offsets, read a window at a time."""

    def __init__(self, ra: RandomAccess) -> None:
        self.ra = ra
        self.start = 0
        self.data = b""

    def __getitem__(self, pos: int) -> int:
        if not self.start <= pos < self.start + len(self.data):
            if pos >= self.ra.size:
                raise Truncated(f"the file ends at byte {self.ra.size}, inside a block")
            self.start = pos
            self.data = self.ra.read(pos, min(_WINDOW, self.ra.size - pos))
        return self.data[pos - self.start]


def _check_gif(ra: RandomAccess, _handle: BinaryIO) -> None:
    data = _Bytes(ra)
    flags = data[10]
    pos = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
    images = 0
    while True:
        block = data[pos]
        if block == 0x3B:  # the trailer
            if not images:
                raise _Damaged("no image")
            return
        if block == 0x21:  # an extension: label, then data sub-blocks
            pos = _skip_sub_blocks(data, pos + 2)
        elif block == 0x2C:  # an image: descriptor, local colour table, LZW data sub-blocks
            flags = data[pos + 9]
            pos += 10 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
            data[pos]  # the LZW minimum code size
            pos = _skip_sub_blocks(data, pos + 1)
            images += 1
        else:
            raise _Damaged(f"an unknown block (0x{block:02X}) at byte {pos}")


def _skip_sub_blocks(data: _Bytes, pos: int) -> int:
    while size := data[pos]:
        pos += 1 + size
    return pos + 1


# ISOBMFF: HEIF/HEIC, AVIF, CR3 -----------------------------------------------------------------


def _check_heif(ra: RandomAccess, _handle: BinaryIO) -> None:
    _require_boxes(ra, b"meta")
    items = heif_items(ra)  # every item's extents within the file, or Truncated
    if not any(item.extents or item.construction == 2 for item in items):
        raise _Damaged("no image item")


def _check_cr3(ra: RandomAccess, _handle: BinaryIO) -> None:
    _require_boxes(ra, b"moov", b"mdat")


def _require_boxes(ra: RandomAccess, *needed: bytes) -> None:
    """The top-level boxes chain to the end of the file and include ``needed``. A box missing
    from a chain that ends exactly at the end of the file is most likely one cut off."""
    kinds = {box.type for box in boxes(ra)}
    for kind in needed:
        if kind not in kinds:
            raise Truncated(f"no {kind.decode()} box")


# TIFF and TIFF-based RAW -----------------------------------------------------------------------

# Where a directory's image data lies: (offsets tag, byte counts tag, what it is for a message).
_DATA_TAGS = ((0x0111, 0x0117, "strip"), (0x0144, 0x0145, "tile"), (0x0201, 0x0202, "JPEG"))
_MAX_DIRECTORIES = 64


def _check_tiff(ra: RandomAccess, _handle: BinaryIO) -> None:
    if ra.size < 16:
        raise Truncated("the file ends inside its header")
    tiff = Tiff(ra)
    todo = [tiff.ifd0]
    seen: set[int] = set()
    while todo and len(seen) < _MAX_DIRECTORIES:
        offset = todo.pop(0)
        if offset in seen:
            continue
        first = not seen
        seen.add(offset)
        try:
            ifd = tiff.read_ifd(offset)
        except Malformed:
            if first:  # the first directory is the image: it must be there
                raise
            continue  # later pointers are sometimes garbage; their data is checked if readable
        for entry in ifd.entries:
            if entry.size is not None and entry.value_offset + entry.size > ra.size:
                raise Truncated(f"the value of tag {entry.tag} runs past the end of the file")
        for offsets_tag, counts_tag, what in _DATA_TAGS:
            offsets, counts = ifd.get(offsets_tag), ifd.get(counts_tag)
            if offsets is None or counts is None:
                continue
            for at, count in zip(
                _ints(tiff.value(offsets)), _ints(tiff.value(counts)), strict=False
            ):
                if count and at + count > ra.size:
                    raise Truncated(f"a {what} at byte {at} runs past the end of the file")
        sub = ifd.get(TAG_SUB_IFDS)
        todo += ([ifd.next] if ifd.next else []) + (tiff.pointers(sub) if sub else [])


def _ints(value: object) -> list[int]:
    values = value if isinstance(value, tuple) else (value,)
    return [v for v in values if isinstance(v, int)]


_Checker = Callable[[RandomAccess, BinaryIO], None]
_CHECKERS: dict[str, _Checker] = {
    "jpeg": _check_jpeg,
    "png": _check_png,
    "webp": _check_webp,
    "gif": _check_gif,
    "heic": _check_heif,
    "heif": _check_heif,
    "avif": _check_heif,
    "cr3": _check_cr3,
    "tiff": _check_tiff,
    **{fmt.key: _check_tiff for fmt in FORMATS if fmt.kind == "raw-tiff"},
}
