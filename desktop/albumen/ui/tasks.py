"""Run work off the GUI thread and hear back on it: one convention for the whole UI.

`run(fn, done)` runs `fn` on a pool and calls `done(result, error)` on the GUI thread.

Worker threads never emit Qt signals here. They append to an `Inbox` (a deque, whose append and
popleft are atomic) that a timer on the GUI thread drains while anything is under way. Emitting
PySide6 signals from plain Python threads at upload-progress rates crashed the interpreter
("bool_dealloc", a reference-count error inside PySide6 6.12 on Python 3.11) in our benchmark;
a queue read by the GUI thread has no such path. Separate pools keep thumbnails from starving
the rest, and a lane of its own keeps the photo the owner is looking at (the loupe) from waiting
behind a screenful of thumbnails.

A QObject's timers belong to its thread: deleted on another thread, a QObject with a running
timer leaves it registered, and the GUI thread's next tick calls into freed memory (a crash in
`QTimerInfoList::activateTimers`, seen once in ten runs of the UI tests). Python may delete a
QObject on any thread: the one that drops its last reference, or, for one in a reference cycle,
whichever thread happens to start a garbage collection. So an object that owns an `Inbox` closes
it on the GUI thread when it shuts down (`Inbox.close`), and nothing of it keeps a timer running
after that.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from typing import Any

from PySide6.QtCore import QObject, QTimer

from albumen.check_processes import CheckProcesses
from albumen.priority import lower_thread_priority

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
        self._closed = False
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.drain)

    def expect(self) -> None:
        if self._closed:
            return
        self._expected += 1
        if not self._timer.isActive():
            self._timer.start()

    def settle(self) -> None:
        self._expected = max(0, self._expected - 1)

    def post(self, call: Callable[[], None]) -> None:
        """Safe from any thread. Once closed, calls are dropped: their owner has shut down."""
        if not self._closed:
            self._queue.append(call)

    def close(self) -> None:
        """GUI thread, when the owner shuts down: the timer stops for good, and what is still
        queued or comes later is dropped (see the module's docstring for why)."""
        self._closed = True
        self._timer.stop()
        self._queue.clear()

    def drain(self) -> None:
        while self._queue:
            call = self._queue.popleft()
            try:
                call()
            except Exception:  # a failing callback must not take the event loop down
                log.exception("callback on the GUI thread failed")
        if not self._expected:
            self._timer.stop()


class _Job:
    """One piece of work and what to do with its result. A worker runs it and hands it to the
    GUI thread, which delivers the result and then empties the job: the last references to the
    work, its callback and its result (a widget's method, or a closure over a widget) are then
    dropped on the GUI thread, whichever thread lets go of the job itself last (see the
    module's docstring)."""

    __slots__ = ("done", "error", "fn", "inbox", "result")

    def __init__(self, fn: Callable[[], Any], done: Done | None, inbox: Inbox) -> None:
        self.fn: Callable[[], Any] | None = fn
        self.done = done
        self.inbox = inbox
        self.result: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        """On a worker thread."""
        try:
            assert self.fn is not None  # emptied only after this has run
            self.result = self.fn()
        except BaseException as exc:  # reported to the callback, which decides
            self.error = exc
            if self.done is None:
                log.exception("background task failed", exc_info=exc)
        self.inbox.post(self.deliver)

    def deliver(self) -> None:
        """On the GUI thread."""
        done, result, error = self.done, self.result, self.error
        self.fn = self.done = self.result = self.error = None
        self.inbox.settle()
        if done is not None:
            done(result, error)


class TaskRunner(QObject):
    """Pools for general work and for image decoding; created on the GUI thread.

    Plain `concurrent.futures` threads, not QThreadPool: with QRunnable, PySide6 calls back
    into Python from Qt's threads, the path where its reference counting went wrong.
    """

    def __init__(self, parent: QObject | None = None, *, image_threads: int = 2) -> None:
        super().__init__(parent)
        self.inbox = Inbox(self)
        self.image_threads = max(1, image_threads)
        # General work (imports, the metadata panel's reads, Settings' server checks) and grid
        # thumbnails run in the background, level with the uploads; the photo in view (`now`)
        # does not. (A thread once lowered cannot be raised again without privileges, so the
        # priority is the pool's, not the task's.)
        self._general = ThreadPoolExecutor(
            4, thread_name_prefix="albumen-task", initializer=lower_thread_priority
        )
        self._images = ThreadPoolExecutor(
            self.image_threads,
            thread_name_prefix="albumen-image",
            initializer=lower_thread_priority,
        )
        self._looked_at = ThreadPoolExecutor(self.image_threads, thread_name_prefix="albumen-look")
        self.checks = CheckProcesses()  # photos dropped are checked there, off this process
        self._futures: set[Future[None]] = set()
        self._lock = threading.Lock()
        self._closed = False

    def run(self, fn: Callable[[], Any], done: Done | None = None) -> None:
        self._submit(self._general, fn, done)

    def run_image(
        self, fn: Callable[[], Any], done: Done | None = None, *, now: bool = False
    ) -> None:
        """Image decoding; `now` for the photo in view, which must not queue behind the
        thumbnails of the grid."""
        self._submit(self._looked_at if now else self._images, fn, done)

    def _submit(self, pool: ThreadPoolExecutor, fn: Callable[[], Any], done: Done | None) -> None:
        with self._lock:
            if self._closed:
                # Shut down (the app is quitting): a widget's timer that fires late (a preview
                # waiting for the owner to stop typing) starts nothing, and raises nothing.
                return
        self.inbox.expect()
        future = pool.submit(_Job(fn, done, self.inbox).run)
        with self._lock:
            self._futures.add(future)
        future.add_done_callback(self._forget)

    def _forget(self, future: Future[None]) -> None:
        with self._lock:
            self._futures.discard(future)

    def wait(self, msecs: int = 30_000) -> bool:
        """Wait for what was started (tests, shutdown), then deliver its results."""
        with self._lock:
            pending = set(self._futures)
        _done, not_done = futures_wait(pending, timeout=msecs / 1000)
        self.inbox.drain()
        with self._lock:
            finished = self._closed and not not_done
        if finished:
            # Shut down and nothing left running: no result is to come (the work that had not
            # started was cancelled and never settles), so the inbox's timer stops here.
            self.inbox.close()
        return not not_done

    def shutdown(self) -> None:
        """Drop what has not started (thumbnails nobody will see); let running work end.
        Whatever is asked for from now on is not started."""
        with self._lock:
            self._closed = True
        for pool in (self._general, self._images, self._looked_at):
            pool.shutdown(wait=False, cancel_futures=True)
        self.checks.shutdown()
