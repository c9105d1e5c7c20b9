"""What a link's recipient reaches, with no account: every route checks the link every time.

A revoked, expired or unknown link gets one and the same answer on every route (404, a plain
"not available" page, JSON for `.json`), so nobody can tell which it was, and no image of the
album can be fetched after a revoke: there is no cache in front of this check.

What a page may tell about the photos is decided once, in `_views`: a `PhotoView` carries the
capture time only for links with `show_metadata` and the position and place only for links with
`show_location`, so no template or JSON answer can leak what the owner did not allow.

The pages work without JavaScript (a grid of links to one server-rendered page per photo); the
scripts in `static/` add the lightbox and the map. The Content-Security-Policy allows scripts,
styles and images from this server alone (plus the map tile host, when one is configured).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import quote

from anyio import to_thread
from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    StreamingResponse,
)
from fastapi.templating import Jinja2Templates
from sqlalchemy import delete, select, update
from zipstream import ZIP_STORED, ZipStream

from albumen_photo.policy import KeepPolicy
from albumen_photo.strip import can_strip, strip_stream
from albumen_server.auth import Context
from albumen_server.context import ServerContext
from albumen_server.derivative_cache import derivative
from albumen_server.derivatives import DerivativeError
from albumen_server.errors import ApiError
from albumen_server.facts import CameraFacts, facts_of_blob
from albumen_server.links import is_available
from albumen_server.models import Album, Link, Photo, UnlockFailure, utcnow
from albumen_server.photos import album_photos
from albumen_server.places import coordinates_label
from albumen_server.security import check_unlock_cookie, make_unlock_cookie, verify_password

router = APIRouter(prefix="/s", tags=["viewer"], include_in_schema=True)
templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))

COOKIE = "albumen_unlock"
COOKIE_MAX_AGE = 30 * 24 * 3600
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; img-src 'self'; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "private, no-store",
}
IMAGE_CACHE = "private, no-cache"
MIN_RATIO, MAX_RATIO = 20, 500
"""Aspect ratios (width/height, in hundredths) that `ratios.css` has a class for."""


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


def page_headers(context: ServerContext) -> dict[str, str]:
    """PAGE_HEADERS, with the map tile host allowed for images when the server has one."""
    headers = dict(PAGE_HEADERS)
    origin = context.config.tile_origin
    if origin:
        headers["Content-Security-Policy"] = headers["Content-Security-Policy"].replace(
            "img-src 'self'", f"img-src 'self' {origin}"
        )
    return headers


@dataclass(frozen=True)
class PhotoView:
    """One photo as this link may show it: every field a page or JSON answer can use."""

    id: str
    filename: str
    width: int | None
    height: int | None
    sha256: str
    base: str  # /s/{token}/photos/{id}
    download: str | None
    taken_at: datetime | None = None  # only with show_metadata
    latitude: float | None = None  # these three only with show_location
    longitude: float | None = None
    place: str | None = None

    @property
    def page(self) -> str:
        return self.base

    @property
    def thumb(self) -> str:
        return f"{self.base}/thumb"

    @property
    def preview(self) -> str:
        return f"{self.base}/preview"

    @property
    def original(self) -> str | None:
        return f"{self.base}/original" if self.download == "original" else None

    @property
    def web_download(self) -> str | None:
        return f"{self.base}/preview?download=1" if self.download else None

    @property
    def ratio_class(self) -> str:
        """A class of `ratios.css` that gives the grid cell this photo's aspect ratio."""
        if not self.width or not self.height:
            return "r100"
        hundredths = round(100 * self.width / self.height)
        return f"r{min(MAX_RATIO, max(MIN_RATIO, hundredths))}"

    @property
    def alt(self) -> str:
        """Alt text: the photographer's file name is the only description a photo has."""
        return Path(self.filename).stem or self.filename


def _views(token: str, grant: Grant, photos: Sequence[Photo]) -> list[PhotoView]:
    """The one place where the link's rights decide what a viewer may learn of each photo."""
    views = []
    for photo in photos:
        located = grant.keep.location and photo.latitude is not None
        views.append(
            PhotoView(
                id=photo.id,
                filename=photo.filename,
                width=photo.width,
                height=photo.height,
                sha256=photo.sha256,
                base=f"/s/{token}/photos/{photo.id}",
                download=_download_size(grant),
                taken_at=photo.taken_at if grant.keep.metadata else None,
                latitude=photo.latitude if located else None,
                longitude=photo.longitude if located else None,
                place=photo.place if located else None,
            )
        )
    return views


@dataclass
class Place:
    """Photos taken at one named place, and where to put its marker (their mean position)."""

    name: str
    anchor: str
    photos: list[PhotoView] = field(default_factory=list)

    @property
    def latitude(self) -> float:
        return sum(p.latitude or 0.0 for p in self.photos) / len(self.photos)

    @property
    def longitude(self) -> float:
        return sum(p.longitude or 0.0 for p in self.photos) / len(self.photos)


