"""Run work off the GUI thread and hear back on it: one convention for the whole UI.

`run(fn, done)` runs `fn` on a pool and calls `done(result, error)` on the GUI thread.

Worker threads never emit Qt signals here. They append to an `Inbox` (a deque, whose append and
popleft are atomic) that a timer on the GUI thread drains while anything is under way. Emitting
PySide6 signals from plain Python threads at upload-progress rates crashed the interpreter
("bool_dealloc", a reference-count error inside PySide6 6.12 on Python 3.11) in our benchmark;
a queue read by the GUI thread has no such path. Separate pools keep thumbnails from starving
the rest.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer

log = logging.getLogger(__name__)

Done = Callable[[Any, BaseException | None], None]


class Inbox(QObject):
    """Calls handed over from any thread, run in order on the GUI thread.

    `expect()` (GUI thread) announces work whose results will come, which keeps the timer
    running; `settle()` (GUI thread, usually inside a posted call) says one piece is over. With
    nothing expected and nothing queued, the timer stops: an idle app does not wake up.
    """

    def __init__(self, parent: QObject | None = None, *, interval_ms: int = 15) -> None:
        super().__init__(parent)
        self._queue: deque[Callable[[], None]] = deque()
        self._expected = 0
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.drain)

    def expect(self) -> None:
        self._expected += 1
        if not self._timer.isActive():
            self._timer.start()

    def settle(self) -> None:
        self._expected = max(0, self._expected - 1)

    def post(self, call: Callable[[], None]) -> None:
        """Safe from any thread."""
        self._queue.append(call)

    def drain(self) -> None:
        while self._queue:
            call = self._queue.popleft()
            try:
                call()
            except Exception:  # a failing callback must not take the event loop down
                log.exception("callback on the GUI thread failed")
        if not self._expected:
            self._timer.stop()


class _Task(QRunnable):
    def __init__(self, inbox: Inbox, fn: Callable[[], Any], done: Done | None) -> None:
        super().__init__()
        self.inbox, self.fn, self.done = inbox, fn, done
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
        done, inbox = self.done, self.inbox

        def deliver() -> None:
            inbox.settle()
            if done is not None:
                done(result, error)

        inbox.post(deliver)


class TaskRunner(QObject):
    """Pools for general work and for image decoding; created on the GUI thread."""

    def __init__(self, parent: QObject | None = None, *, image_threads: int = 2) -> None:
        super().__init__(parent)
        self.inbox = Inbox(self)
        self.general = QThreadPool(self)
        self.general.setMaxThreadCount(4)
        self.images = QThreadPool(self)
        self.images.setMaxThreadCount(max(1, image_threads))

    def run(self, fn: Callable[[], Any], done: Done | None = None) -> None:
        self.inbox.expect()
        self.general.start(_Task(self.inbox, fn, done))

    def run_image(self, fn: Callable[[], Any], done: Done | None = None) -> None:
        self.inbox.expect()
        self.images.start(_Task(self.inbox, fn, done))

    def wait(self, msecs: int = 30_000) -> bool:
        finished = self.general.waitForDone(msecs) and self.images.waitForDone(msecs)
        self.inbox.drain()
        return finished
