"""Editing a TIFF structure for the stripper: rebuilding a small EXIF block, or blanking tags in
place so that every offset in the file stays valid.

Why in place: a TIFF file or a TIFF-based RAW (and, inside a JPEG, an EXIF block whose maker note
points across the block) is a web of absolute offsets; moving one byte would break the image.
So a tag that must go is removed from its directory by compacting the entry list within the
directory's own bytes, and its value, and any directory it points to, is overwritten with zeros.
The result is a list of patches: (absolute offset, same-length bytes).

What stays, whatever the policy: Orientation, Artist, Copyright, the ICC profile, and in a TIFF
file every tag the image data needs to be decoded (:data:`IMAGE_TAGS`).
"""

from __future__ import annotations

import contextlib
import struct
from collections.abc import Callable

from albumen_photo.byteio import MAX_BLOCK, Patch, zeros
from albumen_photo.errors import Malformed
from albumen_photo.policy import KeepPolicy
from albumen_photo.tiff import (
    TAG_ARTIST,
    TAG_COPYRIGHT,
    TAG_EXIF_IFD,
    TAG_GPS_IFD,
    TAG_INTEROP_IFD,
    TAG_IPTC,
    TAG_MAKER_NOTE,
    TAG_ORIENTATION,
    TAG_PHOTOSHOP,
    TAG_SUB_IFDS,
    TAG_XMP,
    Entry,
    Ifd,
    Tiff,
)

__all__ = ["IMAGE_TAGS", "apply_patches", "blank_patches", "filter_exif", "rebuild_exif"]

# Tags of IFD0 that always stay in a rebuilt EXIF block: the credit, the orientation, and
# harmless structure.
_EXIF_ALWAYS = {
    TAG_ORIENTATION: (3,),
    TAG_ARTIST: (1, 2, 7),
    TAG_COPYRIGHT: (1, 2, 7),
    0x011A: (5,),  # XResolution
    0x011B: (5,),  # YResolution
    0x0128: (3,),  # ResolutionUnit
    0x0213: (3,),  # YCbCrPositioning
}
# Tags that place the image on Earth besides GPS: GeoTIFF's tie points, pixel scale,
# transformation and geo keys (with the double and ASCII parameters the keys point into).
GEOTIFF_TAGS = frozenset({0x8482, 0x830E, 0x85D8, 0x87AF, 0x87B0, 0x87B1})
# Every tag a decoder needs to turn a TIFF or TIFF-based RAW directory into pixels: baseline
# and extension structure, colour, the DNG colour and calibration tags, and CR2's slices.
# Camera make, model, serial, lens, software, dates and maker notes are not among them.
IMAGE_TAGS = frozenset(
    {
        *range(0x00FE, 0x0104),  # subfile types, width, length, bits, compression
        0x0106, 0x0107, 0x0108, 0x0109, 0x010A,  # photometric, thresholding, cells, fill order
        0x0111, 0x0115, 0x0116, 0x0117, 0x0118, 0x0119,  # strips, samples, rows, min/max
        0x011A, 0x011B, 0x011C, 0x0122, 0x0123, 0x0124, 0x0125, 0x0128, 0x0129, 0x012D,
        0x013D, 0x013E, 0x013F, 0x0140, 0x0141, 0x0142, 0x0143, 0x0144, 0x0145,
        TAG_SUB_IFDS, 0x014C, 0x014D, 0x014E, 0x0150, 0x0151, 0x0152, 0x0153, 0x0154, 0x0155,
        0x0156, 0x015B, 0x015F,
        *range(0x0200, 0x020A), 0x0211, 0x0212, 0x0213, 0x0214,  # JPEG and YCbCr
        0x828D, 0x828E, 0x828F, 0x8773,  # CFA (TIFF/EP), battery level is not here; ICC
        0x9217,  # sensing method
        0xA217,  # sensing method (EXIF)
        0xC5D8, 0xC5D9, 0xC5E0, 0xC640,  # Canon CR2 raw structure and slices
        0xC612, 0xC613, 0xC614, 0xC616, 0xC617,  # DNG version, unique model (required), CFA
        *range(0xC618, 0xC62F),  # linearisation, black/white levels, crops, colour matrices
        0xC631, 0xC632, 0xC633, 0xC635, 0xC65A, 0xC65B, 0xC65C, 0xC68D, 0xC68E, 0xC68F,
        0xC690, 0xC691, 0xC692, 0xC693, 0xC6BF,
        *range(0xC6F3, 0xC6FE), 0xC714, 0xC715, 0xC725, 0xC726, 0xC740, 0xC741, 0xC74E,
        0xC761, 0xC791, 0xC792, 0xC793, 0xCD2D, 0xCD2E, 0xCD2F, 0xCD30, 0xCD31, 0xCD32,
        TAG_ORIENTATION, TAG_ARTIST, TAG_COPYRIGHT,
    }
)  # fmt: skip

