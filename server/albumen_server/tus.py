"""tus 1.0.0 resumable uploads: core, creation, checksum, termination and expiration.

Written here rather than taken from a package because the FastAPI tus routers available lack the
checksum extension and the final whole-file SHA-256 check that makes an upload byte-exact. The
protocol is small: https://tus.io/protocols/resumable-upload.

Bytes stream to a part file in the uploads folder, in 1 MiB writes on a worker thread, so memory
does not grow with the file. The running SHA-256 is kept in memory while the upload proceeds in
order, so the last byte does not require reading the whole file again (after a server restart
it does). When the last byte lands, :mod:`albumen_server.ingest` makes the photo: the file's
SHA-256 must match the one announced in `Upload-Metadata`; only then is it moved into the blob
store and does the photo exist. This module speaks the protocol; it never makes a photo row.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hashlib
import logging
import secrets
import shutil
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from email.utils import format_datetime
from typing import Any

from anyio import to_thread
from fastapi import APIRouter, Request, Response
from sqlalchemy import select
from starlette.requests import ClientDisconnect

from albumen_server.auth import Context, Owned
from albumen_server.context import ServerContext
from albumen_server.errors import ApiError, is_disk_full, storage_full
from albumen_server.ingest import WrongContent, clean_filename, existing_photo, ingest_upload
from albumen_server.models import Album, Upload, utcnow
from albumen_server.schemas import is_sha256, is_uuid
from albumen_server.upload_locks import RunningHash, UploadBusy, UploadState, writing
from albumen_server.upload_parts import Hashes

log = logging.getLogger(__name__)

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,checksum,termination,expiration"
CHECKSUM_ALGORITHMS: dict[str, Callable[[], Any]] = {
    "sha1": hashlib.sha1,
    "sha256": hashlib.sha256,
}
WRITE_SIZE = 1 << 20
EXPIRY_SWEEP_SECONDS = 60
"""How often (at most) a creation also drops this deployment's expired uploads."""
CHECKSUM_MISMATCH = 460

router = APIRouter(prefix="/api/uploads", tags=["uploads"])


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


def _require_tus(request: Request) -> None:
    if request.headers.get("tus-resumable") != TUS_VERSION:
        raise ApiError(
            412,
            "unsupported_tus_version",
            f"send 'Tus-Resumable: {TUS_VERSION}'; this server speaks only that version",
            {"Tus-Version": TUS_VERSION, **tus_headers()},
        )


def _state(request: Request) -> UploadState:
    state: UploadState = request.app.state.uploads
    return state


def _http_date(upload: Upload) -> str:
    return format_datetime(upload.expires_at, usegmt=True)


# -- metadata ----------------------------------------------------------------------------------


def parse_metadata(header: str, limit: int) -> dict[str, str]:
    if len(header) > limit:
        raise TusError(400, "metadata_too_large", f"Upload-Metadata is over {limit} bytes")
    result: dict[str, str] = {}
    for pair in filter(None, (part.strip() for part in header.split(","))):
        key, _, encoded = pair.partition(" ")
        if not key or key in result:
            raise TusError(
                400, "invalid_metadata", f"Upload-Metadata key {key!r} is empty or repeated"
            )
        try:
            result[key] = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise TusError(
                400, "invalid_metadata", f"Upload-Metadata value of {key!r} is not base64 UTF-8"
            ) from None
    return result


# -- routes ------------------------------------------------------------------------------------


@router.options("", include_in_schema=False)
@router.options("/", include_in_schema=False)
@router.options("/{upload_id}", include_in_schema=False)
def options(context: Context) -> Response:
    return Response(
        status_code=204,
        headers=tus_headers(
            {
                "Tus-Version": TUS_VERSION,
                "Tus-Extension": TUS_EXTENSIONS,
                "Tus-Max-Size": str(context.config.max_upload_size),
                "Tus-Checksum-Algorithm": ",".join(CHECKSUM_ALGORITHMS),
            }
        ),
    )


def _is_whole_number(text: str) -> bool:
    """ASCII digits only: `str.isdigit` also takes "²" and other digits `int` then refuses."""
    return text.isascii() and text.isdigit()


