"""JPEG: the header segments (APPn, COM) and the scans, read, stripped, or blanked in place.

Why: JPEG is where most photos keep their EXIF (APP1), XMP (APP1, extended across several
segments), ICC profile (APP2) and IPTC (APP13), and where phones append secondary images after
the primary one. Stripping rewrites the header segments and copies the entropy-coded scans
byte for byte; inside a RAW file (a RAF's preview, an RW2's JpgFromRaw) the same metadata is
blanked in place instead, so the enclosing file's offsets stay valid.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass

from albumen_photo.byteio import ForwardReader, Patch, RandomAccess
from albumen_photo.errors import Malformed, StripError
from albumen_photo.exif import blank_patches, filter_exif
from albumen_photo.iim import blank_irb, blank_tiff_block, filter_irb
from albumen_photo.policy import KeepPolicy
from albumen_photo.tiff import Tiff
from albumen_photo.xmp import Xmp, blank_xmp, filter_xmp_bytes

__all__ = [
    "EXIF_ID",
    "PHOTOSHOP_ID",
    "XMP_ID",
    "Segment",
    "jpeg_patches",
    "jpeg_segments",
    "strip_jpeg",
]

_MAX_HEADER = 64 << 20  # kept JPEG segments before the first scan
_MAX_BLOCK = 64 << 20  # an extended XMP
_SOI, _EOI, _SOS, _COM = 0xD8, 0xD9, 0xDA, 0xFE
_APP0, _APP1, _APP2, _APP13, _APP14 = 0xE0, 0xE1, 0xE2, 0xED, 0xEE
EXIF_ID = b"Exif\x00"
XMP_ID = b"http://ns.adobe.com/xap/1.0/\x00"
_XMP_EXT_ID = b"http://ns.adobe.com/xmp/extension/\x00"
_ICC_ID = b"ICC_PROFILE\x00"
PHOTOSHOP_ID = b"Photoshop 3.0\x00"
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


def _next_marker(r: ForwardReader) -> int:
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


def _read_segment(r: ForwardReader, marker: int) -> bytes:
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
        if payload.startswith(EXIF_ID) and len(payload) > 6:
            tiff = filter_exif(payload[6:], keep)
            return None if tiff is None else b"Exif\x00\x00" + tiff
        if payload.startswith(XMP_ID):
            xmp = filter_xmp_bytes(payload[len(XMP_ID) :], keep)
            return None if xmp is None else XMP_ID + xmp
        return None
    if marker == _APP2:
        return payload if payload.startswith(_ICC_ID) else None
    if marker == _APP13:
        if payload.startswith(PHOTOSHOP_ID):
            irb = filter_irb(payload[len(PHOTOSHOP_ID) :], keep)
            return None if irb is None else PHOTOSHOP_ID + irb
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
        if marker == _APP1 and payload.startswith(XMP_ID) and self.main_xmp is None:
            self._grow(len(payload))
            self.main_xmp = payload[len(XMP_ID) :]
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
            xmp = Xmp(self.main_xmp)
        except Malformed:
            return []
        guid = xmp.extended_guid()
        xmp.filter(self.keep)
        segments: list[bytes] = []
        new_guid = None
        extension = self._assemble_extension(guid) if guid and self.keep.metadata else None
        if extension is not None:
            with contextlib.suppress(Malformed):
                ext = Xmp(extension)
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
        main = XMP_ID + xmp.serialize()
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


def strip_jpeg(r: ForwardReader, keep: KeepPolicy) -> Iterator[bytes]:
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


def _copy_scans(r: ForwardReader, keep: KeepPolicy) -> Iterator[bytes]:
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


# Reading and in-place blanking -----------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    """One header segment: its marker, where its payload starts, and the payload."""

    marker: int
    offset: int  # of the payload (after the 4-byte marker and length), relative to the JPEG
    payload: bytes


def jpeg_segments(source: bytes | RandomAccess) -> Iterator[Segment]:
    """The segments before the first scan (the scan header, SOS, included last).

    Raises :class:`Malformed` where the structure breaks; segments read so far were yielded.
    """
    ra = source if isinstance(source, RandomAccess) else RandomAccess(source)
    if ra.size < 4 or ra.read(0, 2) != b"\xff\xd8":
        raise Malformed("not a JPEG")
    pos = 2
    while True:
        head = ra.read(pos, 2)
        while head == b"\xff\xff":  # fill bytes
            pos += 1
            head = ra.read(pos, 2)
        if head[0] != 0xFF or head[1] in (0x00, _EOI, _SOI):
            raise Malformed(f"no segment marker at byte {pos}")
        marker = head[1]
        if _is_standalone(marker):
            pos += 2
            continue
        length = int.from_bytes(ra.read(pos + 2, 2), "big")
        if length < 2:
            raise Malformed(f"segment at byte {pos} declares a length of {length}")
        yield Segment(marker, pos + 4, ra.read(pos + 4, length - 2))
        if marker == _SOS:
            return
        pos += 2 + length


def jpeg_patches(source: RandomAccess, keep: KeepPolicy) -> list[Patch]:
    """Blank in place what ``keep`` hides in a JPEG embedded in another file (a RAW's preview),
    and in the images appended after it (MPF secondary images carry EXIF and GPS of their own).

    EXIF is blanked tag by tag, XMP property by property and IPTC dataset by dataset; EXIF that
    cannot be read is zeroed whole; a comment or an APPn segment this module cannot look into is
    overwritten (comments with spaces when camera details are hidden, unknown APPn with zeros
    whenever anything is hidden). Offsets are absolute. Raises :class:`Malformed` when the JPEG
    structure itself cannot be read.
    """
    if keep.keeps_everything:
        return []
    patches, scan_start = _header_patches(source, keep)
    for start in _later_images(source, scan_start):
        with contextlib.suppress(Malformed):
            patches += _header_patches(source.sub(start, source.size - start), keep)[0]
    return patches


def _header_patches(source: RandomAccess, keep: KeepPolicy) -> tuple[list[Patch], int]:
    """The patches for one JPEG's header segments, and where its scan data starts."""
    patches: list[Patch] = []
    end = 2
    for seg in jpeg_segments(source):
        at = source.base + seg.offset
        payload = seg.payload
        end = seg.offset + len(payload)
        new: bytes | None = None
        if seg.marker == _APP1 and payload.startswith(EXIF_ID) and len(payload) > 6:
            try:
                tiff = Tiff(source.sub(seg.offset + 6, len(payload) - 6))
                patches += blank_patches(tiff, keep, blank_block=blank_tiff_block)
            except Malformed:  # what cannot be read cannot be vouched for
                new = payload[:6] + bytes(len(payload) - 6)
        elif seg.marker == _APP1 and payload.startswith(XMP_ID):
            new = payload[: len(XMP_ID)] + blank_xmp(payload[len(XMP_ID) :], keep)
        elif seg.marker == _APP13 and payload.startswith(PHOTOSHOP_ID):
            new = payload[: len(PHOTOSHOP_ID)] + blank_irb(payload[len(PHOTOSHOP_ID) :], keep)
        elif seg.marker == _COM and not keep.metadata:
            new = b" " * len(payload)
        elif 0xE0 <= seg.marker <= 0xEF and not _known_app(seg.marker, payload):
            new = bytes(len(payload))
        if new is not None and new != payload:
            patches.append((at, new))
    return patches, end


def _later_images(source: RandomAccess, start: int) -> Iterator[int]:
    """Offsets of the JPEGs that start after ``start`` (after the first image's header).

    Entropy-coded data never holds 0xFF 0xD8 (0xFF is stuffed there), so a start-of-image
    marker followed by another marker is the start of another image.
    """
    step = 1 << 20
    pos = start
    while pos < source.size:
        data = source.read(pos, min(step + 3, source.size - pos))
        found = data.find(b"\xff\xd8\xff")
        while 0 <= found < step:
            yield pos + found
            found = data.find(b"\xff\xd8\xff", found + 3)
        pos += step


def _known_app(marker: int, payload: bytes) -> bool:
    return (
        (marker == _APP0 and payload.startswith((b"JFIF\x00", b"JFXX\x00")))
        or (marker == _APP1 and payload.startswith(XMP_ID))
        or (marker == _APP2 and payload.startswith(_ICC_ID))
        or (marker == _APP14 and payload.startswith(b"Adobe"))
    )