def _places(views: Sequence[PhotoView]) -> list[Place]:
    """Photos grouped by place name, places in the order the album first reaches them."""
    places: dict[str, Place] = {}
    for view in views:
        if view.latitude is None or view.longitude is None:
            continue
        # Unnamed spots (at sea, far from any town) group by tenth of a degree, about 10 km.
        name = view.place or coordinates_label(round(view.latitude, 1), round(view.longitude, 1))
        if name not in places:
            places[name] = Place(name=name, anchor=f"place-{len(places) + 1}")
        places[name].photos.append(view)
    return list(places.values())


def _day(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y}"


def date_range(views: Sequence[PhotoView]) -> str | None:
    """The days the photos were taken, as people write them ("3–5 June 2026"), if known."""
    dates = sorted(v.taken_at.date() for v in views if v.taken_at is not None)
    if not dates:
        return None
    first, last = dates[0], dates[-1]
    if first == last:
        return f"{first.day} {first:%B %Y}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {last:%B %Y}"
    if first.year == last.year:
        return f"{first.day} {first:%B} – {last.day} {last:%B %Y}"
    return f"{first.day} {first:%B %Y} – {last.day} {last:%B %Y}"


def _taken_label(moment: datetime | None) -> str | None:
    # Shown as the camera's clock showed it: see derivatives.ImageInfo on why that is UTC here.
    return None if moment is None else f"{_day(moment)}, {moment:%H:%M}"


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
    views = _views(token, grant, photos)
    places = _places(views) if grant.keep.location else []
    return templates.TemplateResponse(
        request,
        "gallery.html",
        {
            "token": token,
            "album": album,
            "photos": views,
            "places": places,
            "dates": date_range(views) if grant.keep.metadata else None,
            "download_size": _download_size(grant),
            "show_metadata": grant.keep.metadata,
            "tile_url": context.config.tile_url,
            "tile_attribution": context.config.tile_attribution,
        },
        headers=page_headers(context),
    )


def _photo_facts(context: ServerContext, grant: Grant, view: PhotoView) -> dict[str, str]:
    """What the link lets a viewer read beside one photo, as label -> text, in display order."""
    facts: dict[str, str] = {}
    if grant.keep.metadata:
        taken = _taken_label(view.taken_at)
        if taken:
            facts["Taken"] = taken
        camera: CameraFacts = facts_of_blob(context.blobs.open, view.sha256)
        for label, value in (
            ("Camera", camera.camera),
            ("Lens", camera.lens),
            ("Exposure", camera.exposure),
        ):
            if value:
                facts[label] = value
    if grant.keep.location and view.latitude is not None and view.longitude is not None:
        facts["Place"] = view.place or coordinates_label(view.latitude, view.longitude)
    return facts


def _one_photo(
    context: ServerContext, token: str, grant: Grant, photo_id: str
) -> tuple[Album, list[PhotoView], int, dict[str, str]]:
    album, photos = _album_and_photos(context, grant.album_id)
    views = _views(token, grant, photos)
    for index, view in enumerate(views):
        if view.id == photo_id:
            return album, views, index, _photo_facts(context, grant, view)
    raise ApiError(404, "not_found", "this photo is not in the album")


@router.get("/{token}/photos/{photo_id}.json")
async def photo_json(token: str, photo_id: str, request: Request, context: Context) -> Response:
    """One photo's facts, for the lightbox's side panel: only what the link allows."""
    try:
        grant = await to_thread.run_sync(_open, context, token, request)
        _album, views, index, facts = await to_thread.run_sync(
            _one_photo, context, token, grant, photo_id
        )
    except Unavailable:
        return unavailable_json()
    except Locked:
        return _locked_json()
    view = views[index]
    body: dict[str, object] = {
        "id": view.id,
        "position": index + 1,
        "photo_count": len(views),
        "facts": [{"label": label, "value": value} for label, value in facts.items()],
    }
    if grant.keep.location:
        body["latitude"], body["longitude"] = view.latitude, view.longitude
    return JSONResponse(body, headers={"Cache-Control": "private, no-store"})


