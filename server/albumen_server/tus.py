"""tus 1.0.0 resumable uploads: core, creation, creation-with-upload, checksum, termination and
expiration.

Written here rather than taken from a package because the FastAPI tus routers available lack the
checksum extension and the final whole-file SHA-256 check that makes an upload byte-exact. The
protocol is small: https://tus.io/protocols/resumable-upload.

Bytes stream to a part file in the uploads folder, in 1 MiB writes on a worker thread, so memory
does not grow with the file. The running SHA-256 is kept in memory while the upload proceeds in
order, so the last byte does not require reading the whole file again (after a server restart
it does). When the last byte lands, :mod:`albumen_server.ingest` makes the photo: the file's
SHA-256 must match the one announced in `Upload-Metadata`; only then is it moved into the blob
store and does the photo exist. This module speaks the protocol (the bytes of a request go
through :mod:`albumen_server.tus_body`); it never makes a photo row.

A creation for a photo that already has an unfinished upload of the same bytes (same album,
SHA-256 and length) answers that upload (the one furthest along, should there be several), with
its `Upload-Offset`, instead of starting another: a client that lost the answer to its creation
(its connection dropped, or it was killed before it wrote the Location down) goes on where its
bytes stopped, and no orphan upload holds room on the disk until it expires.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import shutil
import time
from datetime import timedelta
from email.utils import format_datetime

from anyio import to_thread
from fastapi import APIRouter, Request, Response
from sqlalchemy import select

from albumen_server.auth import Context, CurrentOwner, Owned
from albumen_server.context import ServerContext
from albumen_server.deployment import expire_uploads
from albumen_server.errors import ApiError
from albumen_server.ingest import clean_filename, existing_photo
from albumen_server.models import Album, Upload, utcnow
from albumen_server.quotas import ensure_room, room_held
from albumen_server.schemas import is_sha256, is_uuid
from albumen_server.tus_body import (
    CHECKSUM_ALGORITHMS,
    OFFSET_TYPE,
    TUS_VERSION,
    TusError,
    discard,
    load_upload,
    offset_of,
    one_writer,
    parse_checksum,
    tus_headers,
    write_at,
)
from albumen_server.upload_locks import UploadState

TUS_EXTENSIONS = "creation,creation-with-upload,checksum,termination,expiration"
EXPIRY_SWEEP_SECONDS = 60
"""How often (at most) a creation also drops this deployment's expired uploads."""

router = APIRouter(prefix="/api/uploads", tags=["uploads"])


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
async def create_upload(request: Request, owner: Owned, context: Context) -> Response:
    """Creation: `Upload-Length` and `Upload-Metadata` (album_id, photo_id, filename, sha256),
    and, with `Content-Type: application/offset+octet-stream`, the first bytes of the file
    (creation-with-upload): a photo that fits in one body takes one request."""
    _require_tus(request)
    with_body = request.headers.get("content-type") == OFFSET_TYPE
    checksum = parse_checksum(request.headers.get("upload-checksum")) if with_body else None
    upload, created = await to_thread.run_sync(_created_upload, request, owner, context)
    state = _state(request)
    if created and time.monotonic() - state.expired_at > EXPIRY_SWEEP_SECONDS:
        # Once a minute is soon enough for uploads that live for hours; on every creation it
        # was a transaction of its own per photo sent.
        state.expired_at = time.monotonic()
        await to_thread.run_sync(expire_uploads, context)
    headers = {
        "Location": f"{context.public_base(request)}/api/uploads/{upload.id}",
        "Upload-Expires": _http_date(upload),
    }
    if with_body:
        try:
            offset = await write_at(request, context, state, owner.id, upload.id, 0, checksum)
        except TusError as error:
            error.headers.update(headers)  # the upload exists: the client may go on with it
            raise
    elif created:
        offset = 0
    else:
        offset = await to_thread.run_sync(offset_of, context, upload)
    headers["Upload-Offset"] = str(offset)
    return Response(status_code=201, headers=tus_headers(headers))


