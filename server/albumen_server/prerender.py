"""Thumbnails, then previews, rendered as soon as a photo is made, so its first viewer finds them.

Rendering a 24 MP JPEG's thumbnails (the gallery's, and its small one for 1× screens, from one
decode) takes about 0.2 s of CPU and its preview 0.5 s. Made on demand, the first viewer of a
freshly shared album waited for a screenful of them, all at once (measured with
bench/viewer_paint.py). Here each photo committed by this process, whichever way
it came (a finished tus upload, known bytes added to another album, an arriving photo's preview
and then its original), is queued the moment its transaction commits: its thumbnail first, and
its preview once no thumbnail is waiting, so the photos uploaded first (the top of an album in
upload order) are ready first. An album's cover, which the gallery opens on, has its preview
made right after its thumbnails (and a cover the owner picks later, next).

- Never in the way: the upload's answer does not wait (the queue is only appended to); one
  worker thread per process hands one picture at a time to a child process at a lower CPU
  priority (:mod:`~albumen_server.render_process`: sharing no GIL with the requests), so requests
  and uploads go first; the queue is bounded, and a photo that does not fit is rendered on its
  first view, as without this.
- Safe with several processes sharing the cache: the cache lets one renderer make a file at a
  time (:mod:`~albumen_server.derivative_cache`), so a viewer's request never makes again what
  a worker is making, and each process's worker only renders what it ingested itself.
- Nothing depends on it: the cache is filled on demand as before, so a file the worker has not
  reached yet, or a server restarted with a full queue, costs only the first view's wait.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import queue
import threading
from typing import Final

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from albumen_server.context import ServerContext
from albumen_server.derivative_cache import Kind, forget, prepare
from albumen_server.derivatives import DerivativeError
from albumen_server.models import Album, Photo
from albumen_server.render_process import RenderProcess

log = logging.getLogger(__name__)

QUEUE_LIMIT: Final = 20_000
"""Pictures waiting at most (two per photo): far more than one album's upload, a few MB."""

_ORDER: Final[tuple[tuple[Kind, ...], ...]] = (("small", "thumb"), ("preview",))
"""What is made first, and what is made together (from one decode)."""
_STOP: Final[tuple[int, int, str, tuple[Kind, ...]]] = (-1, 0, "", ())
"""Ranks before everything: the worker stops after the picture under way."""


