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
from albumen_photo.errors import Malformed

__all__ = [
    "CANON_UUID",
    "XMP_UUID",
    "Box",
    "Item",
    "boxes",
    "child",
    "cr3_blocks",
    "heif_items",
    "item_extents",
]

# Canon's metadata uuid box in CR3 (inside moov): CMT1-CMT4 TIFF blocks, thumbnail.
CANON_UUID = bytes.fromhex("85c0b687820f11e08111f4ce462b6a48")
# The uuid box that holds an XMP packet (CR3, some MP4 and HEIF writers).
XMP_UUID = bytes.fromhex("be7acfcb97a942e89c71999491e3afac")
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
    """
    end = ra.size if end is None else end
    if end > ra.size:
        raise Malformed("box runs past the end of the file")
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
                raise Malformed(f"{kind!r} box header truncated")
            size = int.from_bytes(ra.read(pos + 8, 8), "big")
            header = 16
        elif size == 0:
            size = end - pos
        uuid = None
        if kind == b"uuid":
            if pos + header + 16 > end:
                raise Malformed("uuid box header truncated")
            uuid = ra.read(pos + header, 16)
            header += 16
        if size < header or pos + size > end:
            raise Malformed(f"{kind.decode('latin-1')!r} box at byte {pos} runs past its parent")
        yield Box(kind, pos, header, size, uuid)
        pos += size
    if pos != end and ra.read(pos, end - pos).strip(b"\x00"):
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
                    raise Malformed(f"item {item_id} lies outside the file")
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
    "THMB" (thumbnail) and "XMP" (the XMP packet) as absolute (offset, length) ranges."""
    out: dict[str, tuple[int, int]] = {}
    for box in boxes(ra):
        if box.type == b"uuid" and box.uuid == XMP_UUID:
            out["XMP"] = (box.start, box.size - box.header)
        if box.type != b"moov":
            continue
        for inner in boxes(ra, box.start, box.end):
            if inner.type == b"uuid" and inner.uuid == CANON_UUID:
                for block in boxes(ra, inner.start, inner.end):
                    if block.name in ("CMT1", "CMT2", "CMT3", "CMT4", "THMB"):
                        out[block.name] = (block.start, block.size - block.header)
    return out
