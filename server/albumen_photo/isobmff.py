"""ISOBMFF boxes (HEIF/HEIC, AVIF, Canon CR3): walking them, and finding where the metadata
items lie in the file.

Why: HEIF and AVIF keep EXIF and XMP as items whose bytes sit wherever the iloc box says
(usually inside mdat), and CR3 keeps its TIFF blocks in a Canon uuid box. A reader needs the
bytes; the stripper needs their absolute offsets, to blank them in place without moving
anything. Every size is bounds-checked against its parent box and the file, so a hostile file
raises :class:`Malformed` instead of reading garbage.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from albumen_photo.byteio import RandomAccess
from albumen_photo.errors import Malformed, Truncated

__all__ = [
    "CANON_UUID",
    "XMP_UUID",
    "Box",
    "Item",
    "boxes",
    "child",
    "cr3_blocks",
    "header_dates",
    "heif_items",
    "item_extents",
    "tracks",
]

# Canon's metadata uuid box in CR3 (inside moov): CMT1-CMT4 TIFF blocks, thumbnail.
CANON_UUID = bytes.fromhex("85c0b687820f11e08111f4ce462b6a48")
# The uuid box that holds an XMP packet (CR3, some MP4 and HEIF writers).
XMP_UUID = bytes.fromhex("be7acfcb97a942e89c71999491e3afac")
# Canon's preview uuid box in CR3: 8 bytes, then a PRVW box with a JPEG.
PREVIEW_UUID = bytes.fromhex("eaf42b5e1c984b88b9fbb7dc406e4d16")
_MAX_BOXES = 10_000


@dataclass(frozen=True)
class Box:
    """One box: its type, where it starts, its header size and total size (absolute)."""

    type: bytes
    offset: int
    header: int  # 8, 16 with a 64-bit size; plus 16 for a uuid box's extended type
    size: int
    uuid: bytes | None = None

    @property
    def start(self) -> int:
        """Where the box's content starts."""
        return self.offset + self.header

    @property
    def end(self) -> int:
        return self.offset + self.size

    @property
    def name(self) -> str:
        return self.type.decode("latin-1")


def boxes(ra: RandomAccess, start: int = 0, end: int | None = None) -> Iterator[Box]:
    """The boxes between ``start`` and ``end`` (the whole file by default), in order.

    A size of 0 means "to the end of the parent"; a size of 1 means a 64-bit size follows.
    A box (or box header) running past the end of the file raises :class:`Truncated`.
    """
    end = ra.size if end is None else end
    if end > ra.size:
        raise Truncated("box runs past the end of the file")
    pos = start
    count = 0
    while pos + 8 <= end:
        count += 1
        if count > _MAX_BOXES:
            raise Malformed("too many boxes")
        head = ra.read(pos, 8)
        size, kind = int.from_bytes(head[:4], "big"), head[4:]
        header = 8
        if size == 1:
            if pos + 16 > end:
                raise (Truncated if end == ra.size else Malformed)(f"{kind!r} box header cut short")
            size = int.from_bytes(ra.read(pos + 8, 8), "big")
            header = 16
        elif size == 0:
            size = end - pos
        uuid = None
        if kind == b"uuid":
            if pos + header + 16 > end:
                raise (Truncated if end == ra.size else Malformed)("uuid box header cut short")
            uuid = ra.read(pos + header, 16)
            header += 16
        name = kind.decode("latin-1")
        if size < header:
            raise Malformed(f"{name!r} box at byte {pos} declares {size} bytes")
        if pos + size > ra.size:
            raise Truncated(f"{name!r} box at byte {pos} runs past the end of the file")
        if pos + size > end:
            raise Malformed(f"{name!r} box at byte {pos} runs past its parent")
        yield Box(kind, pos, header, size, uuid)
        pos += size
    if pos != end and ra.read(pos, end - pos).strip(b"\x00"):
        if end == ra.size:  # the start of a box header, the rest cut off
            raise Truncated(f"a box header at byte {pos} is cut short")
        raise Malformed(f"garbage after the last box at byte {pos}")


def child(ra: RandomAccess, parent: Box, kind: bytes, *, full: bool = False) -> Box | None:
    """The first child box of ``kind`` (``full``: the parent is a FullBox, whose content starts
    with 4 bytes of version and flags)."""
    for box in boxes(ra, parent.start + (4 if full else 0), parent.end):
        if box.type == kind:
            return box
    return None


@dataclass(frozen=True)
class Item:
    """One HEIF item: its id, type (b"Exif", b"mime", b"hvc1"...), name, content type (for
    mime items: "application/rdf+xml" is XMP) and extents as absolute (offset, length)."""

    id: int
    type: bytes
    name: str
    content_type: str
    extents: tuple[tuple[int, int], ...]
    construction: int  # 0: file offsets, 1: inside idat, 2: from another item (not resolved)

    @property
    def is_exif(self) -> bool:
        return self.type == b"Exif"

    @property
    def is_xmp(self) -> bool:
        return self.type == b"mime" and self.content_type.lower() == "application/rdf+xml"


