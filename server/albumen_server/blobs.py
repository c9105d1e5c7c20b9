"""Where the photos' bytes live, behind one small interface.

The default keeps them in a folder, content-addressed by SHA-256: a file is moved in whole by
rename after an fsync, so a crash never leaves half a photo under a real name. An S3-compatible
store can implement the same interface later.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path
from typing import BinaryIO, Protocol

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class BlobStore(Protocol):
    def adopt(self, sha256: str, source: Path) -> None:
        """Take ownership of a complete, verified file (moved, not copied, when possible)."""

    def exists(self, sha256: str) -> bool: ...

    def open(self, sha256: str) -> BinaryIO: ...

    def local_path(self, sha256: str) -> Path:
        """A path readers such as Pillow can open; a remote store returns a cached copy."""

    def size(self, sha256: str) -> int: ...

    def delete(self, sha256: str) -> None: ...


def _fsync_dir(path: Path) -> None:
    if os.name == "nt":  # directories cannot be opened for fsync on Windows
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class FolderBlobStore:
    """Blobs at `root/ab/cd/abcd…`: two levels of fan-out keep folders small."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def _path(self, sha256: str) -> Path:
        if not _SHA256.match(sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def adopt(self, sha256: str, source: Path) -> None:
        target = self._path(sha256)
        if target.exists():
            source.unlink(missing_ok=True)
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(source, "rb+") as handle:
            os.fsync(handle.fileno())
        try:
            os.replace(source, target)
        except OSError:
            # Another file system: copy to a temporary name beside the target, then rename.
            temporary = target.with_name(target.name + ".part")
            with open(source, "rb") as src, open(temporary, "wb") as dst:
                while chunk := src.read(1 << 20):
                    dst.write(chunk)
                dst.flush()
                os.fsync(dst.fileno())
            os.replace(temporary, target)
            source.unlink(missing_ok=True)
        _fsync_dir(target.parent)

    def exists(self, sha256: str) -> bool:
        return self._path(sha256).is_file()

    def open(self, sha256: str) -> BinaryIO:
        return open(self._path(sha256), "rb")

    def local_path(self, sha256: str) -> Path:
        return self._path(sha256)

    def size(self, sha256: str) -> int:
        return self._path(sha256).stat().st_size

    def delete(self, sha256: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._path(sha256).unlink()


def open_blob_store(url: str | None, data_dir: Path) -> BlobStore:
    """`None` or `file:///path` is a folder; other schemes come with the object-storage issue."""
    if url is None:
        return FolderBlobStore(data_dir / "blobs")
    if url.startswith("file://"):
        return FolderBlobStore(Path(url.removeprefix("file://")))
    raise ValueError(f"--blobs: unsupported blob store URL {url!r} (use file:///path)")
