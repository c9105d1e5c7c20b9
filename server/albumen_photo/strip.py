"""Lossless metadata removal for JPEG, PNG and WebP: the one implementation client and server share.

Why this module exists: a viewer of a shared album must not learn where a photo was taken (and,
unless the owner allows it, which camera, lens, serial number or software made it), while the
photo itself must reach the viewer unchanged. So the image data is never decoded or re-encoded:
only the metadata containers around it are rewritten, and the compressed image bytes are copied
through untouched, in bounded memory, so that a 1 GB file costs no more RAM than a small one.

What always stays, whatever the policy: EXIF Orientation (so no photo turns), Artist and
Copyright (the photographer's credit), the ICC colour profile, the JFIF and Adobe markers the
decoder needs, and the rights and creator fields of XMP and IPTC. Everything else is removed
unless :class:`KeepPolicy` allows it. Where a block cannot be understood (malformed EXIF, XMP or
IPTC), it is dropped rather than passed on: privacy wins over completeness.

Only the standard library is used here, so both the desktop client and the server can import
it, and nothing in it depends on Qt.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import struct
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO
from xml.dom import minidom
from xml.parsers.expat import ExpatError

from albumen_photo.formats import FORMAT_NAMES, sniff_format
from albumen_photo.policy import KeepPolicy

__all__ = [
    "StripError",
    "UnsupportedFormat",
    "can_strip",
    "strip_bytes",
    "strip_file",
    "strip_stream",
]


class StripError(Exception):
    """The file cannot be stripped; the message is fit for a person and names what is wrong."""


class UnsupportedFormat(StripError):
    """A format whose metadata cannot be removed without re-encoding (TIFF, HEIC, RAW...)."""


class _Malformed(Exception):
    """A metadata block that could not be parsed; callers drop the block instead of failing."""


# Sizes and limits ---------------------------------------------------------------------------

_HEAD_SIZE = 64
_MIN_CHUNK = 64
# Metadata is held in memory while it is rewritten; these bound that memory for hostile files.
_MAX_HEADER = 64 << 20  # kept JPEG segments before the first scan
_MAX_BLOCK = 64 << 20  # one PNG/WebP metadata chunk, an extended XMP
_MAX_TEXT = 16 << 20  # a decompressed PNG text
_MAX_XML_DEPTH = 100  # XMP nests a few levels; hostile nesting would exhaust the recursion limit


# Sniffing -----------------------------------------------------------------------------------

_STRIPPABLE = frozenset({"jpeg", "png", "webp"})


def can_strip(head: bytes) -> bool:
    """True when :func:`strip_stream` can remove metadata from a file starting with ``head``.

    Lets callers decide up front (for instance, to offer only "original with metadata" for a
    HEIC file) without starting a strip that would fail.
    """
    return sniff_format(head) in _STRIPPABLE


def _unsupported(fmt: str | None) -> UnsupportedFormat:
    if fmt is None:
        return UnsupportedFormat(
            "Unrecognised file format: metadata can only be removed from JPEG, PNG and WebP files."
        )
    name = FORMAT_NAMES.get(fmt, fmt.upper())
    return UnsupportedFormat(
        f"Cannot remove metadata from {name} files without re-encoding them: only JPEG, PNG and "
        "WebP files can be stripped losslessly."
    )


# Public entry points ------------------------------------------------------------------------


def strip_stream(src: BinaryIO, keep: KeepPolicy, *, chunk_size: int = 1 << 20) -> Iterator[bytes]:
    """Read ``src`` (positioned at its start) and yield the file with metadata removed.

    Only the metadata segments and chunks are held in memory; the image data is copied through
    in pieces of about ``chunk_size`` bytes, so memory stays bounded for a file of any size and
    the output can be streamed straight to a socket or a file. No yielded piece is larger than
    about ``2 * chunk_size``.

    With ``KeepPolicy(location=True, metadata=True)`` the file passes through unchanged, whatever
    its format. Otherwise JPEG, PNG and WebP are stripped and any other format raises
    :class:`UnsupportedFormat`; a corrupt or truncated file raises :class:`StripError`. Errors are
    raised while iterating, possibly after some pieces were yielded, so write to a temporary
    place (as :func:`strip_file` does) and discard it on error.
    """
    if chunk_size < _MIN_CHUNK:
        raise ValueError(f"chunk_size must be at least {_MIN_CHUNK} bytes")
    yield from _coalesce(_strip_pieces(src, keep, chunk_size), chunk_size)


def strip_bytes(data: bytes, keep: KeepPolicy) -> bytes:
    """Strip a file held in memory; a convenience over :func:`strip_stream` for small files."""
    return b"".join(strip_stream(io.BytesIO(data), keep))


def strip_file(src: Path, dst: Path, keep: KeepPolicy) -> None:
    """Write a stripped copy of ``src`` to ``dst``, atomically.

    The owner's original is never written to: ``dst`` may not be ``src`` (nor a link to it),
    and the copy is written to a temporary file beside ``dst``, flushed to disk and then renamed
    over ``dst``, so that a crash or a strip error never leaves a half-written ``dst`` behind.
    I/O failures (missing source, unwritable folder) raise :class:`OSError`.
    """
    src, dst = Path(src), Path(dst)
    if src == dst or (dst.exists() and src.exists() and src.samefile(dst)):
        raise StripError(f"Refusing to write the stripped copy over the original file {src}")
    with src.open("rb") as fin:
        fd, tmp_name = tempfile.mkstemp(dir=dst.parent, prefix=f".{dst.name}.", suffix=".part")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as fout:
                for piece in strip_stream(fin, keep):
                    fout.write(piece)
                fout.flush()
                os.fsync(fout.fileno())
            tmp.replace(dst)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    _fsync_dir(dst.parent)


def _fsync_dir(folder: Path) -> None:
    """Make the rename durable where the platform allows it (POSIX); best effort elsewhere."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _strip_pieces(src: BinaryIO, keep: KeepPolicy, chunk_size: int) -> Iterator[bytes]:
    head = _read_head(src)
    if keep.keeps_everything:
        yield head
        while data := src.read(chunk_size):
            yield data
        return
    if not head:
        raise StripError("The file is empty")
    fmt = sniff_format(head)
    if fmt == "jpeg":
        yield from _strip_jpeg(_Reader(src, head, chunk_size, "JPEG"), keep)
    elif fmt == "png":
        yield from _strip_png(_Reader(src, head, chunk_size, "PNG"), keep)
    elif fmt == "webp":
        yield from _strip_webp(src, head, keep, chunk_size)
    else:
        raise _unsupported(fmt)


def _read_head(src: BinaryIO) -> bytes:
    head = b""
    while len(head) < _HEAD_SIZE:
        data = src.read(_HEAD_SIZE - len(head))
        if not data:
            break
        head += data
    return head