@router.get("/{token}/photos/{photo_id}", response_class=HTMLResponse)
async def photo_page(token: str, photo_id: str, request: Request, context: Context) -> Response:
    """One photo on a page of its own: what a thumbnail opens when JavaScript is off."""
    try:
        grant = await to_thread.run_sync(_open, context, token, request)
        album, views, index, facts = await to_thread.run_sync(
            _one_photo, context, token, grant, photo_id
        )
    except Unavailable:
        return unavailable_page(request)
    except Locked:
        return _password_page(request, token, None, 401)
    return templates.TemplateResponse(
        request,
        "photo.html",
        {
            "token": token,
            "album": album,
            "photo": views[index],
            "position": index + 1,
            "count": len(views),
            "previous": views[index - 1] if index > 0 else None,
            "next": views[index + 1] if index + 1 < len(views) else None,
            "facts": facts,
            "download_size": _download_size(grant),
        },
        headers=page_headers(context),
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
    views = _views(token, grant, photos)
    items = []
    for view in views:
        item: dict[str, object] = {
            "id": view.id,
            "filename": view.filename,
            "width": view.width,
            "height": view.height,
            "thumb": view.thumb,
            "preview": view.preview,
            "page": view.page,
        }
        if grant.keep.metadata:
            item["taken_at"] = view.taken_at.isoformat() if view.taken_at else None
        if grant.keep.location:
            item["latitude"], item["longitude"] = view.latitude, view.longitude
            item["place"] = view.place
        if view.original:
            item["original"] = view.original
        items.append(item)
    body: dict[str, object] = {
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
    if grant.keep.location:
        body["places"] = [
            {
                "name": place.name,
                "latitude": place.latitude,
                "longitude": place.longitude,
                "photos": [view.id for view in place.photos],
            }
            for place in _places(views)
        ]
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


# -- assets the viewer pages load: all from this server, built from installed packages --------

assets_router = APIRouter(prefix="/static/vendor", tags=["viewer"], include_in_schema=False)
ASSET_CACHE = "public, max-age=86400"
_LEAFLET_FILES = frozenset(
    {
        "leaflet.js",
        "leaflet.css",
        "images/layers.png",
        "images/layers-2x.png",
        "images/marker-icon.png",
        "images/marker-icon-2x.png",
        "images/marker-shadow.png",
    }
)


def _leaflet_dir() -> Path:
    import xstatic.pkg.leaflet  # type: ignore[import-untyped]  # the Leaflet release, from PyPI

    return Path(xstatic.pkg.leaflet.BASE_DIR)


@assets_router.get("/leaflet/{name:path}")
def leaflet_file(name: str) -> Response:
    """Leaflet as the xstatic-leaflet package ships it; only the files the map uses."""
    if name not in _LEAFLET_FILES:
        raise ApiError(404, "not_found", "no such asset")
    return FileResponse(_leaflet_dir() / name, headers={"Cache-Control": ASSET_CACHE})


def _rounded(coordinates: object) -> object:
    if isinstance(coordinates, list) and coordinates and isinstance(coordinates[0], int | float):
        return [round(float(value), 2) for value in coordinates]
    if isinstance(coordinates, list):
        return [_rounded(part) for part in coordinates]
    return coordinates


@functools.cache
def world_outlines() -> tuple[bytes, bytes]:
    """Country outlines as GeoJSON (plain and gzipped), from the countryinfo package's data.

    The base layer of the Places map when no tile server is configured: about 170 kB, 55 kB
    compressed, rounded to a hundredth of a degree (a kilometre), which is finer than a map of
    countries can show.
    """
    from countryinfo import all_countries

    features = []
    for country in all_countries():
        for feature in country.geo_json().get("features", []):
            geometry = feature.get("geometry") or {}
            if geometry.get("type") in ("Polygon", "MultiPolygon"):
                features.append(
                    {
                        "type": "Feature",
                        "properties": {"name": country.name()},
                        "geometry": {
                            "type": geometry["type"],
                            "coordinates": _rounded(geometry["coordinates"]),
                        },
                    }
                )
    data = json.dumps(
        {"type": "FeatureCollection", "features": features}, separators=(",", ":")
    ).encode()
    return data, gzip.compress(data, mtime=0)


@assets_router.get("/world.json")
async def world_json(request: Request) -> Response:
    plain, packed = await to_thread.run_sync(world_outlines)
    headers = {"Cache-Control": ASSET_CACHE, "Vary": "Accept-Encoding"}
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(packed, media_type="application/geo+json", headers=headers)
    return Response(plain, media_type="application/geo+json", headers=headers)


@functools.cache
def _ratio_css() -> str:
    rules = (f".r{n}{{--r:{n / 100:g}}}" for n in range(MIN_RATIO, MAX_RATIO + 1))
    return (
        "/* Aspect-ratio classes for the gallery grid (viewer.PhotoView.ratio_class), so the\n"
        "   justified layout is exact without JavaScript and without inline styles (CSP). */\n"
        + "\n".join(rules)
        + "\n"
    )


@assets_router.get("/ratios.css")
def ratios_css() -> Response:
    return Response(_ratio_css(), media_type="text/css", headers={"Cache-Control": ASSET_CACHE})
