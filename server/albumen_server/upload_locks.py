"""One writer per tus upload, whichever process a request reaches.

A client that retries a PATCH while the first one still streams (or a proxy that sends the two
to different processes) must not get both bytes streams interleaved into one part file: before,
both answered 204 and the upload was lost at the final check. The second writer is now told at
once, with 423 Locked (as tusd answers), to ask HEAD for the offset and go on from there.

In the process: an asyncio lock per upload, tried, not waited for. Across processes: on
PostgreSQL a session advisory lock keyed by the upload, tried on its own connection for as long
as the PATCH runs; otherwise an exclusive, non-blocking `flock` of the upload's part file (the
processes of a SQLite deployment share one machine and its data folder).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from anyio import to_thread
from sqlalchemy import text

from albumen_server.context import ServerContext


@dataclass
class RunningHash:
    offset: int
    sha256: Any


class UploadState:
    """Per-process state of uploads in progress: one writer at a time and running hashes."""

    def __init__(self) -> None:
        self.locks: dict[str, asyncio.Lock] = {}
        self.hashes: dict[str, RunningHash] = {}

    def lock(self, upload_id: str) -> asyncio.Lock:
        return self.locks.setdefault(upload_id, asyncio.Lock())

    def forget(self, upload_id: str) -> None:
        self.locks.pop(upload_id, None)
        self.hashes.pop(upload_id, None)


class UploadBusy(Exception):
    """Another request is writing this upload right now."""


def _key(upload_id: str) -> int:
    digest = hashlib.sha256(f"albumen:upload:{upload_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _try_shared(context: ServerContext, upload_id: str, part: Path) -> Callable[[], None] | None:
    """Take the cross-process lock if it is free; return how to release it, or None."""
    engine = context.db.engine
    if engine.dialect.name == "postgresql":
        connection = engine.connect()
        got = connection.execute(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": _key(upload_id)}
        ).scalar()
        connection.commit()
        if not got:
            connection.close()
            return None

        def release_advisory() -> None:
            try:
                connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": _key(upload_id)}
                )
                connection.commit()
            finally:
                connection.close()

        return release_advisory
    try:
        import fcntl
    except ImportError:  # Windows: one embedded server, the in-process lock is enough
        return lambda: None
    part.parent.mkdir(parents=True, exist_ok=True)
    handle = open(part, "ab")  # noqa: SIM115  # held open while the lock is
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None

    def release_flock() -> None:
        try:
            fcntl.flock(handle, fcntl.LOCK_UN)
        finally:
            handle.close()

    return release_flock


@asynccontextmanager
async def writing(
    local: asyncio.Lock, context: ServerContext, upload_id: str, part: Path
) -> AsyncIterator[None]:
    """Hold the upload for one request (`local` is this process's lock of it), or raise
    UploadBusy at once."""
    if local.locked():
        raise UploadBusy
    async with local:
        release = await to_thread.run_sync(_try_shared, context, upload_id, part)
        if release is None:
            raise UploadBusy
        try:
            yield
        finally:
            await to_thread.run_sync(release)
