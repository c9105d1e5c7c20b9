"""Where the bytes of uploads in progress live, behind one small interface.

By default in the data folder's `uploads/`, one part file per upload, appended to (this module).
With `--blobs s3://…`, in the bucket itself (:mod:`albumen_server.s3_parts`), so that the
PATCHes of one upload may reach any process on any machine.

Either way the tus routes see the same thing: an upload's offset, a writer that appends this
request's bytes and feeds the running hashes with exactly the bytes kept, and, when the last
byte is in, the whole file at a local path to check and to read facts from, then handed to the
blob store.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Protocol

from albumen_server.blobs import BlobStore
from albumen_server.writeback import start_writeback


class Hashes:
    """The hashes a request's bytes feed: the upload's running SHA-256 (with its offset) and
    the checksum of this one chunk; either may be absent."""

    def __init__(self, running: Any | None, chunk: Any | None) -> None:
        self.running = running
        self.chunk = chunk

    def feed(self, data: bytes | memoryview) -> None:
        if self.running is not None:
            self.running.sha256.update(data)
            self.running.offset += len(data)
        if self.chunk is not None:
            self.chunk.update(data)


class PartWriter(Protocol):
    """Appends one request's bytes to an upload; used from a worker thread."""

    written: int

    def write(self, pieces: list[bytes]) -> None:
        """Append; raises OSError(ENOSPC) when no room is left (what landed is then a prefix)."""

    def keep(self) -> None:
        """Make what was written durable; the offset then includes it."""

    def drop(self) -> None:
        """Keep none of this request's bytes (a chunk that failed its checksum)."""


class UploadParts(Protocol):
    def start(self, upload_id: str, length: int) -> None:
        """Make room for a new upload of `length` bytes."""

    def offset(self, upload_id: str) -> int:
        """How many bytes of the upload are kept."""

    def on_local_disk(self, upload_id: str) -> int:
        """How many of those bytes take room on this machine's disk (the room check)."""

    def writer(self, upload_id: str, start: int, length: int, hashes: Hashes) -> PartWriter:
        """A writer appending at `start` (the upload's offset) of an upload of `length`."""

    def lock_path(self, upload_id: str) -> Path:
        """A local file to `flock` for one writer per upload on a SQLite deployment."""

    def assemble(self, upload_id: str, length: int) -> tuple[Path, str | None]:
        """The whole file at a local path, and its SHA-256 when assembling it computed it."""

    def adopt(self, blobs: BlobStore, sha256: str, upload_id: str, path: Path) -> None:
        """Hand the verified file to the blob store; the upload's bytes then go."""

    def discard(self, upload_id: str) -> None:
        """The upload is abandoned: its bytes go."""


class FolderPartWriter:
    """Appends to the part file, unbuffered, so the part file always ends at a byte the hashes
    have seen: when the disk fills mid-write, what landed is an exact prefix of the upload, the
    offset a client resumes from, and the running SHA-256 still matches it."""

    def __init__(self, path: Path, start: int, hashes: Hashes) -> None:
        self.path = path
        self.start = start
        self.hashes = hashes
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | getattr(os, "O_BINARY", 0))
        self.written = 0

    def write(self, pieces: list[bytes]) -> None:
        # The pieces as they came off the socket: no joining copy, one system call each.
        before = self.written
        for data in pieces:
            view = memoryview(data)
            while view:
                count = os.write(self.fd, view)  # OSError(ENOSPC) when the disk is full
                self.hashes.feed(view[:count])
                self.written += count
                view = view[count:]
        # On its way to the disk now, so that keep's fsync has little left to wait for.
        start_writeback(self.fd, self.start + before, self.written - before)

    def _close(self, sync: bool) -> None:
        """Close once (again is a no-op); a failed fsync still closes."""
        if self.fd < 0:
            return
        fd, self.fd = self.fd, -1
        try:
            if sync:
                os.fsync(fd)
        finally:
            os.close(fd)

    def keep(self) -> None:
        self._close(sync=True)

    def drop(self) -> None:
        self._close(sync=False)
        os.truncate(self.path, self.start)


class FolderParts:
    """Part files in a local folder: `uploads/<id>.part`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, upload_id: str) -> Path:
        return self.folder / f"{upload_id}.part"

    def start(self, upload_id: str, length: int) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path(upload_id).touch()

    def offset(self, upload_id: str) -> int:
        try:
            return self.path(upload_id).stat().st_size
        except FileNotFoundError:
            return 0

    def on_local_disk(self, upload_id: str) -> int:
        return self.offset(upload_id)

    def writer(self, upload_id: str, start: int, length: int, hashes: Hashes) -> PartWriter:
        return FolderPartWriter(self.path(upload_id), start, hashes)

    def lock_path(self, upload_id: str) -> Path:
        return self.path(upload_id)

    def assemble(self, upload_id: str, length: int) -> tuple[Path, str | None]:
        return self.path(upload_id), None

    def adopt(self, blobs: BlobStore, sha256: str, upload_id: str, path: Path) -> None:
        blobs.adopt(sha256, path, synced=True)  # each PATCH synced what it kept (`keep`)

    def discard(self, upload_id: str) -> None:
        self.path(upload_id).unlink(missing_ok=True)


def open_upload_parts(blobs: BlobStore, folder: Path) -> UploadParts:
    """In the bucket when the blobs are in one (any process on any machine may take the next
    PATCH), else part files in `folder`."""
    from albumen_server.s3_blobs import S3BlobStore

    if isinstance(blobs, S3BlobStore):
        from albumen_server.s3_parts import S3Parts

        return S3Parts(blobs, folder)
    return FolderParts(folder)
