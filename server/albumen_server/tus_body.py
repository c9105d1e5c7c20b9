"""The bytes of one tus request into its upload: PATCH's body, and the body a creation may carry
(the creation-with-upload extension). One writer per upload in any process, chunks checked
against their `Upload-Checksum`, a prefix kept when the connection drops, and the photo made
(:mod:`albumen_server.ingest`) when the last byte is in. The protocol's routes are
:mod:`albumen_server.tus`.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hashlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from anyio import to_thread
from fastapi import Request
from starlette.requests import ClientDisconnect

from albumen_server.context import ServerContext
from albumen_server.errors import ApiError, is_disk_full, storage_full
from albumen_server.ingest import WrongContent, ingest_upload
from albumen_server.models import Upload, utcnow
from albumen_server.upload_locks import RunningHash, UploadBusy, UploadState, writing
from albumen_server.upload_parts import Hashes

log = logging.getLogger(__name__)

TUS_VERSION = "1.0.0"
CHECKSUM_ALGORITHMS: dict[str, Callable[[], Any]] = {
    "sha1": hashlib.sha1,
    "sha256": hashlib.sha256,
}
WRITE_SIZE = 1 << 20
CHECKSUM_MISMATCH = 460
OFFSET_TYPE = "application/offset+octet-stream"
"""The Content-Type of every body of upload bytes."""


def tus_headers(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {"Tus-Resumable": TUS_VERSION, **(extra or {})}


class TusError(ApiError):
    """An ApiError that also carries the Tus-Resumable header every tus answer needs."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(status, code, message, tus_headers(headers))

    @classmethod
    def of(cls, error: ApiError) -> TusError:
        """The same answer as `error`, with the tus header."""
        return cls(error.status, error.code, error.message, error.headers)


def parse_checksum(header: str | None) -> tuple[str, bytes] | None:
    if header is None:
        return None
    name, _, encoded = header.strip().partition(" ")
    if name not in CHECKSUM_ALGORITHMS:
        raise TusError(400, "unsupported_checksum", f"checksum algorithm {name!r} is not supported")
    try:
        return name, base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise TusError(400, "invalid_checksum", "Upload-Checksum is not base64") from None


def load_upload(context: ServerContext, owner_id: int, upload_id: str) -> Upload:
    with context.db.session() as session:
        upload = session.get(Upload, upload_id)
        if upload is None or upload.owner_id != owner_id:
            raise TusError(404, "not_found", f"upload {upload_id} does not exist")
        if upload.completed_at is None and upload.expires_at <= utcnow():
            session.delete(upload)
            context.parts.discard(upload_id)
            raise TusError(410, "expired", f"upload {upload_id} expired; start it again")
        return upload


def offset_of(context: ServerContext, upload: Upload) -> int:
    if upload.completed_at is not None:
        return upload.length
    return context.parts.offset(upload.id)


async def write_at(
    request: Request,
    context: ServerContext,
    state: UploadState,
    owner_id: int,
    upload_id: str,
    offset: int,
    checksum: tuple[str, bytes] | None,
) -> int:
    """The request's body written at `offset` of the upload, which must be where the upload
    ends (else 409, with where it ends); the photo made once the last byte is in. Returns the
    upload's offset after the body."""
    async with one_writer(state, context, upload_id):
        upload = await to_thread.run_sync(load_upload, context, owner_id, upload_id)
        start = offset_of(context, upload)
        if offset != start:
            raise TusError(
                409,
                "offset_mismatch",
                f"the upload is at offset {start}, ask HEAD",
                {"Upload-Offset": str(start)},
            )
        if upload.completed_at is None:
            await _receive(request, context, state, upload, start, checksum)
        end = offset_of(context, upload)
        if end == upload.length and upload.completed_at is None:
            await to_thread.run_sync(_complete, context, state, upload)
        return end


@asynccontextmanager
async def one_writer(
    state: UploadState, context: ServerContext, upload_id: str
) -> AsyncIterator[None]:
    """This request alone writes the upload, in any process; else 423 at once."""
    try:
        async with writing(
            state.lock(upload_id), context, upload_id, context.parts.lock_path(upload_id)
        ):
            yield
    except UploadBusy:
        raise TusError(
            423,
            "upload_busy",
            "another request is writing this upload; ask HEAD for its offset and go on from there",
        ) from None


