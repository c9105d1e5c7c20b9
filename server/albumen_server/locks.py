"""Locks that hold across every process of a deployment, not just across threads of one.

Several server processes may share one database and one blob store. "Is this blob still used by
a photo?" (then delete it) must not interleave with "a photo is added that uses this blob",
wherever the two run: otherwise a photo can be left without its bytes. One in-process lock
first (so a process never has more than one thread waiting on the shared lock, and never ties
up more than one database connection for it), then the shared one:
- PostgreSQL: a session-level advisory lock on a connection held for the duration;
- SQLite (one machine by nature): an exclusive `flock` of a file beside the database.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, text


class DeploymentLock:
    """`with lock:` — exclusive across the threads and processes of one deployment."""

    def __init__(self, engine: Engine, name: str) -> None:
        self.engine = engine
        self.name = name
        self._local = threading.Lock()
        # Advisory lock keys are signed 64-bit numbers; one per lock name.
        digest = hashlib.sha256(f"albumen:{name}".encode()).digest()
        self._key = int.from_bytes(digest[:8], "big", signed=True)
        self._held: list[Iterator[None]] = []

    def __enter__(self) -> None:
        self._local.acquire()
        try:
            holder = self._shared()
            next(holder)
        except BaseException:
            self._local.release()
            raise
        self._held.append(holder)

    def __exit__(self, *exc: object) -> None:
        holder = self._held.pop()
        try:
            next(holder, None)
        finally:
            self._local.release()

    def _shared(self) -> Iterator[None]:
        dialect = self.engine.dialect.name
        if dialect == "postgresql":
            yield from self._advisory()
        elif dialect == "sqlite" and self.engine.url.database not in (None, "", ":memory:"):
            yield from self._flock(Path(f"{self.engine.url.database}.{self.name}.lock"))
        else:
            yield

    def _advisory(self) -> Iterator[None]:
        with self.engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": self._key})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self._key})
                connection.commit()

    @staticmethod
    def _flock(path: Path) -> Iterator[None]:
        try:
            import fcntl
        except ImportError:  # Windows: the embedded server is the only process of its store
            yield
            return
        with open(path, "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