class _Bits:
    """Reads big-endian fields of a FullBox body held in memory, bounds-checked."""

    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def uint(self, size: int) -> int:
        if size == 0:
            return 0
        if size > 8 or self.pos + size > len(self.data):
            raise Malformed("box field out of bounds")
        value = int.from_bytes(self.data[self.pos : self.pos + size], "big")
        self.pos += size
        return value

    def string(self) -> str:
        end = self.data.find(b"\x00", self.pos)
        end = len(self.data) if end < 0 else end
        text = self.data[self.pos : end].decode("utf-8", "replace")
        self.pos = end + 1
        return text


def _infe(data: bytes) -> tuple[int, bytes, str, str]:
    """item_ID, item_type, item_name, content_type of an infe box body (versions 0-3)."""
    b = _Bits(data)
    version = b.uint(1)
    b.uint(3)
    if version < 2:
        item_id = b.uint(2)
        b.uint(2)
        name = b.string()
        return item_id, b"mime", name, b.string()  # version 0/1 items are MIME typed
    item_id = b.uint(2 if version == 2 else 4)
    b.uint(2)
    if b.pos + 4 > len(data):
        raise Malformed("infe box truncated")
    item_type = data[b.pos : b.pos + 4]
    b.pos += 4
    name = b.string()
    content_type = b.string() if item_type == b"mime" and b.pos < len(data) else ""
    return item_id, item_type, name, content_type


def _iloc(data: bytes) -> dict[int, tuple[int, int, list[tuple[int, int]]]]:
    """item_ID -> (construction method, base offset, [(extent offset, length)])."""
    b = _Bits(data)
    version = b.uint(1)
    b.uint(3)
    if version > 2:
        raise Malformed(f"iloc version {version} unknown")
    sizes = b.uint(1)
    offset_size, length_size = sizes >> 4, sizes & 15
    sizes = b.uint(1)
    base_size, index_size = sizes >> 4, (sizes & 15) if version else 0
    count = b.uint(2 if version < 2 else 4)
    out = {}
    for _ in range(count):
        item_id = b.uint(2 if version < 2 else 4)
        method = b.uint(2) & 15 if version else 0
        b.uint(2)  # data reference index: 0 is this file
        base = b.uint(base_size)
        extents = []
        for _ in range(b.uint(2)):
            b.uint(index_size)
            extents.append((b.uint(offset_size), b.uint(length_size)))
        out[item_id] = (method, base, extents)
    return out


def heif_items(ra: RandomAccess) -> list[Item]:
    """The items of a HEIF/AVIF file's top-level meta box, with their absolute extents.

    Items built from other items (construction method 2) have no extents here. Raises
    :class:`Malformed` when the meta box or its item tables cannot be read.
    """
    meta = next((b for b in boxes(ra) if b.type == b"meta"), None)
    if meta is None:
        raise Malformed("no meta box")
    iinf = child(ra, meta, b"iinf", full=True)
    iloc = child(ra, meta, b"iloc", full=True)
    idat = child(ra, meta, b"idat", full=True)
    if iinf is None or iloc is None:
        raise Malformed("meta box without iinf or iloc")
    body = ra.read(iinf.start, iinf.size - iinf.header)
    skip = 4 + (2 if body[:1] == b"\x00" else 4)  # version/flags and entry count
    infos = [
        _infe(ra.read(box.start, box.size - box.header))
        for box in boxes(ra, iinf.start + skip, iinf.end)
        if box.type == b"infe"
    ]
    locations = _iloc(ra.read(iloc.start, iloc.size - iloc.header))
    items = []
    for item_id, item_type, name, content_type in infos:
        method, base, extents = locations.get(item_id, (0, 0, []))
        origin = 0
        if method == 1:
            if idat is None:
                raise Malformed("item stored in a missing idat box")
            origin = idat.start
        absolute: list[tuple[int, int]] = []
        if method in (0, 1):
            limit = idat.end if method == 1 and idat is not None else ra.size
            for offset, length in extents:
                at = origin + base + offset
                length = length or limit - at  # 0: to the end
                if at < 0 or at + length > limit:
                    outside = Truncated if method == 0 and at >= 0 else Malformed
                    raise outside(f"item {item_id} lies outside the file")
                absolute.append((at, length))
        items.append(Item(item_id, item_type, name, content_type, tuple(absolute), method))
    return items


def item_extents(item: Item) -> tuple[int, int] | None:
    """An item's bytes as one (offset, length) range, when its extents are contiguous."""
    if not item.extents:
        return None
    start, length = item.extents[0]
    for offset, size in item.extents[1:]:
        if offset != start + length:
            return None
        length += size
    return start, length


