"""The one reader of the TIFF structure (EXIF blocks, TIFF files, TIFF-based RAW), and the
rewriting of an EXIF block for the stripper.

Why one module: EXIF inside a JPEG, PNG, WebP, HEIF or CR3, a TIFF file, and the RAW formats built
on TIFF (DNG, CR2, NEF, ARW, ORF, RW2, PEF, SRW) all share this structure: a byte order, a chain
of directories (IFDs) of 12-byte entries (20 in BigTIFF), values inline or at an offset, and
sub-directories for EXIF, GPS and interoperability data. Reading it in one place means the
metadata reader and the stripper cannot disagree about what a file holds.

The reader is bounds-checked everywhere and raises :class:`Malformed` rather than reading past
the block. It reads through :class:`RandomAccess`, so a RAW file of any size is read piece by
piece and never whole.
"""

from __future__ import annotations

import contextlib
import struct
from dataclasses import dataclass
from typing import Any

from albumen_photo.byteio import RandomAccess
from albumen_photo.errors import Malformed, Truncated

__all__ = [
    "TAG_EXIF_IFD",
    "TAG_GPS_IFD",
    "TAG_INTEROP_IFD",
    "TAG_IPTC",
    "TAG_MAKER_NOTE",
    "TAG_PHOTOSHOP",
    "TAG_SUB_IFDS",
    "TAG_XMP",
    "Entry",
    "Ifd",
    "Tiff",
    "is_tiff",
]

# Bytes per value of each TIFF type; 16-18 are BigTIFF's 64-bit integers and IFD offsets.
TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}
TYPE_SIZES.update({16: 8, 17: 8, 18: 8})
_INT_FORMATS = {1: "B", 3: "H", 4: "I", 6: "b", 8: "h", 9: "i", 13: "I", 16: "Q", 17: "q", 18: "Q"}

TAG_SUB_IFDS = 0x014A
TAG_EXIF_IFD = 0x8769
TAG_GPS_IFD = 0x8825
TAG_INTEROP_IFD = 0xA005
TAG_MAKER_NOTE = 0x927C
TAG_ORIENTATION = 0x0112
TAG_ARTIST = 0x013B
TAG_COPYRIGHT = 0x8298
TAG_XMP = 0x02BC
TAG_IPTC = 0x83BB
TAG_PHOTOSHOP = 0x8649
_MAX_IFDS = 64  # IFD chains and sub-IFD trees longer than this are loops or hostile
_MAX_ENTRIES = 4096

# Magic numbers after the byte order: TIFF, Olympus ORF (two kinds), Panasonic RW2.
_CLASSIC_MAGIC = frozenset({42, 0x4F52, 0x5352, 0x55})


def is_tiff(head: bytes) -> bool:
    """Whether ``head`` starts with a TIFF header this module can read (BigTIFF included)."""
    if head[:2] not in (b"II", b"MM") or len(head) < 8:
        return False
    magic = int.from_bytes(head[2:4], "little" if head[:2] == b"II" else "big")
    return magic in _CLASSIC_MAGIC or magic == 43


@dataclass(frozen=True)
class Entry:
    """One directory entry. Offsets are relative to the start of the TIFF structure."""

    tag: int
    type: int
    count: int
    offset: int  # where the entry itself sits
    value_offset: int  # where its value sits: inside the entry when ``inline``
    size: int | None  # bytes of the value; None for a type this reader does not know
    inline: bool
    raw: bytes  # the entry as found (12 bytes, 20 in BigTIFF)


@dataclass(frozen=True)
class Ifd:
    """One directory: its entries in file order and the offset of the next one (0: none)."""

    offset: int
    entries: tuple[Entry, ...]
    next: int
    end: int  # the offset just after the next-directory pointer

    def get(self, tag: int) -> Entry | None:
        return next((e for e in self.entries if e.tag == tag), None)


