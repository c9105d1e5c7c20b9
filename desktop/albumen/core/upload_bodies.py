"""The bodies of upload requests, streamed under the bandwidth cap: a file read piece by piece
as it is sent (a tus PATCH), or a small body in memory (a web size), each piece seen by the
throttle, the progress and a pause."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from io import FileIO

from albumen.core.throttle import Throttle

PIECE = 1024 * 1024
SMALLEST_PIECE = 16 * 1024

Progress = Callable[[int], None]  # bytes the server holds of this file so far


class SourceChangedError(Exception):
    """The file on disk no longer has the SHA-256 it had when it was added."""


class Stopped(Exception):
    """The owner paused in the middle of a PATCH: it is cut short (the server keeps what came)."""


def piece_size(throttle: Throttle) -> int:
    """How much to hand to the socket at a time: `PIECE`, or under a cap an eighth of a
    second's worth (so the cap is smooth)."""
    rate = throttle.rate
    return PIECE if not rate else max(SMALLEST_PIECE, min(PIECE, int(rate / 8)))


class ThrottledBody:
    """A small body in memory, sent in pieces the bandwidth cap sees (as `FileBody` does)."""

    def __init__(self, data: bytes, throttle: Throttle) -> None:
        self.data = memoryview(data)
        self.throttle = throttle

    def __len__(self) -> int:
        return len(self.data)

    def __iter__(self) -> Iterator[memoryview]:
        piece = piece_size(self.throttle)
        for start in range(0, len(self.data), piece):
            chunk = self.data[start : start + piece]
            self.throttle.spend(len(chunk))
            yield chunk


class FileBody:
    """One PATCH body, read from the file as it is sent: an iterable with a length, so requests
    sends a Content-Length (no chunked encoding) and hands each piece straight to the socket.
    One buffer is read into and sent again and again: no allocation per piece. The throttle,
    the progress and a pause see every piece."""

    def __init__(
        self,
        source: FileIO,
        length: int,
        start: int,
        throttle: Throttle,
        progress: Progress | None,
        should_stop: Callable[[], bool] | None,
    ) -> None:
        self.source = source
        self.length = length
        self.start = start
        self.throttle = throttle
        self.progress = progress
        self.should_stop = should_stop

    def __len__(self) -> int:
        return self.length

    def __iter__(self) -> Iterator[memoryview]:
        buffer = memoryview(bytearray(PIECE))
        sent = 0
        while sent < self.length:
            if self.should_stop and self.should_stop():
                raise Stopped
            got = self.source.readinto(buffer[: min(piece_size(self.throttle), self.length - sent)])
            if not got:
                raise SourceChangedError("the file became shorter while it was being uploaded")
            self.throttle.spend(got)
            yield buffer[:got]  # sent before the next read: the buffer is free again then
            sent += got
            if self.progress:
                self.progress(self.start + sent)