def _coalesce(pieces: Iterator[bytes], size: int) -> Iterator[bytes]:
    """Join small pieces (JPEG segments, PNG chunk headers) so writers see few, large writes."""
    pending: list[bytes] = []
    total = 0
    for piece in pieces:
        if not piece:
            continue
        if total and total + len(piece) > size:
            yield b"".join(pending)
            pending, total = [], 0
        if len(piece) >= size:
            yield piece
            continue
        pending.append(piece)
        total += len(piece)
    if pending:
        yield b"".join(pending)


class _Reader:
    """A forward-only buffered reader that turns a short read into a StripError naming the spot.

    The buffer never holds much more than one ``chunk_size`` read plus the structure being
    parsed, which is what keeps :func:`strip_stream` in bounded memory.
    """

    def __init__(self, src: BinaryIO, initial: bytes, chunk_size: int, name: str) -> None:
        self._src = src
        self._chunk = chunk_size
        self.name = name
        self.buf = initial
        self.pos = 0
        self._base = 0  # file offset of buf[0]

    @property
    def offset(self) -> int:
        return self._base + self.pos

    def more(self) -> bool:
        """Read another chunk into the buffer; False at the end of the file."""
        data = self._src.read(self._chunk)
        if not data:
            return False
        if self.pos:
            self._base += self.pos
            self.buf = self.buf[self.pos :] + data
            self.pos = 0
        else:
            self.buf += data
        return True

    def at_end(self) -> bool:
        return self.pos >= len(self.buf) and not self.more()

    def take(self, n: int, what: str) -> bytes:
        while len(self.buf) - self.pos < n:
            if not self.more():
                raise StripError(f"{self.name} ends inside {what} (the file is truncated)")
        out = self.buf[self.pos : self.pos + n]
        self.pos += n
        return out

    def copy(self, n: int, what: str) -> Iterator[bytes]:
        while n > 0:
            if self.pos >= len(self.buf) and not self.more():
                raise StripError(f"{self.name} ends inside {what} (the file is truncated)")
            k = min(n, len(self.buf) - self.pos)
            yield self.buf[self.pos : self.pos + k]
            self.pos += k
            n -= k

    def skip(self, n: int, what: str) -> None:
        for _ in self.copy(n, what):
            pass


# EXIF (TIFF structure) ----------------------------------------------------------------------

_TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}
_TAG_EXIF_IFD = 0x8769
_TAG_GPS_IFD = 0x8825
_TAG_ORIENTATION = 0x0112
_TAG_ARTIST = 0x013B
_TAG_COPYRIGHT = 0x8298
# Tags of IFD0 that always stay: the credit, the orientation, and harmless structure.
_EXIF_ALWAYS = {
    _TAG_ORIENTATION: (3,),
    _TAG_ARTIST: (1, 2, 7),
    _TAG_COPYRIGHT: (1, 2, 7),
    0x011A: (5,),  # XResolution
    0x011B: (5,),  # YResolution
    0x0128: (3,),  # ResolutionUnit
    0x0213: (3,),  # YCbCrPositioning
}


@dataclass(frozen=True)
class _Entry:
    tag: int
    type: int
    count: int
    raw: bytes  # the 12-byte directory entry as found
    value: bytes | None  # the value bytes, None when unknown type or out of bounds
    value_pos: int | None  # where an out-of-line value sits, None when inline


class _Tiff:
    """A bounds-checked reader of the TIFF structure that EXIF uses; raises _Malformed."""

    def __init__(self, data: bytes) -> None:
        if data[:4] == b"II*\x00":
            self.order = "<"
        elif data[:4] == b"MM\x00*":
            self.order = ">"
        else:
            raise _Malformed("not a TIFF header")
        self.data = data
        self.ifd0 = self._u32(4)

    def _u32(self, offset: int) -> int:
        if offset + 4 > len(self.data):
            raise _Malformed("offset out of bounds")
        value: int = struct.unpack_from(self.order + "I", self.data, offset)[0]
        return value

    def read_ifd(self, offset: int) -> tuple[list[_Entry], int]:
        """The entries of the directory at ``offset`` and the offset of the next one (0: none)."""
        data = self.data
        if offset < 8 or offset + 2 > len(data):
            raise _Malformed("directory out of bounds")
        (count,) = struct.unpack_from(self.order + "H", data, offset)
        end = offset + 2 + 12 * count
        if count == 0 or end + 4 > len(data):
            raise _Malformed("directory runs past the end of the block")
        entries = []
        for i in range(count):
            pos = offset + 2 + 12 * i
            tag, typ, n = struct.unpack_from(self.order + "HHI", data, pos)
            unit = _TYPE_SIZES.get(typ)
            value: bytes | None = None
            value_pos: int | None = None
            if unit is not None:
                size = unit * n
                if size <= 4:
                    value = data[pos + 8 : pos + 8 + size]
                else:
                    value_pos = self._u32(pos + 8)
                    if value_pos + size <= len(data):
                        value = data[value_pos : value_pos + size]
            entries.append(_Entry(tag, typ, n, data[pos : pos + 12], value, value_pos))
        return entries, self._u32(end)

    def pointer(self, entry: _Entry) -> int | None:
        """The offset an IFD-pointer tag holds, or None when the entry is not a usable pointer."""
        if entry.type not in (4, 13) or entry.count != 1 or entry.value is None:
            return None
        offset: int = struct.unpack(self.order + "I", entry.value)[0]
        return offset or None


def _filter_exif(tiff: bytes, keep: KeepPolicy) -> bytes | None:
    """Filter an EXIF block (a TIFF structure, without the "Exif" prefix); None drops it.

    When other metadata stays, GPS is removed in place so that maker notes, whose internal
    offsets often point across the whole block, keep working. Otherwise (or when the block is
    too damaged for that) a fresh minimal block is written with only the tags that always stay.
    """
    if keep.keeps_everything:
        return tiff
    if keep.metadata:
        with contextlib.suppress(_Malformed):
            return _remove_gps_in_place(tiff)
    try:
        return _rebuild_exif(tiff, with_gps=keep.location)
    except _Malformed:
        return None


