"""Where the photos' bytes live, behind one small interface.

The default keeps them in a folder, content-addressed by SHA-256: a file is moved in whole by
rename after an fsync, so a crash never leaves half a photo under a real name. S3-compatible
object storage (`s3_blobs`) implements the same interface for deployments that share no disk.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import urlsplit

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class BlobStore(Protocol):
    def adopt(self, sha256: str, source: Path, *, synced: bool = False) -> None:
        """Take ownership of a complete, verified file (moved, not copied, when possible).

        `synced`: the caller already flushed the file's bytes to disk (an upload's part file,
        synced as each PATCH ended), so they are not flushed again."""

    def exists(self, sha256: str) -> bool: ...

    def open(self, sha256: str) -> BinaryIO: ...

    def local_path(self, sha256: str) -> Path:
        """A path readers such as Pillow can open; a remote store returns a cached copy."""

    def size(self, sha256: str) -> int: ...

    def delete(self, sha256: str) -> None: ...


def blob_name(sha256: str) -> str:
    """`ab/cd/abcd…`: two levels of fan-out keep folders (and object listings) small."""
    if not _SHA256.match(sha256):
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


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
        return self.root / blob_name(sha256)

    def adopt(self, sha256: str, source: Path, *, synced: bool = False) -> None:
        target = self._path(sha256)
        if target.exists():
            source.unlink(missing_ok=True)
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        if not synced:
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
    """`None` is the data folder's `blobs/`; `file:///abs/path` another folder;
    `s3://BUCKET[/PREFIX]` S3-compatible object storage (configured by the AWS variables)."""
    if url is None:
        return FolderBlobStore(data_dir / "blobs")
    parts = urlsplit(url)
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
            raise ValueError(f"--blobs: {url!r} is not a local absolute path (file:///path)")
        return FolderBlobStore(Path(parts.path))
    if parts.scheme == "s3":
        if not parts.netloc:
            raise ValueError(f"--blobs: {url!r} names no bucket (s3://BUCKET[/PREFIX])")
        from albumen_server.s3_blobs import S3BlobStore

        return S3BlobStore(parts.netloc, parts.path, data_dir / "cache")
    raise ValueError(f"--blobs: unsupported blob store URL {url!r} (file:///path or s3://BUCKET)")
