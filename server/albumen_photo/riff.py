"""WebP (RIFF): chunks read and stripped.

Why: WebP keeps EXIF and XMP in chunks of their own after the image data, and flags them in
its VP8X header; stripping drops or rewrites those chunks and fixes the flags and the RIFF size.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, BinaryIO

from albumen_photo.byteio import RandomAccess, seekable_source
from albumen_photo.errors import Malformed, StripError, Truncated
from albumen_photo.exif import filter_exif
from albumen_photo.jpeg import EXIF_ID
from albumen_photo.policy import KeepPolicy
from albumen_photo.xmp import filter_xmp_bytes

__all__ = ["RiffChunk", "riff_chunks", "strip_webp"]

_MAX_BLOCK = 64 << 20  # one metadata chunk

_WEBP_IMAGE_CHUNKS = frozenset({b"VP8X", b"VP8 ", b"VP8L", b"ALPH", b"ANIM", b"ANMF", b"ICCP"})
_VP8X_EXIF = 0x08
_VP8X_XMP = 0x04


def strip_webp(src: BinaryIO, head: bytes, keep: KeepPolicy, chunk_size: int) -> Iterator[bytes]:
    """Two passes: plan the chunks (the RIFF size comes first), then copy.

    The metadata chunks sit after the image data, but the RIFF header that precedes everything
    holds the total size, so the source must be seekable; an unseekable one is spooled to a
    temporary file first.
    """
    with seekable_source(src, head, chunk_size) as (source, base):
        yield from _strip_webp_seekable(source, base, keep, chunk_size)


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
                prefix = data[:6] if data.startswith(EXIF_ID) else b""
                tiff = filter_exif(data[len(prefix) :], keep)
                new = None if tiff is None else prefix + tiff
                has_exif = has_exif or new is not None
            else:
                new = filter_xmp_bytes(data, keep)
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


@dataclass(frozen=True)
class RiffChunk:
    """One top-level chunk of a RIFF file: its FourCC, where its data starts, its size."""

    fourcc: bytes
    offset: int
    size: int


def riff_chunks(source: bytes | RandomAccess) -> Iterator[RiffChunk]:
    """The top-level chunks of a RIFF (WebP) file. Read EXIF and XMP data with
    ``source.read(chunk.offset, chunk.size)``; the EXIF chunk may start with "Exif\\0\\0".
    Raises :class:`Malformed` where the structure breaks."""
    ra = source if isinstance(source, RandomAccess) else RandomAccess(source)
    header = ra.read(0, 12)
    if header[:4] != b"RIFF":
        raise Malformed("not a RIFF file")
    riff_end = 8 + int.from_bytes(header[4:8], "little")
    end = min(riff_end, ra.size)
    pos = 12
    while pos + 8 <= end:
        head = ra.read(pos, 8)
        size = int.from_bytes(head[4:], "little")
        if pos + 8 + size > end:
            name = head[:4].decode("latin-1").strip()
            if riff_end > ra.size:  # the container itself is cut short
                raise Truncated(f"the {name} chunk at byte {pos} runs past the end of the file")
            raise Malformed(f"the {name} chunk at byte {pos} runs past its RIFF container")
        yield RiffChunk(head[:4], pos + 8, size)
        pos += 8 + size + (size & 1)
