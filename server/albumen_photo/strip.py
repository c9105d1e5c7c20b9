"""Lossless metadata removal: the one public entry the client and the server share.

Why this module exists: a viewer of a shared album must not learn where a photo was taken (and,
unless the owner allows it, which camera, lens, serial number or software made it), while the
photo itself must reach the viewer unchanged. So the image data is never decoded or re-encoded:
JPEG, PNG and WebP have their metadata containers rewritten (:mod:`~albumen_photo.jpeg`,
:mod:`~albumen_photo.png`, :mod:`~albumen_photo.riff`); TIFF, DNG, the RAW formats, HEIF/HEIC
and AVIF, webs of absolute offsets, have their metadata blanked in place, the file keeping its
exact length (:mod:`~albumen_photo.inplace`). Either way the image bytes are copied through
untouched, in bounded memory, so that a 1 GB file costs no more RAM than a small one.

What always stays, whatever the policy: EXIF Orientation (so no photo turns), Artist and
Copyright (the photographer's credit), the ICC colour profile, the JFIF and Adobe markers the
decoder needs, and the rights and creator fields of XMP and IPTC. Everything else is removed
unless :class:`KeepPolicy` allows it. Where a block cannot be understood (malformed EXIF, XMP or
IPTC), it is dropped rather than passed on: privacy wins over completeness.

Only the standard library is used by this layer's containers, so both the desktop client and the
server can import them, and nothing in them depends on Qt.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from albumen_photo.byteio import (
    ForwardReader,
    coalesce,
    copy_with_patches,
    read_head,
    seekable_source,
)
from albumen_photo.errors import StripError, UnsupportedFormat
from albumen_photo.formats import FORMAT_NAMES, PhotoFormat, sniff_format
from albumen_photo.inplace import IN_PLACE_FORMATS, in_place_patches
from albumen_photo.jpeg import strip_jpeg
from albumen_photo.png import strip_png
from albumen_photo.policy import KeepPolicy
from albumen_photo.riff import strip_webp

__all__ = [
    "StripError",
    "UnsupportedFormat",
    "can_strip",
    "original_withheld",
    "strip_bytes",
    "strip_file",
    "strip_stream",
]

_MIN_CHUNK = 64
_REWRITTEN = frozenset({"jpeg", "png", "webp"})
_STRIPPABLE = _REWRITTEN | IN_PLACE_FORMATS
_PRIVATE = KeepPolicy()


# Formats with no metadata container at all: their bytes go out as they are.
_NOTHING_TO_STRIP = frozenset({"bmp"})
# RAW formats whose maker note holds what a decoder needs to develop the picture, and which
# Albumen cannot tell apart from places a maker note may hold (Nikon's is handled by entry).
_MAKER_NOTE_DEVELOPS = frozenset({"iiq"})


def original_withheld(fmt: PhotoFormat | None, keep: KeepPolicy) -> str | None:
    """Why a link with ``keep`` cannot offer the original of a file of format ``fmt``, in
    words fit for the owner; None when it can. The one rule for the server, which then answers
    409, and for the owner's preview, which says so beforehand."""
    if keep.keeps_everything:
        return None
    if fmt is None:
        return "its format is unknown, so nothing can be removed from it safely"
    name = fmt.name
    if fmt.key in _NOTHING_TO_STRIP:
        return None
    raw = fmt.kind in ("raw-tiff", "raw-other")
    technical = fmt.key in _STRIPPABLE or (fmt.kind == "raw-tiff") or fmt.key == "heic"
    if not technical:
        return f"{name} files cannot have metadata removed without re-encoding"
    if raw and not keep.metadata:
        return (
            f"{name} files need their camera details to be developed: their originals are "
            "offered only on links that show camera details"
        )
    if fmt.key in _MAKER_NOTE_DEVELOPS and not keep.location:
        return (
            f"{name} files need their maker note to be developed, and a maker note can hold a "
            "place: their originals are offered only on links that show location"
        )
    return None