_RW2_MAGIC = 0x55
_DNG_PRIVATE_DATA = 0xC634
# Tags that point at image data, with the tag that holds the byte counts.
_IMAGE_DATA = {0x0111: 0x0117, 0x0144: 0x0145, 0x0201: 0x0202}

BlockBlanker = Callable[[int, bytes, KeepPolicy], bytes]
"""Blanks metadata inside the XMP, IPTC or Photoshop block a tag holds (same length)."""


def filter_exif(tiff: bytes, keep: KeepPolicy) -> bytes | None:
    """Filter an EXIF block (a TIFF structure, without the "Exif" prefix); None drops it.

    When other metadata stays, location is blanked in place so that maker notes, whose internal
    offsets often point across the whole block, keep working. Otherwise (or when the block is
    too damaged for that) a fresh minimal block is written with only the tags that always stay.
    """
    if keep.keeps_everything:
        return tiff
    if keep.metadata:
        with contextlib.suppress(Malformed):
            return apply_patches(tiff, blank_patches(Tiff(tiff), keep))
    try:
        return rebuild_exif(tiff, with_gps=keep.location)
    except Malformed:
        return None


def apply_patches(data: bytes, patches: list[Patch]) -> bytes:
    """``data`` with each (offset, bytes) patch written over it; the length never changes."""
    out = bytearray(data)
    for offset, new in patches:
        if offset < 0 or offset + len(new) > len(out):
            raise Malformed("patch out of bounds")
        out[offset : offset + len(new)] = new
    return bytes(out)


