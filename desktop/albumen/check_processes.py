"""The app checks dropped photos in processes of their own, not on threads of the window's.

Checking a photo is mostly hashing and decoding, which let go of the GIL, but also reading its
structure and metadata in Python. On threads of the app's own process those reads took the GIL
from the window: PySide lets go of it around most calls into Qt, and each call of a cell's
painting then waited for it. While 500 photos of 24 MP were added and sent on two cores, a
repaint of a dozen cells took 25-40 ms of which the GUI thread ran 1-3, and the event loop ran
up to 54-71 ms late; with the checks in processes, 24-27 ms, and the 99th percentile of its
lateness went from 11-16 ms to 6-7 (`bench/ui_responsiveness.py`). A decoder that crashes on a
damaged file takes a worker with it, not the app.

The workers run at background priority (`albumen.priority`), as the checking threads did, and
are started ahead of the first drop (`warm`) so the first upload is not held up by their start.
The command line checks on threads: it has no window to keep responsive, and a process start
would come before its first upload.

Qt-free and outside `albumen.core`: the core checks through whatever executor it is given.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from albumen.core.intake import check_workers
from albumen.priority import lower_thread_priority

T = TypeVar("T")


def _start_worker() -> None:
    """In each worker, before its first check: background priority, and what a check needs,
    loaded now rather than during the first photo's check."""
    lower_thread_priority()
    from albumen.core import scan  # noqa: F401  # imported for its start-up cost, paid now
    from albumen_photo.decode import load_plugins

    load_plugins()


def _started() -> None:
    """A task that only proves its worker started (`warm`)."""


class CheckProcesses:
    """An executor of `check_workers()` processes, started when first needed (or `warm`), and
    started again if a worker died (a crash on a damaged file breaks the whole pool)."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or check_workers()
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._closed = False

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._closed:  # an import still running as the app quits starts none again
                raise RuntimeError("the checking processes were shut down")
            if self._pool is None:
                # spawn on every system: fork is unsafe in a process running Qt and threads,
                # and spawn is what a frozen bundle supports (packaging/albumen_main.py).
                self._pool = ProcessPoolExecutor(
                    self.workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start_worker,
                )
            return self._pool

    def submit(self, fn: Callable[..., T], /, *args: Any) -> Future[T]:
        """Run `fn(*args)` in a worker (both picklable). A pool broken by a worker's death is
        replaced first, so the next file is checked by a fresh worker."""
        pool = self._executor()
        try:
            return pool.submit(fn, *args)
        except BrokenProcessPool:
            with self._lock:
                if self._pool is pool:
                    self._pool = None
            pool.shutdown(wait=False, cancel_futures=True)
            return self._executor().submit(fn, *args)

    def warm(self) -> None:
        """Start every worker now, in the background (nothing waits for them). They are
        started from a thread at background priority, which each process inherits from its
        start: Python's start-up and the imports before `_start_worker` run would otherwise
        compete with the window for the cores. One empty task per worker, submitted back to
        back, starts them all: the pool starts a process for each task submitted while no
        worker is idle, and none is idle before it has started. (They used to hold their
        worker 0.2 s to make sure; a drop right after the window opened then waited for it.)"""

        def start() -> None:
            lower_thread_priority()
            for _ in range(self.workers):
                self.submit(_started)

        threading.Thread(target=start, name="albumen-check-start", daemon=True).start()

    def shutdown(self) -> None:
        """Stop the workers; checks not started are dropped."""
        with self._lock:
            pool, self._pool, self._closed = self._pool, None, True
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
