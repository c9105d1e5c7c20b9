"""Locks that hold across every process of a deployment, not just across threads of one.

Several server processes may share one database and one blob store; some decisions must be
taken by one of them at a time (migrations, "is this blob still used?", who writes an upload).
One mechanism serves them all:
- PostgreSQL: a session-level advisory lock, on a connection held for the duration;
- SQLite (one machine by nature): an exclusive `flock` of a file beside the database.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from sqlalchemy import Engine, text


def advisory_key(name: str) -> int:
    """PostgreSQL's key for the lock called `name`: a signed 64-bit number, the same in every
    process."""
    digest = hashlib.sha256(f"albumen:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def file_lock(path: Path, *, wait: bool = True) -> Iterator[bool]:
    """An exclusive `flock` of `path`: yields True while held; with `wait=False`, yields False
    at once when another holder has it."""
    try:
        import fcntl
    except ImportError:  # Windows: one embedded server is the only process of its store
        yield True
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def deployment_lock(
    engine: Engine, name: str, *, wait: bool = True, path: Path | None = None
) -> Iterator[bool]:
    """The lock called `name` across the deployment (see the module's docstring); yields
    whether it is held (always True with `wait`). On SQLite `path` is the file to lock
    (`<database>.<name>.lock` by default); other databases have nothing to share it with."""
    if engine.dialect.name == "postgresql":
        key = advisory_key(name)
        with engine.connect() as connection:
            function = "pg_advisory_lock" if wait else "pg_try_advisory_lock"
            got = connection.execute(text(f"SELECT {function}(:key)"), {"key": key}).scalar()
            connection.commit()
            if not wait and not got:
                yield False
                return
            try:
                yield True
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                connection.commit()
        return
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:":
        with file_lock(path or Path(f"{database}.{name}.lock"), wait=wait) as held:
            yield held
        return
    yield True


class DeploymentLock:
    """`with lock:` — exclusive across the threads and processes of one deployment. The
    in-process lock comes first, so a process never has more than one thread waiting on the
    shared lock, nor more than one database connection tied up by it."""

    def __init__(self, engine: Engine, name: str) -> None:
        self.engine = engine
        self.name = name
        self._local = threading.Lock()
        self._held = ExitStack()  # used by one holder at a time, under `_local`

    def __enter__(self) -> None:
        self._local.acquire()
        try:
            self._held.enter_context(deployment_lock(self.engine, self.name))
        except BaseException:
            self._local.release()
            raise

    def __exit__(self, *exc: object) -> None:
        try:
            self._held.close()
        finally:
            self._local.release()
