"""Photo rows and the blobs behind them: a blob lives as long as some photo points at it."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from albumen_server.models import Photo, Upload


def delete_photos(session: Session, photos: list[Photo]) -> list[str]:
    """Delete the rows; return the SHA-256s no photo and no upload in flight still needs."""
    hashes = {photo.sha256 for photo in photos}
    for photo in photos:
        session.delete(photo)
    session.flush()
    orphaned = []
    for sha256 in sorted(hashes):
        still_used = session.scalar(select(func.count()).where(Photo.sha256 == sha256))
        uploading = session.scalar(
            select(func.count()).where(Upload.sha256 == sha256, Upload.completed_at.is_(None))
        )
        if not still_used and not uploading:
            orphaned.append(sha256)
    return orphaned
