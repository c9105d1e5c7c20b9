"""Making a photo of bytes the server holds: the one way a photo row comes to exist.

A photo comes from a finished tus upload (:mod:`albumen_server.tus`), or from bytes the owner
uploaded before, when the same file goes into a second album (`PUT /api/photos/{id}`). Either
way it gets the same checks and the same facts: a plain file name, an id not taken by other
content, and the size, pixel dimensions, capture time and place read from the bytes (by
:func:`~albumen_server.derivatives.probe` and :func:`~albumen_server.places.locate` when they
arrive, copied from the photo with the same SHA-256 when they are already here).

An upload becomes a photo only when the whole file's SHA-256 is the one announced; only then is
the file moved into the blob store. A photo already made from its preview (`arriving`, see
:mod:`albumen_server.arrivals`) becomes complete the same way: the facts its client announced
give way to the original's, and its pictures are made from the original from then on.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from albumen_photo.digest import file_sha256
from albumen_photo.metadata import read_metadata
from albumen_server.context import ServerContext
from albumen_server.derivatives import probe
from albumen_server.errors import ApiError
from albumen_server.models import Album, Photo, Upload, utcnow
from albumen_server.photos import forget_blobs, unused_blobs
from albumen_server.places import locate


def clean_filename(name: str) -> str:
    """The photo's own name, never a path: the server must not be steered into a folder."""
    name = unicodedata.normalize("NFC", name)
    problem = None
    if not name.strip():
        problem = "is empty"
    elif "/" in name or "\\" in name or name in {".", ".."}:
        problem = "must be a plain file name, without folders or '..'"
    elif any(unicodedata.category(ch) == "Cc" for ch in name):
        problem = "contains control characters"
    elif len(name.encode()) > 255:
        problem = "is longer than 255 bytes"
    if problem:
        raise ApiError(400, "invalid_filename", f"filename {name[:80]!r} {problem}")
    return name


def existing_photo(
    session: Session, photo_id: str, owner_id: int, sha256: str, album_id: str
) -> Photo | None:
    """The photo already made with this id (the request is a repeat), or None.

    Ids are made by the client, so a repeat must be the same photo: this owner's, these bytes,
    this album. Anything else is a conflict (409), never a silent success.
    """
    existing = session.get(Photo, photo_id)
    if (
        existing is not None
        and existing.arriving
        and existing.owner_id == owner_id
        and existing.sha256 != sha256
    ):
        raise ApiError(
            409,
            "conflict",
            f"photo {photo_id} ({existing.filename}) is arriving as the file with SHA-256"
            f" {existing.sha256}; this is another file",
        )
    if existing is not None and (
        existing.owner_id != owner_id or existing.sha256 != sha256 or existing.album_id != album_id
    ):
        raise ApiError(409, "conflict", f"photo {photo_id} exists with other content")
    return existing


@dataclass(frozen=True)
class FileFacts:
    """What the bytes of a photo say about it, any of it unknown but the size."""

    size: int
    content_type: str | None = None
    width: int | None = None
    height: int | None = None
    taken_at: datetime | None = None
    latitude: float | None = None
    longitude: float | None = None
    place: str | None = None


def read_facts(path: Path) -> FileFacts:
    """The facts of a file that just arrived, read from its header; the place name is found
    offline (places.py). Never fails: a photo the server cannot look into is still a photo."""
    metadata = read_metadata(path)  # once, for both: reading it is most of their work
    info = probe(path, metadata)
    location = locate(path, metadata)
    return FileFacts(
        size=path.stat().st_size,
        content_type=info.content_type,
        width=info.width,
        height=info.height,
        taken_at=info.taken_at,
        latitude=location.latitude if location else None,
        longitude=location.longitude if location else None,
        place=location.place if location else None,
    )


def known_facts(
    session: Session, context: ServerContext, owner_id: int, sha256: str
) -> FileFacts | None:
    """The facts of bytes this owner uploaded before, from a photo made of them; None when the
    server does not hold them (no such photo, or its blob is gone)."""
    twin = session.scalar(
        select(Photo)
        .where(Photo.owner_id == owner_id, Photo.sha256 == sha256, Photo.preview_sha256.is_(None))
        .limit(1)
    )
    if twin is None or not context.blobs.exists(sha256):
        return None
    # The same bytes, the same facts: the viewer groups photos by place and maps them on links
    # that show location, whichever way the photo came.
    return FileFacts(
        size=twin.size,
        content_type=twin.content_type,
        width=twin.width,
        height=twin.height,
        taken_at=twin.taken_at,
        latitude=twin.latitude,
        longitude=twin.longitude,
        place=twin.place,
    )


