"""A bandwidth cap shared by all uploads: each piece books its slot in time, then waits for it.

The sender threads sleep, never the UI; with no cap, `spend` returns at once.
"""

from __future__ import annotations

import threading
import time


class Throttle:
    """Limits the bytes per second summed over every thread that calls `spend`."""

    def __init__(self, bytes_per_second: float | None = None) -> None:
        self._lock = threading.Lock()
        self._rate = bytes_per_second
        self._next = time.monotonic()

    @property
    def rate(self) -> float | None:
        return self._rate

    def set_rate(self, bytes_per_second: float | None) -> None:
        with self._lock:
            self._rate = bytes_per_second or None
            self._next = time.monotonic()

    def spend(self, amount: int) -> None:
        with self._lock:
            if not self._rate:
                return
            now = time.monotonic()
            self._next = max(self._next, now) + amount / self._rate
            wait = self._next - now
        time.sleep(wait)