async def _receive(
    request: Request,
    context: ServerContext,
    state: UploadState,
    upload: Upload,
    start: int,
    checksum: tuple[str, bytes] | None,
) -> None:
    running = state.hashes.get(upload.id)
    if running is None and start == 0:
        running = state.hashes[upload.id] = RunningHash(0, hashlib.sha256())
    if running is not None and running.offset != start:
        state.hashes.pop(upload.id, None)
        running = None
    snapshot = running.sha256.copy() if running is not None and checksum else None
    chunk_hash = CHECKSUM_ALGORITHMS[checksum[0]]() if checksum else None
    writer = await to_thread.run_sync(
        context.parts.writer, upload.id, start, upload.length, Hashes(running, chunk_hash)
    )
    # One write runs on a worker thread while the next megabyte arrives: receiving never
    # waits for the disk unless the disk is slower than the network.
    loop = asyncio.get_running_loop()
    pending: asyncio.Future[None] | None = None

    async def write(pieces: list[bytes]) -> None:
        nonlocal pending
        if pending is not None:
            await pending
        pending = loop.run_in_executor(None, writer.write, pieces)

    pieces: list[bytes] = []
    buffered = 0
    room = upload.length - start
    received = 0
    disconnected = too_long = False
    full: OSError | None = None
    try:
        try:
            async for piece in request.stream():
                if received + len(piece) > room:
                    too_long = True
                    break
                received += len(piece)
                pieces.append(piece)
                buffered += len(piece)
                if buffered >= WRITE_SIZE:
                    await write(pieces)
                    pieces, buffered = [], 0
        except ClientDisconnect:
            disconnected = True
        if pieces and not too_long:
            await write(pieces)
        if pending is not None:
            await pending
            pending = None
    except OSError as error:
        if not is_disk_full(error):
            raise
        full = error
    finally:
        if pending is not None:
            with contextlib.suppress(OSError):
                await pending

    mismatch = (
        chunk_hash is not None and checksum is not None and (chunk_hash.digest() != checksum[1])
    )
    # A chunk with a checksum is kept whole and verified, or not at all; so is one that was
    # longer than announced. Anything else that arrived is a prefix of the file: kept.
    keep = not too_long and not (checksum is not None and (disconnected or full or mismatch))
    if keep:
        await to_thread.run_sync(writer.keep)
    else:
        await to_thread.run_sync(writer.drop)
        if running is not None and snapshot is not None:
            running.sha256, running.offset = snapshot, start
        else:
            state.hashes.pop(upload.id, None)

    if full is not None:
        # What landed is an exact prefix of the file (see FolderPartWriter): kept, to resume
        # from once there is room.
        offset = context.parts.offset(upload.id)
        log.warning("upload %s: storage full at %d (%s)", upload.id, offset, full)
        raise TusError.of(storage_full({"Upload-Offset": str(offset)}))
    if too_long:
        raise TusError(413, "too_long", "more bytes were sent than Upload-Length announced")
    if checksum is not None and disconnected:
        # A partial chunk cannot be checked against its checksum: none of it was kept.
        raise TusError(400, "incomplete_chunk", "the connection dropped mid-chunk")
    if mismatch:
        raise TusError(CHECKSUM_MISMATCH, "checksum_mismatch", "Upload-Checksum mismatch")
    if disconnected:
        log.info("upload %s: connection dropped at %d", upload.id, start + writer.written)


def _complete(context: ServerContext, state: UploadState, upload: Upload) -> None:
    """The last byte is in: the photo is made of the file (see ingest), or nothing is kept."""
    running = state.hashes.pop(upload.id, None)
    known = running.sha256.hexdigest() if running and running.offset == upload.length else None
    path, assembled_hash = context.parts.assemble(upload.id, upload.length)
    try:
        upload.completed_at = ingest_upload(context, upload, path, known or assembled_hash)
    except WrongContent as error:
        discard(context, state, upload.id)
        raise TusError(CHECKSUM_MISMATCH, "checksum_mismatch", str(error)) from None
    state.forget(upload.id)


def discard(context: ServerContext, state: UploadState, upload_id: str) -> None:
    """The upload, its bytes and its running hash go."""
    with context.db.session() as session:
        row = session.get(Upload, upload_id)
        if row is not None:
            session.delete(row)
    context.parts.discard(upload_id)
    state.forget(upload_id)
