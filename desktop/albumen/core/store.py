"""The local album list in SQLite: the single source of truth for the owner's intent.

Every owner action lands here first, in one transaction with the outbox operation that will
carry it to the server, so a crash at any moment leaves the two consistent. WAL keeps readers
(the UI) from waiting on the writer (sync). Schema versions live in `PRAGMA user_version`;
before a migration the file is copied aside, so a failed upgrade loses nothing.
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from albumen.core.model import (
    Album,
    AlbumPrivacy,
    Download,
    Exposure,
    Link,
    LinkSettings,
    LinkState,
    Operation,
    OperationKind,
    Photo,
    PhotoState,
)

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
]


class StoreError(Exception):
    """A request the store cannot honour, worded for the owner."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


def _parse_time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _required_time(value: str) -> datetime:
    return datetime.fromisoformat(value)


def new_link_token() -> str:
    """192 random bits, URL-safe: made here so a link can be copied before it is live."""
    return secrets.token_urlsafe(24)


@dataclass(frozen=True)
class NewPhoto:
    """A scanned file ready to be recorded in an album."""

    path: Path
    size: int
    mtime_ns: int
    sha256: str
    width: int | None = None
    height: int | None = None
    taken_at: datetime | None = None


@dataclass(frozen=True)
class AddResult:
    added: list[Photo]
    duplicates: list[Path]  # already in the album (same SHA-256)


