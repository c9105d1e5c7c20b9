"""The outbox: operations queued for the server, in order, with their attempts and last error.

The store queues an operation in the same transaction as the change it carries (the `db`
functions below take that transaction's connection), so a crash never leaves one without the
other. The sync reads the queue, then marks each operation done or failed. An operation that
has not been tried yet (attempts 0) is "waiting": it can still be dropped or merged, because the
server has not heard of it.
"""

from __future__ import annotations

import sqlite3

from albumen.core.model import Operation, OperationKind
from albumen.core.store_rows import operation_from_row, time_text, utcnow
from albumen.core.store_schema import Database


def enqueue(
    db: sqlite3.Connection, kind: OperationKind, entity_id: str, album_id: str | None
) -> None:
    """Queue `kind` for `entity_id`, unless the same operation is already waiting."""
    # An operation that has not been tried yet already carries the latest state: the
    # sync reads the row when it sends, so a second one would only repeat it.
    waiting = db.execute(
        "SELECT 1 FROM outbox WHERE kind=? AND entity_id=? AND attempts=0",
        (kind.value, entity_id),
    ).fetchone()
    if waiting is None:
        db.execute(
            "INSERT INTO outbox (kind, entity_id, album_id, created_at) VALUES (?,?,?,?)",
            (kind.value, entity_id, album_id, time_text(utcnow())),
        )


def drop(db: sqlite3.Connection, kind: OperationKind, entity_id: str, *, tried: bool) -> None:
    """Forget `kind` for `entity_id`: only while waiting, or also once tried (`tried`)."""
    if tried:
        db.execute("DELETE FROM outbox WHERE kind=? AND entity_id=?", (kind.value, entity_id))
    else:
        db.execute(
            "DELETE FROM outbox WHERE kind=? AND entity_id=? AND attempts=0",
            (kind.value, entity_id),
        )


def drop_waiting_for_album(db: sqlite3.Connection, album_id: str) -> None:
    """Forget what waits for a deleted album: the server need not hear it (an earlier
    delete of the album stays queued)."""
    db.execute(
        "DELETE FROM outbox WHERE album_id=? AND attempts=0 AND kind!=?",
        (album_id, OperationKind.DELETE_ALBUM.value),
    )


def pending(database: Database, after: int = 0) -> list[Operation]:
    """Every queued operation, oldest first; with `after`, only those queued after that seq
    (a drain that keeps sending while more is queued reads only what is new)."""
    rows = database.rows("SELECT * FROM outbox WHERE seq > ? ORDER BY seq", (after,))
    return [operation_from_row(r) for r in rows]


def done(db: sqlite3.Connection, seq: int) -> None:
    """The operation `seq` reached the server (or was refused for good): it leaves the queue."""
    db.execute("DELETE FROM outbox WHERE seq=?", (seq,))


def complete(database: Database, seq: int) -> None:
    with database.transaction() as db:
        done(db, seq)


def fail(database: Database, seq: int, error: str) -> None:
    with database.transaction() as db:
        db.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error=? WHERE seq=?", (error, seq)
        )