def add_photo(
    session: Session,
    album: Album,
    *,
    photo_id: str,
    owner_id: int,
    filename: str,
    sha256: str,
    content_type: str | None,
    facts: FileFacts,
    now: datetime,
) -> Photo:
    """The photo row, in `album` (which is then updated now). `content_type` is the client's
    word and wins; else what the bytes say."""
    photo = Photo(
        id=photo_id,
        album_id=album.id,
        owner_id=owner_id,
        filename=filename,
        sha256=sha256,
        size=facts.size,
        content_type=content_type or facts.content_type,
        width=facts.width,
        height=facts.height,
        taken_at=facts.taken_at,
        latitude=facts.latitude,
        longitude=facts.longitude,
        place=facts.place,
        created_at=now,
    )
    session.add(photo)
    album.updated_at = now
    return photo


def complete_arrivals(
    session: Session, owner_id: int, sha256: str, facts: FileFacts, content_type: str | None
) -> list[str]:
    """Make complete every photo of this owner arriving as these bytes, which the server now
    holds: the original's facts replace what the client announced (where the original tells
    them). Return the previews they were seen from, for the caller to drop once unused."""
    arriving = session.scalars(
        select(Photo).where(
            Photo.owner_id == owner_id,
            Photo.sha256 == sha256,
            Photo.preview_sha256.is_not(None),
        )
    )
    previews = []
    for photo in arriving:
        previews.append(photo.preview_sha256 or "")
        photo.preview_sha256 = None
        photo.size = facts.size
        photo.content_type = content_type or facts.content_type or photo.content_type
        photo.width = facts.width or photo.width
        photo.height = facts.height or photo.height
        photo.taken_at = facts.taken_at or photo.taken_at
        photo.latitude, photo.longitude = facts.latitude, facts.longitude
        photo.place = facts.place
    return previews


# -- a finished upload ---------------------------------------------------------------------------


class WrongContent(Exception):
    """The file received is not the one announced: none of it may be kept."""


def ingest_upload(
    context: ServerContext, upload: Upload, path: Path, sha256: str | None = None
) -> datetime:
    """Make the photo of a finished upload, whose bytes are at `path`; return when it was done.

    `sha256` is the file's hash when the receiver kept it running, else it is read again.
    Raises WrongContent (and keeps nothing: the caller drops the upload) when it is not the one
    announced. Idempotent on the photo id: a photo made already is left as it is, and so is an
    album deleted meanwhile; the bytes are kept in the blob store either way, and the upload
    is marked complete, in the same transaction. Photos arriving as these bytes (this one among
    them) become complete in it too, and the previews they were seen from go.
    """
    actual = sha256 or file_sha256(path)
    if actual != upload.sha256:
        raise WrongContent(
            f"{upload.filename}: the file's SHA-256 is {actual}, not {upload.sha256} as announced;"
            " nothing was kept"
        )
    facts = read_facts(path)  # before the blob store adopts the file
    now = utcnow()
    with context.blob_lock:
        with context.db.session() as session:
            context.parts.adopt(context.blobs, upload.sha256, upload.id, path)
            row = session.get(Upload, upload.id)
            if row is not None:
                row.completed_at = now
            album = session.get(Album, upload.album_id)
            if album is not None and session.get(Photo, upload.photo_id) is None:
                add_photo(
                    session,
                    album,
                    photo_id=upload.photo_id,
                    owner_id=upload.owner_id,
                    filename=upload.filename,
                    sha256=upload.sha256,
                    content_type=upload.content_type,
                    facts=facts,
                    now=now,
                )
            previews = complete_arrivals(
                session, upload.owner_id, upload.sha256, facts, upload.content_type
            )
        if previews:
            with context.db.session() as session:
                unused = unused_blobs(session, previews)
            forget_blobs(context, unused)
    return now
