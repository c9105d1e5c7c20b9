"""Photo rows and the blobs behind them, and the one order an album's photos are shown in."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from albumen_server.context import ServerContext
from albumen_server.derivative_cache import forget
from albumen_server.models import Album, Photo, Upload

# The order of an album's photos everywhere (owner API, gallery, photo pages, photos.json, zip):
# the owner's order first; then the photos the owner has not placed (uploaded since, or never
# ordered) by capture time, undated ones last; then upload order; the id settles any tie, so two
# requests never disagree. Spelled without NULLS LAST so SQLite and PostgreSQL sort alike.
ALBUM_ORDER = (
    Photo.position.is_(None),
    Photo.position,
    Photo.taken_at.is_(None),
    Photo.taken_at,
    Photo.created_at,
    Photo.id,
)


def album_photos(session: Session, album_id: str) -> list[Photo]:
    """The album's photos in ALBUM_ORDER."""
    return list(
        session.scalars(select(Photo).where(Photo.album_id == album_id).order_by(*ALBUM_ORDER))
    )


def set_photo_order(session: Session, album_id: str, order: Sequence[str] | None) -> bool:
    """Give the album's photos the owner's order; True when any photo moved.

    Ids that are not photos of this album are ignored, a repeated id counts where it first
    appears, and photos not listed (all of them when `order` is None) lose their place and
    follow by capture time. One SELECT, then one UPDATE pass over the rows that change.
    """
    wanted: dict[str, int] = {}
    for photo_id in order or ():
        wanted.setdefault(photo_id, len(wanted))
    rows = session.execute(select(Photo.id, Photo.position).where(Photo.album_id == album_id)).all()
    changes = [
        {"id": photo_id, "position": wanted.get(photo_id)}
        for photo_id, position in rows
        if wanted.get(photo_id) != position
    ]
    if changes:
        # ORM bulk UPDATE by primary key: one statement, executed for all rows at once.
        session.execute(update(Photo), changes)
    return bool(changes)


def album_cover(session: Session, album: Album) -> str | None:
    """The cover the owner picked, while it is a photo of this album; else None (show the first)."""
    if album.cover_photo_id is None:
        return None
    photo = session.get(Photo, album.cover_photo_id)
    return photo.id if photo is not None and photo.album_id == album.id else None


def unused_blobs(session: Session, hashes: Iterable[str | None]) -> list[str]:
    """Those of `hashes` that no photo (as its original or as an arriving photo's preview) and
    no upload in flight still needs. Ask while holding the blob lock, which every new use of a
    blob takes too."""
    unused = []
    for sha256 in sorted({sha256 for sha256 in hashes if sha256}):
        still_used = session.scalar(
            select(func.count()).where(or_(Photo.sha256 == sha256, Photo.preview_sha256 == sha256))
        )
        uploading = session.scalar(
            select(func.count()).where(Upload.sha256 == sha256, Upload.completed_at.is_(None))
        )
        if not still_used and not uploading:
            unused.append(sha256)
    return unused


def delete_photos(session: Session, photos: list[Photo]) -> list[str]:
    """Delete the rows; return the SHA-256s no photo and no upload in flight still needs."""
    hashes = {photo.sha256 for photo in photos} | {photo.preview_sha256 for photo in photos}
    for photo in photos:
        session.delete(photo)
    session.flush()
    return unused_blobs(session, hashes)


def forget_blobs(context: ServerContext, orphaned: Iterable[str]) -> None:
    """Delete blobs found unused (by `unused_blobs`, after that transaction committed, the blob
    lock still held) and this process's pictures made of them."""
    for sha256 in orphaned:
        context.blobs.delete(sha256)
        forget(context, sha256)
