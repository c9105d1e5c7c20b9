"""Uploads in progress kept in the S3 bucket, so the PATCHes of one upload may reach any process
on any machine (no shared disk, no sticky routing).

One S3 multipart upload per tus upload, at `PREFIX/uploads/<id>`. S3 wants every part but the
last to be at least 5 MiB, while a tus PATCH may carry any number of bytes, so bytes that do not
fill a part when a request ends are kept as a small "tail" object, `…/<id>.tail-<n>`, and put in
front of the next request's bytes. `n` is the number of parts before the tail: a tail counts only
while the upload has exactly that many parts, so a crash between sending a part that holds the
tail's bytes and deleting the tail never counts those bytes twice. The offset is the sum of the
contiguous parts from part 1, plus a tail that counts.

When the last byte is in, the multipart upload is completed into the staging object
`…/uploads/<id>`, read back once (its SHA-256 must be the one announced, and the facts are read
from the local copy that reading leaves, which then serves as the blob's cached copy), and copied
within the bucket to the blob's key: the bytes go over the network up once and down once.

Nothing is kept in a process's memory between requests but the running hash, which is only an
optimisation. The idea of the tail object comes from tusd's s3store; the code is written here.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from albumen_server.blobs import BlobStore, blob_name
from albumen_server.s3_blobs import S3BlobStore
from albumen_server.upload_parts import Hashes, PartWriter

_MIN_PART = 8 << 20  # S3's minimum is 5 MiB; S3 allows at most 10,000 parts per upload
_MAX_PARTS = 9_000
_SPOOL_IN_MEMORY = 8 << 20


@dataclass
class _Tail:
    parts_before: int
    key: str
    size: int


@dataclass
class _Progress:
    multipart_id: str | None
    parts: list[dict[str, Any]]  # the contiguous parts from part 1: PartNumber, ETag, Size
    tail: _Tail | None  # the tail that counts, if any
    stale_tails: list[str]

    @property
    def offset(self) -> int:
        return sum(int(part["Size"]) for part in self.parts) + (self.tail.size if self.tail else 0)


def part_size(length: int) -> int:
    """Parts big enough that an upload of `length` bytes needs fewer than S3's 10,000."""
    needed = -(-length // _MAX_PARTS)
    return max(_MIN_PART, -(-needed // (1 << 20)) << 20)


class S3Parts:
    """The UploadParts interface over the blob store's bucket."""

    def __init__(self, blobs: S3BlobStore, local: Path) -> None:
        self.blobs = blobs
        self.client = blobs.client
        self.bucket = blobs.bucket
        self.base = blobs.prefix + "uploads/"
        self.local = local  # lock files and the copy read back at the end

    def key(self, upload_id: str) -> str:
        return self.base + upload_id

    # -- state, as the bucket tells it -------------------------------------------------------

    def _multipart_id(self, upload_id: str) -> str | None:
        key = self.key(upload_id)
        answer = self.client.list_multipart_uploads(Bucket=self.bucket, Prefix=key)
        found = [item for item in answer.get("Uploads", []) if item["Key"] == key]
        return str(found[0]["UploadId"]) if found else None

    def _progress(self, upload_id: str) -> _Progress:
        multipart_id = self._multipart_id(upload_id)
        parts: list[dict[str, Any]] = []
        if multipart_id is not None:
            paginator = self.client.get_paginator("list_parts")
            listed = [
                part
                for page in paginator.paginate(
                    Bucket=self.bucket, Key=self.key(upload_id), UploadId=multipart_id
                )
                for part in page.get("Parts", [])
            ]
            for part in sorted(listed, key=lambda item: int(item["PartNumber"])):
                if int(part["PartNumber"]) != len(parts) + 1:
                    break  # a part after a gap was never counted
                parts.append(part)
        tail, stale = None, []
        prefix = self.key(upload_id) + ".tail-"
        answer = self.client.list_objects_v2(Bucket=self.bucket, Prefix=prefix)
        for item in answer.get("Contents", []):
            number = item["Key"].removeprefix(prefix)
            if number.isdigit() and int(number) == len(parts) and multipart_id is not None:
                tail = _Tail(int(number), item["Key"], int(item["Size"]))
            else:
                stale.append(item["Key"])
        return _Progress(multipart_id, parts, tail, stale)

    def _staged_size(self, upload_id: str) -> int | None:
        """The size of the completed staging object, or None when there is none."""
        from botocore.exceptions import ClientError

        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self.key(upload_id))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return int(head["ContentLength"])

    # -- the interface ------------------------------------------------------------------------

    def start(self, upload_id: str, length: int) -> None:
        self.client.create_multipart_upload(Bucket=self.bucket, Key=self.key(upload_id))

    def offset(self, upload_id: str) -> int:
        progress = self._progress(upload_id)
        if progress.multipart_id is None:
            return self._staged_size(upload_id) or 0  # completed already (or never started)
        return progress.offset

    def on_local_disk(self, upload_id: str) -> int:
        return 0  # in the bucket until the end, when the whole file is read back at once

    def writer(self, upload_id: str, start: int, length: int, hashes: Hashes) -> PartWriter:
        streaming = S3PartWriter(self, upload_id, length, self._progress(upload_id), hashes)
        if hashes.chunk is not None:
            # A chunk with a checksum is kept only once it is verified, and parts once sent
            # cannot be taken back: it waits in a spooled file until then.
            return _VerifiedFirst(streaming, hashes)
        return streaming

    def lock_path(self, upload_id: str) -> Path:
        self.local.mkdir(parents=True, exist_ok=True)
        return self.local / f"{upload_id}.lock"

    def assemble(self, upload_id: str, length: int) -> tuple[Path, str | None]:
        progress = self._progress(upload_id)
        key = self.key(upload_id)
        if progress.multipart_id is not None:
            if not progress.parts:
                # S3 completes no upload without a part: an empty file is put whole.
                self.client.put_object(Bucket=self.bucket, Key=key, Body=b"")
                self.client.abort_multipart_upload(
                    Bucket=self.bucket, Key=key, UploadId=progress.multipart_id
                )
            else:
                self.client.complete_multipart_upload(
                    Bucket=self.bucket,
                    Key=key,
                    UploadId=progress.multipart_id,
                    MultipartUpload={
                        "Parts": [
                            {"PartNumber": part["PartNumber"], "ETag": part["ETag"]}
                            for part in progress.parts
                        ]
                    },
                )
        self.local.mkdir(parents=True, exist_ok=True)
        target = self.local / f"{upload_id}.assembled"
        digest = hashlib.sha256()
        answer = self.client.get_object(Bucket=self.bucket, Key=key)
        with contextlib.closing(answer["Body"]) as body, open(target, "wb") as out:
            for chunk in body.iter_chunks(1 << 20):
                digest.update(chunk)
                out.write(chunk)
        return target, digest.hexdigest()

    def adopt(self, blobs: BlobStore, sha256: str, upload_id: str, path: Path) -> None:
        """Copy the staging object to the blob's key within the bucket; the local copy becomes
        the blob's cached copy."""
        blob_key = self.blobs.key(sha256)
        if not self.blobs.exists(sha256):
            self.client.copy(
                {"Bucket": self.bucket, "Key": self.key(upload_id)},
                self.bucket,
                blob_key,
                Config=self.blobs.transfer,
            )
        cached = self.blobs.cache / blob_name(sha256)
        cached.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(path, cached)
        except OSError:
            path.unlink(missing_ok=True)  # another file system: the cache fills on demand
        self.client.delete_object(Bucket=self.bucket, Key=self.key(upload_id))
        self.lock_path(upload_id).unlink(missing_ok=True)

    def discard(self, upload_id: str) -> None:
        progress = self._progress(upload_id)
        key = self.key(upload_id)
        if progress.multipart_id is not None:
            self.client.abort_multipart_upload(
                Bucket=self.bucket, Key=key, UploadId=progress.multipart_id
            )
        tails = progress.stale_tails + ([progress.tail.key] if progress.tail else [])
        for stale in [key, *tails]:
            self.client.delete_object(Bucket=self.bucket, Key=stale)
        (self.local / f"{upload_id}.assembled").unlink(missing_ok=True)
        self.lock_path(upload_id).unlink(missing_ok=True)


class S3PartWriter:
    """Streams a request's bytes into parts as they fill; the rest becomes the tail."""

    def __init__(
        self, parts: S3Parts, upload_id: str, length: int, progress: _Progress, hashes: Hashes
    ) -> None:
        self.parts = parts
        self.key = parts.key(upload_id)
        self.upload_id = upload_id
        self.length = length
        self.hashes = hashes
        if progress.multipart_id is None:
            raise FileNotFoundError(f"upload {upload_id} has no multipart upload in the bucket")
        self.multipart_id = progress.multipart_id
        self.next_part = len(progress.parts) + 1
        self.offset = progress.offset  # of the upload, after what this writer holds
        self.size = part_size(length)
        self.buffer = bytearray()
        self.old_tails = list(progress.stale_tails)
        if progress.tail is not None:
            answer = parts.client.get_object(Bucket=parts.bucket, Key=progress.tail.key)
            with contextlib.closing(answer["Body"]) as body:
                self.buffer += body.read()
            self.old_tails.append(progress.tail.key)
        self.written = 0

    def write(self, pieces: list[bytes]) -> None:
        for data in pieces:
            self.hashes.feed(data)
            self.buffer += data
            self.written += len(data)
            self.offset += len(data)
            while len(self.buffer) >= self.size:
                self._send_part(bytes(self.buffer[: self.size]))
                del self.buffer[: self.size]

    def _send_part(self, data: bytes) -> None:
        self.parts.client.upload_part(
            Bucket=self.parts.bucket,
            Key=self.key,
            UploadId=self.multipart_id,
            PartNumber=self.next_part,
            Body=data,
        )
        self.next_part += 1

    def keep(self) -> None:
        if self.buffer:
            if self.offset >= self.length:
                self._send_part(bytes(self.buffer))  # the last part may be small
            else:
                tail = f"{self.key}.tail-{self.next_part - 1}"
                if tail in self.old_tails:  # the same tail, grown: replaced in place
                    self.old_tails.remove(tail)
                self.parts.client.put_object(
                    Bucket=self.parts.bucket, Key=tail, Body=bytes(self.buffer)
                )
            self.buffer.clear()
        for old in self.old_tails:
            self.parts.client.delete_object(Bucket=self.parts.bucket, Key=old)
        self.old_tails.clear()

    def drop(self) -> None:
        # Parts once sent cannot be taken back; what was received is a prefix of the upload
        # (the whole file's SHA-256 is checked at the end), so it is kept. Chunks with a
        # checksum never get here: they wait in _VerifiedFirst.
        self.keep()


class _VerifiedFirst:
    """A chunk with a checksum, held in a spooled file until it is verified, then streamed."""

    def __init__(self, target: S3PartWriter, hashes: Hashes) -> None:
        self.target = target
        self.hashes = hashes
        self.spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115
        self.written = 0

    def write(self, pieces: list[bytes]) -> None:
        for data in pieces:
            self.hashes.feed(data)
            self.spool.write(data)
            self.written += len(data)

    def keep(self) -> None:
        self.target.hashes = Hashes(None, None)  # fed already, as the bytes came
        self.spool.seek(0)
        while chunk := self.spool.read(1 << 20):
            self.target.write([chunk])
        self.target.keep()
        self.spool.close()

    def drop(self) -> None:
        self.spool.close()
