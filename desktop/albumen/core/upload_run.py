"""One run of uploads: photos from the head of the outbox, several at a time, including those
queued while the run goes on.

The outbox goes out in order, but uploads do not depend on each other, so consecutive ones are
sent `concurrency` at a time. A run takes them from the head of the queue and, while more are
still being queued (`Arrivals` open: a folder being checked), waits for them rather than
ending, so the first photo leaves as soon as it is checked and the last check is not waited
for. It takes nothing past the first operation that uploads must not overtake (a link, a
delete, a revoke, an album the server does not have yet): that one goes after them, as the
owner ordered it. One kind it may pass: an album's order and cover sent again (PUT_ALBUM) for
an album the server holds, which each finished upload queues; it is idempotent and carries
what the store holds when it goes, so it goes once, after the run.

Before photos start, one request asks which of their bytes the server already has (those are
added without sending them again; the question covers every photo waiting, so photos that
queue up while all uploads are busy cost one request together), and once per album, which
photos the album already holds (one that finished just before a crash is not sent twice).
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

from albumen.core.arrivals import Arrivals
from albumen.core.backend import BackendError, OfflineError
from albumen.core.model import Operation, OperationKind, Photo

if TYPE_CHECKING:
    from albumen.core.sync import SyncReport, SyncService


class UploadRun:
    """Drives one run; `run()` returns when nothing more may start and nothing is under way."""

    def __init__(self, service: SyncService, report: SyncReport, arrivals: Arrivals) -> None:
        self.service = service
        self.store = service.store
        self.report = report
        self.arrivals = arrivals
        self.cursor = 0  # the last operation looked at
        self.waiting: deque[tuple[Operation, Photo]] = deque()
        self.blocked = False  # met an operation the uploads must not overtake
        self.album_photos: dict[str, set[str]] = {}  # photo ids each album holds on the server
        self.albums_there: set[str] = set()  # albums the server is known to hold
        self.present: set[str] = set()  # SHA-256 of bytes the server holds
        self.asked: set[str] = set()
        self.running: set[Future[str]] = set()

    def run(self) -> None:
        service = self.service
        with ThreadPoolExecutor(service.concurrency, thread_name_prefix="albumen-upload") as pool:
            while True:
                mark = self.arrivals.mark()  # before looking: a change after it wakes the wait
                closed = self.arrivals.closed  # before looking: all queued then is seen below
                self._collect()
                going = not service.stopping and self.report.offline is None
                if going:
                    self._examine()
                    self._start(pool)
                if not self.running and (
                    not going or self.blocked or (closed and not self.waiting)
                ):
                    return
                self.arrivals.wait(mark)

    def _collect(self) -> None:
        for future in [f for f in self.running if f.done()]:
            self.running.discard(future)
            outcome = future.result()
            if outcome == "uploaded":
                self.report.uploaded += 1
            elif outcome == "skipped":
                self.report.skipped += 1
            elif outcome.startswith("offline:"):
                self.report.offline = outcome.removeprefix("offline:")
            elif outcome.startswith("failed:"):
                self.report.failed.append(outcome.removeprefix("failed:"))

    def _examine(self) -> None:
        """Take the uploads queued since the last look, up to an operation they must not pass."""
        if self.blocked:
            return
        for operation in self.store.pending_operations(after=self.cursor):
            if operation.kind is OperationKind.UPLOAD_PHOTO:
                photo = self.store.find_photo(operation.entity_id)
                if photo is None:
                    self.store.complete_operation(operation.seq)  # removed since it was queued
                else:
                    self.waiting.append((operation, photo))
            elif not (
                operation.kind is OperationKind.PUT_ALBUM
                and operation.entity_id in self.albums_there
            ):
                self.blocked = True
                return
            self.cursor = operation.seq

    def _start(self, pool: ThreadPoolExecutor) -> None:
        room = self.service.concurrency - len(self.running)
        if room <= 0 or not self.waiting:
            return
        try:
            self._learn()
        except OfflineError as error:
            self.report.offline = error.message
            return
        while room > 0 and self.waiting:
            operation, photo = self.waiting.popleft()
            held = photo.id in self.album_photos.get(photo.album_id, set())
            future = pool.submit(
                self.service.upload_one, operation, photo, held, photo.sha256 in self.present
            )
            self.running.add(future)
            future.add_done_callback(lambda _done: self.arrivals.poke())
            room -= 1

    def _learn(self) -> None:
        """What the server already holds of the photos waiting: their albums' photos (once per
        album and run), and which of their bytes it has (one request for all not asked yet)."""
        retrying, backend = self.service.with_retries, self.service.backend
        for album_id in sorted({p.album_id for _, p in self.waiting} - self.album_photos.keys()):
            try:
                ids = retrying(lambda a=album_id: backend.album_photo_ids(a))  # type: ignore[misc]
            except BackendError as error:
                if isinstance(error, OfflineError) or error.status != 404:
                    raise
                ids = set()  # not on the server: each upload into it says so by name
            else:
                self.albums_there.add(album_id)
            self.album_photos[album_id] = ids
        hashes = sorted({p.sha256 for _, p in self.waiting} - self.asked)
        if hashes:
            self.present |= retrying(lambda: backend.present(hashes))
            self.asked.update(hashes)
