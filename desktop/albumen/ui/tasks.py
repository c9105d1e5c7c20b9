"""Run work off the GUI thread and hear back on it: one convention for the whole UI.

`run_task(fn, done)` runs `fn` on a pool and calls `done(result, error)` on the GUI thread.
Results come back through a queued signal of a QObject that lives on the GUI thread, so
callbacks never run on a worker. Separate pools keep thumbnails from starving the rest.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)

Done = Callable[[Any, BaseException | None], None]


class _Relay(QObject):
    finished = Signal(object, object, object)  # callback, result, error

    @Slot(object, object, object)
    def deliver(self, callback: Done, result: object, error: BaseException | None) -> None:
        try:
            callback(result, error)
        except Exception:  # a failing callback must not take the event loop down
            log.exception("task callback failed")


class _Task(QRunnable):
    def __init__(self, relay: _Relay, fn: Callable[[], Any], done: Done | None) -> None:
        super().__init__()
        self.relay, self.fn, self.done = relay, fn, done
        self.setAutoDelete(True)

    def run(self) -> None:
        result: Any = None
        error: BaseException | None = None
        try:
            result = self.fn()
        except BaseException as exc:  # reported to the callback, which decides
            error = exc
            if self.done is None:
                log.exception("background task failed", exc_info=exc)
        if self.done is not None:
            self.relay.finished.emit(self.done, result, error)


class TaskRunner(QObject):
    """Pools for general work and for image decoding; created on the GUI thread."""

    def __init__(self, parent: QObject | None = None, *, image_threads: int = 2) -> None:
        super().__init__(parent)
        self._relay = _Relay(self)
        self._relay.finished.connect(self._relay.deliver)
        self.general = QThreadPool(self)
        self.general.setMaxThreadCount(4)
        self.images = QThreadPool(self)
        self.images.setMaxThreadCount(max(1, image_threads))

    def run(self, fn: Callable[[], Any], done: Done | None = None) -> None:
        self.general.start(_Task(self._relay, fn, done))

    def run_image(self, fn: Callable[[], Any], done: Done | None = None) -> None:
        self.images.start(_Task(self._relay, fn, done))

    def wait(self, msecs: int = 30_000) -> bool:
        return self.general.waitForDone(msecs) and self.images.waitForDone(msecs)
