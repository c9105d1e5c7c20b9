"""How many password guesses a client gets, and how many Argon2 checks run at once.

Two attacks this answers, both seen against an earlier version:
- guesses sent in parallel: the failures were read before the slow Argon2 check and written
  after it, so 60 wrong passwords sent at once were all checked. Now an attempt is written
  *before* its check, in the same transaction that counts the recent ones (serialised per link
  and client: by an advisory lock on PostgreSQL, by SQLite's single writer), and only a right
  password deletes the count again. Parallel guesses therefore count as they arrive.
- floods of unlock requests: each Argon2 check takes a worker thread for ~50 ms and 64 MiB, and
  80 at once starved every other route (a viewer's `photos.json` took 2.9 s). Now checks wait
  for one of a few slots *without* holding a thread, and past a short queue the answer is 429
  with `Retry-After` at once.

The counting itself is `rate_limits.count_event`, shared with the limits on picks.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import anyio
from sqlalchemy import delete

from albumen_server.context import ServerContext
from albumen_server.models import UnlockFailure, utcnow
from albumen_server.rate_limits import Attempt, Limit, count_event

# Argon2 checks at once per process: about one per core; more only queue inside the CPU.
CHECK_SLOTS = max(2, os.cpu_count() or 2)
# Checks allowed to wait for a slot; one more is told to come back.
MAX_WAITING = 4 * CHECK_SLOTS
BUSY_RETRY_AFTER = 2

_slots: anyio.CapacityLimiter | None = None
_waiting = 0


class TooBusy(Exception):
    """Too many password checks are waiting: answer 429 and come back in a moment."""


def too_busy() -> bool:
    """True when a new password check would only be told to come back: asked before the attempt
    is counted, so a viewer caught in someone else's flood does not lose a guess."""
    return _waiting >= MAX_WAITING


def begin_attempt(context: ServerContext, link_id: str, client: str) -> Attempt:
    """Count this attempt now, in one transaction with the check of those before it."""
    config = context.config
    limit = Limit(config.unlock_failures_allowed, config.unlock_window_seconds)
    now = utcnow()
    with context.db.session() as session:
        return count_event(
            session,
            UnlockFailure,
            (UnlockFailure.link_id == link_id, UnlockFailure.client == client),
            f"unlock:{link_id}|{client}",
            limit,
            UnlockFailure(link_id=link_id, client=client, at=now),
            now,
        )


def forget_attempts(context: ServerContext, link_id: str, client: str) -> None:
    """The right password: this client starts afresh on this link."""
    with context.db.session() as session:
        session.execute(
            delete(UnlockFailure).where(
                UnlockFailure.link_id == link_id, UnlockFailure.client == client
            )
        )


async def check_in_slot(
    verify: Callable[[str, str], bool], password_hash: str, password: str
) -> bool:
    """`verify(password_hash, password)` on a worker thread once a slot is free. Waiting for the
    slot holds no thread; past MAX_WAITING waiting checks, TooBusy is raised at once."""
    global _slots, _waiting
    if _slots is None:  # made on first use, inside the server's event loop
        _slots = anyio.CapacityLimiter(CHECK_SLOTS)
    if _waiting >= MAX_WAITING:
        raise TooBusy
    _waiting += 1
    try:
        await _slots.acquire()
    finally:
        _waiting -= 1
    try:
        return await anyio.to_thread.run_sync(verify, password_hash, password)
    finally:
        _slots.release()
