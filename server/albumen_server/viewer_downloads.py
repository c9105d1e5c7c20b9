"""The image bytes a link serves: thumbnails, previews, originals and the whole album as a zip.

Every answer passes the link check first (see :mod:`albumen_server.viewer_access`): no image
of an album can be fetched after a revoke, and a zip in progress stops at the next photo.

Thumbnails and previews are re-encoded JPEGs made for the link's policy (derivative_cache).
An original is streamed as uploaded when the link keeps everything, else with metadata removed
losslessly (:func:`albumen_photo.strip.strip_stream`); a format that cannot be stripped that way
is refused with 409 (alone) or replaced by its web-size JPEG (in a zip), never sent unstripped.
An arriving photo's pictures are made from its preview (`Photo.picture_sha256`), and its
original, like a zip of originals that would need it, answers 409 `arriving` (a kind page for a
browser). Images are `private, no-cache` with an ETag, so a browser revalidates and a revoke holds;
behind a password they are `no-store`, kept out of the browser's disk cache.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import time
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import quote

from anyio import to_thread
from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import StreamingResponse
from zipstream import ZIP_STORED, ZipStream

from albumen_photo.formats import identify
from albumen_photo.policy import KeepPolicy
from albumen_photo.strip import StripError, original_withheld, strip_stream
from albumen_server import sections
from albumen_server.auth import Context
from albumen_server.context import ServerContext
from albumen_server.derivative_cache import Kind, derivative
from albumen_server.derivatives import DerivativeError
from albumen_server.errors import ApiError, still_arriving
from albumen_server.link_activity import download_counted
from albumen_server.models import Photo
from albumen_server.picks import from_another_site
from albumen_server.schemas import MAX_PHOTO_ORDER
from albumen_server.sections import MAX_SECTIONS
from albumen_server.viewer_access import (
    Grant,
    Locked,
    Unavailable,
    album_and_photos,
    arriving_answer,
    grant_of,
    locked_json,
    open_link,
    unavailable_page,
)
from albumen_server.viewer_model import download_size, shows_beyond_web_size

router = APIRouter(prefix="/s", tags=["viewer"], include_in_schema=True)
IMAGE_CACHE = "private, no-cache"


def _photo_in_album(context: ServerContext, album_id: str, photo_id: str) -> Photo:
    with context.db.session() as session:
        photo = session.get(Photo, photo_id)
        if photo is None or photo.album_id != album_id:
            raise ApiError(404, "not_found", "this photo is not in the album")
        return photo


def _attachment(filename: str) -> str:
    """A Content-Disposition that no name can break out of: control characters, quotes and
    slashes never reach the header as themselves."""
    ascii_name = "".join(
        "_" if char in '"\\/' or not char.isprintable() else char
        for char in filename.encode("ascii", "replace").decode()
    )
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _image_cache(grant: Grant) -> str:
    """Images behind a password stay out of the browser's disk cache (`no-store`); open ones
    are revalidated on every view (`no-cache` with an ETag), so a revoke holds either way."""
    return "private, no-store" if grant.password_hash else IMAGE_CACHE


def zip_arriving(count: int) -> ApiError:
    """A zip of originals while some are still on their way."""
    files = "file is still on its way" if count == 1 else "files are still on their way"
    return ApiError(
        409,
        "arriving",
        f"{count} full-resolution {files}; the originals can be downloaded together once they"
        " have landed, the web sizes now (size=web)",
    )


def _picture(context: ServerContext, grant: Grant, photo: Photo, kind: Kind) -> bytes:
    """The photo's thumb or preview for this link, with the link's watermark if it has one. An
    arriving photo whose original lands between reading its row and making the picture has lost
    its preview meanwhile: asked again, it is complete, and its picture is made from the
    original."""
    try:
        return derivative(context, photo.picture_sha256, kind, grant.keep, grant.watermark)
    except DerivativeError:
        if not photo.arriving:
            raise
        now = _photo_in_album(context, grant.album_id, photo.id)
        if now.arriving:
            raise
        return derivative(context, now.picture_sha256, kind, grant.keep, grant.watermark)


def _web_name(filename: str) -> str:
    return f"{Path(filename).stem}.jpg"


@router.get("/{token}/photos/{photo_id}/{kind}")
async def photo_image(
    token: str,
    photo_id: str,
    kind: Literal["small", "thumb", "preview", "large", "original"],
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
        return await _original(request, context, grant, photo)
    if download and grant.download == "none":
        raise ApiError(403, "downloads_disabled", "this link does not allow downloads")
    if kind == "large" and not shows_beyond_web_size(grant.download):
        raise ApiError(
            403, "downloads_disabled", "this link shows photos up to the web size, not larger"
        )
    try:
        data = await to_thread.run_sync(_picture, context, grant, photo, kind)
    except DerivativeError as error:
        raise ApiError(422, error.code, f"{photo.filename}: {error}") from None
    etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
    headers = {"Cache-Control": _image_cache(grant), "ETag": etag}
    if download:
        headers["Content-Disposition"] = _attachment(_web_name(photo.filename))
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    counted = download_counted(context, grant.link_id) if download else None
    return Response(data, media_type="image/jpeg", headers=headers, background=counted)


# -- originals, as uploaded or stripped -------------------------------------------------------


def _original_chunks(
    context: ServerContext, sha256: str, keep: KeepPolicy
) -> Generator[bytes, None, None]:
    with context.blobs.open(sha256) as source:
        if keep.keeps_everything:
            while chunk := source.read(1 << 20):
                yield chunk
        else:
            yield from strip_stream(source, keep)


def _original_withheld(context: ServerContext, sha256: str, keep: KeepPolicy) -> str | None:
    """Why this blob may not go out as an original on a link with `keep` (the rule the owner's
    preview shows, `albumen_photo.strip.original_withheld`), or None."""
    if keep.keeps_everything:
        return None
    return original_withheld(identify(context.blobs.local_path(sha256)), keep)


def _original_streams(context: ServerContext, sha256: str, keep: KeepPolicy) -> bool:
    """True when this original may go out on the link and its first piece can be made (where a
    stripper finds what it cannot handle)."""
    if _original_withheld(context, sha256, keep) is not None:
        return False
    chunks = _original_chunks(context, sha256, keep)
    try:
        next(chunks, b"")
    except StripError:
        return False
    finally:
        chunks.close()
    return True


async def _original(
    request: Request, context: ServerContext, grant: Grant, photo: Photo
) -> Response:
    if grant.download != "original":
        raise ApiError(403, "downloads_disabled", "this link does not allow original downloads")
    if photo.arriving:
        return arriving_answer(request, still_arriving(photo.filename), grant.token, photo.filename)
    withheld = await to_thread.run_sync(_original_withheld, context, photo.sha256, grant.keep)
    if withheld is not None:
        raise ApiError(
            409,
            "original_unavailable",
            f"{photo.filename}: {withheld}; download the web size instead",
        )
    headers = {
        "Cache-Control": _image_cache(grant),
        "Content-Disposition": _attachment(photo.filename),
    }
    if grant.keep.keeps_everything:
        headers["Content-Length"] = str(photo.size)
    chunks = _original_chunks(context, photo.sha256, grant.keep)
    # The first piece is made before the answer starts: a file that turns out not to be
    # strippable (a HEIF with a box nobody knows) then gets a clear 409, not a cut download.
    try:
        first = await to_thread.run_sync(next, chunks, b"")
    except StripError as error:
        raise ApiError(409, "original_unavailable", f"{photo.filename}: {error}") from None
    return StreamingResponse(
        itertools.chain([first], chunks),
        media_type=photo.content_type or "application/octet-stream",
        headers=headers,
        background=download_counted(context, grant.link_id),
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


_NOT_IN_FOLDER_NAMES = re.compile(r"[<>:\"/\\\\|?*]")


def folder_name(title: str) -> str:
    """A section's title as a folder of the zip, on any system the zip is opened on: without
    the characters Windows, macOS or Linux refuse in a name, nor dots or spaces at its end."""
    return _NOT_IN_FOLDER_NAMES.sub("-", title).rstrip(". ") or "Section"


def _zip_entries(
    context: ServerContext,
    grant: Grant,
    photos: list[Photo],
    size: str,
    folders: dict[str, str] | None = None,
) -> Iterator[bytes]:
    """The zip's bytes; each photo in the folder `folders` names for it (its section), if any."""
    stream = ZipStream(compress_type=ZIP_STORED)
    used: set[str] = set()

    def entry(photo: Photo, name: str) -> str:
        folder = (folders or {}).get(photo.id)
        return _unique(f"{folder}/{name}" if folder else name, used)

    def still_available() -> bool:
        # A revoke stops a zip in progress at the next photo.
        try:
            grant_of(context, grant.token)
        except Unavailable:
            return False
        return True

    def web(photo: Photo) -> Iterator[bytes]:
        yield _picture(context, grant, photo, "preview")

    # Each entry is checked before it joins the zip: an error inside a stream already under
    # way could only cut the download short. A photo whose original the link cannot offer goes
    # in at web size (as the gallery shows it); one that cannot be rendered at all (the gallery
    # shows it as unavailable) stays out.
    for photo in photos:
        if size == "original" and _original_streams(context, photo.sha256, grant.keep):
            stream.add(
                _original_chunks(context, photo.sha256, grant.keep),
                entry(photo, photo.filename),
            )
            continue
        try:
            _picture(context, grant, photo, "preview")  # made once, cached
        except (DerivativeError, ApiError):  # ApiError: the photo was deleted meanwhile
            continue
        stream.add(web(photo), entry(photo, _web_name(photo.filename)))
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
    section: Annotated[int | None, Query(ge=1, le=MAX_SECTIONS)] = None,
) -> Response:
    """Every photo of the album, or of its `section`-th section (as the gallery numbers them),
    as a zip."""
    return await _zip_answer(request, context, token, size, None, section)