def _check_room(context: ServerContext, length: int) -> None:
    """Refuse with 507 an upload that would not fit beside those already announced, keeping
    `disk_reserve` free so the database and the rest of the machine can still write."""
    folder = context.config.uploads_dir
    folder.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(folder).free
    with context.db.session() as session:
        pending = session.execute(
            select(Upload.id, Upload.length).where(Upload.completed_at.is_(None))
        ).all()
    outstanding = 0
    for upload_id, announced in pending:
        outstanding += max(0, announced - context.parts.on_local_disk(upload_id))
    if length + outstanding + context.config.disk_reserve > free:
        raise TusError(
            507,
            "insufficient_storage",
            "the server's storage is full: it has room for"
            f" {max(0, free - outstanding - context.config.disk_reserve)} more bytes of uploads,"
            f" not {length}; try again when space is freed",
        )


@router.post("", status_code=201, include_in_schema=False)
@router.post("/", status_code=201)
def create_upload(request: Request, owner: Owned, context: Context) -> Response:
    """Creation: `Upload-Length` and `Upload-Metadata` (album_id, photo_id, filename, sha256)."""
    _require_tus(request)
    length_text = request.headers.get("upload-length")
    if length_text is None:
        raise TusError(400, "missing_length", "Upload-Length is required (deferred length is not)")
    if not _is_whole_number(length_text):
        raise TusError(400, "invalid_length", "Upload-Length must be a whole number of bytes")
    length = int(length_text)
    if length > context.config.max_upload_size:
        raise TusError(413, "too_large", f"the file is over {context.config.max_upload_size} bytes")
    _check_room(context, length)
    header = request.headers.get("upload-metadata", "")
    meta = parse_metadata(header, context.config.max_metadata_bytes)
    for key in ("album_id", "photo_id", "filename", "sha256"):
        if not meta.get(key):
            raise TusError(400, "invalid_metadata", f"Upload-Metadata needs {key!r}")
    album_id, photo_id = meta["album_id"].lower(), meta["photo_id"].lower()
    sha256 = meta["sha256"].lower()
    if not is_uuid(album_id) or not is_uuid(photo_id):
        raise TusError(400, "invalid_metadata", "album_id and photo_id must be UUIDs")
    if not is_sha256(sha256):
        raise TusError(400, "invalid_metadata", "sha256 must be 64 hexadecimal characters")
    try:
        filename = clean_filename(meta["filename"])
    except ApiError as error:
        raise TusError.of(error) from None
    content_type = meta.get("content_type") or meta.get("filetype") or None
    if content_type and len(content_type) > 100:
        raise TusError(400, "invalid_metadata", "content_type is longer than 100 characters")

    now = utcnow()
    upload_id = secrets.token_hex(16)
    with context.db.session() as session:
        album = session.get(Album, album_id)
        if album is None or album.owner_id != owner.id:
            raise TusError(404, "not_found", f"album {album_id} does not exist")
        try:
            existing_photo(session, photo_id, owner.id, sha256, album_id)
        except ApiError as error:
            raise TusError.of(error) from None
        upload = Upload(
            id=upload_id,
            owner_id=owner.id,
            album_id=album_id,
            photo_id=photo_id,
            filename=filename,
            sha256=sha256,
            content_type=content_type,
            length=length,
            metadata_header=header,
            created_at=now,
            expires_at=now + timedelta(hours=context.config.upload_expiry_hours),
        )
        session.add(upload)
        context.parts.start(upload_id, length)
    # Once a minute is soon enough for uploads that live for hours; on every creation it was a
    # transaction of its own per photo sent.
    state = _state(request)
    if time.monotonic() - state.expired_at > EXPIRY_SWEEP_SECONDS:
        state.expired_at = time.monotonic()
        expire_uploads(context)
    location = f"{context.public_base(request)}/api/uploads/{upload_id}"
    return Response(
        status_code=201,
        headers=tus_headers({"Location": location, "Upload-Expires": _http_date(upload)}),
    )


def _load_upload(context: ServerContext, owner_id: int, upload_id: str) -> Upload:
    with context.db.session() as session:
        upload = session.get(Upload, upload_id)
        if upload is None or upload.owner_id != owner_id:
            raise TusError(404, "not_found", f"upload {upload_id} does not exist")
        if upload.completed_at is None and upload.expires_at <= utcnow():
            session.delete(upload)
            context.parts.discard(upload_id)
            raise TusError(410, "expired", f"upload {upload_id} expired; start it again")
        return upload