def cr3_blocks(ra: RandomAccess) -> dict[str, tuple[int, int]]:
    """Canon CR3 metadata: "CMT1".."CMT4" (TIFF blocks: IFD0, EXIF, maker note, GPS),
    "THMB" (thumbnail), "PRVW" (preview JPEG) and "XMP" (the XMP packet) as absolute
    (offset, length) ranges of their content."""
    out: dict[str, tuple[int, int]] = {}
    for box in boxes(ra):
        if box.type == b"uuid" and box.uuid == XMP_UUID:
            out["XMP"] = (box.start, box.size - box.header)
        if box.type == b"uuid" and box.uuid == PREVIEW_UUID and box.start + 16 <= box.end:
            head = ra.read(box.start + 8, 8)
            if head[4:] == b"PRVW":  # clipped to its parent: truncated files exist
                size = min(int.from_bytes(head[:4], "big"), box.end - box.start - 8)
                out["PRVW"] = (box.start + 16, max(size - 8, 0))
        if box.type != b"moov":
            continue
        for inner in boxes(ra, box.start, box.end):
            if inner.type == b"uuid" and inner.uuid == CANON_UUID:
                for block in boxes(ra, inner.start, inner.end):
                    if block.name in ("CMT1", "CMT2", "CMT3", "CMT4", "THMB"):
                        out[block.name] = (block.start, block.size - block.header)
    return out


@dataclass(frozen=True)
class Track:
    """One track of a movie-structured file (CR3): its sample format (b"CRAW", b"CTMD"...) and
    its samples as absolute (offset, length) ranges."""

    format: bytes
    samples: tuple[tuple[int, int], ...]


def _path(ra: RandomAccess, box: Box, *names: bytes) -> Box | None:
    for name in names:
        found = child(ra, box, name)
        if found is None:
            return None
        box = found
    return box


def _table(
    ra: RandomAccess, box: Box | None, width: int, *, skip: int = 0, fields: int = 1
) -> list[int]:
    """The entries of a sample table FullBox, flattened: a u32 count, then entries of
    ``fields`` numbers of ``width`` bytes each."""
    if box is None:
        return []
    body = _Bits(ra.read(box.start, box.size - box.header))
    body.uint(4 + skip)
    count = body.uint(4)
    if count * width * fields > len(body.data):
        raise Malformed("sample table runs past its box")
    return [body.uint(width) for _ in range(count * fields)]


def tracks(ra: RandomAccess) -> list[Track]:
    """The tracks of the file's moov box with where each sample lies."""
    moov = next((b for b in boxes(ra) if b.type == b"moov"), None)
    out: list[Track] = []
    for trak in [] if moov is None else boxes(ra, moov.start, moov.end):
        stbl = _path(ra, trak, b"mdia", b"minf", b"stbl") if trak.type == b"trak" else None
        if stbl is None:
            continue
        stsd = child(ra, stbl, b"stsd")
        entry = None if stsd is None else next(boxes(ra, stsd.start + 8, stsd.end), None)
        stsz = child(ra, stbl, b"stsz")
        if stsz is None:
            continue
        fixed = int.from_bytes(ra.read(stsz.start + 4, 4), "big")
        if fixed:
            sizes = [fixed] * min(int.from_bytes(ra.read(stsz.start + 8, 4), "big"), _MAX_BOXES)
        else:
            sizes = _table(ra, stsz, 4, skip=4)
        chunks = _table(ra, child(ra, stbl, b"stco"), 4) or _table(ra, child(ra, stbl, b"co64"), 8)
        runs = _table(ra, child(ra, stbl, b"stsc"), 4, fields=3)
        per_chunk = _samples_per_chunk(runs, len(chunks))
        samples: list[tuple[int, int]] = []
        index = 0
        for chunk, count in zip(chunks, per_chunk, strict=True):
            at = chunk
            for size in sizes[index : index + count]:
                if at < ra.size:  # a truncated file: only what is there can be read
                    samples.append((at, min(size, ra.size - at)))
                at += size
            index += count
        out.append(Track(b"" if entry is None else entry.type, tuple(samples)))
    return out


def _samples_per_chunk(runs: list[int], chunks: int) -> list[int]:
    """stsc's runs (first chunk, samples per chunk, description) expanded to every chunk."""
    firsts = runs[0::3]
    counts = runs[1::3]
    out = []
    for chunk in range(1, chunks + 1):
        run = max((i for i, first in enumerate(firsts) if first <= chunk), default=None)
        out.append(0 if run is None else counts[run])
    return out


def header_dates(ra: RandomAccess) -> list[tuple[int, int]]:
    """Where the creation and modification times of mvhd, tkhd and mdhd lie (absolute
    (offset, length) ranges): movie-structured files date themselves outside EXIF."""
    out: list[tuple[int, int]] = []
    todo = [b for b in boxes(ra) if b.type == b"moov"]
    while todo:
        box = todo.pop()
        for inner in boxes(ra, box.start, box.end):
            if inner.type in (b"trak", b"mdia"):
                todo.append(inner)
            elif inner.type in (b"mvhd", b"tkhd", b"mdhd"):
                width = 8 if ra.read(inner.start, 1) == b"\x01" else 4
                if inner.start + 4 + 2 * width <= inner.end:
                    out.append((inner.start + 4, 2 * width))
    return out
