"""One run of uploads: photos from the head of the outbox, several at a time, including those
queued while the run goes on; their web sizes first, then their originals.

The outbox goes out in order, but uploads do not depend on each other, so consecutive ones are
sent `concurrency` at a time. A run takes them from the head of the queue and, while more are
still being queued (`Arrivals` open: a folder being checked), waits for them rather than
ending. It takes nothing past the first operation that uploads must not overtake (a delete, a
revoke, an album the server does not have yet): that one goes after them, as the owner ordered
it. One kind it may pass: an album's order and cover sent again (PUT_ALBUM) for an album the
server holds, which each finished upload queues; it is idempotent and carries what the store
holds when it goes, so it goes once, after the run.

Each photo goes in two steps (docs/DESIGN.md, "Instant gallery"): its web size
(`preview_upload`), which makes it visible through the album's links at once, then its
original by tus. Every web size of the run goes before any original (they are a twentieth of
the bytes), and the originals follow in the album's order, those that no web size shows going
first. A link queued behind the photos (`albumen share` queues one) is sent as soon as every
photo before it can be seen, so it goes live before the originals have landed; without web
sizes (a server that does not know them, or the owner turned them off) that is once the
originals are in, as before. Where the photo stands is in the store (`Photo.preview`, its
state), so a run that resumes after a crash sends only what is missing.

Before photos start, one request asks which of their bytes the server already has (those are
added without sending them again, and need no web size; the question covers every photo
waiting, and waits until an upload could start or too few are ready to go next, so photos
checked while all uploads are busy cost one request together), and once per album, which
photos the album already holds (one that finished just before a crash is not sent twice; one
whose web size arrived is not sent that again), unless the sync's own PUT has just created the
album (201): it holds none. Meanwhile an upload thread asks what the server takes (tus
OPTIONS), which its first creation needs: the questions go side by side, not one round trip
after the other before the first byte.
"""

from __future__ import annotations

import contextlib
import heapq
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

from albumen.core.arrivals import Arrivals
from albumen.core.backend import AlbumPhotos, BackendError, OfflineError
from albumen.core.intake import check_workers
from albumen.core.model import Operation, OperationKind, Photo, PhotoState, PreviewState
from albumen.core.original_upload import send_original
from albumen.core.preview_upload import render_ahead, send_preview

if TYPE_CHECKING:
    from albumen.core.sync import SyncReport, SyncService

Job = tuple[Operation, Photo]