def _offset(context: ServerContext, upload: Upload) -> int:
    if upload.completed_at is not None:
        return upload.length
    return context.parts.offset(upload.id)


@router.head("/{upload_id}")
def upload_offset(upload_id: str, request: Request, owner: Owned, context: Context) -> Response:
    """Where to resume after a dropped connection."""
    _require_tus(request)
    upload = _load_upload(context, owner.id, upload_id)
    headers = {
        "Upload-Offset": str(_offset(context, upload)),
        "Upload-Length": str(upload.length),
        "Cache-Control": "no-store",
        "Upload-Expires": _http_date(upload),
    }
    if upload.metadata_header:
        headers["Upload-Metadata"] = upload.metadata_header
    return Response(status_code=200, headers=tus_headers(headers))


def _parse_checksum(header: str | None) -> tuple[str, bytes] | None:
    if header is None:
        return None
    name, _, encoded = header.strip().partition(" ")
    if name not in CHECKSUM_ALGORITHMS:
        raise TusError(400, "unsupported_checksum", f"checksum algorithm {name!r} is not supported")
    try:
        return name, base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise TusError(400, "invalid_checksum", "Upload-Checksum is not base64") from None


@router.patch("/{upload_id}", status_code=204)
async def upload_chunk(
    upload_id: str, request: Request, owner: Owned, context: Context
) -> Response:
    _require_tus(request)
    if request.headers.get("content-type") != "application/offset+octet-stream":
        raise TusError(415, "unsupported_media_type", "PATCH needs application/offset+octet-stream")
    offset_text = request.headers.get("upload-offset", "")
    if not _is_whole_number(offset_text):
        raise TusError(400, "invalid_offset", "Upload-Offset must be a whole number")
    checksum = _parse_checksum(request.headers.get("upload-checksum"))
    state = _state(request)
    # An unknown id answers 404 here, before a lock exists for it: the table of locks grows
    # only with real uploads, not with every id a client makes up.
    await to_thread.run_sync(_load_upload, context, owner.id, upload_id)
    async with _one_writer(state, context, upload_id):
        upload = await to_thread.run_sync(_load_upload, context, owner.id, upload_id)
        start = _offset(context, upload)
        if int(offset_text) != start:
            raise TusError(409, "offset_mismatch", f"the upload is at offset {start}, ask HEAD")
        if upload.completed_at is None:
            await _receive(request, context, state, upload, start, checksum)
        end = _offset(context, upload)
        if end == upload.length and upload.completed_at is None:
            await to_thread.run_sync(_complete, context, state, upload)
        return Response(status_code=204, headers=tus_headers({"Upload-Offset": str(end)}))


@asynccontextmanager
async def _one_writer(
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
        _discard(context, state, upload.id)
        raise TusError(CHECKSUM_MISMATCH, "checksum_mismatch", str(error)) from None
    state.forget(upload.id)


def _discard(context: ServerContext, state: UploadState, upload_id: str) -> None:
    """The upload, its bytes and its running hash go."""
    with context.db.session() as session:
        row = session.get(Upload, upload_id)
        if row is not None:
            session.delete(row)
    context.parts.discard(upload_id)
    state.forget(upload_id)


@router.delete("/{upload_id}", status_code=204)
async def terminate_upload(
    upload_id: str, request: Request, owner: Owned, context: Context
) -> Response:
    """Termination: the client gives up; the part file goes at once."""
    _require_tus(request)
    state = _state(request)
    await to_thread.run_sync(_load_upload, context, owner.id, upload_id)
    async with _one_writer(state, context, upload_id):
        _discard(context, state, upload_id)
    return Response(status_code=204, headers=tus_headers())


def expire_uploads(context: ServerContext) -> int:
    """Drop uploads past their expiry (and finished ones past it); return how many."""
    now = utcnow()
    with context.db.session() as session:
        expired = list(session.scalars(select(Upload).where(Upload.expires_at <= now)))
        for upload in expired:
            session.delete(upload)
    for upload in expired:
        if upload.completed_at is None:
            with contextlib.suppress(Exception):  # gone already, or the bucket is away
                context.parts.discard(upload.id)
    return len(expired)