class _Blanker:
    """Walks the directory tree once and collects the patches a policy asks for."""

    def __init__(
        self, t: Tiff, keep: KeepPolicy, image: bool, blank_block: BlockBlanker | None
    ) -> None:
        self.t = t
        self.keep = keep
        self.image = image
        self.blank_block = blank_block
        self.patches: list[Patch] = []
        self.seen: set[int] = set()
        self.zeroed: list[tuple[int, int]] = []  # ranges (start, end) to overwrite with zeros
        self.kept: list[tuple[int, int]] = []  # ranges that must survive those zeros

    def wanted(self, entry: Entry, in_ifd0: bool) -> bool:
        tag = entry.tag
        if tag == TAG_GPS_IFD or tag in GEOTIFF_TAGS:
            return self.keep.location
        if tag in (TAG_MAKER_NOTE, _DNG_PRIVATE_DATA):
            # DNG's private data holds the original RAW's maker note (Sony's SR2 too).
            return self.keep.keeps_everything  # otherwise see maker_note_patches()
        if tag in (TAG_XMP, TAG_IPTC, TAG_PHOTOSHOP):
            return self.blank_block is not None  # blanked inside, see visit()
        if self.keep.metadata:
            return True
        if tag in (TAG_ORIENTATION, TAG_ARTIST, TAG_COPYRIGHT, 0x8773):
            return in_ifd0 or self.image
        if self.image and self.t.magic == _RW2_MAGIC and (tag < 0x00FE or 0x0118 <= tag <= 0x0121):
            return True  # Panasonic's raw directory: sensor geometry, levels, raw offsets
        return self.image and tag in IMAGE_TAGS

    def visit(self, ifd: Ifd, in_ifd0: bool) -> int:
        """Blank what goes in one directory and those it points to; how many entries stay."""
        if ifd.offset in self.seen or len(self.seen) > 256:
            return len(ifd.entries)
        self.seen.add(ifd.offset)
        keep_entries: list[Entry] = []
        for entry in ifd.entries:
            if entry.tag == TAG_EXIF_IFD and self.image and not self.keep.metadata:
                # Only a maker note a decoder needs (Nikon's) may stay in it: see whether
                # anything does, and drop the directory when nothing does.
                if self.visit_optional(entry):
                    keep_entries.append(entry)
                else:
                    self.drop(entry, ifd)
            elif self.wanted(entry, in_ifd0):
                keep_entries.append(entry)
                self.keep_value(entry, ifd)
                if entry.tag in (TAG_SUB_IFDS, TAG_EXIF_IFD, TAG_INTEROP_IFD):
                    for offset in self.t.pointers(entry):
                        with contextlib.suppress(Malformed):
                            self.visit(self.t.read_ifd(offset), in_ifd0=False)
                elif entry.tag == TAG_GPS_IFD:
                    self.keep_subtree(entry)
                elif entry.tag in (TAG_XMP, TAG_IPTC, TAG_PHOTOSHOP):
                    self.blank_inside(entry)
            elif (
                entry.tag == TAG_MAKER_NOTE
                and (inner := maker_note_patches(self.t, entry, self.keep)) is not None
            ):
                keep_entries.append(entry)
                self.keep_value(entry, ifd)
                self.patches.extend(inner)
            else:
                self.drop(entry, ifd)
        if len(keep_entries) < len(ifd.entries):
            self.rewrite(ifd, keep_entries)
        self.kept.append((ifd.offset, ifd.end))
        return len(keep_entries)

    def visit_optional(self, entry: Entry) -> bool:
        """Visit the directory a pointer names; True when any of its entries stays."""
        offset = self.t.pointer(entry)
        if offset is None or offset in self.seen:
            return False
        sub = self.t.read_ifd(offset)
        if self.visit(sub, in_ifd0=False):
            return True
        self.kept.remove((sub.offset, sub.end))
        self.zeroed.append((sub.offset, sub.end))
        return False

    def keep_value(self, entry: Entry, ifd: Ifd) -> None:
        if not entry.inline and entry.size:
            self.kept.append((entry.value_offset, entry.value_offset + entry.size))
        self.kept.extend(self.data_ranges(entry, ifd))

    def data_ranges(self, entry: Entry, ifd: Ifd) -> list[tuple[int, int]]:
        """The image data a strip, tile or JPEG offsets tag locates."""
        counts_tag = _IMAGE_DATA.get(entry.tag)
        counts = None if counts_tag is None else ifd.get(counts_tag)
        if counts is None:
            return []
        offsets = self.t.value(entry)
        sizes = self.t.value(counts)
        offsets = offsets if isinstance(offsets, tuple) else (offsets,)
        sizes = sizes if isinstance(sizes, tuple) else (sizes,)
        return [
            (start, start + size)
            for start, size in zip(offsets, sizes, strict=False)
            if isinstance(start, int) and isinstance(size, int)
        ]

    def keep_subtree(self, entry: Entry) -> None:
        for offset in self.t.pointers(entry):
            ifd = self.t.read_ifd(offset)
            self.kept.append((ifd.offset, ifd.end))
            for e in ifd.entries:
                if not e.inline and e.size:
                    self.kept.append((e.value_offset, e.value_offset + e.size))

    def drop(self, entry: Entry, ifd: Ifd) -> None:
        """Zero the value of a removed tag, the image data it locates (a thumbnail), and every
        directory it points to."""
        if not entry.inline and entry.size:
            self.zeroed.append((entry.value_offset, entry.value_offset + entry.size))
        for start, end in self.data_ranges(entry, ifd):
            self.zeroed.append((start, end))
        if entry.tag in (TAG_GPS_IFD, TAG_EXIF_IFD, TAG_INTEROP_IFD, TAG_SUB_IFDS):
            for offset in self.t.pointers(entry):
                if offset in self.seen:
                    continue
                self.seen.add(offset)
                ifd = self.t.read_ifd(offset)  # unreadable GPS: the caller cannot be sure
                self.zeroed.append((ifd.offset, ifd.end))
                for sub in ifd.entries:
                    self.drop(sub, ifd)

    def blank_inside(self, entry: Entry) -> None:
        if entry.size and entry.size > MAX_BLOCK:
            raise Malformed(f"a metadata block of {entry.size} bytes")
        data = self.t.value_bytes(entry)
        if data is None or self.blank_block is None:
            return
        new = self.blank_block(entry.tag, data, self.keep)
        if new != data and len(new) == len(data):
            base = self.t.src.base + entry.value_offset
            self.patches.append((base, new))

    def rewrite(self, ifd: Ifd, entries: list[Entry]) -> None:
        self.patches.append(_compacted(self.t, ifd, entries))

    def zero_patches(self) -> list[Patch]:
        """The zeroed ranges minus every range that something kept still uses."""
        kept = sorted(r for r in self.kept if r[1] > r[0])
        out: list[Patch] = []
        for start, end in sorted(set(self.zeroed)):
            pieces = [(max(start, 0), min(end, self.t.size))]
            pieces = [(lo, hi) for lo, hi in pieces if hi > lo]
            for k_start, k_end in kept:
                if k_start >= end or k_end <= start:
                    continue
                pieces = [
                    part
                    for lo, hi in pieces
                    for part in ((lo, min(hi, k_start)), (max(lo, k_end), hi))
                    if part[1] > part[0]
                ]
            for lo, hi in pieces:
                out += zeros(self.t.src.base + lo, hi - lo)
        return out


