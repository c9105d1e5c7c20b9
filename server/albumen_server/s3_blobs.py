"""Blobs in S3-compatible object storage, for deployments whose processes share no disk.

`--blobs s3://BUCKET[/PREFIX]`; the endpoint and credentials come from the standard AWS
variables (`AWS_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
`AWS_DEFAULT_REGION`) through boto3, as every S3 tool reads them. Keys are content addresses,
`PREFIX/ab/cd/abcd…`, so an object once written never changes.

Nothing is held whole in memory: uploads go up as multipart uploads straight from the verified
file; reads are ranged GETs behind a buffered, seekable reader (the lossless stripper seeks into
HEIF and TIFF files); decoders that need a path get a copy in the local cache, which any process
can rebuild.
"""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path
from typing import Any, BinaryIO

from albumen_server.blobs import blob_name

_PART = 16 << 20  # multipart part size: S3 wants at least 5 MiB
_READ_BUFFER = 1 << 20


class _RangedObject(io.RawIOBase):
    """A seekable, read-only view of one object, each read a ranged GET."""

    def __init__(self, client: Any, bucket: str, key: str, size: int) -> None:
        self.client, self._bucket, self._key, self._size = client, bucket, key, size
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        self._position = max(0, base + offset)
        return self._position

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._position >= self._size or not len(view):
            return 0
        end = min(self._size, self._position + len(view)) - 1
        answer = self.client.get_object(
            Bucket=self._bucket, Key=self._key, Range=f"bytes={self._position}-{end}"
        )
        got = 0
        with contextlib.closing(answer["Body"]) as body:
            for chunk in body.iter_chunks(1 << 16):
                view[got : got + len(chunk)] = chunk
                got += len(chunk)
        self._position += got
        return got


class S3BlobStore:
    """The BlobStore interface over one bucket and prefix."""

    def __init__(self, bucket: str, prefix: str, cache_dir: Path) -> None:
        import boto3
        from boto3.s3.transfer import TransferConfig

        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.cache = cache_dir / "blobs"
        self.client = boto3.client("s3")
        self.transfer = TransferConfig(multipart_threshold=_PART, multipart_chunksize=_PART)

    def key(self, sha256: str) -> str:
        return self.prefix + blob_name(sha256)

    def _head(self, sha256: str) -> dict[str, Any] | None:
        from botocore.exceptions import ClientError

        try:
            head: dict[str, Any] = self.client.head_object(Bucket=self.bucket, Key=self.key(sha256))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return head

    def adopt(self, sha256: str, source: Path, *, synced: bool = False) -> None:
        del synced  # the bucket makes the object durable, whatever the local file's state
        if self._head(sha256) is None:
            self.client.upload_file(
                str(source), self.bucket, self.key(sha256), Config=self.transfer
            )
        source.unlink(missing_ok=True)

    def exists(self, sha256: str) -> bool:
        return self._head(sha256) is not None

    def size(self, sha256: str) -> int:
        head = self._head(sha256)
        if head is None:
            raise FileNotFoundError(f"blob {sha256} is not in s3://{self.bucket}/{self.prefix}")
        return int(head["ContentLength"])

    def open(self, sha256: str) -> BinaryIO:
        raw = _RangedObject(self.client, self.bucket, self.key(sha256), self.size(sha256))
        return io.BufferedReader(raw, buffer_size=_READ_BUFFER)

    def local_path(self, sha256: str) -> Path:
        """A cached copy for decoders that want a path (Pillow, LibRaw)."""
        target = self.cache / blob_name(sha256)
        if target.is_file():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{sha256}.{os.getpid()}.part")
        try:
            self.client.download_file(
                self.bucket, self.key(sha256), str(partial), Config=self.transfer
            )
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        return target

    def delete(self, sha256: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.key(sha256))
        (self.cache / blob_name(sha256)).unlink(missing_ok=True)
