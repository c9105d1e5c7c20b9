"""Sending one photo's original by tus (on a worker thread of an `UploadRun`), after its web size
if it had one (`preview_upload`): the file, or the copy without its location an album asks for,
created with its first bytes where the server takes them, then PATCHed from where the server's
copy ends. A try that moves the upload forward does not use up the retries; one cut short by
a pause leaves the upload named in the store, and the next sync, in this process or after a
restart, resumes that very upload from the server's offset.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from albumen.core.backend import BackendError, OfflineError
from albumen.core.model import Operation, Photo, PhotoState
from albumen.core.sync_events import SyncEvent
from albumen.core.tus_client import Created
from albumen.core.upload_bodies import SourceChangedError, Stopped
from albumen.core.upload_source import LocationRemovalError, UploadSource
from albumen_photo import formats

if TYPE_CHECKING:
    from albumen.core.sync import SyncService


@dataclass
class _Try:
    """Where the current try of an upload began (the bytes the server held then): `with_retries`
    reads it to tell a try that moved the upload forward from one that made no headway."""

    start: int = -1


def send_original(
    service: SyncService,
    operation: Operation,
    photo: Photo,
    already_there: bool,
    server_has_bytes: bool,
) -> str:
    """Upload one photo (on a worker thread of an `UploadRun`); returns its outcome:
    "uploaded", "skipped" (the album had it), "failed:…" or "offline:…"."""
    if already_there:
        _uploaded(service, operation, photo)
        return "skipped"
    if service.stopping:
        return "offline:paused"
    problem = service.source_problem(photo)
    if problem is not None:
        state, message = problem
        service.store.set_photo_state(photo.id, state, error=message)
        service.store.complete_operation(operation.seq)
        service.listener(SyncEvent("photo_failed", photo.id, photo.album_id, message=message))
        return f"failed:{photo.filename}: {message}"
    this_try = _Try()
    try:
        done = service.with_retries(
            lambda: _transfer(service, photo, server_has_bytes, this_try),
            progress=lambda: this_try.start,
        )
    except OfflineError as error:
        service.store.set_photo_state(photo.id, PhotoState.QUEUED, error=error.message)
        return f"offline:{error.message}"
    except (BackendError, SourceChangedError, LocationRemovalError, OSError) as error:
        message = error.message if isinstance(error, BackendError) else str(error)
        changed = isinstance(error, SourceChangedError) or (
            isinstance(error, BackendError) and error.code == "checksum_mismatch"
        )
        state = PhotoState.CHANGED if changed else PhotoState.FAILED
        if changed:
            message = "the file changed while it was being uploaded; add it again"
        service.store.set_photo_state(photo.id, state, error=message)
        service.store.clear_upload_url(photo.id)
        service.store.fail_operation(operation.seq, message)
        service.store.complete_operation(operation.seq)
        service.listener(SyncEvent("photo_failed", photo.id, photo.album_id, message=message))
        return f"failed:{photo.filename}: {message}"
    if not done:  # paused mid-way: the server keeps what it has, the rest goes next time
        service.store.set_photo_state(photo.id, PhotoState.QUEUED)
        return "offline:paused"
    _uploaded(service, operation, photo)
    return "uploaded"


def _uploaded(service: SyncService, operation: Operation, photo: Photo) -> None:
    service.store.finish_upload(photo.id, operation.seq)  # and its place in the order, its cover
    if service.web_sizes is not None:
        service.web_sizes.discard(photo.sha256)
    service.listener(
        SyncEvent("uploaded", photo.id, photo.album_id, photo.size, photo.size, photo.filename)
    )


def _transfer(service: SyncService, photo: Photo, server_has_bytes: bool, this_try: _Try) -> bool:
    """Whether the server now has the photo (False: paused before the end)."""
    source = service.upload_source(photo)
    done = _send(service, photo, source, server_has_bytes and not source.temporary, this_try)
    if done:
        source.discard()  # kept otherwise, so a resumed upload sends the same bytes
    return done


def _send(
    service: SyncService,
    photo: Photo,
    source: UploadSource,
    server_has_bytes: bool,
    this_try: _Try,
) -> bool:
    backend = service.backend
    content_type = formats.content_type(photo.path)
    if server_has_bytes and backend.reuse_photo(
        photo.id, photo.album_id, photo.filename, photo.sha256, content_type
    ):
        return True
    reported = [0.0]
    last_saved = [0]

    def progress(sent: int) -> None:
        # A report per piece sent; ten a second are plenty for any view.
        now = time.monotonic()
        if now - reported[0] >= 0.1 or sent == source.size:
            reported[0] = now
            service.listener(SyncEvent("progress", photo.id, photo.album_id, sent, source.size))
        if sent - last_saved[0] >= 16 * 1024 * 1024:
            last_saved[0] = sent
            service.store.note_upload(photo.id, uploaded_bytes=sent)

    fresh = service.store.photo(photo.id)
    offset: int | None = None
    url = fresh.upload_url
    if url:
        offset = backend.upload_offset(url)
        if offset is not None and offset > source.size:
            offset = None  # an upload of other bytes: start afresh
        elif offset is not None:
            service.store.note_upload(photo.id)  # resumed: under way again
    if url is None or offset is None:
        this_try.start = 0  # where this try starts: see with_retries
        # The first bytes go with the first creation; one whose answer was lost (cut
        # mid-body, here or before a crash: the store says uploading, no upload named) is
        # asked again plainly: the server names the upload and where its copy ends (bytes
        # sent with it would cross the link to be refused).
        begun = photo.id in service.created_with_bytes or fresh.state is PhotoState.UPLOADING
        service.created_with_bytes.add(photo.id)
        if not begun:
            service.store.note_upload(photo.id)  # a creation under way, for after a crash

        def create(with_bytes_from: Path | None = None) -> Created:
            return backend.create_upload(
                album_id=photo.album_id,
                photo_id=photo.id,
                filename=photo.filename,
                sha256=source.sha256,
                size=source.size,
                content_type=content_type,
                path=with_bytes_from,
                progress=progress,
                should_stop=lambda: service.stopping,
            )

        try:
            created = create(None if begun else source.path)
        except Stopped:
            # Paused mid-body: the upload is named now, for the next sync to resume it.
            service.store.note_upload(photo.id, upload_url=create().url)
            return False
        url, offset = created.url, created.offset
        # Saved at once, so a restart resumes this very upload.
        service.store.note_upload(photo.id, upload_url=url, uploaded_bytes=offset)
        if created.complete:
            return True
    last_saved[0] = offset
    this_try.start = offset  # where this try starts: see with_retries
    end = backend.send_file(
        url, source.path, offset, source.size, progress, lambda: service.stopping
    )
    return end >= source.size
