"""`albumen share` and `albumen sync` on a terminal: per file and overall progress, with rate
and time left, on one line rewritten in place (plain lines when not a terminal)."""

from __future__ import annotations

import sys
import threading
import time
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from albumen.core.intake import Verdict
    from albumen.core.sync import SyncEvent


class TerminalProgress:
    """Per file and overall, with rate and time left; one line rewritten on a terminal.

    Called from the upload threads and, while a share still checks files, from the checking
    one (each photo added grows the total, each bad file is named at once): one lock."""

    def __init__(self, total_bytes: int, stream: TextIO = sys.stderr) -> None:
        self.total = total_bytes
        self.stream = stream
        self.sent: dict[str, int] = {}
        self.started = time.monotonic()
        self.last_draw = 0.0
        self.tty = stream.isatty()
        self.photos = 0  # checked and added by this share
        self.previewed = 0  # web sizes the server took
        self._lock = threading.Lock()

    def __call__(self, event: SyncEvent) -> None:
        with self._lock:
            if event.kind == "progress" and event.photo_id:
                self.sent[event.photo_id] = event.sent
                self._draw(event)
            elif event.kind == "uploaded" and event.photo_id:
                self.sent[event.photo_id] = event.total
                self._line(f"uploaded {event.message}")
            elif event.kind == "photo_failed":
                self._line(f"failed: {event.message}")
            elif event.kind == "previewed":
                self.previewed += 1
                if self.tty:
                    of = f" of {self.photos}" if self.photos else ""
                    self.stream.write(f"\r{self.previewed}{of} web sizes sent   ")
                    self.stream.flush()

    def verdict(self, verdict: Verdict) -> None:
        """A file of the share was checked: a photo to send, or skipped and why."""
        with self._lock:
            if verdict.photo is not None:
                self.total += verdict.photo.size
                self.photos += 1
            else:
                self._line(f"skipped {verdict}")

    def note(self, text: str) -> None:
        """A line of its own (the progress line, if any, is drawn again after it)."""
        with self._lock:
            self._line(text)

    def _draw(self, event: SyncEvent) -> None:
        now = time.monotonic()
        if not self.tty or now - self.last_draw < 0.2:
            return
        self.last_draw = now
        done = sum(self.sent.values())
        elapsed = max(now - self.started, 1e-6)
        rate = done / elapsed
        left = (self.total - done) / rate if rate > 0 else 0
        percent = 100 * done / self.total if self.total else 100
        self.stream.write(
            f"\r{percent:5.1f}%  {done / 1e6:,.1f} of {self.total / 1e6:,.1f} MB"
            f"  {rate / 1e6:,.1f} MB/s  {_duration(left)} left   "
        )
        self.stream.flush()

    def _line(self, text: str) -> None:
        prefix = "\r\033[K" if self.tty else ""
        self.stream.write(f"{prefix}{text}\n")
        self.stream.flush()


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
    if seconds >= 60:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds} s"
