"""Reading files in bounded memory: a forward reader for streamed rewrites, random access for
in-place patching, and the copy that applies patches.

Why one module: every container (JPEG, PNG, WebP, TIFF, ISOBMFF) needs either a forward reader
that turns a short read into a clear :class:`StripError`, or random access to a seekable file
whose metadata sits at offsets the header names. Both keep memory bounded for files of any size.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import BinaryIO

from albumen_photo.errors import Malformed, StripError, Truncated

__all__ = [
    "MAX_BLOCK",
    "ForwardReader",
    "Patch",
    "RandomAccess",
    "coalesce",
    "copy_with_patches",
    "read_head",
    "zeros",
]

HEAD_SIZE = 64


def read_head(src: BinaryIO, size: int = HEAD_SIZE) -> bytes:
    """The first ``size`` bytes of ``src`` (fewer only at the end of the file)."""
    head = b""
    while len(head) < size:
        data = src.read(size - len(head))
        if not data:
            break
        head += data
    return head


def coalesce(pieces: Iterable[bytes], size: int) -> Iterator[bytes]:
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


class ForwardReader:
    """A forward-only buffered reader that turns a short read into a StripError naming the spot.

    The buffer never holds much more than one ``chunk_size`` read plus the structure being
    parsed, which is what keeps streamed stripping in bounded memory.
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


class RandomAccess:
    """Bounds-checked reads at absolute offsets of bytes in memory or of a seekable file.

    Readers of offset-based containers (TIFF, ISOBMFF) take one of these, so the same parser
    serves a small EXIF block held in memory and a 100 MB RAW file read piece by piece.
    ``base`` is the offset of the source's first byte within the enclosing file: offsets read
    here are relative to the source, ``base + offset`` is where a patch goes.
    """

    def __init__(self, data: bytes | BinaryIO, *, start: int = 0, size: int | None = None) -> None:
        if isinstance(data, bytes | bytearray | memoryview):
            self._bytes: bytes | None = bytes(data)
            self._file: BinaryIO | None = None
            total = len(self._bytes)
        else:
            self._bytes = None
            self._file = data
            total = data.seek(0, io.SEEK_END)
        if start < 0 or start > total:
            raise Malformed("block starts outside the file")
        self.base = start
        self.size = total - start if size is None else min(size, total - start)
        self._end = total  # the end of the whole source, which views share

    def read(self, offset: int, n: int) -> bytes:
        """``n`` bytes at ``offset`` (relative to the source); Malformed when out of bounds,
        :class:`Truncated` when they would run past the end of the whole file."""
        if offset < 0 or n < 0:
            raise Malformed("offset out of bounds")
        if offset + n > self.size:
            if self.base + offset + n > self._end:
                raise Truncated(f"byte {self.base + offset + n} is past the end of the file")
            raise Malformed("offset out of bounds")
        if self._bytes is not None:
            return self._bytes[self.base + offset : self.base + offset + n]
        assert self._file is not None
        self._file.seek(self.base + offset)
        data = self._file.read(n)
        if len(data) != n:
            raise Truncated("the file is shorter than its header says")
        return data

    def sub(self, offset: int, size: int) -> RandomAccess:
        """A view of ``size`` bytes at ``offset``, with offsets relative to its own start."""
        if offset < 0 or size < 0 or offset + size > self.size:
            raise Malformed("block out of bounds")
        view = RandomAccess.__new__(RandomAccess)
        view._bytes, view._file, view._end = self._bytes, self._file, self._end
        view.base = self.base + offset
        view.size = size
        return view


Patch = tuple[int, bytes]
"""An absolute file offset and the bytes that replace as many bytes there."""

_ZEROS = bytes(1 << 20)
MAX_BLOCK = 64 << 20  # one metadata block read whole to be rewritten or blanked


def zeros(offset: int, size: int) -> list[Patch]:
    """Patches that overwrite ``size`` bytes at ``offset`` with zeros, in pieces that share one
    buffer: a huge maker note or metadata item costs no memory to erase."""
    out: list[Patch] = []
    while size > 0:
        n = min(size, len(_ZEROS))
        out.append((offset, _ZEROS if n == len(_ZEROS) else bytes(n)))
        offset += n
        size -= n
    return out


def copy_with_patches(
    src: BinaryIO, patches: Iterable[Patch], chunk_size: int, *, start: int = 0
) -> Iterator[bytes]:
    """Copy ``src`` from ``start`` to its end in pieces, overwriting the patched ranges.

    The length never changes, so every offset inside the file stays valid: this is how
    containers that cannot be rewritten (TIFF, RAW, HEIF) lose their metadata.
    """
    # By offset, stably: where patches overlap, the one starting later wins, and of two starting
    # at the same offset, the later in the list.
    ordered = sorted(((offset, data) for offset, data in patches if data), key=lambda p: p[0])
    src.seek(start)
    pos = start
    i = 0
    while True:
        data = src.read(chunk_size)
        if not data:
            break
        end = pos + len(data)
        while i < len(ordered) and ordered[i][0] + len(ordered[i][1]) <= pos:
            i += 1
        if i < len(ordered) and ordered[i][0] < end:
            piece = bytearray(data)
            j = i
            while j < len(ordered) and ordered[j][0] < end:
                offset, new = ordered[j]
                lo, hi = max(offset, pos), min(offset + len(new), end)
                if hi > lo:
                    piece[lo - pos : hi - pos] = new[lo - offset : hi - offset]
                j += 1
            data = bytes(piece)
        yield data
        pos = end


@contextmanager
def seekable_source(src: BinaryIO, head: bytes, chunk_size: int) -> Iterator[tuple[BinaryIO, int]]:
    """``src`` (of which ``head`` was already read) as a seekable file and the offset of the
    file's first byte in it: ``src`` itself when it can seek, else a copy spooled to a
    temporary file. For formats that must be planned before they are copied."""
    seekable = getattr(src, "seekable", None)
    if seekable is not None and seekable():
        yield src, src.tell() - len(head)
        return
    with tempfile.SpooledTemporaryFile(max_size=4 * chunk_size) as spool:
        spool.write(head)
        while data := src.read(chunk_size):
            spool.write(data)
        spool.seek(0)
        yield spool, 0  # type: ignore[misc]
