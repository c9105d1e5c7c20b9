"""Blanking metadata in place, for containers that cannot be rewritten safely: TIFF, DNG and
the TIFF-based RAW formats, Fujifilm RAF, HEIF/HEIC and AVIF, Canon CR3.

Why in place: these files are webs of absolute offsets (strip offsets, iloc extents, chunk
tables), so the safe edit is one that moves nothing. Every function here reads the structure
with seeks (metadata may sit anywhere in the file) and returns a list of patches, (absolute
offset, same-length bytes); :func:`albumen_photo.byteio.copy_with_patches` then copies the file
through applying them, so the image data is never touched and memory stays bounded.

Where a file holds something that may be a place and cannot be understood for sure, the format
is refused with :class:`UnsupportedFormat` naming it, rather than passed on.
"""

from __future__ import annotations

import contextlib
from typing import BinaryIO

from albumen_photo.byteio import MAX_BLOCK, Patch, RandomAccess, zeros
from albumen_photo.errors import Malformed, StripError, UnsupportedFormat
from albumen_photo.exif import blank_patches
from albumen_photo.formats import FORMAT_NAMES
from albumen_photo.iim import blank_tiff_block
from albumen_photo.isobmff import (
    Item,
    boxes,
    cr3_blocks,
    header_dates,
    heif_items,
    item_extents,
    tracks,
)
from albumen_photo.jpeg import jpeg_patches
from albumen_photo.policy import KeepPolicy
from albumen_photo.tiff import TAG_SUB_IFDS, Ifd, Tiff
from albumen_photo.xmp import blank_xmp

__all__ = ["IN_PLACE_FORMATS", "in_place_patches"]

IN_PLACE_FORMATS = frozenset({"tiff", "cr2", "orf", "rw2", "raf", "heif", "avif", "cr3"})

# Top-level HEIF boxes whose content is known: anything else (a uuid box, a moov with its own
# user data) might carry a place we cannot see.
_HEIF_TOP = frozenset({b"ftyp", b"meta", b"mdat", b"free", b"skip"})
# Tags whose value is a whole JPEG (with EXIF of its own) inside a TIFF-based RAW.
_TAG_JPG_FROM_RAW = 0x002E  # Panasonic RW2
_JPEG_PREVIEW = (0x0201, 0x0202)  # JPEGInterchangeFormat, -Length


def in_place_patches(src: BinaryIO, fmt: str, keep: KeepPolicy, *, start: int = 0) -> list[Patch]:
    """The patches that remove what ``keep`` hides from the file in ``src`` (seekable), whose
    first byte is at ``start``. Raises :class:`StripError` (or :class:`UnsupportedFormat`)
    with a message naming the format when that cannot be done for sure."""
    name = FORMAT_NAMES.get(fmt, fmt.upper())
    ra = RandomAccess(src, start=start)
    try:
        if fmt == "heif" or fmt == "avif":
            return _heif(ra, keep, name)
        if fmt == "cr3":
            return _cr3(ra, keep)
        if fmt == "raf":
            return _raf(ra, keep)
        return _tiff_file(ra, keep)
    except Malformed as error:
        raise StripError(
            f"{name} file is damaged or of an unknown layout ({error}): its metadata cannot be "
            "removed safely"
        ) from None


def _tiff_file(ra: RandomAccess, keep: KeepPolicy) -> list[Patch]:
    t = Tiff(ra)
    patches = blank_patches(t, keep, image=True, blank_block=blank_tiff_block)
    for ifd in _image_ifds(t):
        for span in _embedded_jpegs(t, ifd):
            with contextlib.suppress(Malformed):
                patches += jpeg_patches(ra.sub(*span), keep)
    return patches


def _image_ifds(t: Tiff) -> list[Ifd]:
    """IFD0, IFD1... and every SubIFD below them: the directories that describe images."""
    out: list[Ifd] = []
    todo = list(t.chain())
    seen: set[int] = set()
    while todo and len(out) < 64:
        ifd = todo.pop(0)
        if ifd.offset in seen:
            continue
        seen.add(ifd.offset)
        out.append(ifd)
        entry = ifd.get(TAG_SUB_IFDS)
        for offset in [] if entry is None else t.pointers(entry):
            with contextlib.suppress(Malformed):
                todo.append(t.read_ifd(offset))
    return out


def _embedded_jpegs(t: Tiff, ifd: Ifd) -> list[tuple[int, int]]:
    """(offset, length) of the JPEGs a directory embeds whole: previews and RW2's JpgFromRaw."""
    spans = []
    raw = ifd.get(_TAG_JPG_FROM_RAW) if t.magic == 0x55 else None
    if raw is not None and not raw.inline and raw.size:
        spans.append((raw.value_offset, raw.size))
    start, length = (ifd.get(tag) for tag in _JPEG_PREVIEW)
    if start is not None and length is not None:
        at, size = t.value(start), t.value(length)
        if isinstance(at, int) and isinstance(size, int) and size > 4:
            spans.append((at, size))
    return [(at, size) for at, size in spans if at + size <= t.size]


