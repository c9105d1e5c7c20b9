"""The sync service on its own thread, heard as Qt signals on the GUI thread.

The core's SyncService reports through a plain callback from worker threads; this bridge turns
each report into a queued signal, coalesces progress so thousands of chunks never flood the
event loop, and decides when to drain: at once after an owner action, and every
`retry_seconds` while something waits or the server was unreachable.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from albumen.core.backend import ServerFull
from albumen.core.model import Photo
from albumen.core.storage_use import StorageUse
from albumen.core.sync import SyncEvent, SyncReport, SyncService
from albumen.core.sync_events import nobody_listens
from albumen.priority import lower_thread_priority
from albumen.ui.tasks import Inbox


class Connection(StrEnum):
    UNKNOWN = "unknown"
    ONLINE = "online"
    OFFLINE = "offline"
    REFUSED = "refused"  # the server refuses this computer's owner token: pair again
    FULL = "full"  # the server has no room (its disk, or the owner's quota): `reason` says why
    SYNCING = "syncing"
    PAUSED = "paused"


@dataclass
class Transfer:
    """Progress of the uploads under way, for the status bar and the tray."""

    sent: dict[str, int] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)
    already: int = 0  # bytes sent before this run (resumed uploads): not part of the rate

    def expect(self, waiting: list[tuple[str, int, int]]) -> None:
        """Every photo still to upload counts from the start, not only those begun."""
        for photo_id, size, sent in waiting:
            if photo_id not in self.sizes:
                self.sizes[photo_id] = size
                self.sent[photo_id] = sent
                self.already += sent

    @property
    def total(self) -> int:
        return sum(self.sizes.values())

    @property
    def done(self) -> int:
        return sum(self.sent.values())

    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return max(0, self.done - self.already) / elapsed if elapsed > 0.5 else 0.0

    def seconds_left(self) -> float | None:
        rate = self.rate()
        return (self.total - self.done) / rate if rate > 0 else None


class SyncBridge(QObject):
    connection_changed = Signal(str)  # a Connection value
    # Byte counts go as Python ints (`object`): an `int` in a Qt signal is 32-bit, and a file
    # over 2 GiB (a long video, a huge TIFF) would wrap round.
    photo_progress = Signal(str, str, object, object)  # photo id, album id, sent, total
    photo_uploaded = Signal(str, str)  # photo id, album id
    photo_previewed = Signal(str, str)  # photo id, album id: its web size is on the server
    photo_failed = Signal(str, str, str)  # photo id, album id, message
    # The photo as the store holds it once uploaded, seen through links or failed (a Photo),
    # read on the thread that reports it: read on the GUI thread instead, 500 uploads cost the
    # grid 500 reads there, up to 9-18 ms each while a folder was being checked
    # (bench/ui_responsiveness.py).
    photo_stored = Signal(object)
    links_changed = Signal()
    finished = Signal(object)  # SyncReport

    def __init__(
        self,
        service: SyncService,
        parent: QObject | None = None,
        *,
        retry_seconds: int = 30,
        revive: Callable[[], bool] | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        # Starts the embedded server again when it stopped; True when it did (see Client).
        self.revive = revive
        # Called on worker threads: handed to the GUI thread through the inbox (see tasks.py).
        self._inbox = Inbox(self)
        service.listener = self._heard
        self._thread: threading.Thread | None = None
        self._again = False
        self._shut_down = False
        self._running = False
        self.paused = False
        self.connection = Connection.UNKNOWN
        self.reason = ""  # the server's words when it has no room (Connection.FULL)
        self.storage: StorageUse | None = None  # the owner's room there, at the last sync
        self.transfer = Transfer()
        self._pending_progress: dict[str, SyncEvent] = {}
        self._flush = QTimer(self, interval=100, singleShot=True)
        self._flush.timeout.connect(self._flush_progress)
        self._retry = QTimer(self, interval=retry_seconds * 1000)
        self._retry.timeout.connect(self.request_sync)

    # -- control -------------------------------------------------------------------------------

    def start(self) -> None:
        self._retry.start()
        self.request_sync()

    @Slot()
    def request_sync(self) -> None:
        """Drain now, or right after the drain under way."""
        if self.paused or self._shut_down:
            return
        if self._running:
            self._again = True
            return
        self._running = True
        self._again = False
        self.service.resume()  # here, on the GUI thread: a pause from now on holds
        self.transfer.expect(self.service.store.unfinished_uploads())
        self._inbox.expect()
        self._set_connection(Connection.SYNCING)
        self._thread = threading.Thread(target=self._run, name="albumen-sync", daemon=True)
        self._thread.start()

    def pause(self) -> None:
        self.paused = True
        self.service.stop()
        self._set_connection(Connection.PAUSED)

    def resume(self) -> None:
        self.paused = False
        self.request_sync()

    def shutdown(self, timeout: float = 10.0) -> None:
        self._shut_down = True
        self._retry.stop()
        self.service.stop()
        if self._thread is not None:
            self._thread.join(timeout)
        self._inbox.drain()  # the last report, while the store is still open
        # Every timer stopped here, on the GUI thread (albumen.ui.tasks says why), and the
        # service's hold on this bridge let go: with it, the two made a reference cycle that only
        # a garbage collection freed, on whichever thread it started.
        self._flush.stop()
        self._inbox.close()
        self.service.listener = nobody_listens

    def is_running(self) -> bool:
        # Cleared when the GUI thread hears the drain is done, not when the thread ends: a
        # request made in between must start the next drain, never be lost.
        return self._running

    # -- worker side ---------------------------------------------------------------------------

    def _heard(self, event: SyncEvent) -> None:
        """An event from a sync thread, handed to the GUI thread with the photo it changed."""
        photo: Photo | None = None
        if event.kind in ("uploaded", "previewed", "photo_failed") and event.photo_id:
            photo = self.service.store.find_photo(event.photo_id)
        self._inbox.post(lambda: self._on_event(event, photo))

    def _run(self) -> None:
        lower_thread_priority()  # and so every upload and render thread the drain starts
        try:
            report = self.service.sync_once(resume=False)
            if report.offline and self.revive is not None and self.revive():
                self.service.reconfigure()  # every thread talks to the new server
                report = self.service.sync_once(resume=False)
        except Exception as error:  # no server yet (not logged in, embedded failed to start)
            report = SyncReport(
                offline=str(error), remaining=len(self.service.store.pending_operations())
            )
        self._inbox.post(lambda: self._on_done(report))

    # -- GUI side ------------------------------------------------------------------------------

    def _set_connection(self, state: Connection) -> None:
        if state != self.connection:
            self.connection = state
            self.connection_changed.emit(state.value)

    def _on_event(self, event: SyncEvent, photo: Photo | None = None) -> None:
        if event.kind == "progress" and event.photo_id:
            self.transfer.sizes[event.photo_id] = event.total
            self.transfer.sent[event.photo_id] = event.sent
            self._pending_progress[event.photo_id] = event
            if not self._flush.isActive():
                self._flush.start()
        elif event.kind == "uploaded" and event.photo_id and event.album_id:
            self.transfer.sizes[event.photo_id] = event.total
            self.transfer.sent[event.photo_id] = event.total
            self._pending_progress.pop(event.photo_id, None)
            # Small photos finish between two flushes: every photo still reaches 100 %.
            self.photo_progress.emit(event.photo_id, event.album_id, event.total, event.total)
            if photo is not None:
                self.photo_stored.emit(photo)
            self.photo_uploaded.emit(event.photo_id, event.album_id)
        elif event.kind == "previewed" and event.photo_id and event.album_id:
            if photo is not None:
                self.photo_stored.emit(photo)
            self.photo_previewed.emit(event.photo_id, event.album_id)
        elif event.kind == "photo_failed" and event.photo_id and event.album_id:
            if photo is not None:
                self.photo_stored.emit(photo)
            self.photo_failed.emit(event.photo_id, event.album_id, event.message or "")
        elif event.kind == "link":
            self.links_changed.emit()

    @Slot()
    def _flush_progress(self) -> None:
        events, self._pending_progress = self._pending_progress, {}
        for event in events.values():
            assert event.photo_id is not None and event.album_id is not None
            self.photo_progress.emit(event.photo_id, event.album_id, event.sent, event.total)

    @Slot(object)
    def _on_done(self, report: SyncReport) -> None:
        self._inbox.settle()
        self._running = False
        self._flush_progress()
        if self.paused:
            self._set_connection(Connection.PAUSED)
        elif report.access_refused:
            self._set_connection(Connection.REFUSED)
        elif report.server_full and report.offline:
            self.reason = ServerFull.reason(report.offline)
            self._set_connection(Connection.FULL)
        elif report.offline:
            self._set_connection(Connection.OFFLINE)
        else:
            self._set_connection(Connection.ONLINE)
        if report.storage is not None:
            self.storage = report.storage
        self.links_changed.emit()
        self.finished.emit(report)
        if not report.remaining and not self.is_running():
            self.transfer = Transfer()
        if self._again and not self.paused:
            self.request_sync()
