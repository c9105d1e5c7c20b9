"""The word between whoever queues uploads and the drain that sends them while they are queued.

Adding a folder checks its files one by one; the drain should send the first photo as soon as
it is checked, and keep going while the rest are, rather than wait for the last check. The
adder says `arrived()` after each photo it recorded, and `close()` once no more will come; the
drain waits on it when it has nothing to send yet. Anything else the drain must look at (an
upload finished, the owner paused) is a `poke()`. One condition variable: no polling, no
timing.
"""

from __future__ import annotations

import threading


class Arrivals:
    """Counts changes; `wait(mark)` returns once there was one since `mark()`."""

    def __init__(self, *, closed: bool = False) -> None:
        self._condition = threading.Condition()
        self._changes = 0
        self._closed = closed

    @property
    def closed(self) -> bool:
        """No more will be queued: what is queued now is all there is."""
        with self._condition:
            return self._closed

    def mark(self) -> int:
        with self._condition:
            return self._changes

    def arrived(self) -> None:
        """More is queued (recorded in the store before this is said)."""
        self.poke()

    def close(self) -> None:
        with self._condition:
            self._closed = True
            self._changes += 1
            self._condition.notify_all()

    def poke(self) -> None:
        with self._condition:
            self._changes += 1
            self._condition.notify_all()

    def wait(self, mark: int, timeout: float | None = None) -> None:
        """Until something changed since `mark` (or `timeout` seconds passed)."""
        with self._condition:
            self._condition.wait_for(lambda: self._changes != mark, timeout)
