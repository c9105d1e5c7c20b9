"""What a link's recipient reaches, with no account: every route checks the link every time.

A revoked, expired or unknown link gets one and the same answer on every route (404, a plain
"not available" page, JSON for `.json`), so nobody can tell which it was, and no image of the
album can be fetched after a revoke: there is no cache in front of this check.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import quote

from albumen.core.strip import KeepPolicy, can_strip, strip_stream
from anyio import to_thread
from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, StreamingResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import delete, select, update
from zipstream import ZIP_STORED, ZipStream

from albumen_server.api import album_photos
from albumen_server.auth import Context
from albumen_server.context import ServerContext
from albumen_server.derivative_cache import derivative
from albumen_server.derivatives import DerivativeError
from albumen_server.errors import ApiError
from albumen_server.links import is_available
from albumen_server.models import Album, Link, Photo, UnlockFailure, utcnow
from albumen_server.security import check_unlock_cookie, make_unlock_cookie, verify_password

router = APIRouter(prefix="/s", tags=["viewer"], include_in_schema=True)
templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))

COOKIE = "albumen_unlock"
COOKIE_MAX_AGE = 30 * 24 * 3600
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; img-src 'self'; style-src 'self'; script-src 'self'; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "private, no-store",
}
IMAGE_CACHE = "private, no-cache"


@dataclass(frozen=True)
class Grant:
    """A link that may be used right now, with what it allows."""

    link_id: str
    token: str
    album_id: str
    password_hash: str | None
    download: str
    keep: KeepPolicy


class Unavailable(Exception):
    """Revoked, expired, unknown: one answer for all three."""


class Locked(Exception):
    """The link has a password and this request carries no valid unlock cookie."""


def _grant(context: ServerContext, token: str) -> Grant:
    with context.db.session() as session:
        link = session.scalar(select(Link).where(Link.token == token))
        if link is None or not is_available(link) or link.album_id is None:
            raise Unavailable
        return Grant(
            link_id=link.id,
            token=link.token,
            album_id=link.album_id,
            password_hash=link.password_hash,
            download=link.download,
            keep=KeepPolicy(location=link.show_location, metadata=link.show_metadata),
        )


def _is_unlocked(context: ServerContext, grant: Grant, request: Request) -> bool:
    if grant.password_hash is None:
        return True
    return check_unlock_cookie(
        context.cookie_key,
        grant.link_id,
        grant.password_hash,
        request.cookies.get(COOKIE),
        COOKIE_MAX_AGE,
    )


def _open(context: ServerContext, token: str, request: Request) -> Grant:
    grant = _grant(context, token)
    if not _is_unlocked(context, grant, request):
        raise Locked
    return grant


def unavailable_page(request: Request) -> Response:
    return templates.TemplateResponse(
        request, "unavailable.html", status_code=404, headers=PAGE_HEADERS
    )


def unavailable_json() -> JSONResponse:
    return JSONResponse(
        {"error": {"code": "not_available", "message": "This link is not available"}},
        status_code=404,
        headers={"Cache-Control": "no-store"},
    )


def _locked_json() -> JSONResponse:
    return JSONResponse(
        {"error": {"code": "password_required", "message": "Unlock this link with its password"}},
        status_code=401,
        headers={"Cache-Control": "no-store"},
    )


def _password_page(request: Request, token: str, message: str | None, status: int) -> Response:
    headers = dict(PAGE_HEADERS)
    if status == 429 and message:
        headers["Retry-After"] = request.state.retry_after
    return templates.TemplateResponse(
        request,
        "password.html",
        {"token": token, "message": message},
        status_code=status,
        headers=headers,
    )


def _count_view(context: ServerContext, link_id: str) -> None:
    with context.db.session() as session:
        session.execute(
            update(Link)
            .where(Link.id == link_id)
            .values(view_count=Link.view_count + 1, last_viewed_at=utcnow())
        )


def _album_and_photos(context: ServerContext, album_id: str) -> tuple[Album, list[Photo]]:
    with context.db.session() as session:
        album = session.get(Album, album_id)
        if album is None:
            raise Unavailable
        return album, album_photos(session, album_id)


def _download_size(grant: Grant) -> str | None:
    return {"none": None, "web": "web", "original": "original"}.get(grant.download)


@router.get("/{token}", response_class=HTMLResponse)
async def gallery(token: str, request: Request, context: Context) -> Response:
    try:
        grant = await to_thread.run_sync(_open, context, token, request)
        album, photos = await to_thread.run_sync(_album_and_photos, context, grant.album_id)
    except Unavailable:
        return unavailable_page(request)
    except Locked:
        return _password_page(request, token, None, 401)
    await to_thread.run_sync(_count_view, context, grant.link_id)
    return templates.TemplateResponse(
        request,
        "gallery.html",
        {
            "token": token,
            "album": album,
            "photos": photos,
            "download_size": _download_size(grant),
        },
        headers=PAGE_HEADERS,
    )


def _recent_failures(context: ServerContext, link_id: str, client: str) -> list[UnlockFailure]:
    since = utcnow() - timedelta(seconds=context.config.unlock_window_seconds)
    with context.db.session() as session:
        session.execute(delete(UnlockFailure).where(UnlockFailure.at < since))
        return list(
            session.scalars(
                select(UnlockFailure)
                .where(UnlockFailure.link_id == link_id, UnlockFailure.client == client)
                .order_by(UnlockFailure.at)
            )
        )


def _record_failure(context: ServerContext, link_id: str, client: str) -> None:
    with context.db.session() as session:
        session.add(UnlockFailure(link_id=link_id, client=client, at=utcnow()))


def _clear_failures(context: ServerContext, link_id: str, client: str) -> None:
    with context.db.session() as session:
        session.execute(
            delete(UnlockFailure).where(
                UnlockFailure.link_id == link_id, UnlockFailure.client == client
            )
        )


@router.post("/{token}/unlock", response_class=HTMLResponse)
async def unlock(
    token: str,
    request: Request,
    context: Context,
    password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    try:
        grant = await to_thread.run_sync(_grant, context, token)
    except Unavailable:
        return unavailable_page(request)
    gallery_url = f"/s/{token}"
    if grant.password_hash is None:
        return RedirectResponse(gallery_url, status_code=303)
    client = request.client.host if request.client else "unknown"
    failures = await to_thread.run_sync(_recent_failures, context, grant.link_id, client)
    if len(failures) >= context.config.unlock_failures_allowed:
        window = timedelta(seconds=context.config.unlock_window_seconds)
        wait = max(1, int((failures[0].at + window - utcnow()).total_seconds()) + 1)
        request.state.retry_after = str(wait)
        minutes = max(1, round(wait / 60))
        message = (
            f"Too many wrong passwords. Try again in {minutes} minute{'s' if minutes > 1 else ''}."
        )
        return _password_page(request, token, message, 429)
    if not password or not await to_thread.run_sync(verify_password, grant.password_hash, password):
        await to_thread.run_sync(_record_failure, context, grant.link_id, client)
        return _password_page(request, token, "That password is not right. Try again.", 401)
    await to_thread.run_sync(_clear_failures, context, grant.link_id, client)
    response = RedirectResponse(gallery_url, status_code=303)
    response.set_cookie(
        COOKIE,
        make_unlock_cookie(context.cookie_key, grant.link_id, grant.password_hash),
        max_age=COOKIE_MAX_AGE,
        path=gallery_url,
        httponly=True,
        samesite="lax",
        secure=context.config.secure_cookies,
    )
    return response


@router.get("/{token}/photos.json")
async def photos_json(token: str, request: Request, context: Context) -> Response:
    try:
        grant = await to_thread.run_sync(_open, context, token, request)
        album, photos = await to_thread.run_sync(_album_and_photos, context, grant.album_id)
    except Unavailable:
        return unavailable_json()
    except Locked:
        return _locked_json()
    items = []
    for photo in photos:
        item: dict[str, object] = {
            "id": photo.id,
            "filename": photo.filename,
            "width": photo.width,
            "height": photo.height,
            "thumb": f"/s/{token}/photos/{photo.id}/thumb",
            "preview": f"/s/{token}/photos/{photo.id}/preview",
        }
        if grant.keep.metadata:
            item["taken_at"] = photo.taken_at.isoformat() if photo.taken_at else None
        if grant.download == "original":
            item["original"] = f"/s/{token}/photos/{photo.id}/original"
        items.append(item)
    body = {
        "album": {
            "id": album.id,
            "title": album.title,
            "description": album.description,
            "photo_count": len(photos),
        },
        "link": {
            "download": grant.download,
            "show_metadata": grant.keep.metadata,
            "show_location": grant.keep.location,
        },
        "photos": items,
    }
    return JSONResponse(body, headers={"Cache-Control": "private, no-store"})


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
        grant = await to_thread.run_sync(_open, context, token, request)
    except Unavailable:
        return unavailable_page(request)
    except Locked:
        return _locked_json()
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


def _needs_strip(keep: KeepPolicy) -> bool:
    return not (keep.location and keep.metadata)


def _original_chunks(context: ServerContext, sha256: str, keep: KeepPolicy) -> Iterator[bytes]:
    with context.blobs.open(sha256) as source:
        if _needs_strip(keep):
            yield from strip_stream(source, keep)
        else:
            while chunk := source.read(1 << 20):
                yield chunk


def _strippable(context: ServerContext, sha256: str) -> bool:
    with context.blobs.open(sha256) as source:
        return can_strip(source.read(64))


async def _original(context: ServerContext, grant: Grant, photo: Photo) -> Response:
    if grant.download != "original":
        raise ApiError(403, "downloads_disabled", "this link does not allow original downloads")
    if _needs_strip(grant.keep) and not await to_thread.run_sync(
        _strippable, context, photo.sha256
    ):
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
    if not _needs_strip(grant.keep):
        headers["Content-Length"] = str(photo.size)
    return StreamingResponse(
        _original_chunks(context, photo.sha256, grant.keep),
        media_type=photo.content_type or "application/octet-stream",
        headers=headers,
    )


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
            _grant(context, grant.token)
        except Unavailable:
            return False
        return True

    def web(photo: Photo) -> Iterator[bytes]:
        yield derivative(context, photo.sha256, "preview", grant.keep)

    for photo in photos:
        if size == "original" and (
            not _needs_strip(grant.keep) or _strippable(context, photo.sha256)
        ):
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
        grant = await to_thread.run_sync(_open, context, token, request)
        album, photos = await to_thread.run_sync(_album_and_photos, context, grant.album_id)
    except Unavailable:
        return unavailable_page(request)
    except Locked:
        return _locked_json()
    allowed = _download_size(grant)
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