def can_strip(head: bytes, keep: KeepPolicy = _PRIVATE) -> bool:
    """True when :func:`strip_stream` can honour ``keep`` for a file starting with ``head``.

    Lets callers decide up front (for instance, to offer only "original with metadata" for a
    format that cannot be stripped) without starting a strip that would fail. The default
    policy is the strictest one. A file can still fail later when it turns out to be damaged or
    to hold metadata where it should not (a HEIF with an unknown box, say).
    """
    fmt = sniff_format(head)
    return keep.keeps_everything or fmt in _STRIPPABLE or fmt in _NOTHING_TO_STRIP


def _unsupported(fmt: str | None) -> UnsupportedFormat:
    if fmt is None:
        return UnsupportedFormat(
            "Unrecognised file format: metadata cannot be removed from it without re-encoding."
        )
    name = FORMAT_NAMES.get(fmt, fmt.upper())
    return UnsupportedFormat(
        f"Cannot remove metadata from {name} files without re-encoding them: Albumen strips "
        "JPEG, PNG, WebP, HEIF/HEIC, AVIF, TIFF, DNG and the RAW formats CR2, CR3, NEF, ARW, "
        "ORF, RW2, PEF, SRW and RAF."
    )


# Public entry points ------------------------------------------------------------------------


def strip_stream(src: BinaryIO, keep: KeepPolicy, *, chunk_size: int = 1 << 20) -> Iterator[bytes]:
    """Read ``src`` (positioned at its start) and yield the file with metadata removed.

    Only the metadata segments and chunks are held in memory; the image data is copied through
    in pieces of about ``chunk_size`` bytes, so memory stays bounded for a file of any size and
    the output can be streamed straight to a socket or a file. No yielded piece is larger than
    about ``2 * chunk_size``.

    With ``KeepPolicy(location=True, metadata=True)`` the file passes through unchanged, whatever
    its format. Otherwise the formats :func:`can_strip` accepts are stripped (in-place formats
    need a seekable source; an unseekable one is spooled to a temporary file) and any other
    format raises :class:`UnsupportedFormat`, as does a file holding metadata where it cannot be
    vouched for (a HEIF with an unknown top-level box); a corrupt or truncated file raises
    :class:`StripError`. Errors are raised while iterating, possibly after some pieces were
    yielded, so write to a temporary place (as :func:`strip_file` does) and discard it on error.
    """
    if chunk_size < _MIN_CHUNK:
        raise ValueError(f"chunk_size must be at least {_MIN_CHUNK} bytes")
    yield from coalesce(_strip_pieces(src, keep, chunk_size), chunk_size)


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
    head = read_head(src)
    if keep.keeps_everything:
        yield head
        while data := src.read(chunk_size):
            yield data
        return
    if not head:
        raise StripError("The file is empty")
    fmt = sniff_format(head)
    if fmt == "jpeg":
        yield from strip_jpeg(ForwardReader(src, head, chunk_size, "JPEG"), keep)
    elif fmt == "png":
        yield from strip_png(ForwardReader(src, head, chunk_size, "PNG"), keep)
    elif fmt == "webp":
        yield from strip_webp(src, head, keep, chunk_size)
    elif fmt in IN_PLACE_FORMATS:
        yield from _strip_in_place(src, head, fmt, keep, chunk_size)
    elif fmt in _NOTHING_TO_STRIP:
        yield head
        while data := src.read(chunk_size):
            yield data
    else:
        raise _unsupported(fmt)


def _strip_in_place(
    src: BinaryIO, head: bytes, fmt: str, keep: KeepPolicy, chunk_size: int
) -> Iterator[bytes]:
    """Blank the metadata of an offset-based container without moving a byte.

    The patches are computed from the structure first (with seeks: metadata may sit anywhere),
    then the file is copied through with them applied. An unseekable source is spooled to a
    temporary file first.
    """
    with seekable_source(src, head, chunk_size) as (source, start):
        patches = in_place_patches(source, fmt, keep, start=start)
        yield from copy_with_patches(source, patches, chunk_size, start=start)
