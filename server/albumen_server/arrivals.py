"""Arriving photos: seen at once from a web-size preview, complete when their original lands.

On a slow uplink an album of originals takes long, and its viewers should not wait for it. So
the client first sends each photo's web-size JPEG with `PUT /api/photos/{photo_id}/preview`,
the facts it read from the original in the query (`album_id, filename, sha256, size, width,
height, taken_at`, and `content_type`), and the photo exists at once in state `arriving`:

- its thumb and preview are made from that JPEG (checked and stripped of everything but its
  pixels by :mod:`~albumen_server.previews`, kept in the blob store under its own SHA-256, which
  the row names in `preview_sha256`), so the gallery, the lightbox and the zip of web sizes show
  it; the derivative cache is keyed by the blob a picture is made from, so the preview's
  pictures and the original's never mix, in any process or with any blob store;
- its original, and a zip of originals, answer 409 `arriving`; the facts a viewer may read are
  those the client announced, never anything from the preview file;
- when the original with that SHA-256 lands (a tus upload, or `PUT /api/photos/{id}` when the
  server holds the bytes already), :func:`albumen_server.ingest.complete_arrivals` makes it
  complete: the original's facts, pictures rendered from the original (the background renderer
  is told), and the preview's blob dropped once no photo shows it.

The state lives in the database alone, so a server restarted between the preview and the
original keeps the photo arriving, and any process may receive either.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session

from albumen_photo.formats import content_type as content_type_of
from albumen_server.api import IdPath, owned_album
from albumen_server.auth import Context, CurrentOwner, Owned
from albumen_server.context import ServerContext
from albumen_server.errors import not_found
from albumen_server.ingest import (
    FileFacts,
    add_photo,
    clean_filename,
    complete_arrivals,
    existing_photo,
    known_facts,
)
from albumen_server.models import Photo, utcnow
from albumen_server.photos import forget_blobs, unused_blobs
from albumen_server.previews import CleanPreview, clean_preview
from albumen_server.quotas import ensure_room, room_held
from albumen_server.schemas import PhotoOut, Sha256, UtcDatetime, Uuid

router = APIRouter(prefix="/api", tags=["photos"])

MAX_SIDE = 1_000_000
"""Pixels on a side of any photo's original, far beyond any camera (a sanity bound)."""