def _remove_gps_in_place(tiff: bytes) -> bytes:
    """Unlink the GPS directory and overwrite its bytes with zeros, leaving all else in place."""
    t = _Tiff(tiff)
    entries0, next0 = t.read_ifd(t.ifd0)
    ifds = [(t.ifd0, entries0, next0)]
    for entry in entries0:
        if entry.tag == _TAG_EXIF_IFD and (ptr := t.pointer(entry)):
            ifds.append((ptr, *t.read_ifd(ptr)))
    if next0:
        ifds.append((next0, *t.read_ifd(next0)))
    out = bytearray(tiff)
    rewrites = []
    for offset, entries, next_ifd in ifds:
        gps = [e for e in entries if e.tag == _TAG_GPS_IFD]
        if not gps:
            continue
        for entry in gps:
            ptr = t.pointer(entry)
            if ptr is None:
                continue
            gps_entries, _ = t.read_ifd(ptr)  # unreadable: let the caller rebuild instead
            for ge in gps_entries:
                if ge.value_pos is not None and ge.value is not None:
                    out[ge.value_pos : ge.value_pos + len(ge.value)] = bytes(len(ge.value))
            size = 2 + 12 * len(gps_entries) + 4
            out[ptr : ptr + size] = bytes(size)
        rewrites.append((offset, entries, next_ifd))
    if not rewrites:
        return tiff
    for offset, entries, next_ifd in rewrites:
        rest = [e for e in entries if e.tag != _TAG_GPS_IFD]
        block = struct.pack(t.order + "H", len(rest)) + b"".join(e.raw for e in rest)
        block += struct.pack(t.order + "I", next_ifd)
        size = 2 + 12 * len(entries) + 4
        out[offset : offset + size] = block + bytes(size - len(block))
    return bytes(out)


