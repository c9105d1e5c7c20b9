"""Opening the album list's SQLite file: the connection, its schema versions and migrations.

WAL keeps readers (the UI) from waiting on the writer (sync); one lock makes the connection safe
to share between the GUI thread and sync workers. Schema versions live in `PRAGMA user_version`;
before a migration the file is copied aside, so a failed upgrade loses nothing. The rest of the
store only sees `Database`: reads under the lock and write transactions.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from albumen.core.keep_aside import keep_aside

MIGRATIONS: list[str] = [
    # 1: albums, photos, links, outbox
    """
    CREATE TABLE albums (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        description TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        cover_photo_id TEXT
    );
    CREATE TABLE photos (
        id TEXT PRIMARY KEY,
        album_id TEXT NOT NULL REFERENCES albums(id) ON DELETE CASCADE,
        path TEXT NOT NULL,
        filename TEXT NOT NULL,
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        state TEXT NOT NULL,
        position INTEGER NOT NULL,
        added_at TEXT NOT NULL,
        error TEXT,
        width INTEGER,
        height INTEGER,
        taken_at TEXT,
        upload_url TEXT,
        uploaded_bytes INTEGER NOT NULL DEFAULT 0,
        UNIQUE (album_id, sha256)
    );
    CREATE INDEX photos_album ON photos (album_id, position);
    CREATE TABLE links (
        id TEXT PRIMARY KEY,
        album_id TEXT NOT NULL REFERENCES albums(id) ON DELETE CASCADE,
        token TEXT NOT NULL UNIQUE,
        label TEXT,
        download TEXT NOT NULL,
        show_metadata INTEGER NOT NULL,
        show_location INTEGER NOT NULL,
        expires_at TEXT,
        has_password INTEGER NOT NULL,
        state TEXT NOT NULL,
        created_at TEXT NOT NULL,
        url TEXT,
        view_count INTEGER NOT NULL DEFAULT 0,
        last_viewed_at TEXT,
        revoked_at TEXT
    );
    CREATE INDEX links_album ON links (album_id);
    CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        album_id TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        created_at TEXT NOT NULL
    );
    """,
    # 2: per-album privacy rules
    """
    ALTER TABLE albums ADD COLUMN location_exposure TEXT NOT NULL DEFAULT 'links';
    ALTER TABLE albums ADD COLUMN metadata_exposure TEXT NOT NULL DEFAULT 'links';
    ALTER TABLE albums ADD COLUMN strip_location INTEGER NOT NULL DEFAULT 0;
    """,
    # 3: proofing: links that let viewers pick, and the lists of favourites they sent
    """
    ALTER TABLE links ADD COLUMN allow_picks INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE picks (
        id TEXT PRIMARY KEY,
        album_id TEXT NOT NULL REFERENCES albums(id) ON DELETE CASCADE,
        link_id TEXT NOT NULL,
        name TEXT NOT NULL,
        note TEXT,
        photo_ids TEXT NOT NULL,
        submitted_at TEXT NOT NULL
    );
    CREATE INDEX picks_album ON picks (album_id, submitted_at);
    """,
    # 4: the web size sent ahead of the original (model.PreviewState); photos queued before
    # this version send it too
    """
    ALTER TABLE photos ADD COLUMN preview TEXT NOT NULL DEFAULT 'wanted';
    """,
    # 5: a viewer's note on a photo of their picks, by photo id (a JSON object)
    """
    ALTER TABLE picks ADD COLUMN photo_notes TEXT NOT NULL DEFAULT '{}';
    """,
    # 6: how many photos a link's viewers may pick each (NULL: no limit)
    """
    ALTER TABLE links ADD COLUMN pick_limit INTEGER;
    """,
    # 7: the text a link draws over every picture it shows (NULL: none)
    """
    ALTER TABLE links ADD COLUMN watermark TEXT;
    """,
    # 8: what a link's viewers took, as the server counts it (views came with the first schema)
    """
    ALTER TABLE links ADD COLUMN download_count INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE links ADD COLUMN last_downloaded_at TEXT;
    """,
    # 9: sections, an album in parts: each photo's section title (NULL: none), and whether the
    # album has had sections (its PUT then carries them, `[]` once the last is gone)
    """
    ALTER TABLE photos ADD COLUMN section TEXT;
    ALTER TABLE albums ADD COLUMN sections_used INTEGER NOT NULL DEFAULT 0;
    """,
    # 10: the end of a link the owner was told is near (`core.link_news`), so it is told once
    # for each end date
    """
    ALTER TABLE links ADD COLUMN ending_told TEXT;
    """,
]


class StoreError(Exception):
    """A request the store cannot honour, worded for the owner."""


class Database:
    """One SQLite file at the newest schema, shared by every thread.

    Writes go through one connection and one lock. Reads outside a transaction go through
    connections of their own (a few, reused): in WAL mode a reader never waits for a writer, and
    the GUI thread, which reads the store for every refresh, must not wait behind an upload
    worker's commit (a flush to disk that took up to 100 ms while the server wrote photos to the
    same disk: `bench/ui_responsiveness.py`). A reader sees every transaction committed before
    its query began; inside a transaction a thread reads through the writing connection, so it
    sees its own changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        # Read connections not in use, taken by a read and handed back after it: as many as
        # threads ever read at once. Not one per thread: SQLite keeps a closed connection's
        # file open while another connection of the process holds a lock on the file, so the
        # readers of short-lived threads (a sync thread per sync) piled up open files.
        self._idle: list[sqlite3.Connection] = []
        self._idle_lock = threading.Lock()
        self._closed = False
        self._local = threading.local()  # `writing`: this thread is inside a transaction
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        try:
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA busy_timeout=10000")
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._synchronous = int(self._db.execute("PRAGMA synchronous").fetchone()[0])
            self._migrate()
        except sqlite3.OperationalError as error:
            self._db.close()
            if "locked" in str(error) or "busy" in str(error):
                raise StoreError(
                    f"{path}: the album list is in use by another program (another Albumen?) "
                    "and stayed locked; close it and try again"
                ) from None
            raise StoreError(f"{path}: the album list cannot be opened ({error})") from None
        except sqlite3.DatabaseError as error:
            self._db.close()
            copy = keep_aside(path, "damaged")
            kept = f"; a copy is kept as {copy.name}" if copy else ""
            raise StoreError(
                f"{path}: the album list is damaged ({error}). Nothing was changed{kept}. "
                "Restore the file from a backup, or move it away to start with an empty album "
                "list (the server still has everything that was uploaded)."
            ) from None

    def close(self) -> None:
        """Close the writing connection and the idle readers. A reader in use is closed by its
        thread when the read ends: closing a connection another thread is reading through
        crashes the interpreter."""
        with self._idle_lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for reader in idle:
            reader.close()
        with self._lock:
            self._db.close()

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """A connection to read through: inside a transaction the writing one (a thread reads
        its own writes), else an idle reader or a new one."""
        if getattr(self._local, "writing", 0):
            with self._lock:
                yield self._db
            return
        with self._idle_lock:
            reader = self._idle.pop() if self._idle else None
        if reader is None:
            reader = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            reader.row_factory = sqlite3.Row
            reader.execute("PRAGMA busy_timeout=10000")
            reader.execute("PRAGMA query_only=ON")
        try:
            yield reader
        finally:
            with self._idle_lock:
                closed = self._closed
                if not closed:
                    self._idle.append(reader)
            if closed:
                reader.close()

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def rows(self, query: str, args: Sequence[object] = ()) -> list[sqlite3.Row]:
        """Every row a read returns (see the class: never waiting for a writer)."""
        with self._reading() as db:
            return db.execute(query, args).fetchall()

    def row(self, query: str, args: Sequence[object] = ()) -> sqlite3.Row | None:
        """The first row a read returns, or None."""
        with self._reading() as db:
            first: sqlite3.Row | None = db.execute(query, args).fetchone()
            return first

    @contextmanager
    def transaction(self, *, flush: bool = True) -> Iterator[sqlite3.Connection]:
        """A write transaction, taken at once (BEGIN IMMEDIATE): committed on success, rolled
        back on any exception.

        With `flush=False` the commit is not flushed to disk (SQLite's synchronous=NORMAL, for
        this transaction alone): it survives the process being killed, but a machine losing
        power may forget it, and the transactions after it, back to the last flushed one
        (the WAL keeps them in order). For bookkeeping that costs nothing to lose, since the
        server's answers correct it (an upload's URL, its progress, its end); it spares a
        flush of several milliseconds per photo."""
        with self._lock:
            self._local.writing = getattr(self._local, "writing", 0) + 1
            if not flush:
                self._db.execute("PRAGMA synchronous=NORMAL")
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            finally:
                self._local.writing -= 1
                if not flush:
                    self._db.execute(f"PRAGMA synchronous={self._synchronous}")

    def _migrate(self) -> None:
        current = self.schema_version
        if current > len(MIGRATIONS):
            raise StoreError(
                f"{self.path} was written by a newer Albumen (schema {current}); update Albumen"
            )
        if current == len(MIGRATIONS):
            return
        if current > 0:
            backup = self.path.with_name(f"{self.path.name}.v{current}.bak")
            with sqlite3.connect(backup) as copy:
                self._db.backup(copy)
        for version in range(current, len(MIGRATIONS)):
            with self.transaction() as db:
                for statement in _statements(MIGRATIONS[version]):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version={version + 1}")


def _statements(script: str) -> list[str]:
    return [part.strip() for part in script.split(";") if part.strip()]