class Store:
    """One SQLite file; safe to share between the GUI thread and sync workers."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.execute("PRAGMA busy_timeout=10000")
        self._migrate()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- plumbing ------------------------------------------------------------------------------

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

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
            with self._transaction() as db:
                for statement in _statements(MIGRATIONS[version]):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version={version + 1}")

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _enqueue(
        self, db: sqlite3.Connection, kind: OperationKind, entity_id: str, album_id: str | None
    ) -> None:
        # An operation that has not been tried yet already carries the latest state: the
        # sync reads the row when it sends, so a second one would only repeat it.
        waiting = db.execute(
            "SELECT 1 FROM outbox WHERE kind=? AND entity_id=? AND attempts=0",
            (kind.value, entity_id),
        ).fetchone()
        if waiting is None:
            db.execute(
                "INSERT INTO outbox (kind, entity_id, album_id, created_at) VALUES (?,?,?,?)",
                (kind.value, entity_id, album_id, _time(utcnow())),
            )

    # -- albums --------------------------------------------------------------------------------

    def create_album(self, title: str, description: str | None = None) -> Album:
        title = title.strip()
        if not title:
            raise StoreError("an album needs a title")
        album_id, now = str(uuid.uuid4()), _time(utcnow())
        with self._transaction() as db:
            db.execute(
                "INSERT INTO albums (id, title, description, created_at, updated_at)"
                " VALUES (?,?,?,?,?)",
                (album_id, title, description, now, now),
            )
            self._enqueue(db, OperationKind.PUT_ALBUM, album_id, album_id)
        return self.album(album_id)

    def update_album(
        self, album_id: str, *, title: str | None = None, description: str | None = None
    ) -> Album:
        album = self.album(album_id)
        new_title = album.title if title is None else title.strip()
        if not new_title:
            raise StoreError("an album needs a title")
        new_description = album.description if description is None else description
        with self._transaction() as db:
            db.execute(
                "UPDATE albums SET title=?, description=?, updated_at=? WHERE id=?",
                (new_title, new_description, _time(utcnow()), album_id),
            )
            self._enqueue(db, OperationKind.PUT_ALBUM, album_id, album_id)
        return self.album(album_id)

    def set_privacy(self, album_id: str, privacy: AlbumPrivacy) -> int:
        """Apply an album's rules to its links and to uploads; returns how many photos will be
        uploaded again (without their location, when that was just switched on)."""
        album = self.album(album_id)
        again = 0
        with self._transaction() as db:
            db.execute(
                "UPDATE albums SET location_exposure=?, metadata_exposure=?, strip_location=?,"
                " updated_at=? WHERE id=?",
                (
                    privacy.location.value,
                    privacy.metadata.value,
                    int(privacy.strip_location),
                    _time(utcnow()),
                    album_id,
                ),
            )
            # Every link that still works is sent again, limited by the new rules.
            for (link_id,) in db.execute(
                "SELECT id FROM links WHERE album_id=? AND state IN (?,?)",
                (album_id, LinkState.PENDING.value, LinkState.ACTIVE.value),
            ).fetchall():
                self._enqueue(db, OperationKind.PUT_LINK, link_id, album_id)
            if privacy.strip_location != album.privacy.strip_location:
                # Unfinished uploads were started with the other bytes: start them afresh.
                db.execute(
                    "UPDATE photos SET upload_url=NULL, uploaded_bytes=0"
                    " WHERE album_id=? AND state!=?",
                    (album_id, PhotoState.UPLOADED.value),
                )
            if privacy.strip_location and not album.privacy.strip_location:
                # The server has these with their GPS: replace them by copies without it.
                uploaded = db.execute(
                    "SELECT id FROM photos WHERE album_id=? AND state=? ORDER BY position",
                    (album_id, PhotoState.UPLOADED.value),
                ).fetchall()
                for (photo_id,) in uploaded:
                    self._enqueue(db, OperationKind.DELETE_PHOTO, photo_id, album_id)
                for (photo_id,) in uploaded:
                    db.execute(
                        "UPDATE photos SET state=?, error=NULL, upload_url=NULL, uploaded_bytes=0"
                        " WHERE id=?",
                        (PhotoState.QUEUED.value, photo_id),
                    )
                    self._enqueue(db, OperationKind.UPLOAD_PHOTO, photo_id, album_id)
                again = len(uploaded)
        return again

    def set_cover(self, album_id: str, photo_id: str | None) -> None:
        with self._transaction() as db:
            db.execute("UPDATE albums SET cover_photo_id=? WHERE id=?", (photo_id, album_id))
            self._enqueue(db, OperationKind.PUT_ALBUM, album_id, album_id)

    def delete_album(self, album_id: str) -> None:
        """Forget the album here at once; the server deletes it (and kills its links) on sync."""
        self.album(album_id)
        with self._transaction() as db:
            db.execute(
                "DELETE FROM outbox WHERE album_id=? AND attempts=0 AND kind!=?",
                (album_id, OperationKind.DELETE_ALBUM.value),
            )
            db.execute("DELETE FROM albums WHERE id=?", (album_id,))
            self._enqueue(db, OperationKind.DELETE_ALBUM, album_id, album_id)

    def album(self, album_id: str) -> Album:
        rows = self._albums("WHERE a.id = ?", (album_id,))
        if not rows:
            raise StoreError(f"there is no album {album_id}")
        return rows[0]

    def albums(self) -> list[Album]:
        return self._albums("", ())

    def album_by_title(self, title: str) -> Album | None:
        rows = self._albums("WHERE a.title = ?", (title,))
        return rows[0] if rows else None

    def _albums(self, where: str, args: Sequence[object]) -> list[Album]:
        query = f"""
            SELECT a.*,
              (SELECT COUNT(*) FROM photos p WHERE p.album_id = a.id) AS photo_count,
              (SELECT COUNT(*) FROM photos p WHERE p.album_id = a.id AND p.state = 'uploaded')
                AS uploaded_count,
              (SELECT COUNT(*) FROM photos p WHERE p.album_id = a.id
                 AND p.state IN ('failed', 'changed', 'missing')) AS failed_count,
              (SELECT COUNT(*) FROM links l WHERE l.album_id = a.id) AS link_count
            FROM albums a {where} ORDER BY a.created_at, a.id
        """  # noqa: S608  # `where` is one of this module's constants
        with self._lock:
            rows = self._db.execute(query, args).fetchall()
        return [
            Album(
                id=row["id"],
                title=row["title"],
                description=row["description"],
                created_at=_required_time(row["created_at"]),
                updated_at=_required_time(row["updated_at"]),
                cover_photo_id=row["cover_photo_id"],
                photo_count=row["photo_count"],
                uploaded_count=row["uploaded_count"],
                failed_count=row["failed_count"],
                link_count=row["link_count"],
                privacy=AlbumPrivacy(
                    location=Exposure(row["location_exposure"]),
                    metadata=Exposure(row["metadata_exposure"]),
                    strip_location=bool(row["strip_location"]),
                ),
            )
            for row in rows
        ]

    # -- photos --------------------------------------------------------------------------------

    def add_photos(self, album_id: str, photos: Sequence[NewPhoto]) -> AddResult:
        """Record photos and queue their uploads; a photo already in the album is skipped."""
        self.album(album_id)
        added_ids: list[str] = []
        duplicates: list[Path] = []
        now = _time(utcnow())
        with self._transaction() as db:
            position = db.execute(
                "SELECT COALESCE(MAX(position), -1) FROM photos WHERE album_id=?", (album_id,)
            ).fetchone()[0]
            seen: set[str] = set()
            for photo in photos:
                exists = db.execute(
                    "SELECT 1 FROM photos WHERE album_id=? AND sha256=?", (album_id, photo.sha256)
                ).fetchone()
                if exists or photo.sha256 in seen:
                    duplicates.append(photo.path)
                    continue
                seen.add(photo.sha256)
                position += 1
                photo_id = str(uuid.uuid4())
                db.execute(
                    "INSERT INTO photos (id, album_id, path, filename, size, mtime_ns, sha256,"
                    " state, position, added_at, width, height, taken_at)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (
                        photo_id,
                        album_id,
                        str(photo.path),
                        photo.path.name,
                        photo.size,
                        photo.mtime_ns,
                        photo.sha256,
                        PhotoState.QUEUED.value,
                        position,
                        now,
                        photo.width,
                        photo.height,
                        _time(photo.taken_at) if photo.taken_at else None,
                    ),
                )
                self._enqueue(db, OperationKind.UPLOAD_PHOTO, photo_id, album_id)
                added_ids.append(photo_id)
            if added_ids:
                db.execute(
                    "UPDATE albums SET cover_photo_id = COALESCE(cover_photo_id, ?) WHERE id=?",
                    (added_ids[0], album_id),
                )
        return AddResult(added=[self.photo(i) for i in added_ids], duplicates=duplicates)

    def remove_photos(self, photo_ids: Sequence[str]) -> None:
        with self._transaction() as db:
            for photo_id in photo_ids:
                row = db.execute(
                    "SELECT album_id, state FROM photos WHERE id=?", (photo_id,)
                ).fetchone()
                if row is None:
                    continue
                db.execute(
                    "DELETE FROM outbox WHERE kind=? AND entity_id=?",
                    (OperationKind.UPLOAD_PHOTO.value, photo_id),
                )
                db.execute("DELETE FROM photos WHERE id=?", (photo_id,))
                db.execute(
                    "UPDATE albums SET cover_photo_id=NULL WHERE cover_photo_id=?", (photo_id,)
                )
                self._enqueue(db, OperationKind.DELETE_PHOTO, photo_id, row["album_id"])

    def move_photo(self, photo_id: str, new_position: int) -> None:
        """Reorder within the album: the photo lands at `new_position`, the rest close up."""
        photo = self.photo(photo_id)
        ids = [p.id for p in self.photos(photo.album_id) if p.id != photo_id]
        ids.insert(max(0, min(new_position, len(ids))), photo_id)
        with self._transaction() as db:
            for position, each in enumerate(ids):
                db.execute("UPDATE photos SET position=? WHERE id=?", (position, each))
            self._enqueue(db, OperationKind.PUT_ALBUM, photo.album_id, photo.album_id)

    def arrangement_changed(self, album_id: str) -> None:
        """The server should hear the album's order and cover again (one waiting send)."""
        with self._transaction() as db:
            if db.execute("SELECT 1 FROM albums WHERE id=?", (album_id,)).fetchone():
                self._enqueue(db, OperationKind.PUT_ALBUM, album_id, album_id)

    def photo(self, photo_id: str) -> Photo:
        with self._lock:
            row = self._db.execute("SELECT * FROM photos WHERE id=?", (photo_id,)).fetchone()
        if row is None:
            raise StoreError(f"there is no photo {photo_id}")
        return _photo(row)

    def find_photo(self, photo_id: str) -> Photo | None:
        try:
            return self.photo(photo_id)
        except StoreError:
            return None

    def photos(self, album_id: str) -> list[Photo]:
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM photos WHERE album_id=? ORDER BY position", (album_id,)
            ).fetchall()
        return [_photo(row) for row in rows]

    def unfinished_uploads(self) -> list[tuple[str, int, int]]:
        """(photo id, size, bytes sent) of every photo still to upload, in every album."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, size, uploaded_bytes FROM photos WHERE state IN (?,?)",
                (PhotoState.QUEUED.value, PhotoState.UPLOADING.value),
            ).fetchall()
        return [(row[0], row[1], row[2]) for row in rows]

    def set_photo_state(
        self,
        photo_id: str,
        state: PhotoState,
        *,
        error: str | None = None,
        upload_url: str | None = None,
        uploaded_bytes: int | None = None,
    ) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE photos SET state=?, error=?, upload_url=COALESCE(?, upload_url),"
                " uploaded_bytes=COALESCE(?, uploaded_bytes) WHERE id=?",
                (state.value, error, upload_url, uploaded_bytes, photo_id),
            )

    def clear_upload_url(self, photo_id: str) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE photos SET upload_url=NULL, uploaded_bytes=0 WHERE id=?", (photo_id,)
            )

    def retry_photo(self, photo_id: str) -> None:
        """Queue a failed, changed or missing photo again (after the owner fixed the cause)."""
        photo = self.photo(photo_id)
        with self._transaction() as db:
            db.execute(
                "UPDATE photos SET state=?, error=NULL WHERE id=?",
                (PhotoState.QUEUED.value, photo_id),
            )
            self._enqueue(db, OperationKind.UPLOAD_PHOTO, photo_id, photo.album_id)

    # -- links ---------------------------------------------------------------------------------

    def create_link(
        self,
        album_id: str,
        settings: LinkSettings,
        *,
        has_password: bool,
        link_id: str | None = None,
    ) -> Link:
        """`link_id` lets the caller keep the password in the keyring first, so a sync that
        starts in between never finds a protected link without its password."""
        self.album(album_id)
        link_id = link_id or str(uuid.uuid4())
        with self._transaction() as db:
            db.execute(
                "INSERT INTO links (id, album_id, token, label, download, show_metadata,"
                " show_location, expires_at, has_password, state, created_at)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    link_id,
                    album_id,
                    new_link_token(),
                    settings.label,
                    settings.download.value,
                    int(settings.show_metadata),
                    int(settings.show_location),
                    _time(settings.expires_at),
                    int(has_password),
                    LinkState.PENDING.value,
                    _time(utcnow()),
                ),
            )
            self._enqueue(db, OperationKind.PUT_LINK, link_id, album_id)
        return self.link(link_id)

    def update_link(
        self, link_id: str, settings: LinkSettings, *, has_password: bool | None = None
    ) -> Link:
        link = self.link(link_id)
        if link.state in (LinkState.REVOKED, LinkState.REVOKE_PENDING):
            raise StoreError("a revoked link cannot be changed; make a new link")
        with self._transaction() as db:
            db.execute(
                "UPDATE links SET label=?, download=?, show_metadata=?, show_location=?,"
                " expires_at=?, has_password=COALESCE(?, has_password) WHERE id=?",
                (
                    settings.label,
                    settings.download.value,
                    int(settings.show_metadata),
                    int(settings.show_location),
                    _time(settings.expires_at),
                    None if has_password is None else int(has_password),
                    link_id,
                ),
            )
            self._enqueue(db, OperationKind.PUT_LINK, link_id, link.album_id)
        return self.link(link_id)

    def revoke_link(self, link_id: str) -> Link:
        """Shown as 'revoke pending' until the server has confirmed it, never as done."""
        link = self.link(link_id)
        if link.state in (LinkState.REVOKED, LinkState.REVOKE_PENDING):
            return link
        with self._transaction() as db:
            db.execute(
                "DELETE FROM outbox WHERE kind=? AND entity_id=? AND attempts=0",
                (OperationKind.PUT_LINK.value, link_id),
            )
            db.execute(
                "UPDATE links SET state=? WHERE id=?", (LinkState.REVOKE_PENDING.value, link_id)
            )
            self._enqueue(db, OperationKind.REVOKE_LINK, link_id, link.album_id)
        return self.link(link_id)

    def set_link_remote(
        self,
        link_id: str,
        *,
        state: LinkState,
        url: str | None = None,
        view_count: int | None = None,
        last_viewed_at: datetime | None = None,
        revoked_at: datetime | None = None,
    ) -> None:
        with self._transaction() as db:
            db.execute(
                # A revoke made here stays pending until the server reports it done, even
                # when a sync that started before it writes back what it saw.
                "UPDATE links SET state=CASE WHEN state=? AND ?<>? THEN state ELSE ? END,"
                " url=COALESCE(?, url),"
                " view_count=COALESCE(?, view_count),"
                " last_viewed_at=COALESCE(?, last_viewed_at),"
                " revoked_at=COALESCE(?, revoked_at) WHERE id=?",
                (
                    LinkState.REVOKE_PENDING.value,
                    state.value,
                    LinkState.REVOKED.value,
                    state.value,
                    url,
                    view_count,
                    _time(last_viewed_at),
                    _time(revoked_at),
                    link_id,
                ),
            )

    def link(self, link_id: str) -> Link:
        with self._lock:
            row = self._db.execute("SELECT * FROM links WHERE id=?", (link_id,)).fetchone()
        if row is None:
            raise StoreError(f"there is no link {link_id}")
        return _link(row)

    def links(self, album_id: str | None = None) -> list[Link]:
        with self._lock:
            if album_id is None:
                rows = self._db.execute("SELECT * FROM links ORDER BY created_at").fetchall()
            else:
                rows = self._db.execute(
                    "SELECT * FROM links WHERE album_id=? ORDER BY created_at", (album_id,)
                ).fetchall()
        return [_link(row) for row in rows]

    def link_by_token(self, token: str) -> Link | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM links WHERE token=?", (token,)).fetchone()
        return None if row is None else _link(row)

    # -- outbox --------------------------------------------------------------------------------

    def pending_operations(self) -> list[Operation]:
        with self._lock:
            rows = self._db.execute("SELECT * FROM outbox ORDER BY seq").fetchall()
        return [
            Operation(
                seq=row["seq"],
                kind=OperationKind(row["kind"]),
                entity_id=row["entity_id"],
                album_id=row["album_id"],
                attempts=row["attempts"],
                last_error=row["last_error"],
                created_at=_required_time(row["created_at"]),
            )
            for row in rows
        ]

    def complete_operation(self, seq: int) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM outbox WHERE seq=?", (seq,))

    def fail_operation(self, seq: int, error: str) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error=? WHERE seq=?", (error, seq)
            )


def _statements(script: str) -> list[str]:
    return [part.strip() for part in script.split(";") if part.strip()]


def _photo(row: sqlite3.Row) -> Photo:
    return Photo(
        id=row["id"],
        album_id=row["album_id"],
        path=Path(row["path"]),
        filename=row["filename"],
        size=row["size"],
        mtime_ns=row["mtime_ns"],
        sha256=row["sha256"],
        state=PhotoState(row["state"]),
        position=row["position"],
        added_at=_required_time(row["added_at"]),
        error=row["error"],
        width=row["width"],
        height=row["height"],
        taken_at=_parse_time(row["taken_at"]),
        upload_url=row["upload_url"],
        uploaded_bytes=row["uploaded_bytes"],
    )


def _link(row: sqlite3.Row) -> Link:
    return Link(
        id=row["id"],
        album_id=row["album_id"],
        token=row["token"],
        settings=LinkSettings(
            download=Download(row["download"]),
            show_metadata=bool(row["show_metadata"]),
            show_location=bool(row["show_location"]),
            expires_at=_parse_time(row["expires_at"]),
            label=row["label"],
        ),
        has_password=bool(row["has_password"]),
        state=LinkState(row["state"]),
        created_at=_required_time(row["created_at"]),
        url=row["url"],
        view_count=row["view_count"],
        last_viewed_at=_parse_time(row["last_viewed_at"]),
        revoked_at=_parse_time(row["revoked_at"]),
    )