def _rebuild_exif(tiff: bytes, *, with_gps: bool) -> bytes | None:
    """A fresh EXIF block with only the tags that always stay (and GPS, when allowed)."""
    t = _Tiff(tiff)
    entries0, _ = t.read_ifd(t.ifd0)
    kept: list[tuple[int, int, int, bytes]] = []
    for e in entries0:
        types = _EXIF_ALWAYS.get(e.tag)
        if types is None or e.type not in types or e.value is None:
            continue
        if e.tag == _TAG_ORIENTATION:
            (value,) = struct.unpack(t.order + "H", e.value[:2]) if e.count == 1 else (0,)
            if not 1 <= value <= 8:
                continue
        kept.append((e.tag, e.type, e.count, e.value))
    gps: list[tuple[int, int, int, bytes]] = []
    if with_gps:
        for e in entries0:
            ptr = t.pointer(e) if e.tag == _TAG_GPS_IFD else None
            if ptr:
                with contextlib.suppress(_Malformed):
                    gps = [
                        (g.tag, g.type, g.count, g.value)
                        for g in t.read_ifd(ptr)[0]
                        if g.value is not None
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
    placeholder = [*ifd0, (_TAG_GPS_IFD, 4, 1, bytes(4))]
    gps_at = 8 + len(_ifd_bytes(order, placeholder, 8))
    entries = [*ifd0, (_TAG_GPS_IFD, 4, 1, struct.pack(order + "I", gps_at))]
    return header + _ifd_bytes(order, entries, 8) + _ifd_bytes(order, gps, gps_at)


# IPTC IIM and Photoshop image resources -----------------------------------------------------

# (record, dataset) pairs that say where the photo was taken.
_IIM_LOCATION = frozenset({(2, 26), (2, 27), (2, 90), (2, 92), (2, 95), (2, 100), (2, 101)})
# Pairs that always stay: character set, record version, by-line, credit, copyright notice.
_IIM_ALWAYS = frozenset({(1, 90), (2, 0), (2, 80), (2, 110), (2, 116)})
_IIM_STRUCTURAL = frozenset({(1, 90), (2, 0)})


def _filter_iim(data: bytes, keep: KeepPolicy) -> bytes:
    """Filter IPTC IIM datasets; returns b"" when nothing worth keeping is left."""
    out: list[bytes] = []
    meaningful = False
    pos = 0
    while pos < len(data):
        if data[pos] != 0x1C:
            if not data[pos:].strip(b"\x00"):
                break  # zero padding after the last dataset
            raise _Malformed("IPTC dataset does not start with 0x1C")
        if pos + 5 > len(data):
            raise _Malformed("IPTC dataset header truncated")
        record, dataset = data[pos + 1], data[pos + 2]
        length = int.from_bytes(data[pos + 3 : pos + 5], "big")
        header = 5
        if length & 0x8000:  # extended dataset: the length of the length follows
            n = length & 0x7FFF
            if n > 4 or pos + 5 + n > len(data):
                raise _Malformed("IPTC extended length invalid")
            length = int.from_bytes(data[pos + 5 : pos + 5 + n], "big")
            header += n
        end = pos + header + length
        if end > len(data):
            raise _Malformed("IPTC dataset runs past the end of the block")
        key = (record, dataset)
        wanted = keep.location if key in _IIM_LOCATION else keep.metadata or key in _IIM_ALWAYS
        if wanted:
            out.append(data[pos:end])
            meaningful = meaningful or key not in _IIM_STRUCTURAL
        pos = end
    return b"".join(out) if meaningful else b""


_IRB_SIGNATURES = frozenset({b"8BIM", b"PHUT", b"AgHg", b"DCSR", b"MeSa"})
_IRB_IPTC = 0x0404
_IRB_IPTC_DIGEST = 0x0425
_IRB_ALWAYS = frozenset({0x040A, 0x040B})  # copyright flag, copyright URL
_IRB_EXIF = frozenset({0x0422, 0x0423})
_IRB_XMP = 0x0424


def _parse_irb(data: bytes) -> list[tuple[bytes, int, bytes, bytes]]:
    """Photoshop image resource blocks as (signature, id, padded Pascal name, payload)."""
    resources = []
    pos = 0
    while pos < len(data):
        if len(data) - pos < 12:
            if not data[pos:].strip(b"\x00"):
                break
            raise _Malformed("image resource truncated")
        signature = data[pos : pos + 4]
        if signature not in _IRB_SIGNATURES:
            raise _Malformed("unknown image resource signature")
        rid = int.from_bytes(data[pos + 4 : pos + 6], "big")
        name_len = data[pos + 6]
        name_end = pos + 7 + name_len + ((1 + name_len) & 1)
        if name_end + 4 > len(data):
            raise _Malformed("image resource name runs past the end of the block")
        size = int.from_bytes(data[name_end : name_end + 4], "big")
        start = name_end + 4
        if start + size > len(data):
            raise _Malformed("image resource runs past the end of the block")
        resources.append((signature, rid, data[pos + 6 : name_end], data[start : start + size]))
        pos = start + size + (size & 1)
    return resources


def _filter_irb(data: bytes, keep: KeepPolicy) -> bytes | None:
    """Filter Photoshop image resources (where JPEG keeps IPTC); None drops the whole block."""
    try:
        resources = _parse_irb(data)
    except _Malformed:
        return None
    out: list[tuple[bytes, int, bytes, bytes]] = []
    iptc: bytes | None = None
    had_digest = False
    for signature, rid, name, payload in resources:
        new: bytes | None
        if rid == _IRB_IPTC:
            try:
                new = _filter_iim(payload, keep) or None
            except _Malformed:
                new = None
            if new is not None:
                iptc = new
        elif rid == _IRB_IPTC_DIGEST:
            had_digest = True
            continue  # recomputed below: it must match the filtered IPTC
        elif rid in _IRB_ALWAYS:
            new = payload
        elif not keep.metadata:
            new = None
        elif rid in _IRB_EXIF:
            new = _filter_exif(payload, keep)
        elif rid == _IRB_XMP:
            new = _filter_xmp_bytes(payload, keep)
        else:
            new = payload
        if new is not None:
            out.append((signature, rid, name, new))
    if iptc is not None and had_digest:  # MD5 is what Photoshop uses to spot stale IPTC
        out.append(
            (
                b"8BIM",
                _IRB_IPTC_DIGEST,
                b"\x00\x00",
                hashlib.md5(iptc, usedforsecurity=False).digest(),
            )
        )
    if not out:
        return None
    return b"".join(
        signature
        + rid.to_bytes(2, "big")
        + name
        + len(payload).to_bytes(4, "big")
        + payload
        + bytes(len(payload) & 1)
        for signature, rid, name, payload in out
    )


# XMP ----------------------------------------------------------------------------------------

_NS_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_NS_XMLNS = "http://www.w3.org/2000/xmlns/"
_NS_XML = "http://www.w3.org/XML/1998/namespace"
_NS_DC = "http://purl.org/dc/elements/1.1/"
_NS_XMP_RIGHTS = "http://ns.adobe.com/xap/1.0/rights/"
_NS_PHOTOSHOP = "http://ns.adobe.com/photoshop/1.0/"
_NS_TIFF = "http://ns.adobe.com/tiff/1.0/"
_NS_CC = "http://creativecommons.org/ns#"
_NS_PLUS = "http://ns.useplus.org/ldf/xmp/1.0/"
_NS_XMP_NOTE = "http://ns.adobe.com/xmp/note/"
_NS_GCONTAINER = "http://ns.google.com/photos/1.0/container/"
_NS_GCAMERA = "http://ns.google.com/photos/1.0/camera/"
_NS_HDRGM = "http://ns.adobe.com/hdr-gain-map/1.0/"

_XMP_RIGHTS_PROPS = frozenset(
    {
        (_NS_DC, "creator"),
        (_NS_DC, "rights"),
        (_NS_PHOTOSHOP, "Credit"),
        (_NS_PHOTOSHOP, "Copyright"),
        (_NS_TIFF, "Orientation"),
        (_NS_TIFF, "Artist"),
        (_NS_TIFF, "Copyright"),
        (_NS_PLUS, "CopyrightOwner"),
        (_NS_PLUS, "ImageCreator"),
    }
)
_XMP_RIGHTS_NAMESPACES = frozenset({_NS_XMP_RIGHTS, _NS_CC})
# Local names that are a place in every schema that uses them (IPTC Core and Extension,
# Photoshop, PhotoMechanic, video schemas...).
_XMP_LOCATION_NAMES = frozenset(
    {
        "city",
        "state",
        "country",
        "countrycode",
        "countryname",
        "provincestate",
        "sublocation",
        "worldregion",
        "location",
        "locationcreated",
        "locationshown",
        "locationname",
        "shotlocation",
    }
)
# Substrings that mark coordinates wherever they hide: exif:GPS*, drone-dji:GpsLatitude,
# drone-dji:GpsLongtitude (sic), AbsoluteAltitude...
_LOCATION_WORDS = ("gps", "latitude", "longitude", "longtitude", "altitude", "geotag")
# Properties that describe secondary images (gain maps, motion-photo videos) stored after the
# primary image; those images are removed, so the pointers to them must go too.
_XMP_SECONDARY_PROPS = frozenset(
    {
        (_NS_GCONTAINER, "Directory"),
        (_NS_GCAMERA, "MotionPhoto"),
        (_NS_GCAMERA, "MotionPhotoVersion"),
        (_NS_GCAMERA, "MotionPhotoPresentationTimestampUs"),
        (_NS_GCAMERA, "MicroVideo"),
        (_NS_GCAMERA, "MicroVideoVersion"),
        (_NS_GCAMERA, "MicroVideoOffset"),
        (_NS_GCAMERA, "MicroVideoPresentationTimestampUs"),
    }
)
_NON_PROPERTY_NAMESPACES = frozenset({None, _NS_RDF, _NS_XMLNS, _NS_XML})

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_XPACKET_HEADER = '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
_XPACKET_TRAILER = '\n<?xpacket end="w"?>'


def is_location_property(ns: str | None, local: str) -> bool:
    """Whether an XMP property names a place: what stripping for a link without location
    removes, and what `metadata` reports as location."""
    low = local.lower()
    if low in _XMP_LOCATION_NAMES or any(word in low for word in _LOCATION_WORDS):
        return True
    return (ns, local) == (_NS_DC, "coverage")


def _keep_property(ns: str | None, local: str, keep: KeepPolicy) -> bool:
    if ns in _NON_PROPERTY_NAMESPACES:
        return True
    if is_location_property(ns, local):
        return keep.location
    if (ns, local) in _XMP_SECONDARY_PROPS or ns == _NS_HDRGM:
        return False
    if keep.metadata:
        return True
    return ns in _XMP_RIGHTS_NAMESPACES or (ns, local) in _XMP_RIGHTS_PROPS


def _child_elements(node: minidom.Node) -> list[minidom.Element]:
    return [child for child in node.childNodes if isinstance(child, minidom.Element)]


def _remove_element(element: minidom.Element) -> None:
    """Remove an element with the indentation before it, so the packet stays readable."""
    parent = element.parentNode
    if not isinstance(parent, minidom.Element):
        return
    before = element.previousSibling
    if isinstance(before, minidom.Text) and not before.data.strip():
        parent.removeChild(before)
    parent.removeChild(element).unlink()


def _has_properties(desc: minidom.Element) -> bool:
    if _child_elements(desc):
        return True
    return any(a.namespaceURI not in _NON_PROPERTY_NAMESPACES for a in desc.attributes.values())


def xmp_encoding(data: bytes) -> str:
    """The Unicode encoding of an XMP packet, from its byte-order mark or its first '<'."""
    if data.startswith((b"\xfe\xff", b"\x00<")):
        return "utf-16-be"
    if data.startswith((b"\xff\xfe", b"<\x00")):
        return "utf-16-le"
    return "utf-8"


def _decode_xmp(data: bytes) -> str:
    """The packet as text, whatever its Unicode encoding, without padding or declaration."""
    try:
        text = data.decode(xmp_encoding(data))
    except UnicodeDecodeError as exc:
        raise _Malformed("XMP is not valid Unicode") from exc
    text = text.lstrip("\ufeff")
    trailer = text.rfind("<?xpacket end")
    close = text.find("?>", trailer) if trailer >= 0 else -1
    text = text[: close + 2] if close >= 0 else text.rstrip("\x00 \t\r\n")
    return _XML_DECLARATION.sub("", text, count=1)


class _Xmp:
    """A parsed XMP packet that can be filtered property by property and written back."""

    def __init__(self, data: bytes) -> None:
        text = _decode_xmp(data)
        # XMP forbids DTDs; refusing them up front rules out entity-expansion tricks.
        if "<!DOCTYPE" in text or "<!ENTITY" in text:
            raise _Malformed("XMP with a DTD")
        try:
            # The input is untrusted, but with DTDs refused above nothing can expand.
            self.doc = minidom.parseString(text)  # noqa: S318 - DTDs refused above
        except (ExpatError, ValueError, LookupError) as exc:
            raise _Malformed("XMP is not well-formed XML") from exc
        root = self.doc.documentElement
        if root is None:
            raise _Malformed("XMP without a root element")
        self.root: minidom.Element = root
        # minidom walks and writes trees recursively: refuse depths that would overflow.
        stack = [(root, 1)]
        while stack:
            element, depth = stack.pop()
            if depth > _MAX_XML_DEPTH:
                raise _Malformed("XMP nested too deeply")
            stack.extend((child, depth + 1) for child in _child_elements(element))

    def _descriptions(self) -> list[minidom.Element]:
        return [
            desc
            for rdf in self.doc.getElementsByTagNameNS(_NS_RDF, "RDF")
            for desc in _child_elements(rdf)
        ]

    def filter(self, keep: KeepPolicy) -> None:
        for desc in self._descriptions():
            for attr in list(desc.attributes.values()):
                if not _keep_property(attr.namespaceURI, attr.localName, keep):
                    desc.removeAttributeNode(attr)
            for child in _child_elements(desc):
                if not _keep_property(child.namespaceURI, child.localName, keep):
                    _remove_element(child)
        if not keep.location:
            self._remove_location(self.root)
        descriptions = self._descriptions()
        for desc in descriptions[1:] if descriptions else []:
            if not _has_properties(desc):
                _remove_element(desc)
        if descriptions and not _has_properties(descriptions[0]) and len(self._descriptions()) > 1:
            _remove_element(descriptions[0])

    def _remove_location(self, element: minidom.Element) -> None:
        """Location hides inside structures too (LocationShown/rdf:Bag/rdf:li/City...)."""
        for attr in list(element.attributes.values()):
            ns = attr.namespaceURI
            if ns not in _NON_PROPERTY_NAMESPACES and is_location_property(ns, attr.localName):
                element.removeAttributeNode(attr)
        for child in _child_elements(element):
            ns = child.namespaceURI
            if ns not in _NON_PROPERTY_NAMESPACES and is_location_property(ns, child.localName):
                _remove_element(child)
            else:
                self._remove_location(child)

    def is_empty(self) -> bool:
        for desc in self._descriptions():
            if _child_elements(desc):
                return False
            if any(
                a.namespaceURI not in _NON_PROPERTY_NAMESPACES for a in desc.attributes.values()
            ):
                return False
        return True

    def extended_guid(self) -> str | None:
        """The xmpNote:HasExtendedXMP value: which extended XMP belongs to this packet."""
        for desc in self._descriptions():
            if desc.hasAttributeNS(_NS_XMP_NOTE, "HasExtendedXMP"):
                return desc.getAttributeNS(_NS_XMP_NOTE, "HasExtendedXMP").strip()
            for child in desc.getElementsByTagNameNS(_NS_XMP_NOTE, "HasExtendedXMP"):
                return "".join(
                    n.data for n in child.childNodes if isinstance(n, minidom.Text)
                ).strip()
        return None

    def set_extended_guid(self, guid: str | None) -> None:
        descriptions = self._descriptions()
        for desc in descriptions:
            if desc.hasAttributeNS(_NS_XMP_NOTE, "HasExtendedXMP"):
                desc.removeAttributeNS(_NS_XMP_NOTE, "HasExtendedXMP")
            for child in list(desc.getElementsByTagNameNS(_NS_XMP_NOTE, "HasExtendedXMP")):
                _remove_element(child)
        if guid is not None and descriptions:
            desc = descriptions[0]
            desc.setAttributeNS(_NS_XMLNS, "xmlns:xmpNote", _NS_XMP_NOTE)
            desc.setAttributeNS(_NS_XMP_NOTE, "xmpNote:HasExtendedXMP", guid)

    def serialize(self, *, packet: bool = True) -> bytes:
        body = self.root.toxml()
        if packet:
            body = _XPACKET_HEADER + body + _XPACKET_TRAILER
        return body.encode("utf-8")


def _filter_xmp_bytes(data: bytes, keep: KeepPolicy) -> bytes | None:
    """Filter a standalone XMP packet; None when it is malformed or nothing is left."""
    try:
        xmp = _Xmp(data)
    except _Malformed:
        return None
    xmp.filter(keep)
    xmp.set_extended_guid(None)  # only JPEG has extended XMP; elsewhere the note dangles
    return None if xmp.is_empty() else xmp.serialize()


# JPEG ---------------------------------------------------------------------------------------

_SOI, _EOI, _SOS, _COM = 0xD8, 0xD9, 0xDA, 0xFE
_APP0, _APP1, _APP2, _APP13, _APP14 = 0xE0, 0xE1, 0xE2, 0xED, 0xEE
_EXIF_ID = b"Exif\x00"
_XMP_ID = b"http://ns.adobe.com/xap/1.0/\x00"
_XMP_EXT_ID = b"http://ns.adobe.com/xmp/extension/\x00"
_ICC_ID = b"ICC_PROFILE\x00"
_PHOTOSHOP_ID = b"Photoshop 3.0\x00"
_MAX_PAYLOAD = 65533
_XMP_EXT_CHUNK = 65400
# A marker inside entropy-coded data: 0xFF followed by anything but stuffing (0x00), a restart
# marker (RST0-7, which belong to the scan) or another 0xFF (fill bytes).
_SCAN_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


def _marker_name(marker: int) -> str:
    if 0xE0 <= marker <= 0xEF:
        return f"APP{marker - 0xE0}"
    names = {_SOS: "SOS", _COM: "COM", 0xDB: "DQT", 0xC4: "DHT", 0xDD: "DRI"}
    if marker in names:
        return names[marker]
    if 0xC0 <= marker <= 0xCF:
        return f"SOF{marker - 0xC0}"
    return f"0x{marker:02X}"


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes((0xFF, marker)) + (len(payload) + 2).to_bytes(2, "big") + payload


def _is_standalone(marker: int) -> bool:
    return marker == 0x01 or 0xD0 <= marker <= 0xD7


def _next_marker(r: _Reader) -> int:
    if r.at_end():
        raise StripError("JPEG ends before its image data (the file is truncated)")
    offset = r.offset
    first = r.take(1, "a segment header")[0]
    if first != 0xFF:
        raise StripError(
            f"JPEG is corrupt: expected a segment marker at byte {offset}, found 0x{first:02X}"
        )
    marker = r.take(1, "a segment header")[0]
    while marker == 0xFF:  # fill bytes
        marker = r.take(1, "a segment header")[0]
    if marker == 0x00:
        raise StripError(f"JPEG is corrupt: invalid marker 0xFF00 at byte {offset}")
    return marker


def _read_segment(r: _Reader, marker: int) -> bytes:
    offset = r.offset - 2
    length = int.from_bytes(r.take(2, "a segment header"), "big")
    if length < 2:
        raise StripError(
            f"JPEG is corrupt: the {_marker_name(marker)} segment at byte {offset} "
            f"declares a length of {length}"
        )
    return r.take(length - 2, f"the {_marker_name(marker)} segment")


def _filter_jpeg_segment(marker: int, payload: bytes, keep: KeepPolicy) -> bytes | None:
    """The payload to write for one segment (maybe rewritten), or None to drop the segment.

    APPn segments we cannot look into (maker blobs, FlashPix, MPF, GoPro, FLIR...) are dropped:
    they may carry location or serial numbers we could not see. XMP is handled by the caller.
    """
    if marker == _APP0:
        if payload.startswith(b"JFIF\x00"):
            if not keep.metadata and len(payload) > 14:  # drop the embedded thumbnail
                return payload[:12] + b"\x00\x00"
            return payload
        if payload.startswith(b"JFXX\x00"):  # JFIF extension: a thumbnail
            return payload if keep.metadata else None
        return None
    if marker == _APP1:
        if payload.startswith(_EXIF_ID) and len(payload) > 6:
            tiff = _filter_exif(payload[6:], keep)
            return None if tiff is None else b"Exif\x00\x00" + tiff
        if payload.startswith(_XMP_ID):
            xmp = _filter_xmp_bytes(payload[len(_XMP_ID) :], keep)
            return None if xmp is None else _XMP_ID + xmp
        return None
    if marker == _APP2:
        return payload if payload.startswith(_ICC_ID) else None
    if marker == _APP13:
        if payload.startswith(_PHOTOSHOP_ID):
            irb = _filter_irb(payload[len(_PHOTOSHOP_ID) :], keep)
            return None if irb is None else _PHOTOSHOP_ID + irb
        return None
    if marker == _APP14:
        return payload if payload.startswith(b"Adobe") else None
    if 0xE0 <= marker <= 0xEF:
        return None
    if marker == _COM:
        return payload if keep.metadata else None
    return payload  # tables, frame header, restart interval...: the image needs them


class _JpegHeader:
    """Collects the kept segments before the first scan.

    They are held until the first scan starts because the main XMP packet names its extended
    XMP by a digest that changes when the extension is filtered, and extension segments may come
    before or after it.
    """

    def __init__(self, keep: KeepPolicy) -> None:
        self.keep = keep
        self.items: list[bytes | None] = [bytes((0xFF, _SOI))]  # None: where the XMP goes
        self.size = 2
        self.main_xmp: bytes | None = None
        self.extensions: dict[bytes, list[tuple[int, int, bytes]]] = {}

    def _grow(self, n: int) -> None:
        self.size += n
        if self.size > _MAX_HEADER:
            raise StripError(
                f"JPEG has more than {_MAX_HEADER >> 20} MiB of metadata before its image data"
            )

    def add(self, marker: int, payload: bytes) -> None:
        if marker == _APP1 and payload.startswith(_XMP_ID) and self.main_xmp is None:
            self._grow(len(payload))
            self.main_xmp = payload[len(_XMP_ID) :]
            self.items.append(None)
            return
        if marker == _APP1 and payload.startswith(_XMP_EXT_ID):
            body = payload[len(_XMP_EXT_ID) :]
            if self.keep.metadata and len(body) > 40:
                self._grow(len(payload))
                full, offset = struct.unpack(">II", body[32:40])
                self.extensions.setdefault(body[:32], []).append((full, offset, body[40:]))
            return
        new = _filter_jpeg_segment(marker, payload, self.keep)
        if new is not None and len(new) <= _MAX_PAYLOAD:
            self._grow(len(new) + 4)
            self.items.append(_segment(marker, new))

    def _assemble_extension(self, guid: str) -> bytes | None:
        parts = self.extensions.get(guid.encode("ascii", "replace"))
        if not parts:
            return None
        full = parts[0][0]
        if full > _MAX_BLOCK or any(p[0] != full for p in parts):
            return None
        buf = bytearray(full)
        covered = 0
        for _, offset, chunk in parts:
            if offset + len(chunk) > full:
                return None
            buf[offset : offset + len(chunk)] = chunk
            covered += len(chunk)
        return bytes(buf) if covered == full else None

    def _xmp_segments(self) -> list[bytes]:
        if self.main_xmp is None:
            return []
        try:
            xmp = _Xmp(self.main_xmp)
        except _Malformed:
            return []
        guid = xmp.extended_guid()
        xmp.filter(self.keep)
        segments: list[bytes] = []
        new_guid = None
        extension = self._assemble_extension(guid) if guid and self.keep.metadata else None
        if extension is not None:
            with contextlib.suppress(_Malformed):
                ext = _Xmp(extension)
                ext.filter(self.keep)
                if not ext.is_empty():
                    data = ext.serialize(packet=False)
                    # The XMP specification names the extension by the MD5 of its content.
                    new_guid = hashlib.md5(data, usedforsecurity=False).hexdigest().upper()
                    for start in range(0, len(data), _XMP_EXT_CHUNK):
                        body = struct.pack(">II", len(data), start)
                        body += data[start : start + _XMP_EXT_CHUNK]
                        segments.append(_segment(_APP1, _XMP_EXT_ID + new_guid.encode() + body))
        xmp.set_extended_guid(new_guid)
        if xmp.is_empty():
            return []
        main = _XMP_ID + xmp.serialize()
        if len(main) > _MAX_PAYLOAD:
            return []
        return [_segment(_APP1, main), *segments]

    def finish(self) -> Iterator[bytes]:
        xmp = self._xmp_segments()
        for item in self.items:
            if item is None:
                yield from xmp
            else:
                yield item


def _strip_jpeg(r: _Reader, keep: KeepPolicy) -> Iterator[bytes]:
    """Rewrite the segments before the first scan, then copy the scans through untouched.

    Everything after the primary image's end-of-image marker is dropped: that is where MPF
    secondary images, depth and gain maps and motion-photo videos live, each with metadata
    (GPS included) of its own.
    """
    r.take(2, "its start-of-image marker")
    header = _JpegHeader(keep)
    while True:
        marker = _next_marker(r)
        if marker == _SOS:
            break
        if marker == _EOI:
            raise StripError("JPEG has no image data: it ends before its first scan")
        if marker == _SOI:
            raise StripError("JPEG is corrupt: a second start-of-image marker in its header")
        if _is_standalone(marker):
            continue
        header.add(marker, _read_segment(r, marker))
    sos = _read_segment(r, _SOS)
    yield from header.finish()
    yield _segment(_SOS, sos)
    yield from _copy_scans(r, keep)


def _copy_scans(r: _Reader, keep: KeepPolicy) -> Iterator[bytes]:
    """Copy entropy-coded data byte for byte up to and including the end-of-image marker.

    Segments between scans (progressive JPEG: more tables and scan headers) are copied too,
    except metadata segments, which get the same filtering as in the header.
    """
    while True:
        buf = r.buf
        found = _SCAN_MARKER.search(buf, r.pos)
        if found is None:
            end = len(buf)
            if end > r.pos and buf[end - 1] == 0xFF:
                end -= 1  # may start a marker: keep it for the next round
            if end > r.pos:
                yield buf[r.pos : end]
                r.pos = end
            if not r.more():
                raise StripError(
                    "JPEG ends inside the image data (no end-of-image marker; "
                    "the file is truncated)"
                )
            continue
        start = found.start()
        if start > r.pos:
            yield buf[r.pos : start]
        r.pos = start + 2
        marker = buf[start + 1]
        if marker == _EOI:
            yield bytes((0xFF, _EOI))
            return
        if marker == _SOI:
            raise StripError("JPEG is corrupt: a start-of-image marker inside the image data")
        if _is_standalone(marker):
            yield bytes((0xFF, marker))
            continue
        payload = _read_segment(r, marker)
        if marker == _APP1 and payload.startswith(_XMP_EXT_ID):
            continue
        new = _filter_jpeg_segment(marker, payload, keep)
        if new is not None and len(new) <= _MAX_PAYLOAD:
            yield _segment(marker, new)


# PNG ----------------------------------------------------------------------------------------

# Chunks that make up or colour the image; everything is copied except what is named below.
_PNG_IMAGE_CHUNKS = frozenset(
    {
        b"IHDR",
        b"PLTE",
        b"IDAT",
        b"tRNS",
        b"cHRM",
        b"gAMA",
        b"iCCP",
        b"sBIT",
        b"sRGB",
        b"cICP",
        b"mDCV",
        b"mDCv",
        b"cLLI",
        b"cLLi",
        b"bKGD",
        b"hIST",
        b"pHYs",
        b"sPLT",
        b"acTL",
        b"fcTL",
        b"fdAT",
        b"sCAL",
        b"oFFs",
        b"pCAL",
        b"sTER",
    }
)
_PNG_METADATA_CHUNKS = frozenset({b"eXIf", b"tEXt", b"zTXt", b"iTXt", b"tIME"})
_PNG_XMP_KEYWORD = "XML:com.adobe.xmp"
_PNG_RAW_PROFILE = "raw profile type "
_PNG_ALWAYS_KEYWORDS = frozenset({"author", "copyright"})
_RAW_PROFILE_TEXT = re.compile(rb"\s*(\S+)\s*\n\s*(\d+)\s*\n(.*)", re.DOTALL)


def _png_chunk(ctype: bytes, data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + ctype + data + zlib.crc32(ctype + data).to_bytes(4, "big")


def _inflate(data: bytes) -> bytes:
    """Decompress with a ceiling, so a tiny text chunk cannot unfold into gigabytes."""
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, _MAX_TEXT)
    except zlib.error as exc:
        raise _Malformed("bad compressed text") from exc
    if inflater.unconsumed_tail:
        raise _Malformed("compressed text too large")
    return out


def _parse_png_text(ctype: bytes, data: bytes) -> tuple[str, bytes]:
    """Keyword and (decompressed) text of a tEXt, zTXt or iTXt chunk."""
    nul = data.find(b"\x00")
    if not 1 <= nul <= 79:
        raise _Malformed("text chunk without a keyword")
    keyword = data[:nul].decode("latin-1")
    rest = data[nul + 1 :]
    if ctype == b"tEXt":
        return keyword, rest
    if ctype == b"zTXt":
        if not rest or rest[0] != 0:
            raise _Malformed("unknown compression")
        return keyword, _inflate(rest[1:])
    if len(rest) < 2:
        raise _Malformed("iTXt chunk truncated")
    compressed, method = rest[0], rest[1]
    lang_end = rest.find(b"\x00", 2)
    translated_end = rest.find(b"\x00", lang_end + 1) if lang_end >= 0 else -1
    if translated_end < 0:
        raise _Malformed("iTXt chunk truncated")
    text = rest[translated_end + 1 :]
    if compressed:
        if method != 0:
            raise _Malformed("unknown compression")
        text = _inflate(text)
    return keyword, text


def _filter_blob(data: bytes, keep: KeepPolicy) -> bytes | None:
    """Filter a metadata block recognised by its content (ImageMagick's raw profiles)."""
    if data.startswith(_EXIF_ID) and len(data) > 6:
        tiff = _filter_exif(data[6:], keep)
        return None if tiff is None else b"Exif\x00\x00" + tiff
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return _filter_exif(data, keep)
    if data.startswith(_PHOTOSHOP_ID):
        irb = _filter_irb(data[len(_PHOTOSHOP_ID) :], keep)
        return None if irb is None else _PHOTOSHOP_ID + irb
    if data[:4] in _IRB_SIGNATURES:
        return _filter_irb(data, keep)
    if data[:1] == b"\x1c":
        try:
            return _filter_iim(data, keep) or None
        except _Malformed:
            return None
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return _filter_xmp_bytes(data, keep)
    return None


def _filter_raw_profile(text: bytes, keep: KeepPolicy) -> bytes | None:
    """ImageMagick's "Raw profile type ..." text: a name, a length and the block in hex."""
    match = _RAW_PROFILE_TEXT.match(text)
    if match is None:
        return None
    length = int(match[2])
    try:
        data = bytes.fromhex(re.sub(rb"\s+", b"", match[3]).decode("ascii"))
    except (ValueError, UnicodeDecodeError):
        return None
    if len(data) < length:
        return None
    new = _filter_blob(data[:length], keep)
    if new is None:
        return None
    digits = new.hex()
    lines = "\n".join(digits[i : i + 72] for i in range(0, len(digits), 72))
    return b"\n" + match[1] + b"\n" + f"{len(new):8d}\n{lines}\n".encode("ascii")


def _filter_png_text(ctype: bytes, data: bytes, keep: KeepPolicy) -> tuple[bytes, bytes] | None:
    try:
        keyword, text = _parse_png_text(ctype, data)
    except _Malformed:
        return None
    if keyword == _PNG_XMP_KEYWORD:
        xmp = _filter_xmp_bytes(text, keep)
        if xmp is None:
            return None
        return b"iTXt", keyword.encode("latin-1") + b"\x00\x00\x00\x00\x00" + xmp
    low = keyword.lower()
    if low.startswith(_PNG_RAW_PROFILE):
        if low[len(_PNG_RAW_PROFILE) :] in ("icc", "icm"):
            return ctype, data  # a colour profile, which always stays
        profile = _filter_raw_profile(text, keep)
        if profile is None:
            return None
        return b"zTXt", keyword.encode("latin-1") + b"\x00\x00" + zlib.compress(profile)
    if any(word in low for word in (*_LOCATION_WORDS, "location")):
        return (ctype, data) if keep.location else None
    if low in _PNG_ALWAYS_KEYWORDS or keep.metadata:
        return ctype, data
    return None


def _filter_png_chunk(ctype: bytes, data: bytes, keep: KeepPolicy) -> tuple[bytes, bytes] | None:
    if ctype == b"tIME":
        return (ctype, data) if keep.metadata else None
    if ctype == b"eXIf":
        prefix = data[:6] if data.startswith(_EXIF_ID) else b""
        tiff = _filter_exif(data[len(prefix) :], keep)
        return None if tiff is None else (ctype, prefix + tiff)
    return _filter_png_text(ctype, data, keep)


def _strip_png(r: _Reader, keep: KeepPolicy) -> Iterator[bytes]:
    """Copy image chunks through, rewrite metadata chunks, drop unknown ancillary chunks.

    Unknown critical chunks (upper-case first letter) are kept: a decoder cannot do without
    them. Anything after IEND is dropped.
    """
    yield r.take(8, "its signature")
    while True:
        if r.at_end():
            raise StripError("PNG ends before its IEND chunk (the file is truncated)")
        offset = r.offset
        head = r.take(8, "a chunk header")
        length = int.from_bytes(head[:4], "big")
        ctype = head[4:]
        if not ctype.isalpha() or not ctype.isascii():
            raise StripError(f"PNG is corrupt: invalid chunk type {ctype!r} at byte {offset}")
        if length > 0x7FFFFFFF:
            raise StripError(
                f"PNG is corrupt: the {ctype.decode()} chunk at byte {offset} is too long"
            )
        what = f"the {ctype.decode()} chunk"
        if ctype == b"IEND":
            yield head
            yield from r.copy(length + 4, what)
            return
        if ctype in _PNG_IMAGE_CHUNKS or ctype[:1].isupper():
            yield head
            yield from r.copy(length + 4, what)
        elif ctype in _PNG_METADATA_CHUNKS and length <= _MAX_BLOCK:
            data = r.take(length, what)
            r.take(4, what)
            new = _filter_png_chunk(ctype, data, keep)
            if new is not None:
                yield _png_chunk(*new)
        else:
            r.skip(length + 4, what)


# WebP ---------------------------------------------------------------------------------------

_WEBP_IMAGE_CHUNKS = frozenset({b"VP8X", b"VP8 ", b"VP8L", b"ALPH", b"ANIM", b"ANMF", b"ICCP"})
_VP8X_EXIF = 0x08
_VP8X_XMP = 0x04


def _strip_webp(src: BinaryIO, head: bytes, keep: KeepPolicy, chunk_size: int) -> Iterator[bytes]:
    """Two passes: plan the chunks (the RIFF size comes first), then copy.

    The metadata chunks sit after the image data, but the RIFF header that precedes everything
    holds the total size, so the source must be seekable; an unseekable one is spooled to a
    temporary file first.
    """
    seekable = getattr(src, "seekable", None)
    if seekable is not None and seekable():
        base = src.tell() - len(head)
        yield from _strip_webp_seekable(src, base, keep, chunk_size)
        return
    with tempfile.SpooledTemporaryFile(max_size=4 * chunk_size) as spool:
        spool.write(head)
        while data := src.read(chunk_size):
            spool.write(data)
        spool.seek(0)
        yield from _strip_webp_seekable(spool, 0, keep, chunk_size)


def _strip_webp_seekable(
    src: IO[bytes], base: int, keep: KeepPolicy, chunk_size: int
) -> Iterator[bytes]:
    file_end = src.seek(0, io.SEEK_END)
    src.seek(base)
    header = src.read(12)
    riff_end = base + 8 + int.from_bytes(header[4:8], "little")
    if riff_end < base + 12:
        raise StripError("WebP is corrupt: its RIFF header declares an impossible size")
    plan: list[tuple[bytes, int, int, bytes | None]] = []  # fourcc, offset, size, new data
    pos = base + 12
    has_exif = has_xmp = False
    while pos + 8 <= riff_end:
        if pos + 8 > file_end:
            raise StripError("WebP ends inside a chunk header (the file is truncated)")
        src.seek(pos)
        chunk_head = src.read(8)
        fourcc = chunk_head[:4]
        size = int.from_bytes(chunk_head[4:], "little")
        start = pos + 8
        name = fourcc.decode("latin-1").strip()
        if start + size > min(riff_end, file_end):
            raise StripError(f"WebP ends inside the {name} chunk (the file is truncated)")
        pos = start + size + (size & 1)
        if fourcc in _WEBP_IMAGE_CHUNKS:
            new = None
            if fourcc == b"VP8X":
                if size > 1024:  # the header is 10 bytes
                    raise StripError(f"WebP is corrupt: its VP8X chunk declares {size} bytes")
                new = src.read(size)
            plan.append((fourcc, start, size, new))
        elif fourcc in (b"EXIF", b"XMP ") and size <= _MAX_BLOCK:
            data = src.read(size)
            if fourcc == b"EXIF":
                prefix = data[:6] if data.startswith(_EXIF_ID) else b""
                tiff = _filter_exif(data[len(prefix) :], keep)
                new = None if tiff is None else prefix + tiff
                has_exif = has_exif or new is not None
            else:
                new = _filter_xmp_bytes(data, keep)
                has_xmp = has_xmp or new is not None
            if new is not None:
                plan.append((fourcc, start, len(new), new))
        # other chunks: unknown metadata, dropped
    if pos < riff_end and riff_end > file_end:
        raise StripError("WebP ends inside its RIFF container (the file is truncated)")
    for i, (fourcc, start, size, new) in enumerate(plan):
        if fourcc == b"VP8X" and new:
            flags = new[0] & ~(_VP8X_EXIF | _VP8X_XMP)
            flags |= (_VP8X_EXIF if has_exif else 0) | (_VP8X_XMP if has_xmp else 0)
            plan[i] = (fourcc, start, size, bytes((flags,)) + new[1:])
    total = 4 + sum(8 + size + (size & 1) for _, _, size, _ in plan)
    yield b"RIFF" + total.to_bytes(4, "little") + b"WEBP"
    for fourcc, start, size, new in plan:
        yield fourcc + size.to_bytes(4, "little")
        if new is not None:
            yield new
        else:
            src.seek(start)
            left = size
            while left > 0:
                data = src.read(min(chunk_size, left))
                if not data:
                    raise StripError(f"WebP ends inside the {fourcc.decode('latin-1')} chunk")
                yield data
                left -= len(data)
        if size & 1:
            yield b"\x00"
