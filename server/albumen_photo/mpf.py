"""MPF (CIPA DC-007, the Multi-Picture Format): the images a camera appends after a JPEG's end.

Why: Fujifilm, Sony, Nikon, Pentax and others store after the photo a "large thumbnail" of it,
640 to 1920 pixels wide, encoded by the camera from the same capture. Decoding it takes a few
milliseconds where a 24 MP photo takes 150 ms even at 1/8 scale (the Huffman decoding of the
whole file comes first, whatever the scale), so the app's grid makes its thumbnails from it
when it is large enough (`albumen.core.thumbnails`). The primary image's APP2 segment "MPF\\0"
holds a TIFF structure, the MP header; its index directory lists every image with its type,
its length and its offset from that header. The stripper drops all of it (`jpeg.strip_jpeg`):
what is read here never reaches a viewer.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from albumen_photo.byteio import RandomAccess
from albumen_photo.errors import Malformed
from albumen_photo.jpeg import jpeg_segments
from albumen_photo.tiff import Tiff

__all__ = ["MpImage", "large_thumbnails", "mp_images"]

MPF_ID = b"MPF\x00"
_APP2 = 0xE2
_MP_ENTRY = 0xB002
_ENTRY_SIZE = 16
_MAX_IMAGES = 64  # the index of a camera's file lists two or three; a panorama a few dozen
_FORMAT_JPEG = 0
_LARGE_THUMBNAIL = 0x010000  # the class of MP types 0x010001 (VGA) to 0x010004 (8K)


@dataclass(frozen=True)
class MpImage:
    """One image the index lists after the primary: where it starts in the file, its length,
    and its MP type code (0x010002: a large thumbnail of full-HD size, 0x020002: the other eye
    of a stereo pair...)."""

    offset: int
    size: int
    mp_type: int

    @property
    def is_large_thumbnail(self) -> bool:
        return self.mp_type & 0xFF0000 == _LARGE_THUMBNAIL


def mp_images(source: RandomAccess) -> list[MpImage]:
    """The JPEG images the JPEG's MPF index lists after the primary one, each lying whole in
    the file and starting with a JPEG's start-of-image marker; [] for a JPEG without MPF, or
    whose index cannot be read (a camera's own file is never so; a file rewritten by a tool
    that kept the segment but not the images after the end may be).

    Raises :class:`Malformed` when the JPEG's header segments themselves cannot be read.
    """
    for segment in jpeg_segments(source):
        if segment.marker == _APP2 and segment.payload.startswith(MPF_ID):
            header_at = segment.offset + len(MPF_ID)  # where the entries' offsets count from
            try:
                return _listed(source, segment.payload[len(MPF_ID) :], header_at)
            except (Malformed, struct.error):
                return []
    return []


def large_thumbnails(source: RandomAccess) -> list[MpImage]:
    """The camera's large thumbnails among :func:`mp_images`, smallest file first."""
    found = [image for image in mp_images(source) if image.is_large_thumbnail]
    return sorted(found, key=lambda image: image.size)


def _listed(source: RandomAccess, header: bytes, header_at: int) -> list[MpImage]:
    tiff = Tiff(header)
    entry = tiff.read_ifd(tiff.ifd0).get(_MP_ENTRY)
    data = None if entry is None else tiff.value_bytes(entry)
    if not data or len(data) % _ENTRY_SIZE or len(data) // _ENTRY_SIZE > _MAX_IMAGES:
        return []
    images: list[MpImage] = []
    for at in range(0, len(data), _ENTRY_SIZE):
        attribute, size, offset = struct.unpack_from(tiff.order + "III", data, at)
        if offset == 0 or (attribute >> 24) & 0x7 != _FORMAT_JPEG:
            continue  # the primary image itself (always at offset 0), or not a JPEG
        start = header_at + offset
        if size < 4 or start + size > source.size or source.read(start, 2) != b"\xff\xd8":
            continue  # points outside the file or at something else: listed, but not there
        images.append(MpImage(start, size, attribute & 0xFFFFFF))
    return images
