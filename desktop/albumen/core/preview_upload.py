"""Sending one photo's web size ahead of its original (`PUT /api/photos/{id}/preview`).

From then on the photo exists on the server in state "arriving": a link shows it from the web
size while the original follows by tus (docs/DESIGN.md, "Instant gallery"). The request names
the bytes the tus upload will send (their SHA-256 and length: the owner's file, or the copy
without location an album may ask for), so the server knows the original when it lands.

Nothing here fails a photo: a web size that cannot be made or is refused leaves the photo to
its original, which says what is wrong with the file if anything is. Where it stands is kept in
the store (`Photo.preview`), flushed, so a sync after a crash does not send it again.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from albumen.core.backend import ARRIVING, BackendError, OfflineError, PreviewFacts
from albumen.core.model import Photo, PreviewState
from albumen.core.sync_events import SyncEvent
from albumen.core.thumbnails import ThumbnailError
from albumen.core.upload_source import LocationRemovalError
from albumen_photo import formats
from albumen_photo.metadata import read_metadata

if TYPE_CHECKING:
    from albumen.core.sync import SyncService

log = logging.getLogger(__name__)


def send_preview(service: SyncService, photo: Photo) -> str:
    """Send the photo's web size (on a worker thread of an `UploadRun`); returns its outcome:
    "previewed" (the server has it: a link shows the photo), "complete" (the server had the
    original's bytes: the photo is whole there), "original" (none sent: the original alone will
    show it), "unsupported" (the server does not know web sizes) or "offline:…"."""
    web_sizes = service.web_sizes
    if web_sizes is None:
        return "original"
    if service.stopping:
        return "offline:paused"
    if service.source_problem(photo) is not None:
        return "original"  # the original's step says what is wrong, and marks the photo
    try:
        source = service.upload_source(photo)
        web = web_sizes.render(photo.path, photo.sha256)
        data = web.path.read_bytes()
    except LocationRemovalError:
        return "original"  # not sent at all: the original's step says why
    except (ThumbnailError, OSError) as error:
        log.info("no web size for %s: %s", photo.path, error)
        service.store.set_preview(photo.id, PreviewState.SKIPPED)
        return "original"
    width, height = _upright_size(photo, web.width, web.height)
    facts = PreviewFacts(
        album_id=photo.album_id,
        filename=photo.filename,
        sha256=source.sha256,
        size=source.size,
        width=width,
        height=height,
        taken_at=_camera_time(photo),
        content_type=formats.content_type(photo.path),
    )
    try:
        state = service.with_retries(lambda: service.backend.put_preview(photo.id, data, facts))
    except OfflineError as error:
        return f"offline:{error.message}"
    except BackendError as error:
        # Refused for this photo (a 4xx: for good), or a 5xx past the retries (this time):
        # its original shows it.
        log.info("web size of %s refused: %s", photo.path, error.message)
        if error.status < 500:
            service.store.set_preview(photo.id, PreviewState.SKIPPED)
        return "original"
    if state is None:
        return "unsupported"
    if state != ARRIVING:
        return "complete"  # the server had the original's bytes: nothing more to send
    service.store.set_preview(photo.id, PreviewState.SENT)
    service.listener(SyncEvent("previewed", photo.id, photo.album_id, message=photo.filename))
    return "previewed"


def render_ahead(service: SyncService, photo: Photo) -> None:
    """Make the photo's web size before its turn to be sent (see `UploadRun`); a photo that
    cannot be made is left to `send_preview`, which says so."""
    web_sizes = service.web_sizes
    if web_sizes is None or service.stopping:
        return
    try:
        web_sizes.render(photo.path, photo.sha256)
    except (ThumbnailError, OSError):
        return


def _camera_time(photo: Photo) -> datetime | None:
    """When the photo was taken, as the server reads it from an original: with its offset when
    the camera recorded one, else the camera's clock without a zone (which the server reads as
    UTC), so the date does not move when the original lands. Read from the file again: the
    store keeps it converted to UTC from this computer's zone."""
    return read_metadata(photo.path).taken_at


def _upright_size(photo: Photo, web_width: int, web_height: int) -> tuple[int | None, int | None]:
    """The original's size as it is shown: the scan's size, turned as the web size was (the
    scan reads a JPEG's stored size, before its EXIF orientation)."""
    width, height = photo.width, photo.height
    if not width or not height:
        return None, None
    if (width > height) != (web_width > web_height) and web_width != web_height:
        return height, width
    return width, height