def blank_patches(
    t: Tiff,
    keep: KeepPolicy,
    *,
    image: bool = False,
    blank_block: BlockBlanker | None = None,
) -> list[Patch]:
    """The patches that blank, in place, what ``keep`` hides in the TIFF structure ``t``.

    ``image`` is True for a TIFF file or RAW, whose directories describe image data that must
    stay decodable; False for an EXIF block. ``blank_block`` blanks XMP (tag 700), IPTC (33723)
    and Photoshop resources (34377) in place; without it those tags are removed. Raises
    :class:`Malformed` when a directory that must go cannot be read (the caller cannot then be
    sure the location is gone). Offsets are absolute (``t.src.base`` added).
    """
    b = _Blanker(t, keep, image, blank_block)
    chain = t.chain()
    for i, ifd in enumerate(chain):
        if b.visit(ifd, in_ifd0=i == 0) == 0 and i > 0:
            # Nothing left in a thumbnail directory: unlink it rather than leave it empty.
            before = chain[i - 1]
            pointer = struct.pack(t.order + ("Q" if t.big else "I"), 0)
            b.patches.append((t.src.base + before.end - len(pointer), pointer))
            b.zeroed.append((ifd.offset, ifd.end))
            b.kept.remove((ifd.offset, ifd.end))
            break
    return b.patches + b.zero_patches()


def rebuild_exif(tiff: bytes, *, with_gps: bool) -> bytes | None:
    """A fresh EXIF block with only the tags that always stay (and GPS, when allowed)."""
    t = Tiff(tiff)
    if t.big:
        raise Malformed("BigTIFF is no EXIF block")
    ifd0 = t.read_ifd(t.ifd0)
    kept: list[tuple[int, int, int, bytes]] = []
    for e in ifd0.entries:
        types = _EXIF_ALWAYS.get(e.tag)
        value = t.value_bytes(e)
        if types is None or e.type not in types or value is None:
            continue
        if e.tag == TAG_ORIENTATION and not (e.count == 1 and 1 <= t.value(e) <= 8):
            continue
        kept.append((e.tag, e.type, e.count, value))
    gps: list[tuple[int, int, int, bytes]] = []
    if with_gps and (gps_ifd := t.sub_ifd(ifd0, TAG_GPS_IFD)) is not None:
        gps = [
            (g.tag, g.type, g.count, value)
            for g in gps_ifd.entries
            if (value := t.value_bytes(g)) is not None
        ]
    if not kept and not gps:
        return None
    return _build_tiff(t.order, kept, gps)


def _ifd_bytes(order: str, entries: list[tuple[int, int, int, bytes]], offset: int) -> bytes:
    """One directory (sorted, next pointer 0) followed by its out-of-line values."""
    entries = sorted(entries)
    data_at = offset + 2 + 12 * len(entries) + 4
    head = [struct.pack(order + "H", len(entries))]
    data: list[bytes] = []
    for tag, typ, count, value in entries:
        if len(value) <= 4:
            field = value + bytes(4 - len(value))
        else:
            field = struct.pack(order + "I", data_at)
            padded = value + bytes(len(value) & 1)
            data.append(padded)
            data_at += len(padded)
        head.append(struct.pack(order + "HHI", tag, typ, count) + field)
    head.append(bytes(4))
    return b"".join(head + data)