class UploadRun:
    """Drives one run; `run()` returns when nothing more may start and nothing is under way."""

    def __init__(self, service: SyncService, report: SyncReport, arrivals: Arrivals) -> None:
        self.service = service
        self.store = service.store
        self.report = report
        self.arrivals = arrivals
        self.cursor = 0  # the last operation looked at
        self.waiting: deque[Job] = deque()  # examined, not sorted into a step yet
        self.quick: deque[Job] = deque()  # in the album, or bytes the server has: no sending
        self.previews: deque[Job] = deque()  # web size to send
        self.originals: list[tuple[bool, int, Job]] = []  # heap: unseen first, then queue order
        self.blocked = False  # met an operation the uploads must not overtake
        self.link: Operation | None = None  # a link waiting for the photos before it to show
        self.unseen: set[str] = set()  # photos examined that a link cannot show yet
        self.album_photos: dict[str, AlbumPhotos] = {}  # what each album holds on the server
        self.albums_there: set[str] = set()  # albums the server is known to hold
        self.present: set[str] = set()  # SHA-256 of bytes the server holds
        self.asked: set[str] = set()
        self.running: dict[Future[str], tuple[bool, Job]] = {}  # future: (web size?, job)
        self.web_sizes = service.web_sizes_first
        self.rendering: dict[str, Future[None]] = {}  # web sizes made ahead, by photo id
        self.render_workers = check_workers()
        self.extensions_asked = False

    def run(self) -> None:
        service = self.service
        with (
            ThreadPoolExecutor(service.concurrency, thread_name_prefix="albumen-upload") as pool,
            ThreadPoolExecutor(self.render_workers, thread_name_prefix="albumen-render") as ahead,
        ):
            while True:
                mark = self.arrivals.mark()  # before looking: a change after it wakes the wait
                closed = self.arrivals.closed  # before looking: all queued then is seen below
                self._collect()
                going = not service.stopping and self.report.offline is None
                if going:
                    self._examine()
                    self._start(pool, closed)
                    self._render_ahead(ahead)
                queued = self.waiting or self.quick or self.previews or self.originals
                if not self.running and (
                    not going or self.blocked or (closed and not queued and self.link is None)
                ):
                    for future in self.rendering.values():
                        future.cancel()  # not started yet: not needed now
                    return
                self.arrivals.wait(mark)

    def _collect(self) -> None:
        for future in [f for f in self.running if f.done()]:
            preview, job = self.running.pop(future)
            outcome = future.result()
            if preview:
                self._previewed(job, outcome)
                continue
            if outcome == "uploaded":
                self.report.uploaded += 1
            elif outcome == "skipped":
                self.report.skipped += 1
            elif outcome.startswith("offline:"):
                self.report.offline = outcome.removeprefix("offline:")
                continue
            elif outcome.startswith("failed:"):
                self.report.failed.append(outcome.removeprefix("failed:"))
            # Seen now; or, failed, never coming: a link need not wait for it either way.
            self.unseen.discard(job[1].id)

    def _previewed(self, job: Job, outcome: str) -> None:
        if outcome.startswith("offline:"):
            self.report.offline = outcome.removeprefix("offline:")
            return
        if outcome == "unsupported":  # an older server: originals only from now on
            self.web_sizes = False
            self.service.web_sizes_unknown = True
            while self.previews:
                self._original(self.previews.popleft())
        elif outcome == "previewed":
            self.report.previewed += 1
        elif outcome == "complete":  # the server made it from bytes it had: finish it here
            self.album_photos[job[1].album_id].complete.add(job[1].id)
            self.quick.append(job)
            return
        self._original(job)

    def _original(self, job: Job) -> None:
        operation, photo = job
        seen = self.store_preview(photo) is PreviewState.SENT
        if seen:
            self.unseen.discard(photo.id)
        heapq.heappush(self.originals, (seen, operation.seq, job))

    def store_preview(self, photo: Photo) -> PreviewState:
        fresh = self.store.find_photo(photo.id)
        return fresh.preview if fresh is not None else PreviewState.SKIPPED

    def _examine(self) -> None:
        """Take the uploads queued since the last look, up to an operation they must not pass
        (or a link, held until the photos before it can be seen)."""
        if self.blocked or self.link is not None:
            return
        for operation in self.store.pending_operations(after=self.cursor):
            if operation.kind is OperationKind.UPLOAD_PHOTO:
                photo = self.store.find_photo(operation.entity_id)
                if photo is None:
                    self.store.complete_operation(operation.seq)  # removed since it was queued
                else:
                    self.waiting.append((operation, photo))
                    self.unseen.add(photo.id)
            elif operation.kind is OperationKind.PUT_LINK and self.web_sizes:
                self.link = operation
                return
            elif not (
                operation.kind is OperationKind.PUT_ALBUM
                and operation.entity_id in self.albums_there
            ):
                self.blocked = True
                return
            self.cursor = operation.seq

    def _start(self, pool: ThreadPoolExecutor, closed: bool) -> None:
        if self.waiting and self._worth_asking(closed):
            if not self.extensions_asked:
                self.extensions_asked = True
                pool.submit(self._ask_what_the_server_takes)  # while _learn asks the rest
            try:
                self._learn()
            except OfflineError as error:
                self.report.offline = error.message
                return
            self._sort()
        if self.link is not None:
            if self._send_link():
                self._examine()  # what was queued after the link
                self._start(pool, closed)
                return
            if self.report.offline:
                return
        room = self.service.concurrency - len(self.running)
        for queue, preview in ((self.quick, False), (self.previews, True)):
            while room > 0 and queue:
                self._submit(pool, queue.popleft(), preview)
                room -= 1
        if self.web_sizes and not (closed or self.blocked or self.link):
            return  # every web size first, also those of photos still being checked
        if self.previews or any(preview for preview, _job in self.running.values()):
            return
        while room > 0 and self.originals:
            self._submit(pool, heapq.heappop(self.originals)[2], False)
            room -= 1

    def _worth_asking(self, closed: bool) -> bool:
        """Whether to ask the server about the photos waiting now: when an upload could start,
        when fewer are sorted than the uploads (and the web sizes made ahead) will want next,
        or when no more are coming. Otherwise photos still being checked gather for one
        question: asked as each arrived, a share's first second cost a request per photo or
        two (34 for 100), each holding this thread from uploads that finished meanwhile."""
        concurrency = self.service.concurrency
        if closed or len(self.running) < concurrency:
            return True
        if self.web_sizes:
            return len(self.quick) + len(self.previews) < concurrency + 2 * self.render_workers
        return len(self.quick) + len(self.originals) < concurrency

    def _ask_what_the_server_takes(self) -> None:
        """On an upload thread: its backend (and its connection) is then ready for a creation.
        Unanswered, the creation asks again and meets the error itself."""
        with contextlib.suppress(BackendError):
            self.service.backend.takes_bytes_with_creation()

    def _render_ahead(self, ahead: ThreadPoolExecutor) -> None:
        """Make the next web sizes on every core while others are sent: the cap's bandwidth
        and the cores both stay busy (a sender would otherwise make its own first)."""
        for done in [key for key, future in self.rendering.items() if future.done()]:
            del self.rendering[done]
        room = 2 * self.render_workers - len(self.rendering)
        for _operation, photo in self.previews:
            if room <= 0:
                return
            if photo.id not in self.rendering:
                self.rendering[photo.id] = ahead.submit(render_ahead, self.service, photo)
                self.rendering[photo.id].add_done_callback(lambda _done: self.arrivals.poke())
                room -= 1

    def _submit(self, pool: ThreadPoolExecutor, job: Job, preview: bool) -> None:
        operation, photo = job
        service = self.service
        if preview:
            future = pool.submit(send_preview, service, photo)
        else:
            there = self.album_photos.get(photo.album_id)
            held = there is not None and photo.id in there.complete
            future = pool.submit(
                send_original, service, operation, photo, held, photo.sha256 in self.present
            )
        self.running[future] = (preview, job)
        future.add_done_callback(lambda _done: self.arrivals.poke())

    def _sort(self) -> None:
        """Each photo examined to its step: nothing to send, a web size, or its original."""
        while self.waiting:
            job = self.waiting.popleft()
            photo = job[1]
            there = self.album_photos.get(photo.album_id) or AlbumPhotos(set(), set())
            if photo.id in there.complete or photo.sha256 in self.present:
                self.quick.append(job)
                continue
            if photo.id in there.arriving and photo.preview is PreviewState.WANTED:
                self.store.set_preview(photo.id, PreviewState.SENT)  # sent before a crash
            wanted = self.store_preview(photo) is PreviewState.WANTED
            if self.web_sizes and wanted and photo.state is not PhotoState.UPLOADED:
                self.previews.append(job)
            else:
                self._original(job)

    def _send_link(self) -> bool:
        """Send the held link once every photo before it can be seen; whether it went."""
        link = self.link
        assert link is not None
        if self.unseen:
            return False
        self.link = None
        self.cursor = link.seq
        try:
            self.service.apply(link, self.report)
        except OfflineError as error:
            self.report.offline = error.message
            return False
        return True

    def _learn(self) -> None:
        """What the server already holds of the photos waiting: their albums' photos (once per
        album and run; none in an album this process's PUT just created), and which of their
        bytes it has (one request for all not asked yet)."""
        retrying, backend = self.service.with_retries, self.service.backend
        for album_id in sorted({p.album_id for _, p in self.waiting} - self.album_photos.keys()):
            if album_id in self.service.new_albums:  # created by our PUT: nothing in it yet
                self.service.new_albums.discard(album_id)
                self.album_photos[album_id] = AlbumPhotos(set(), set())
                self.albums_there.add(album_id)
                continue
            try:
                held = retrying(lambda a=album_id: backend.album_photos(a))  # type: ignore[misc]
            except BackendError as error:
                if isinstance(error, OfflineError) or error.status != 404:
                    raise
                held = AlbumPhotos(set(), set())  # not on the server: each upload says so
            else:
                self.albums_there.add(album_id)
            self.album_photos[album_id] = held
        hashes = sorted({p.sha256 for _, p in self.waiting} - self.asked)
        if hashes:
            self.present |= retrying(lambda: backend.present(hashes))
            self.asked.update(hashes)