@router.post("/{token}/download")
async def download_chosen(
    token: str,
    request: Request,
    context: Context,
    photo_ids: Annotated[str, Form(max_length=MAX_PHOTO_ORDER * 37)],
    size: Annotated[Literal["web", "original"] | None, Form()] = None,
) -> Response:
    """The photos a viewer chose (their picks), as a zip: a form's POST, since their ids
    (comma-separated) may be more than a URL carries through a proxy."""
    if from_another_site(request, context.config.public_url):
        raise ApiError(403, "cross_site", "downloads are asked for from the album's own pages")
    chosen = {part.strip().lower() for part in photo_ids.split(",") if part.strip()}
    return await _zip_answer(request, context, token, size, chosen)


async def _zip_answer(
    request: Request,
    context: Context,
    token: str,
    size: Literal["web", "original"] | None,
    chosen: set[str] | None,
    section: int | None = None,
) -> Response:
    """The zip of the album's photos (`chosen` ones alone, in the album's order, when given;
    or one section's): at the size asked for, within what the link allows."""
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
    wanted = size or allowed
    if wanted == "original" and allowed != "original":
        raise ApiError(403, "downloads_disabled", "this link allows only web-size downloads")
    name = album.title or "album"
    if chosen is not None:
        photos = [photo for photo in photos if photo.id in chosen]
        if not photos:
            raise ApiError(422, "invalid", "photo_ids: none of these are photos of this album")
        name += " (my picks)"
    # The whole album of an album in sections: a folder for each section, as the gallery groups
    # them (the photos in none at the top).
    folders = None
    if chosen is None and section is None and album.sections:
        titles = sections.titles_by_photo(sections.loads(album.sections))
        folders = {photo_id: folder_name(title) for photo_id, title in titles.items()}
    if section is not None:
        parts = sections.grouped(photos, sections.loads(album.sections))
        titled = [(title, members) for title, members in parts if title is not None]
        if section > len(titled):
            raise ApiError(404, "not_found", f"this album has no section {section}")
        title, photos = titled[section - 1]
        name += f" — {title}"
    arriving = [photo for photo in photos if photo.arriving]
    if wanted == "original" and arriving:
        # All the originals or none: a zip that says so but lacks some would be kept as the
        # album. The web sizes (`size=web`) of every photo can be had at once.
        count = len(arriving)
        return arriving_answer(request, zip_arriving(count), grant.token, "Every photo", count)
    return StreamingResponse(
        _zip_entries(context, grant, photos, wanted, folders),
        media_type="application/zip",
        headers={
            "Content-Disposition": _attachment(f"{name}.zip"),
            "Cache-Control": "private, no-store",
        },
        background=download_counted(context, grant.link_id),
    )
