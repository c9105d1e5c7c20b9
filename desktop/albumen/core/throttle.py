"""A bandwidth cap shared by all uploads: each piece books its slot in time, then waits for it.

The sender threads sleep, never the UI; with no cap, `spend` returns at once. Web sizes and
originals, and every upload running at once, share the one cap. `parse_rate` reads a cap as
`--limit-rate` takes it.
"""

from __future__ import annotations

import re
import threading
import time

_RATE = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*([kKmMgG]?)\s*$")
_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def parse_rate(text: str) -> float:
    """Bytes per second from a rate written as curl's `--limit-rate` takes it: a number, with
    `K`, `M` or `G` for 1024, 1024² or 1024³ of them ("2.5M" is 2,621,440 bytes a second).
    Raises ValueError with a message that says what is wrong."""
    match = _RATE.match(text)
    if match is None:
        raise ValueError(
            f"{text!r} is not a rate: write bytes per second, with K or M for 1024 or "
            "1024² of them (2.5M, 800K, 100000)"
        )
    rate = float(match.group(1)) * _UNITS[match.group(2).lower()]
    if rate < 1:
        raise ValueError(f"{text!r} is less than one byte a second")
    return rate


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
