"""A child process, at a lower CPU priority, that renders derivatives for the background renderer.

Rendering in a thread of the server process got in the way of uploads even at a lower thread
priority: decoding releases the GIL, but the Python around it takes it back every few
milliseconds, and a request thread that wants the GIL then waits for the switch interval (5 ms)
behind a thread the kernel runs last. On a 2-core machine that cost a fifth of an upload's speed
(`bench/client_upload.py`: 4.4 s against 3.6 s for 600 MB). In its own process the renderer
shares no GIL with requests, and its `nice` value is its own on every Unix.

The child is started on first use with the `spawn` method (forking a threaded server is unsafe)
and imports only what rendering needs. If it dies (killed, out of memory), the next picture starts
a new one; if it cannot be started at all, pictures are rendered in the calling thread, as before;
if the server dies, the child ends within a second.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Final

from albumen_server.derivatives import Rendition, render_many

log = logging.getLogger(__name__)

NICENESS: Final = 10
"""How much lower than the server's the child's CPU priority is (Unix `nice` steps)."""


ORPHAN_CHECK_SECONDS: Final = 1.0
"""How often the child looks whether the server that started it is still there."""


def _start_child(server_pid: int) -> None:
    """In the child: a lower priority, and an end when the server is gone. A server killed
    outright (kill -9, out of memory) cannot stop its pool, and the child, which holds both
    ends of its work queue, would wait for work for ever."""
    with contextlib.suppress(OSError, AttributeError):  # Windows has no nice
        os.nice(NICENESS)

    def watch() -> None:
        while os.getppid() == server_pid:
            time.sleep(ORPHAN_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="orphan-watch", daemon=True).start()


class RenderProcess:
    """`render(source, rendition)` answered by one child process; safe to call from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._unavailable = False

    def _executor(self) -> ProcessPoolExecutor | None:
        with self._lock:
            if self._pool is None and not self._unavailable:
                try:
                    self._pool = ProcessPoolExecutor(
                        max_workers=1,
                        mp_context=multiprocessing.get_context("spawn"),
                        initializer=_start_child,
                        initargs=(os.getpid(),),
                    )
                except (OSError, ValueError) as error:
                    log.warning("rendering in the server process: no child process (%s)", error)
                    self._unavailable = True
            return self._pool

    def render(self, source: Path, rendition: Rendition) -> bytes:
        """The derivative's JPEG bytes; raises DerivativeError as `derivatives.render` does."""
        return self.render_many(source, (rendition,))[0]

    def render_many(self, source: Path, renditions: Sequence[Rendition]) -> list[bytes]:
        """Several renditions from one decode, as `derivatives.render_many` makes them."""
        pool = self._executor()
        if pool is None:
            return render_many(source, renditions)
        try:
            return pool.submit(render_many, source, tuple(renditions)).result()
        except BrokenProcessPool:
            log.warning("the rendering process died; starting another for the next picture")
            with self._lock:
                if self._pool is pool:
                    self._pool = None
            pool.shutdown(wait=False, cancel_futures=True)
            return render_many(source, renditions)

    def close(self) -> None:
        """Stop the child (after the picture under way)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