def _created_upload(
    request: Request, owner: CurrentOwner, context: ServerContext
) -> tuple[Upload, bool]:
    """The upload the creation asks for, and whether it is new (see the module's docstring for
    when an unfinished one is answered instead)."""
    owner_id = owner.id
    length_text = request.headers.get("upload-length")
    if length_text is None:
        raise TusError(400, "missing_length", "Upload-Length is required (deferred length is not)")
    if not _is_whole_number(length_text):
        raise TusError(400, "invalid_length", "Upload-Length must be a whole number of bytes")
    length = int(length_text)
    if length > context.config.max_upload_size:
        raise TusError(413, "too_large", f"the file is over {context.config.max_upload_size} bytes")
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
    with room_held(context.db.engine, owner_id, owner.quota_bytes), context.db.session() as session:
        album = session.get(Album, album_id)
        if album is None or album.owner_id != owner_id:
            raise TusError(404, "not_found", f"album {album_id} does not exist")
        try:
            existing_photo(session, photo_id, owner_id, sha256, album_id)
        except ApiError as error:
            raise TusError.of(error) from None
        unfinished = session.scalars(
            select(Upload)
            .where(
                Upload.owner_id == owner_id,
                Upload.photo_id == photo_id,
                Upload.album_id == album_id,
                Upload.sha256 == sha256,
                Upload.length == length,
                Upload.completed_at.is_(None),
                Upload.expires_at > now,
            )
            .order_by(Upload.created_at.desc())
        ).all()
        if unfinished:
            # Two may exist when a client asked again while its first creation was still under
            # way: the one furthest along is the one to go on with.
            return max(unfinished, key=lambda upload: context.parts.offset(upload.id)), False
        try:
            ensure_room(session, owner_id, owner.quota_bytes, sha256, length)
        except ApiError as error:
            raise TusError.of(error) from None
        _check_room(context, length)
        upload = Upload(
            id=secrets.token_hex(16),
            owner_id=owner_id,
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
        context.parts.start(upload.id, length)
    return upload, True


@router.head("/{upload_id}")
def upload_offset(upload_id: str, request: Request, owner: Owned, context: Context) -> Response:
    """Where to resume after a dropped connection."""
    _require_tus(request)
    upload = load_upload(context, owner.id, upload_id)
    headers = {
        "Upload-Offset": str(offset_of(context, upload)),
        "Upload-Length": str(upload.length),
        "Cache-Control": "no-store",
        "Upload-Expires": _http_date(upload),
    }
    if upload.metadata_header:
        headers["Upload-Metadata"] = upload.metadata_header
    return Response(status_code=200, headers=tus_headers(headers))


@router.patch("/{upload_id}", status_code=204)
async def upload_chunk(
    upload_id: str, request: Request, owner: Owned, context: Context
) -> Response:
    _require_tus(request)
    if request.headers.get("content-type") != OFFSET_TYPE:
        raise TusError(415, "unsupported_media_type", f"PATCH needs {OFFSET_TYPE}")
    offset_text = request.headers.get("upload-offset", "")
    if not _is_whole_number(offset_text):
        raise TusError(400, "invalid_offset", "Upload-Offset must be a whole number")
    checksum = parse_checksum(request.headers.get("upload-checksum"))
    # An unknown id answers 404 here, before a lock exists for it: the table of locks grows
    # only with real uploads, not with every id a client makes up.
    await to_thread.run_sync(load_upload, context, owner.id, upload_id)
    end = await write_at(
        request, context, _state(request), owner.id, upload_id, int(offset_text), checksum
    )
    return Response(status_code=204, headers=tus_headers({"Upload-Offset": str(end)}))


@router.delete("/{upload_id}", status_code=204)
async def terminate_upload(
    upload_id: str, request: Request, owner: Owned, context: Context
) -> Response:
    """Termination: the client gives up; the part file goes at once."""
    _require_tus(request)
    state = _state(request)
    await to_thread.run_sync(load_upload, context, owner.id, upload_id)
    async with one_writer(state, context, upload_id):
        discard(context, state, upload_id)
    return Response(status_code=204, headers=tus_headers())