def _heif(ra: RandomAccess, keep: KeepPolicy, name: str) -> list[Patch]:
    for box in boxes(ra):
        if box.type not in _HEIF_TOP:
            raise UnsupportedFormat(
                f"Cannot remove metadata from this {name} file: it has a {box.name!r} box whose "
                "content may hold its location."
            )
    patches: list[Patch] = []
    for item in heif_items(ra):
        if item.type == b"jpeg" and (span := item_extents(item)):
            patches += _jpeg_inside(ra, *span, keep)  # a JPEG-coded image: its own APPn
            continue
        if item.type not in (b"Exif", b"mime", b"uri "):
            continue  # HEVC, AV1, grids, derived images: pixels
        span = item_extents(item)
        if span is None:
            if item.construction == 2 or item.extents:
                raise UnsupportedFormat(
                    f"Cannot remove metadata from this {name} file: its {item.type.decode()} "
                    "item is stored in pieces."
                )
            continue
        patches += _heif_item(ra, item, span, keep)
    return patches


def _heif_item(
    ra: RandomAccess, item: Item, span: tuple[int, int], keep: KeepPolicy
) -> list[Patch]:
    at, size = span
    if item.is_exif:
        skip = int.from_bytes(ra.read(at, 4), "big") if size >= 4 else size
        tiff_at = at + 4 + skip
        if tiff_at + 6 <= at + size and ra.read(tiff_at, 6) == b"Exif\x00\x00":
            tiff_at += 6
        if tiff_at >= at + size:
            return zeros(ra.base + at, size)
        try:
            tiff = Tiff(ra.sub(tiff_at, at + size - tiff_at))
            return blank_patches(tiff, keep, blank_block=blank_tiff_block)
        except Malformed:  # unreadable EXIF cannot be vouched for: it goes whole
            return zeros(ra.base + at + 4, size - 4)
    if not item.is_xmp or size > MAX_BLOCK:  # unknown metadata, or too much of it: erased
        return zeros(ra.base + at, size)
    data = ra.read(at, size)
    new = blank_xmp(data, keep)
    return [(ra.base + at, new)] if new != data else []


def _empty_tiff(ra: RandomAccess, at: int, size: int) -> list[Patch]:
    """Patches that leave a TIFF block with a header and one empty directory."""
    t = Tiff(ra.sub(at, size))
    header = ra.read(at, 4) + (8).to_bytes(4, "little" if t.order == "<" else "big")
    return [(ra.base + at, header), *zeros(ra.base + at + 8, size - 8)]


# CMT3 (Canon's maker note) goes whenever anything is hidden; CMT4 (GPS) when location is.
_CR3_EMPTIED = frozenset({("CMT3", False, False), ("CMT3", False, True), ("CMT4", False, False)})


def _cr3(ra: RandomAccess, keep: KeepPolicy) -> list[Patch]:
    """CR3: Canon's uuid box holds IFD0 (CMT1), the EXIF directory (CMT2), the maker note
    (CMT3) and GPS (CMT4) as TIFF blocks; the CTMD track holds per-shot EXIF and maker-note
    records; previews are JPEGs."""
    blocks = cr3_blocks(ra)
    if "CMT1" not in blocks:
        raise Malformed("no Canon metadata box")
    patches: list[Patch] = []
    for name, (at, size) in blocks.items():
        if name in ("CMT1", "CMT2"):  # IFD0, and the EXIF directory as a TIFF of its own
            tiff = Tiff(ra.sub(at, size))
            if name == "CMT2" and not keep.metadata:
                patches += _empty_tiff(ra, at, size)
            else:
                patches += blank_patches(tiff, keep, blank_block=blank_tiff_block)
        elif (name, keep.keeps_everything, keep.location) in _CR3_EMPTIED:
            patches += _empty_tiff(ra, at, size)
        elif name == "XMP" and size > MAX_BLOCK:
            patches += zeros(ra.base + at, size)
        elif name == "XMP":
            data = ra.read(at, size)
            if (new := blank_xmp(data, keep)) != data:
                patches.append((ra.base + at, new))
        else:
            patches += _jpeg_inside(ra, at, size, keep)
    for track in tracks(ra):
        for at, size in track.samples:
            if track.format == b"CTMD" and not keep.keeps_everything:
                # Timed metadata: exposure records and maker-note fragments, whose places
                # cannot be ruled out; none of it is needed to decode the image. It becomes
                # one record of an unused type (size, type 0, six reserved bytes, zeros).
                patches += zeros(ra.base + at, size)
                if size >= 12:
                    patches.append((ra.base + at, size.to_bytes(4, "little")))
            else:
                patches += _jpeg_inside(ra, at, size, keep)
    if not keep.metadata:
        for at, size in header_dates(ra):
            patches += zeros(ra.base + at, size)
    return patches


def _jpeg_inside(ra: RandomAccess, at: int, size: int, keep: KeepPolicy) -> list[Patch]:
    """Blank a JPEG (a preview) that starts within the first bytes of a block, if there is one."""
    start = ra.read(at, min(size, 64)).find(b"\xff\xd8\xff")
    if start < 0:
        return []
    with contextlib.suppress(Malformed):
        return jpeg_patches(ra.sub(at + start, size - start), keep)
    return []


def _raf(ra: RandomAccess, keep: KeepPolicy) -> list[Patch]:
    """RAF: a header naming a JPEG preview (which carries the EXIF, GPS included) and the raw
    data; the preview's metadata is blanked in place. The header's own camera name stays even
    without camera details: RAW developers identify the sensor, and so the decoding, by it."""
    head = ra.read(0, 92)
    at, size = int.from_bytes(head[84:88], "big"), int.from_bytes(head[88:92], "big")
    return jpeg_patches(ra.sub(at, size), keep)