_JPEG_BODY = {
    "requestBody": {
        "required": True,
        "description": "The photo's web-size JPEG: long edge at most 2048 px, upright",
        "content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@dataclass(frozen=True)
class Announced:
    """What the client read from the original and sends with its preview."""

    album_id: str
    filename: str
    sha256: str
    size: int
    width: int | None
    height: int | None
    taken_at: datetime | None
    content_type: str | None

    def facts(self, preview: CleanPreview) -> FileFacts:
        """The photo's facts until its original lands: the client's; without a size in pixels,
        the preview's (its shape is the original's)."""
        sized = self.width is not None and self.height is not None
        return FileFacts(
            size=self.size,
            content_type=self.content_type or content_type_of(self.filename),
            width=self.width if sized else preview.width,
            height=self.height if sized else preview.height,
            taken_at=self.taken_at,
        )


@router.put(
    "/photos/{photo_id}/preview",
    response_model=PhotoOut,
    openapi_extra=_JPEG_BODY,
    responses={201: {"description": "The photo was made, arriving", "model": PhotoOut}},
)
async def put_preview(
    photo_id: IdPath,
    request: Request,
    response: Response,
    owner: Owned,
    context: Context,
    album_id: Annotated[Uuid, Query(description="The album, which must exist")],
    filename: Annotated[str, Query(min_length=1, max_length=255)],
    sha256: Annotated[Sha256, Query(description="The original's SHA-256")],
    size: Annotated[int, Query(ge=0, le=1 << 53, description="The original's bytes")],
    width: Annotated[int | None, Query(ge=1, le=MAX_SIDE)] = None,
    height: Annotated[int | None, Query(ge=1, le=MAX_SIDE)] = None,
    taken_at: Annotated[UtcDatetime | None, Query(description="ISO 8601; UTC if no zone")] = None,
    content_type: Annotated[str | None, Query(max_length=100)] = None,
) -> PhotoOut:
    """Make the photo `arriving` from its web-size JPEG (the body), before its original is
    uploaded with tus; idempotent on `photo_id`. A photo already complete is left as it is."""
    announced = Announced(
        album_id, filename, sha256, size, width, height, taken_at, content_type or None
    )
    body = await request.body()  # bounded by guards.MAX_PREVIEW_BODY before authentication
    photo, created = await to_thread.run_sync(
        receive_preview, context, owner, photo_id, announced, body
    )
    if created:
        response.status_code = 201
    return PhotoOut.model_validate(photo, from_attributes=True)


def _photo(session: Session, owner_id: int, photo_id: str, announced: Announced) -> Photo | None:
    """The photo already made with this id, or None; another owner's is not there (404), and
    one of other bytes or in another album is a conflict (409)."""
    photo = session.get(Photo, photo_id)
    if photo is not None and photo.owner_id != owner_id:
        raise not_found(f"photo {photo_id}")
    return existing_photo(session, photo_id, owner_id, announced.sha256, announced.album_id)


def receive_preview(
    context: ServerContext,
    owner: CurrentOwner,
    photo_id: str,
    announced: Announced,
    body: bytes,
) -> tuple[Photo, bool]:
    """The photo the preview makes or refreshes, and whether it was made now.

    The cheap refusals come first (album, id), then the preview is checked and cleaned outside
    any transaction; it joins the blob store under the blob lock, with the row that uses it, so
    no deletion in another process can take it away in between.
    """
    owner_id = owner.id
    filename = clean_filename(announced.filename)
    with context.db.session() as session:
        owned_album(session, owner_id, announced.album_id)
        existing = _photo(session, owner_id, photo_id, announced)
        if existing is not None and not existing.arriving:
            return existing, False  # complete: a late preview changes nothing
    # Cleaned before the owner's room is held: an owner with a quota sends several previews
    # at once, and their decoding need not wait for each other's.
    preview = clean_preview(body, filename)
    preview_sha256 = hashlib.sha256(preview.jpeg).hexdigest()
    staged = _stage(context, preview.jpeg)
    try:
        # The owner's room is held from its check until the photo is recorded (see quotas).
        with room_held(context.db.engine, owner_id, owner.quota_bytes):
            if existing is None:  # a new photo: its original must have room to land
                with context.db.session() as session:
                    if _photo(session, owner_id, photo_id, announced) is None:
                        ensure_room(
                            session, owner_id, owner.quota_bytes, announced.sha256, announced.size
                        )
            with context.blob_lock:
                with context.db.session() as session:
                    photo, created, dropped = _record(
                        session,
                        context,
                        owner_id,
                        photo_id,
                        announced,
                        preview,
                        preview_sha256,
                        staged,
                    )
                    session.flush()
                if dropped:
                    with context.db.session() as session:
                        forget_blobs(context, unused_blobs(session, dropped))
    finally:
        staged.unlink(missing_ok=True)  # gone already when the blob store took it
    return photo, created


def _stage(context: ServerContext, jpeg: bytes) -> Path:
    """The cleaned preview in a file beside the uploads, for the blob store to adopt."""
    folder = context.config.uploads_dir
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=folder, prefix=".preview-", suffix=".jpg")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(jpeg)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def _record(
    session: Session,
    context: ServerContext,
    owner_id: int,
    photo_id: str,
    announced: Announced,
    preview: CleanPreview,
    preview_sha256: str,
    staged: Path,
) -> tuple[Photo, bool, list[str]]:
    """The row for this preview, in the transaction under the blob lock: the photo, whether it
    was made now, and the blobs it no longer shows."""
    album = owned_album(session, owner_id, announced.album_id)
    photo = _photo(session, owner_id, photo_id, announced)
    if photo is not None and not photo.arriving:
        return photo, False, []
    known = known_facts(session, context, owner_id, announced.sha256)
    created = photo is None
    if photo is None:
        # The bytes may be here already (the same file in another album): complete at once.
        photo = add_photo(
            session,
            album,
            photo_id=photo_id,
            owner_id=owner_id,
            filename=clean_filename(announced.filename),
            sha256=announced.sha256,
            content_type=announced.content_type,
            facts=known or announced.facts(preview),
            now=utcnow(),
        )
        if known is None:
            context.blobs.adopt(preview_sha256, staged)
            photo.preview_sha256 = preview_sha256
        return photo, created, []
    if known is not None:  # arriving, and its bytes have landed meanwhile
        return (
            photo,
            False,
            complete_arrivals(session, owner_id, announced.sha256, known, announced.content_type),
        )
    # Arriving still: the client sent its preview again (after a crash, say); it replaces the
    # one before, and so do the facts it announced.
    dropped = []
    if photo.preview_sha256 != preview_sha256:
        context.blobs.adopt(preview_sha256, staged)
        dropped.append(photo.preview_sha256 or "")
        photo.preview_sha256 = preview_sha256
    facts = announced.facts(preview)
    photo.size, photo.content_type = facts.size, facts.content_type
    photo.width, photo.height, photo.taken_at = facts.width, facts.height, facts.taken_at
    return photo, False, dropped