class Tiff:
    """A bounds-checked reader of one TIFF structure; every method raises :class:`Malformed`.

    ``source`` is the structure itself (an EXIF block without its "Exif" prefix) or a
    :class:`RandomAccess` over it (a whole TIFF/RAW file, or a window of one).
    """

    def __init__(self, source: bytes | RandomAccess) -> None:
        self.src = source if isinstance(source, RandomAccess) else RandomAccess(source)
        head = self.src.read(0, 8) if self.src.size >= 8 else b""
        if head[:2] == b"II":
            self.order = "<"
        elif head[:2] == b"MM":
            self.order = ">"
        else:
            raise Malformed("not a TIFF header")
        self.magic = self._unpack("H", head, 2)
        self.big = self.magic == 43
        if self.big:
            if self.src.size < 16 or self._unpack("H", self.src.read(4, 2), 0) != 8:
                raise Malformed("not a BigTIFF header")
            self.ifd0 = self._unpack("Q", self.src.read(8, 8), 0)
        elif self.magic in _CLASSIC_MAGIC:
            self.ifd0 = self._unpack("I", head, 4)
        else:
            raise Malformed("not a TIFF header")
        self.entry_size = 20 if self.big else 12

    def _unpack(self, fmt: str, data: bytes, offset: int) -> int:
        value: int = struct.unpack_from(self.order + fmt, data, offset)[0]
        return value

    @property
    def size(self) -> int:
        return self.src.size

    def read_ifd(self, offset: int) -> Ifd:
        """The directory at ``offset``."""
        count_size, pointer, pointer_size = (8, "Q", 8) if self.big else (2, "I", 4)
        if offset < 8:
            raise Malformed("directory out of bounds")
        if offset + count_size > self.size:
            raise Truncated(f"the directory at byte {offset} lies past the end")
        count = self._unpack("Q" if self.big else "H", self.src.read(offset, count_size), 0)
        start = offset + count_size
        end = start + self.entry_size * count
        if count == 0 or count > _MAX_ENTRIES:
            raise Malformed(f"the directory at byte {offset} declares {count} entries")
        if end + pointer_size > self.size:
            raise Truncated(f"the directory at byte {offset} runs past the end")
        block = self.src.read(start, end - start + pointer_size)
        entries = []
        for i in range(count):
            at = i * self.entry_size
            raw = block[at : at + self.entry_size]
            tag, typ = struct.unpack_from(self.order + "HH", raw)
            n = self._unpack("Q" if self.big else "I", raw, 4)
            field_at = 12 if self.big else 8
            unit = TYPE_SIZES.get(typ)
            size = None if unit is None else unit * n
            inline = size is not None and size <= (8 if self.big else 4)
            value_offset = start + at + field_at
            if size is not None and not inline:
                value_offset = self._unpack(pointer, raw, field_at)
            entries.append(Entry(tag, typ, n, start + at, value_offset, size, inline, raw))
        next_ifd = self._unpack(pointer, block, end - start)
        return Ifd(offset, tuple(entries), next_ifd, end + pointer_size)

    def value_bytes(self, entry: Entry) -> bytes | None:
        """The raw bytes of a value; None when its type is unknown or it lies out of bounds."""
        if entry.size is None:
            return None
        try:
            return self.src.read(entry.value_offset, entry.size)
        except Malformed:
            return None

    def value(self, entry: Entry) -> Any:
        """The value as Python: int (or tuple of ints), (numerator, denominator) rationals (or a
        tuple of them), float(s), str for ASCII (up to the first NUL), bytes for BYTE and
        UNDEFINED; None when unreadable."""
        data = self.value_bytes(entry)
        if data is None:
            return None
        typ, n = entry.type, entry.count
        if typ in (1, 7):
            return data
        if typ == 2:
            return data.split(b"\x00", 1)[0].decode("utf-8", "replace")
        if typ in _INT_FORMATS:
            values: tuple[Any, ...] = struct.unpack(f"{self.order}{n}{_INT_FORMATS[typ]}", data)
        elif typ in (5, 10):
            flat = struct.unpack(f"{self.order}{2 * n}{'I' if typ == 5 else 'i'}", data)
            values = tuple(zip(flat[::2], flat[1::2], strict=True))
        elif typ in (11, 12):
            values = struct.unpack(f"{self.order}{n}{'f' if typ == 11 else 'd'}", data)
        else:
            return data
        return values[0] if n == 1 else values

    def pointer(self, entry: Entry) -> int | None:
        """The offset an IFD-pointer tag holds, or None when the entry is not a usable pointer."""
        pointers = self.pointers(entry)
        return pointers[0] if len(pointers) == 1 else None

    def pointers(self, entry: Entry) -> list[int]:
        """The offsets a pointer tag (SubIFDs may hold several) holds; zeros left out."""
        if entry.type not in (4, 13, 16, 18) or entry.count > _MAX_IFDS:
            return []
        value = self.value(entry)
        values = value if isinstance(value, tuple) else (value,)
        return [v for v in values if isinstance(v, int) and v]

    def sub_ifd(self, ifd: Ifd, tag: int) -> Ifd | None:
        """The directory a pointer tag of ``ifd`` names (EXIF, GPS, Interop...), if readable."""
        entry = ifd.get(tag)
        offset = None if entry is None else self.pointer(entry)
        if offset is None:
            return None
        with contextlib.suppress(Malformed):
            return self.read_ifd(offset)
        return None

    def chain(self) -> list[Ifd]:
        """IFD0, IFD1 (the thumbnail)... following next pointers, loops refused."""
        out: list[Ifd] = []
        seen: set[int] = set()
        offset = self.ifd0
        while offset and offset not in seen and len(out) < _MAX_IFDS:
            seen.add(offset)
            ifd = self.read_ifd(offset) if not out else self._maybe_ifd(offset)
            if ifd is None:
                break
            out.append(ifd)
            offset = ifd.next
        return out

    def _maybe_ifd(self, offset: int) -> Ifd | None:
        with contextlib.suppress(Malformed):
            return self.read_ifd(offset)
        return None

    def tags(self, ifd: Ifd) -> dict[int, Any]:
        """Every readable tag of a directory with its :meth:`value`."""
        return {e.tag: v for e in ifd.entries if (v := self.value(e)) is not None}
