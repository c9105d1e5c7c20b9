"""The image bytes a link serves: thumbnails, previews, originals and the whole album as a zip.

Every answer passes the link check first (see :mod:`albumen_server.viewer_access`): no image
of an album can be fetched after a revoke, and a zip in progress stops at the next photo.

Thumbnails and previews are re-encoded JPEGs made for the link's policy (derivative_cache).
An original is streamed as uploaded when the link keeps everything, else with metadata removed
losslessly (:func:`albumen_photo.strip.strip_stream`); a format that cannot be stripped that way
is refused with 409 (alone) or replaced by its web-size JPEG (in a zip), never sent unstripped.
Images are `private, no-cache` with an ETag, so a browser revalidates and a revoke holds.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import quote

from anyio import to_thread
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse
from zipstream import ZIP_STORED, ZipStream

from albumen_photo.policy import KeepPolicy
from albumen_photo.strip import can_strip, strip_stream
from albumen_server.auth import Context
from albumen_server.context import ServerContext
from albumen_server.derivative_cache import derivative
from albumen_server.derivatives import DerivativeError
from albumen_server.errors import ApiError
from albumen_server.models import Photo
from albumen_server.viewer_access import (
    Grant,
    Locked,
    Unavailable,
    album_and_photos,
    grant_of,
    locked_json,
    open_link,
    unavailable_page,
)
from albumen_server.viewer_model import download_size

router = APIRouter(prefix="/s", tags=["viewer"], include_in_schema=True)
IMAGE_CACHE = "private, no-cache"


def _photo_in_album(context: ServerContext, album_id: str, photo_id: str) -> Photo:
    with context.db.session() as session:
        photo = session.get(Photo, photo_id)
        if photo is None or photo.album_id != album_id:
            raise ApiError(404, "not_found", "this photo is not in the album")
        return photo


def _attachment(filename: str) -> str:
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def _web_name(filename: str) -> str:
    return f"{Path(filename).stem}.jpg"


@router.get("/{token}/photos/{photo_id}/{kind}")
async def photo_image(
    token: str,
    photo_id: str,
    kind: Literal["thumb", "preview", "original"],
    request: Request,
    context: Context,
    download: Annotated[bool, Query()] = False,
) -> Response:
    try:
        grant = await to_thread.run_sync(open_link, context, token, request)
    except Unavailable:
        return unavailable_page(request)
    except Locked:
        return locked_json()
    photo = await to_thread.run_sync(_photo_in_album, context, grant.album_id, photo_id)
    if kind == "original":
        return await _original(context, grant, photo)
    if download and grant.download == "none":
        raise ApiError(403, "downloads_disabled", "this link does not allow downloads")
    try:
        data = await to_thread.run_sync(derivative, context, photo.sha256, kind, grant.keep)
    except DerivativeError as error:
        raise ApiError(422, error.code, f"{photo.filename}: {error}") from None
    etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
    headers = {"Cache-Control": IMAGE_CACHE, "ETag": etag}
    if download:
        headers["Content-Disposition"] = _attachment(_web_name(photo.filename))
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(data, media_type="image/jpeg", headers=headers)


# -- originals, as uploaded or stripped -------------------------------------------------------


def _original_chunks(context: ServerContext, sha256: str, keep: KeepPolicy) -> Iterator[bytes]:
    with context.blobs.open(sha256) as source:
        if keep.keeps_everything:
            while chunk := source.read(1 << 20):
                yield chunk
        else:
            yield from strip_stream(source, keep)


def _original_allowed(context: ServerContext, sha256: str, keep: KeepPolicy) -> bool:
    """Whether this blob may go out as an original on a link with `keep`: as it is when the link
    keeps everything, else only in a format whose metadata comes off without re-encoding."""
    if keep.keeps_everything:
        return True
    with context.blobs.open(sha256) as source:
        return can_strip(source.read(64))


async def _original(context: ServerContext, grant: Grant, photo: Photo) -> Response:
    if grant.download != "original":
        raise ApiError(403, "downloads_disabled", "this link does not allow original downloads")
    if not await to_thread.run_sync(_original_allowed, context, photo.sha256, grant.keep):
        raise ApiError(
            409,
            "original_unavailable",
            f"{photo.filename}: its format cannot have metadata removed without re-encoding;"
            " download the web size instead",
        )
    headers = {
        "Cache-Control": IMAGE_CACHE,
        "Content-Disposition": _attachment(photo.filename),
    }
    if grant.keep.keeps_everything:
        headers["Content-Length"] = str(photo.size)
    return StreamingResponse(
        _original_chunks(context, photo.sha256, grant.keep),
        media_type=photo.content_type or "application/octet-stream",
        headers=headers,
    )


# -- the album as a zip -------------------------------------------------------------------------


def _unique(name: str, used: set[str]) -> str:
    stem, suffix = Path(name).stem, Path(name).suffix
    candidate, number = name, 2
    while candidate.lower() in used:
        candidate = f"{stem} ({number}){suffix}"
        number += 1
    used.add(candidate.lower())
    return candidate


def _zip_entries(
    context: ServerContext, grant: Grant, photos: list[Photo], size: str
) -> Iterator[bytes]:
    stream = ZipStream(compress_type=ZIP_STORED)
    used: set[str] = set()

    def still_available() -> bool:
        # A revoke stops a zip in progress at the next photo.
        try:
            grant_of(context, grant.token)
        except Unavailable:
            return False
        return True

    def web(photo: Photo) -> Iterator[bytes]:
        yield derivative(context, photo.sha256, "preview", grant.keep)

    for photo in photos:
        if size == "original" and _original_allowed(context, photo.sha256, grant.keep):
            stream.add(
                _original_chunks(context, photo.sha256, grant.keep),
                _unique(photo.filename, used),
            )
        else:
            stream.add(web(photo), _unique(_web_name(photo.filename), used))
    checked = time.monotonic()
    for chunk in stream:
        yield chunk
        if time.monotonic() - checked > 1.0:
            if not still_available():
                return
            checked = time.monotonic()


@router.get("/{token}/download")
async def download_album(
    token: str,
    request: Request,
    context: Context,
    size: Annotated[Literal["web", "original"] | None, Query()] = None,
) -> Response:
    try:
        grant = await to_thread.run_sync(open_link, context, token, request)
        album, photos = await to_thread.run_sync(album_and_photos, context, grant.album_id)
    except Unavailable:
        return unavailable_page(request)
    except Locked:
        return locked_json()
    allowed = download_size(grant.download)
    if allowed is None:
        raise ApiError(403, "downloads_disabled", "this link does not allow downloads")
    chosen = size or allowed
    if chosen == "original" and allowed != "original":
        raise ApiError(403, "downloads_disabled", "this link allows only web-size downloads")
    return StreamingResponse(
        _zip_entries(context, grant, photos, chosen),
        media_type="application/zip",
        headers={
            "Content-Disposition": _attachment(f"{album.title or 'album'}.zip"),
            "Cache-Control": "private, no-store",
        },
    )