def _build_tiff(
    order: str, ifd0: list[tuple[int, int, int, bytes]], gps: list[tuple[int, int, int, bytes]]
) -> bytes:
    header = (b"II*\x00" if order == "<" else b"MM\x00*") + struct.pack(order + "I", 8)
    if not gps:
        return header + _ifd_bytes(order, ifd0, 8)
    placeholder = [*ifd0, (TAG_GPS_IFD, 4, 1, bytes(4))]
    gps_at = 8 + len(_ifd_bytes(order, placeholder, 8))
    entries = [*ifd0, (TAG_GPS_IFD, 4, 1, struct.pack(order + "I", gps_at))]
    return header + _ifd_bytes(order, entries, 8) + _ifd_bytes(order, gps, gps_at)


# Maker notes ------------------------------------------------------------------------------

_NIKON_LOCATION = 0x0039  # LocationInfo: country code and place name
_NIKON_CAPTURE = range(0x0E00, 0x0F00)  # Capture NX edit data: it can carry IPTC with places
# What a Nikon decoder needs from the note: version, NEF compression, the linearisation curve
# (without which a compressed NEF decodes to garbage) and the plain white balance levels.
_NIKON_DECODE = frozenset({0x0001, 0x000C, 0x0093, 0x0096})


def maker_note_patches(t: Tiff, entry: Entry, keep: KeepPolicy) -> list[Patch] | None:
    """The patches that make a maker note safe to keep under ``keep``, or None: drop it.

    Makers' notes hold places (Panasonic City and Landmark, Nikon LocationInfo, Canon's time
    zone city, Sony and Olympus GPS copies...) in formats of their own, so a note is dropped
    whenever something is hidden, except Nikon's, whose structure is a TIFF of its own: it
    holds no place but in LocationInfo and in Capture NX's edit data (which may embed IPTC),
    both removed, and NEF files cannot be decoded without its linearisation curve. Without
    camera details only what decoding needs stays in it.
    """
    if entry.inline or not entry.size or entry.size < 18:
        return None
    try:
        head = t.src.read(entry.value_offset, 10)
        if not head.startswith(b"Nikon\x00\x02"):
            return None
        inner = Tiff(t.src.sub(entry.value_offset + 10, entry.size - 10))
        ifd = inner.read_ifd(inner.ifd0)
    except Malformed:
        return None
    if keep.metadata:
        places = (_NIKON_LOCATION, *_NIKON_CAPTURE)
        gone = [e for e in ifd.entries if e.tag in places and not keep.location]
    else:
        gone = [e for e in ifd.entries if e.tag not in _NIKON_DECODE]
    return remove_entries(inner, ifd, gone)


def remove_entries(t: Tiff, ifd: Ifd, gone: list[Entry]) -> list[Patch]:
    """Remove ``gone`` from one directory, compacting it in place, and zero their values
    (those other entries of the directory do not share). No sub-directory is followed."""
    if not gone:
        return []
    stay = [e for e in ifd.entries if e not in gone]
    kept = [(e.value_offset, e.value_offset + e.size) for e in stay if not e.inline and e.size]
    patches = [_compacted(t, ifd, stay)]
    for e in gone:
        if e.inline or not e.size or e.value_offset + e.size > t.size:
            continue
        if any(lo < e.value_offset + e.size and hi > e.value_offset for lo, hi in kept):
            continue
        patches += zeros(t.src.base + e.value_offset, e.size)
    return patches


def _compacted(t: Tiff, ifd: Ifd, stay: list[Entry]) -> Patch:
    """A directory rewritten in its own bytes with only ``stay`` (in order), zeros after."""
    count = struct.pack(t.order + ("Q" if t.big else "H"), len(stay))
    pointer = struct.pack(t.order + ("Q" if t.big else "I"), ifd.next)
    block = count + b"".join(e.raw for e in stay) + pointer
    return t.src.base + ifd.offset, block + bytes(ifd.end - ifd.offset - len(block))
