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
from collections.abc import AsyncIterator, Callable
from contextlib import ExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from anyio import to_thread

from albumen_server.context import ServerContext
from albumen_server.locks import deployment_lock


@dataclass
class RunningHash:
    offset: int
    sha256: Any


class UploadState:
    """Per-process state of uploads in progress: one writer at a time and running hashes."""

    def __init__(self) -> None:
        self.locks: dict[str, asyncio.Lock] = {}
        self.hashes: dict[str, RunningHash] = {}
        self.expired_at = float("-inf")
        """When (monotonic) this process last dropped expired uploads."""

    def lock(self, upload_id: str) -> asyncio.Lock:
        return self.locks.setdefault(upload_id, asyncio.Lock())

    def forget(self, upload_id: str) -> None:
        self.locks.pop(upload_id, None)
        self.hashes.pop(upload_id, None)


class UploadBusy(Exception):
    """Another request is writing this upload right now."""


def _try_shared(context: ServerContext, upload_id: str, part: Path) -> Callable[[], None] | None:
    """Take the cross-process lock of the upload if it is free; return how to release it, or
    None. On SQLite the lock is a `flock` of the upload's part file itself."""
    held = ExitStack()
    lock = deployment_lock(context.db.engine, f"upload:{upload_id}", wait=False, path=part)
    if not held.enter_context(lock):
        held.close()
        return None
    return held.close


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