class Prerenderer:
    """One process's background renderer: `add` a photo's SHA-256, the worker does the rest."""

    def __init__(self, context: ServerContext, limit: int = QUEUE_LIMIT) -> None:
        self.context = context
        self._queue: queue.PriorityQueue[tuple[int, int, str, tuple[Kind, ...]]] = (
            queue.PriorityQueue(limit)
        )
        self._order = itertools.count(1)
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._full_reported = False
        self._renderer = RenderProcess()

    def add(self, sha256: str) -> None:
        """Queue the photo's thumbnails and preview; never waits, drops what does not fit."""
        for rank, kinds in enumerate(_ORDER):
            if not self._put(rank, sha256, kinds):
                return

    def add_cover(self, sha256: str) -> None:
        """Queue an album cover's preview with the thumbnails, not after them all: the gallery
        opens on it, and the previews of a 500-photo album come a minute after its last
        thumbnail."""
        self._put(0, sha256, ("preview",))

    def queued(self) -> list[tuple[str, tuple[Kind, ...]]]:
        """What waits, in the order it will be made: each photo's SHA-256 and its pictures."""
        with self._queue.mutex:
            waiting = sorted(self._queue.queue)
        return [(sha256, kinds) for rank, _order, sha256, kinds in waiting if rank >= 0]

    def _put(self, rank: int, sha256: str, kinds: tuple[Kind, ...]) -> bool:
        try:
            self._queue.put_nowait((rank, next(self._order), sha256, kinds))
        except queue.Full:
            if not self._full_reported:
                log.warning("background rendering is behind; new photos render when viewed")
                self._full_reported = True
            return False
        return True

    def watch(self) -> None:
        """`add` every photo that this process's database sessions commit, and make an
        album's new cover first."""
        db = self.context.db
        db.after_commit(_shown_blobs, self._add_all)
        db.after_commit(_new_cover_blobs, self._add_covers)
        db.after_commit(_picked_cover_ids, self._add_picked_covers)

    def _add_all(self, blobs: list[str]) -> None:
        for sha256 in blobs:
            self.add(sha256)

    def _add_covers(self, blobs: list[str]) -> None:
        for sha256 in blobs:
            self.add_cover(sha256)

    def _add_picked_covers(self, photo_ids: list[str]) -> None:
        self._add_covers(self._pictures_of(photo_ids))

    def _pictures_of(self, photo_ids: list[str]) -> list[str]:
        """The blobs these photos' pictures are made from (an owner picked them as covers)."""
        if not photo_ids:
            return []
        with self.context.db.session() as session:
            photos = session.scalars(select(Photo).where(Photo.id.in_(photo_ids)))
            return [photo.picture_sha256 for photo in photos]

    def start(self) -> None:
        if self._thread is None:
            self._stopping.clear()
            self._thread = threading.Thread(target=self._run, name="prerender", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Finish the picture under way (within `timeout`) and leave the rest to be viewed."""
        if self._thread is not None:
            self._stopping.set()
            with contextlib.suppress(queue.Full):  # full: the worker is not waiting anyway
                self._queue.put_nowait(_STOP)
            self._thread.join(timeout)
            self._thread = None
        self._renderer.close()

    def _run(self) -> None:
        while not self._stopping.is_set():
            rank, _order, sha256, kinds = self._queue.get()
            if rank >= 0:
                self.render(sha256, kinds)

    def render(self, sha256: str, kinds: tuple[Kind, ...]) -> None:
        """Make these pictures unless they are there; a file that cannot be one is left to its
        view (which answers the reason), and a photo deleted meanwhile leaves nothing behind."""
        blobs = self.context.blobs
        named = " and ".join(kinds)
        try:
            if not blobs.exists(sha256):
                return
            prepare(self.context, sha256, kinds, self._renderer.render_many)
        except DerivativeError as error:
            log.debug("no %s for %s: %s", named, sha256, error)
        except Exception:  # the worker must outlive any one file; its view retries it
            log.exception("rendering the %s of %s failed", named, sha256)
        if not blobs.exists(sha256):
            forget(self.context, sha256)


def _shown_blobs(session: Session) -> list[str]:
    """The blobs this flush gives pictures to make of: a new photo's, and the one a photo's
    pictures now come from (an arriving photo's original landed, or it got a new preview)."""
    made = [row.picture_sha256 for row in session.new if isinstance(row, Photo)]
    made += [
        row.picture_sha256
        for row in session.dirty
        if isinstance(row, Photo) and _shows_another_blob(row)
    ]
    return made


def _new_cover_blobs(session: Session) -> list[str]:
    """The blobs of new photos that are their album's cover (the app names the cover before
    its photo arrives). An album the session has not loaded is not looked up here: its cover
    then waits its turn."""
    covers = []
    for row in session.new:
        if isinstance(row, Photo):
            album = session.identity_map.get(identity_key(Album, row.album_id))
            if isinstance(album, Album) and album.cover_photo_id == row.id:
                covers.append(row.picture_sha256)
    return covers


def _picked_cover_ids(session: Session) -> list[str]:
    """The photos an owner picks as an album's cover in this flush; their blobs are looked up
    after the commit."""
    return [
        row.cover_photo_id
        for row in session.dirty
        if isinstance(row, Album)
        and row.cover_photo_id is not None
        and inspect(row).attrs.cover_photo_id.history.has_changes()
    ]


def _shows_another_blob(photo: Photo) -> bool:
    """Whether this flush changes the blob the photo's pictures are made from."""
    return bool(inspect(photo).attrs.preview_sha256.history.has_changes())
