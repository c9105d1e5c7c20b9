"""Thumbnails, then previews, rendered as soon as a photo is made, so its first viewer finds them.

Rendering a 24 MP JPEG's thumbnail takes about 0.2 s of CPU and its preview 0.5 s. Made on
demand, the first viewer of a freshly shared album waited for a screenful of them, all at once
(measured with bench/viewer_paint.py). Here each photo committed by this process, whichever way
it came (a finished tus upload, known bytes added to another album, an arriving photo's preview
and then its original), is queued the moment its transaction commits: its thumbnail first, and
its preview once no thumbnail is waiting, so the photos uploaded first (the top of an album in
upload order) are ready first.

- Never in the way: the upload's answer does not wait (the queue is only appended to); one
  worker thread per process renders one picture at a time, at a lower CPU priority where the
  system gives threads their own (Linux), so requests and uploads go first; the queue is bounded,
  and a photo that does not fit is rendered on its first view, as without this.
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
import os
import queue
import sys
import threading
from typing import Any, Final

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from albumen_server.context import ServerContext
from albumen_server.derivative_cache import Kind, forget, prepare
from albumen_server.derivatives import DerivativeError
from albumen_server.models import Photo

log = logging.getLogger(__name__)

QUEUE_LIMIT: Final = 20_000
"""Pictures waiting at most (two per photo): far more than one album's upload, a few MB."""

NICENESS: Final = 10
"""How much lower than the requests' the worker's CPU priority is (Linux `nice` steps)."""

_ORDER: Final[dict[Kind, int]] = {"thumb": 0, "preview": 1}
_NEW_PHOTOS: Final = "albumen_prerender"
_STOP: Final = (-1, 0, "", "thumb")
"""Ranks before everything: the worker stops after the picture under way."""


class Prerenderer:
    """One process's background renderer: `add` a photo's SHA-256, the worker does the rest."""

    def __init__(self, context: ServerContext, limit: int = QUEUE_LIMIT) -> None:
        self.context = context
        self._queue: queue.PriorityQueue[tuple[int, int, str, Kind]] = queue.PriorityQueue(limit)
        self._order = itertools.count(1)
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._full_reported = False

    def add(self, sha256: str) -> None:
        """Queue the photo's thumbnail and preview; never waits, drops what does not fit."""
        for kind, rank in _ORDER.items():
            try:
                self._queue.put_nowait((rank, next(self._order), sha256, kind))
            except queue.Full:
                if not self._full_reported:
                    log.warning("background rendering is behind; new photos render when viewed")
                    self._full_reported = True
                return

    def watch(self) -> None:
        """`add` every photo that this process's database sessions commit."""

        def after_flush(session: Session, _flush: Any) -> None:
            # A new photo, or one whose pictures now come from elsewhere (an arriving photo's
            # original landed, or it got a new preview): pictures of the blob it shows.
            made = [row.picture_sha256 for row in session.new if isinstance(row, Photo)]
            made += [
                row.picture_sha256
                for row in session.dirty
                if isinstance(row, Photo) and _shows_another_blob(row)
            ]
            if made:
                session.info.setdefault(_NEW_PHOTOS, []).extend(made)

        def after_commit(session: Session) -> None:
            for sha256 in session.info.pop(_NEW_PHOTOS, ()):
                self.add(sha256)

        def after_rollback(session: Session) -> None:
            session.info.pop(_NEW_PHOTOS, None)

        db = self.context.db
        db.listen("after_flush", after_flush)
        db.listen("after_commit", after_commit)
        db.listen("after_rollback", after_rollback)

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

    def _run(self) -> None:
        _lower_priority()
        while not self._stopping.is_set():
            rank, _order, sha256, kind = self._queue.get()
            if rank >= 0:
                self.render(sha256, kind)

    def render(self, sha256: str, kind: Kind) -> None:
        """Make one picture unless it is there; a file that cannot be one is left to its view
        (which answers the reason), and a photo deleted meanwhile leaves nothing behind."""
        blobs = self.context.blobs
        try:
            if not blobs.exists(sha256):
                return
            prepare(self.context, sha256, kind)
        except DerivativeError as error:
            log.debug("no %s for %s: %s", kind, sha256, error)
        except Exception:  # the worker must outlive any one file; its view retries it
            log.exception("rendering the %s of %s failed", kind, sha256)
        if not blobs.exists(sha256):
            forget(self.context, sha256)


def _shows_another_blob(photo: Photo) -> bool:
    """Whether this flush changes the blob the photo's pictures are made from."""
    return bool(inspect(photo).attrs.preview_sha256.history.has_changes())


def _lower_priority() -> None:
    """This thread's nice value up by NICENESS, where threads have their own (Linux)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            thread = threading.get_native_id()
            os.setpriority(
                os.PRIO_PROCESS, thread, os.getpriority(os.PRIO_PROCESS, thread) + NICENESS
            )
