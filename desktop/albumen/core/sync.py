"""Drains the outbox to the server, in order, with idempotent requests.

Runs on plain threads and reports through a callback, so it is tested with plain pytest; the UI
wraps the callback into Qt signals. Consecutive uploads run several at a time (`upload_run`);
everything else runs one by one in the order the owner acted; a photo's web size goes before
its original (`preview_upload`, then `original_upload`), so a link's viewers see it early. The
checks both steps make of the photo's file (`source_problem`, `upload_source`) are here. A
drain can also run while photos are still being queued (`sending`): it sends each as soon as
it is recorded and ends once no more will come. A server that cannot be reached stops the
drain (after retries with exponential backoff and jitter) and leaves the rest queued; an
upload that was interrupted resumes from the server's offset, also after a restart.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from albumen.core.arrivals import Arrivals
from albumen.core.backend import (
    MAX_PHOTO_ORDER,
    AccessRefused,
    Backend,
    BackendError,
    Keep,
    OfflineError,
    ServerFull,
)
from albumen.core.credentials import Credentials
from albumen.core.link_news import LinkNews
from albumen.core.link_pull import pull_links
from albumen.core.model import LinkState, Operation, OperationKind, Photo, PhotoState
from albumen.core.pick_pull import pull_picks
from albumen.core.picks import PickNews
from albumen.core.sections import album_sections
from albumen.core.storage_use import StorageUse
from albumen.core.store import Store, StoreError
from albumen.core.sync_events import Listener, SyncEvent, nobody_listens
from albumen.core.upload_run import UploadRun
from albumen.core.upload_source import (
    UploadSource,
    discard_copies_except,
    original,
    without_location,
)
from albumen.core.web_size import WebSizes
from albumen_photo.digest import file_sha256

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class SyncReport:
    uploaded: int = 0
    previewed: int = 0  # web sizes the server accepted
    skipped: int = 0
    failed: list[str] = field(default_factory=list)
    operations: int = 0
    offline: str | None = None  # why the drain stopped early, when it did
    remaining: int = 0
    new_picks: list[PickNews] = field(default_factory=list)  # lists the owner has not seen
    link_news: list[LinkNews] = field(default_factory=list)  # links first opened or downloaded
    storage: StorageUse | None = None  # the owner's room on the server, as the sync left it

    @property
    def access_refused(self) -> bool:
        """The server stopped the drain by refusing the owner token: pairing again is the way
        on (the queue waits, as when offline)."""
        return AccessRefused.said(self.offline)

    @property
    def server_full(self) -> bool:
        """The server stopped the drain for want of room (its disk, or the owner's quota):
        deleting, or more room from its administrator, is the way on."""
        return ServerFull.said(self.offline)


@dataclass
class Sending:
    """A drain running beside the caller (see `SyncService.sending`): say `arrivals.arrived()`
    after queueing more; `report` holds the result once the block is left."""

    arrivals: Arrivals
    report: SyncReport | None = None
    error: BaseException | None = None


class SyncService:
    """One server, one store; `sync_once` drains what is queued and pulls link state back."""

    def __init__(
        self,
        store: Store,
        backend_factory: Callable[[], Backend],
        credentials: Credentials,
        *,
        concurrency: int = 3,
        listener: Listener | None = None,
        retries: int = 4,
        backoff: float = 0.5,
        web_sizes: WebSizes | None = None,
    ) -> None:
        """`web_sizes`: where photos' web sizes are made and kept, to send ahead of their
        originals; None sends originals only."""
        self.store = store
        self.web_sizes = web_sizes
        self.web_sizes_unknown = False  # the server said it knows no web sizes
        self._backend_factory = backend_factory
        self._local = threading.local()
        # Photos whose creation carried bytes in this process (see original_upload).
        self.created_with_bytes: set[str] = set()
        # Albums this process's PUT created (201), not yet looked at by an upload run: they
        # hold no photo, so the run need not ask the server what they hold.
        self.new_albums: set[str] = set()
        self.credentials = credentials
        self.concurrency = max(1, concurrency)
        self.listener = listener or nobody_listens
        self.retries = retries
        self.backoff = backoff
        self._stop = threading.Event()
        self._drain_lock = threading.Lock()
        self._generation = 0
        self._arrivals: Arrivals | None = None  # the running drain's, to wake it on stop

    @property
    def backend(self) -> Backend:
        """One HTTP session per thread: requests' sessions are not meant to be shared."""
        backend: Backend | None = getattr(self._local, "backend", None)
        if backend is None or getattr(self._local, "generation", None) != self._generation:
            if backend is not None:
                backend.close()
            backend = self._local.backend = self._backend_factory()
            self._local.generation = self._generation
        return backend

    def reconfigure(self, *, concurrency: int | None = None) -> None:
        """After the owner changed server or limits: every thread makes a new backend."""
        if concurrency is not None:
            self.concurrency = max(1, concurrency)
        self.web_sizes_unknown = False  # perhaps another server
        self.new_albums.clear()  # created there, perhaps not on the server now named
        self._generation += 1

    def stop(self) -> None:
        """Ask a running drain to stop at the next piece sent (pause); `sync_once` clears it."""
        self._stop.set()
        arrivals = self._arrivals
        if arrivals is not None:
            arrivals.poke()

    def queued(self) -> None:
        """More uploads were queued (from any thread): a run under way takes them at once
        instead of after the upload it is waiting for."""
        arrivals = self._arrivals
        if arrivals is not None:
            arrivals.arrived()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    @property
    def web_sizes_first(self) -> bool:
        """Whether photos' web sizes go ahead of their originals."""
        return self.web_sizes is not None and not self.web_sizes_unknown

    # -- retries -------------------------------------------------------------------------------

    def with_retries(self, action: Callable[[], T], progress: Callable[[], int] | None = None) -> T:
        """Run ``action``, retrying what may pass on a second try. With ``progress`` (how far
        the work had got when the failed try began), tries that keep moving forward do not use
        up the retries: a connection that breaks every few megabytes still gets a file across,
        while one that makes no headway gives up after ``retries`` tries as before."""
        attempt = 0
        reached = -1
        while True:
            try:
                return action()
            except BackendError as error:
                if error.postponed:  # the server is full: wait with the whole queue
                    raise ServerFull(error.message) from error
                attempt += 1
                if progress is not None:
                    now = progress()
                    if now > reached >= 0:
                        attempt = 1  # the last try moved the upload forward
                    reached = max(reached, now)
                if not error.retryable or attempt > self.retries or self._stop.is_set():
                    raise
                delay = min(30.0, self.backoff * 2 ** (attempt - 1))
                # Waiting on the stop event, not sleeping: a pause or a quit during the back-off
                # is heard at once, not after up to 30 s.
                if self._stop.wait(delay * random.uniform(0.5, 1.0)):
                    raise

    # -- the drain -----------------------------------------------------------------------------

    @property
    def _copies(self) -> Path:
        return self.store.path.parent / "without-location"

    def sync_once(self, *, resume: bool = True) -> SyncReport:
        """Send everything queued now, then pull link state and viewers' picks back.

        `resume` clears a stop asked for before (a fresh command). The app passes False and
        calls `resume()` itself when the owner resumes: a pause that comes between its sync
        thread's start and this call then holds instead of being wiped out here."""
        with self._drain_lock:
            if resume:
                self._stop.clear()
            return self._sync(Arrivals(closed=True))

    def resume(self) -> None:
        """Let drains run again after `stop()`."""
        self._stop.clear()

    @contextmanager
    def sending(self) -> Iterator[Sending]:
        """Drain on a thread of its own while the block queues more (adding a folder as its
        files are checked): each upload queued is sent as soon as `arrivals.arrived()` is said,
        several at a time, and the drain ends, the rest sent, once the block is left. An
        exception in the block stops the drain at the next piece (what was sent is kept);
        one in the drain is raised here when the block is left."""
        sending = Sending(Arrivals())
        self._stop.clear()

        def drain() -> None:
            try:
                with self._drain_lock:
                    sending.report = self._sync(sending.arrivals)
            except BaseException as error:  # handed to the caller's thread
                sending.error = error

        thread = threading.Thread(target=drain, name="albumen-sync", daemon=True)
        thread.start()
        try:
            yield sending
        except BaseException:
            self.stop()
            raise
        finally:
            sending.arrivals.close()
            try:
                thread.join()
            except BaseException:  # interrupted while the rest goes: stop at the next piece
                self.stop()
                thread.join()
                raise
        if sending.error is not None:
            raise sending.error

    def _sync(self, arrivals: Arrivals) -> SyncReport:
        self._arrivals = arrivals
        report = SyncReport()
        discard_copies_except(self._copies, {i for i, _s, _b in self.store.unfinished_uploads()})
        try:
            self._drain(report, arrivals)
            if report.offline is None:
                report.link_news = pull_links(self.store, self.backend, self.with_retries)
                report.new_picks = pull_picks(self.store, self.backend, self.with_retries).news
                report.storage = self._storage_use()
        except OfflineError as error:
            report.offline = error.message
            self.listener(SyncEvent("offline", message=error.message))
        finally:
            self._arrivals = None
        report.remaining = len(self.store.pending_operations())
        return report

    def _storage_use(self) -> StorageUse | None:
        """The owner's room on the server, asked once per sync (one small request); None when
        the server does not say, or the question fails (the sync itself went well)."""
        try:
            return StorageUse.of(self.backend.me())
        except BackendError as error:
            log.info("storage use not known: %s", error.message)
            return None

    def _drain(self, report: SyncReport, arrivals: Arrivals) -> None:
        while not self._stop.is_set():
            mark, closed = arrivals.mark(), arrivals.closed
            operations = self.store.pending_operations()
            if not operations:
                if closed:
                    return
                arrivals.wait(mark)  # more is being queued: wait for it
                continue
            first = operations[0]
            if first.kind is OperationKind.UPLOAD_PHOTO:
                UploadRun(self, report, arrivals).run()
                if report.offline:
                    raise OfflineError(report.offline)
                continue
            self.apply(first, report)

    def apply(self, operation: Operation, report: SyncReport) -> None:
        """Send one operation other than an upload, with retries; raises `OfflineError`."""
        try:
            self.with_retries(lambda: self._apply(operation))
        except OfflineError:
            raise
        except BackendError as error:
            # Refused for good (a 4xx): record why and go on, or the queue would jam.
            self.store.fail_operation(operation.seq, error.message)
            self.store.complete_operation(operation.seq)
            report.failed.append(f"{operation.kind.value} {operation.entity_id}: {error.message}")
            return
        self.store.complete_operation(operation.seq)
        report.operations += 1
        self.listener(SyncEvent("operation", message=operation.kind.value))

    def _apply(self, operation: Operation) -> None:
        kind, entity = operation.kind, operation.entity_id
        if kind is OperationKind.PUT_ALBUM:
            try:
                album = self.store.album(entity)
            except StoreError:
                return  # deleted since; its DELETE_ALBUM follows
            # The server takes the first MAX_PHOTO_ORDER ids; the rest follow by capture time.
            photos = self.store.photos(album.id)[:MAX_PHOTO_ORDER]
            created = self.backend.put_album(
                album.id,
                album.title,
                album.description,
                photo_order=[photo.id for photo in photos],
                cover_photo_id=album.cover_photo_id,
                # Only an album that has had sections sends them (`[]` once none is left).
                sections=album_sections(photos) if album.sections_used else None,
            )
            if created:
                self.new_albums.add(album.id)
        elif kind is OperationKind.DELETE_ALBUM:
            self.backend.delete_album(entity)
        elif kind is OperationKind.DELETE_PHOTO:
            self.backend.delete_photo(entity)
        elif kind is OperationKind.PUT_LINK:
            self._put_link(entity)
        elif kind is OperationKind.REVOKE_LINK:
            self.backend.revoke_link(entity)
            self.store.set_link_remote(
                entity, state=LinkState.REVOKED, revoked_at=datetime.now(UTC)
            )
            self.listener(SyncEvent("link", message=f"revoked {entity}"))

    def _put_link(self, link_id: str) -> None:
        try:
            link = self.store.link(link_id)
        except StoreError:
            return
        if link.state in (LinkState.REVOKED, LinkState.REVOKE_PENDING):
            return
        password: str | Keep | None = None
        if link.has_password:
            known = self.credentials.link_password(link_id)
            if known is None and link.state is LinkState.PENDING:
                raise BackendError(
                    0,
                    "password_lost",
                    f"link {link.settings.label or link_id}: its password is not in the keyring "
                    "any more; it was not published without one — set a new password",
                )
            password = known if known is not None else Keep.CURRENT
        privacy = self.store.album(link.album_id).privacy
        remote = self.backend.put_link(
            link.id, link.album_id, link.token, privacy.limit(link.settings), password=password
        )
        self.store.set_link_remote(link_id, state=LinkState.ACTIVE, url=remote.url)
        self.listener(SyncEvent("link", album_id=link.album_id, message=f"live {link_id}"))

    # -- uploads -------------------------------------------------------------------------------

    def source_problem(self, photo: Photo) -> tuple[PhotoState, str] | None:
        """Whether the file on disk is still the one that was added."""
        try:
            stat = photo.path.stat()
        except FileNotFoundError:
            return PhotoState.MISSING, f"{photo.path} is gone (moved, renamed or deleted)"
        except OSError as error:
            return PhotoState.FAILED, f"{photo.path} cannot be read: {error.strerror}"
        if stat.st_size == photo.size and stat.st_mtime_ns == photo.mtime_ns:
            return None
        if stat.st_size == photo.size and file_sha256(photo.path) == photo.sha256:
            return None  # touched, not changed
        return PhotoState.CHANGED, f"{photo.path} changed since it was added; add it again"

    def upload_source(self, photo: Photo) -> UploadSource:
        """The bytes the photo's upload sends (the file, or a copy without its location)."""
        try:
            strip = self.store.album(photo.album_id).privacy.strip_location
        except StoreError:
            strip = False
        if strip:
            return without_location(photo, self._copies)
        return original(photo)
