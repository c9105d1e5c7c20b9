"""Watermarked pictures that no link can show any more leave the derivative cache.

A watermarked link's pictures are kept beside the plain ones, once per text
(`derivative_cache.watermark_key`): a new text makes new ones, and those of the old text, or of
a revoked link, would stay on the disk for good: per photo and text, its thumbnails and preview,
each twice (the drawn pixels, and those with the link's metadata). A text is in use for a blob
while a link that is not revoked carries it for an album holding a photo made of that blob (an
expired link may be extended: its pictures stay).

- The process that commits a link's new text, or its revocation, sweeps that album's photos
  right after, on a thread of its own: the owner's request does not wait.
- Every process sweeps its whole cache a minute after it starts and once a day after: each
  machine of a deployment has a cache of its own, where another machine's process may have
  changed the link, and a photo moved out of an album takes that album's links with it.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Iterable
from typing import Final

from sqlalchemy import inspect, or_, select
from sqlalchemy.orm import Session

from albumen_server.context import ServerContext
from albumen_server.derivative_cache import cached_blobs, watermark_key, watermarked_pictures
from albumen_server.models import Link, Photo

log = logging.getLogger(__name__)

WHOLE_CACHE_EVERY_SECONDS: Final = 24 * 3600
FIRST_WHOLE_CACHE_AFTER_SECONDS: Final = 60.0
"""Not in the way of a starting process's first requests."""
_ASKED_AT_ONCE: Final = 500  # blobs per query: well under every database's parameter limit
_STOP: Final = ""


def sweep(context: ServerContext, blobs: Iterable[str] | None = None) -> int:
    """Delete the watermarked pictures of these blobs (None: of every blob in the cache) whose
    text no link in use carries; return how many files went."""
    cache = context.config.cache_dir
    candidates = cached_blobs(cache) if blobs is None else blobs
    marked = {blob: found for blob in candidates if (found := watermarked_pictures(cache, blob))}
    if not marked:
        return 0
    with context.db.session() as session:
        in_use = _texts_in_use(session, list(marked))
    dropped = 0
    for sha256, by_key in marked.items():
        for key, paths in by_key.items():
            if key in in_use.get(sha256, ()):
                continue
            for path in paths:
                path.unlink(missing_ok=True)
                dropped += 1
    return dropped


def _texts_in_use(session: Session, blobs: list[str]) -> dict[str, set[str]]:
    """For each blob, the `watermark_key` of every text a link in use shows its photos with."""
    in_use: dict[str, set[str]] = {}
    for start in range(0, len(blobs), _ASKED_AT_ONCE):
        chunk = blobs[start : start + _ASKED_AT_ONCE]
        rows = session.execute(
            select(Photo.sha256, Photo.preview_sha256, Link.watermark)
            .join(Link, Link.album_id == Photo.album_id)
            .where(
                or_(Photo.sha256.in_(chunk), Photo.preview_sha256.in_(chunk)),
                Link.revoked_at.is_(None),
                Link.watermark.is_not(None),
            )
        )
        for sha256, preview_sha256, text in rows:
            for blob in (sha256, preview_sha256):
                if blob is not None:
                    in_use.setdefault(blob, set()).add(watermark_key(text))
    return in_use


def _album_blobs(context: ServerContext, album_id: str) -> list[str]:
    with context.db.session() as session:
        rows = session.execute(
            select(Photo.sha256, Photo.preview_sha256).where(Photo.album_id == album_id)
        )
        return [blob for row in rows for blob in row if blob is not None]


class WatermarkSweeper:
    """One process's sweeper: `watch` the database, `start`, and `stop` at the end."""

    def __init__(
        self,
        context: ServerContext,
        first_after: float = FIRST_WHOLE_CACHE_AFTER_SECONDS,
        every: float = WHOLE_CACHE_EVERY_SECONDS,
    ) -> None:
        self.context = context
        self._first_after = first_after
        self._every = every
        self._albums: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def watch(self) -> None:
        """Queue the album of every link whose text changes, or which is revoked, once this
        process's session commits it."""

        def changed_albums(session: Session) -> list[str]:
            return [
                row.album_id
                for row in session.dirty
                if isinstance(row, Link) and row.album_id is not None and _text_may_go(row)
            ]

        def queue_albums(album_ids: list[str]) -> None:
            for album_id in dict.fromkeys(album_ids):  # once each, in the order changed
                self._albums.put(album_id)

        self.context.db.after_commit(changed_albums, queue_albums)

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._run, name="albumen-watermark-sweep", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._albums.put(_STOP)
            self._thread.join(timeout=10)

    def _run(self) -> None:
        whole_cache_at = time.monotonic() + self._first_after  # however many albums come first
        while True:
            try:
                album_id = self._albums.get(timeout=max(0.0, whole_cache_at - time.monotonic()))
            except queue.Empty:
                self._sweep(None, "the cache")
                whole_cache_at = time.monotonic() + self._every
                continue
            if album_id == _STOP:
                return
            self._sweep(_album_blobs(self.context, album_id), f"album {album_id}")

    def _sweep(self, blobs: list[str] | None, what: str) -> None:
        try:
            dropped = sweep(self.context, blobs)
        except Exception:  # a database or disk fault: the next sweep tries again
            log.exception("sweeping watermarked pictures of %s failed", what)
            return
        if dropped:
            log.info("dropped %d watermarked pictures no link shows (%s)", dropped, what)


def _text_may_go(link: Link) -> bool:
    """Whether this flush changes the link's text or revokes it."""
    state = inspect(link)
    return bool(
        state.attrs.watermark.history.has_changes() or state.attrs.revoked_at.history.has_changes()
    )
