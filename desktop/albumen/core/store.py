"""The local album list: the single source of truth for the owner's intent.

Every owner action lands here first, in one transaction with the outbox operation that will
carry it to the server, so a crash at any moment leaves the two consistent. `Store` is the one
door to it: albums and photos here, links in `store_links` and the picks viewers sent in
`store_picks` (which `Store` inherits); the SQLite
file, its schema and migrations in `store_schema`; the queue of operations in `outbox`; rows to
domain values in `store_rows`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from albumen.core import outbox
from albumen.core.model import (
    Album,
    AlbumPrivacy,
    LinkState,
    Operation,
    OperationKind,
    Photo,
    PhotoState,
    PreviewState,
)
from albumen.core.store_links import LinkRecords, new_link_token
from albumen.core.store_picks import PickRecords
from albumen.core.store_rows import (
    album_from_row,
    photo_from_row,
    time_text,
    utcnow,
)
from albumen.core.store_schema import Database, StoreError

__all__ = ["AddResult", "NewPhoto", "Store", "StoreError", "new_link_token"]


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
    # Each duplicate's twin: the file name of the album's photo with the same bytes.
    same_as: dict[Path, str] = field(default_factory=dict)


class Store(LinkRecords, PickRecords):
    """One SQLite file; safe to share between the GUI thread and sync workers."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._database = Database(path)

    def close(self) -> None:
        self._database.close()

    @property
    def schema_version(self) -> int:
        return self._database.schema_version

    # -- albums --------------------------------------------------------------------------------

    def create_album(self, title: str, description: str | None = None) -> Album:
        title = title.strip()
        if not title:
            raise StoreError("an album needs a title")
        album_id, now = str(uuid.uuid4()), time_text(utcnow())
        with self._database.transaction() as db:
            db.execute(
                "INSERT INTO albums (id, title, description, created_at, updated_at)"
                " VALUES (?,?,?,?,?)",
                (album_id, title, description, now, now),
            )
            outbox.enqueue(db, OperationKind.PUT_ALBUM, album_id, album_id)
        return self.album(album_id)

    def update_album(
        self, album_id: str, *, title: str | None = None, description: str | None = None
    ) -> Album:
        album = self.album(album_id)
        new_title = album.title if title is None else title.strip()
        if not new_title:
            raise StoreError("an album needs a title")
        new_description = album.description if description is None else description
        with self._database.transaction() as db:
            db.execute(
                "UPDATE albums SET title=?, description=?, updated_at=? WHERE id=?",
                (new_title, new_description, time_text(utcnow()), album_id),
            )
            outbox.enqueue(db, OperationKind.PUT_ALBUM, album_id, album_id)
        return self.album(album_id)

    def set_privacy(self, album_id: str, privacy: AlbumPrivacy) -> int:
        """Apply an album's rules to its links and to uploads; returns how many photos will be
        uploaded again (without their location, when that was just switched on)."""
        album = self.album(album_id)
        again = 0
        with self._database.transaction() as db:
            db.execute(
                "UPDATE albums SET location_exposure=?, metadata_exposure=?, strip_location=?,"
                " updated_at=? WHERE id=?",
                (
                    privacy.location.value,
                    privacy.metadata.value,
                    int(privacy.strip_location),
                    time_text(utcnow()),
                    album_id,
                ),
            )
            # Every link that still works is sent again, limited by the new rules.
            for (link_id,) in db.execute(
                "SELECT id FROM links WHERE album_id=? AND state IN (?,?)",
                (album_id, LinkState.PENDING.value, LinkState.ACTIVE.value),
            ).fetchall():
                outbox.enqueue(db, OperationKind.PUT_LINK, link_id, album_id)
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
                    outbox.enqueue(db, OperationKind.DELETE_PHOTO, photo_id, album_id)
                for (photo_id,) in uploaded:
                    db.execute(
                        "UPDATE photos SET state=?, error=NULL, upload_url=NULL, uploaded_bytes=0,"
                        " preview=? WHERE id=?",
                        (PhotoState.QUEUED.value, PreviewState.WANTED.value, photo_id),
                    )
                    outbox.enqueue(db, OperationKind.UPLOAD_PHOTO, photo_id, album_id)
                again = len(uploaded)
        return again

    def set_cover(self, album_id: str, photo_id: str | None) -> None:
        with self._database.transaction() as db:
            db.execute("UPDATE albums SET cover_photo_id=? WHERE id=?", (photo_id, album_id))
            outbox.enqueue(db, OperationKind.PUT_ALBUM, album_id, album_id)

    def cover_photo(self, album_id: str) -> Photo | None:
        """The photo a link's gallery opens on, as the server chooses it: the album's cover
        while it is in the album, else its first photo; None for an album without photos."""
        album = self.album(album_id)
        if album.cover_photo_id is not None:
            cover = self.find_photo(album.cover_photo_id)
            if cover is not None and cover.album_id == album_id:
                return cover
        photos = self.photos(album_id)
        return photos[0] if photos else None

    def delete_album(self, album_id: str) -> None:
        """Forget the album here at once; the server deletes it (and kills its links) on sync."""
        self.album(album_id)
        with self._database.transaction() as db:
            outbox.drop_waiting_for_album(db, album_id)
            db.execute("DELETE FROM albums WHERE id=?", (album_id,))
            outbox.enqueue(db, OperationKind.DELETE_ALBUM, album_id, album_id)

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

    def find_album(self, title_or_id: str) -> Album | None:
        """The album a command names: by its title, else by its id."""
        found = self.album_by_title(title_or_id)
        if found is None:
            rows = self._albums("WHERE a.id = ?", (title_or_id,))
            found = rows[0] if rows else None
        return found

    def _albums(self, where: str, args: Sequence[object]) -> list[Album]:
        query = f"""
            SELECT a.*,
              (SELECT COUNT(*) FROM photos p WHERE p.album_id = a.id) AS photo_count,
              (SELECT COUNT(*) FROM photos p WHERE p.album_id = a.id AND p.state = 'uploaded')
                AS uploaded_count,
              (SELECT COUNT(*) FROM photos p WHERE p.album_id = a.id
                 AND (p.state = 'uploaded' OR p.preview = 'sent')) AS viewable_count,
              (SELECT COUNT(*) FROM photos p WHERE p.album_id = a.id
                 AND p.state IN ('failed', 'changed', 'missing')) AS failed_count,
              (SELECT COUNT(*) FROM links l WHERE l.album_id = a.id
                 AND l.state IN ('pending', 'active')
                 AND (l.expires_at IS NULL OR l.expires_at > ?)) AS link_count,
              (SELECT COUNT(*) FROM picks k WHERE k.album_id = a.id) AS pick_count
            FROM albums a {where} ORDER BY a.created_at, a.id
        """  # noqa: S608  # `where` is one of this module's constants
        # link_count: the links that work, as link_state.is_open counts them (ISO 8601 UTC
        # times compare as text).
        now = time_text(datetime.now(UTC))
        return [album_from_row(row) for row in self._database.rows(query, (now, *args))]

    # -- photos --------------------------------------------------------------------------------

    def add_photos(self, album_id: str, photos: Sequence[NewPhoto]) -> AddResult:
        """Record photos and queue their uploads; a photo already in the album is skipped."""
        self.album(album_id)
        added_ids: list[str] = []
        duplicates: list[Path] = []
        same_as: dict[Path, str] = {}
        now = time_text(utcnow())
        with self._database.transaction() as db:
            position = db.execute(
                "SELECT COALESCE(MAX(position), -1) FROM photos WHERE album_id=?", (album_id,)
            ).fetchone()[0]
            seen: dict[str, str] = {}  # SHA-256 -> file name, of this batch's photos
            for photo in photos:
                exists = db.execute(
                    "SELECT filename FROM photos WHERE album_id=? AND sha256=?",
                    (album_id, photo.sha256),
                ).fetchone()
                twin = exists["filename"] if exists else seen.get(photo.sha256)
                if twin is not None:
                    duplicates.append(photo.path)
                    same_as[photo.path] = twin
                    continue
                seen[photo.sha256] = photo.path.name
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
                        time_text(photo.taken_at) if photo.taken_at else None,
                    ),
                )
                outbox.enqueue(db, OperationKind.UPLOAD_PHOTO, photo_id, album_id)
                added_ids.append(photo_id)
            if added_ids:
                db.execute(
                    "UPDATE albums SET cover_photo_id = COALESCE(cover_photo_id, ?) WHERE id=?",
                    (added_ids[0], album_id),
                )
        return AddResult([self.photo(i) for i in added_ids], duplicates, same_as)

    def remove_photos(self, photo_ids: Sequence[str]) -> None:
        """Out of their albums; an album whose cover goes gets the photo that followed it (or,
        for the last one, the one before) as its cover, and the server hears of it."""
        with self._database.transaction() as db:
            for photo_id in photo_ids:
                row = db.execute(
                    "SELECT album_id, position FROM photos WHERE id=?", (photo_id,)
                ).fetchone()
                if row is None:
                    continue
                album_id = row["album_id"]
                outbox.drop(db, OperationKind.UPLOAD_PHOTO, photo_id, tried=True)
                db.execute("DELETE FROM photos WHERE id=?", (photo_id,))
                outbox.enqueue(db, OperationKind.DELETE_PHOTO, photo_id, album_id)
                if db.execute(
                    "SELECT 1 FROM albums WHERE id=? AND cover_photo_id=?", (album_id, photo_id)
                ).fetchone():
                    successor = db.execute(
                        "SELECT id FROM photos WHERE album_id=?"
                        " ORDER BY position < ?, CASE WHEN position < ? THEN -position"
                        " ELSE position END LIMIT 1",
                        (album_id, row["position"], row["position"]),
                    ).fetchone()
                    db.execute(
                        "UPDATE albums SET cover_photo_id=? WHERE id=?",
                        (successor["id"] if successor else None, album_id),
                    )
                    outbox.enqueue(db, OperationKind.PUT_ALBUM, album_id, album_id)

    def move_photo(self, photo_id: str, new_position: int) -> None:
        """Reorder within the album: the photo lands at `new_position`, the rest close up."""
        photo = self.photo(photo_id)
        ids = [p.id for p in self.photos(photo.album_id) if p.id != photo_id]
        ids.insert(max(0, min(new_position, len(ids))), photo_id)
        self.order_photos(photo.album_id, ids)

    def order_photos(self, album_id: str, photo_ids: Sequence[str]) -> None:
        """The album's photos in this order, sent to the server as the album's order; ids of
        other albums' photos are ignored, the album's photos left out follow as they were."""
        ids = dict.fromkeys([*photo_ids, *(photo.id for photo in self.photos(album_id))])
        with self._database.transaction() as db:
            db.executemany(
                "UPDATE photos SET position=? WHERE id=? AND album_id=?",
                [(position, each, album_id) for position, each in enumerate(ids)],
            )
            outbox.enqueue(db, OperationKind.PUT_ALBUM, album_id, album_id)

    def set_section(
        self, album_id: str, photo_ids: Sequence[str], title: str | None, order: Sequence[str]
    ) -> None:
        """Put the album's photos `photo_ids` in section `title` (None: in none) and the album
        in `order` (`core.sections.arranged` makes both, with the rule), queued for the server
        in the same transaction. From the first section on, the album's PUT carries its
        sections (`Album.sections_used`). Ids of other albums' photos are ignored; the album's
        photos `order` leaves out (added meanwhile) follow as they were."""
        self.album(album_id)
        with self._database.transaction() as db:
            db.executemany(
                "UPDATE photos SET section=? WHERE id=? AND album_id=?",
                [(title, photo_id, album_id) for photo_id in photo_ids],
            )
            current = db.execute(
                "SELECT id FROM photos WHERE album_id=? ORDER BY position", (album_id,)
            ).fetchall()
            ids = dict.fromkeys([*order, *(row["id"] for row in current)])
            db.executemany(
                "UPDATE photos SET position=? WHERE id=? AND album_id=?",
                [(position, each, album_id) for position, each in enumerate(ids)],
            )
            if title is not None:
                db.execute("UPDATE albums SET sections_used=1 WHERE id=?", (album_id,))
            outbox.enqueue(db, OperationKind.PUT_ALBUM, album_id, album_id)

    def arrangement_changed(self, album_id: str) -> None:
        """The server should hear the album's order and cover again (one waiting send)."""
        with self._database.transaction() as db:
            if db.execute("SELECT 1 FROM albums WHERE id=?", (album_id,)).fetchone():
                outbox.enqueue(db, OperationKind.PUT_ALBUM, album_id, album_id)

    def photo(self, photo_id: str) -> Photo:
        row = self._database.row("SELECT * FROM photos WHERE id=?", (photo_id,))
        if row is None:
            raise StoreError(f"there is no photo {photo_id}")
        return photo_from_row(row)

    def find_photo(self, photo_id: str) -> Photo | None:
        try:
            return self.photo(photo_id)
        except StoreError:
            return None

    def photos(self, album_id: str) -> list[Photo]:
        rows = self._database.rows(
            "SELECT * FROM photos WHERE album_id=? ORDER BY position", (album_id,)
        )
        return [photo_from_row(row) for row in rows]

    def unfinished_uploads(self) -> list[tuple[str, int, int]]:
        """(photo id, size, bytes sent) of every photo still to upload, in every album."""
        rows = self._database.rows(
            "SELECT id, size, uploaded_bytes FROM photos WHERE state IN (?,?)",
            (PhotoState.QUEUED.value, PhotoState.UPLOADING.value),
        )
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
        with self._database.transaction() as db:
            db.execute(
                "UPDATE photos SET state=?, error=?, upload_url=COALESCE(?, upload_url),"
                " uploaded_bytes=COALESCE(?, uploaded_bytes) WHERE id=?",
                (state.value, error, upload_url, uploaded_bytes, photo_id),
            )

    def finish_upload(self, photo_id: str, seq: int) -> None:
        """The server has the photo: it is uploaded, its operation done, and the album's order
        and cover are to be sent again (its place may change) — one transaction, so a crash
        leaves either all of it or none. Not flushed to disk: should the machine lose it, the
        next sync finds the photo in the server's album and finishes it again."""
        with self._database.transaction(flush=False) as db:
            db.execute(
                "UPDATE photos SET state=?, error=NULL, uploaded_bytes=size WHERE id=?",
                (PhotoState.UPLOADED.value, photo_id),
            )
            outbox.done(db, seq)
            row = db.execute("SELECT album_id FROM photos WHERE id=?", (photo_id,)).fetchone()
            if row is not None:
                outbox.enqueue(db, OperationKind.PUT_ALBUM, row["album_id"], row["album_id"])

    def note_upload(
        self, photo_id: str, *, upload_url: str | None = None, uploaded_bytes: int | None = None
    ) -> None:
        """An upload under way (its tus URL, how far it got): kept for resuming after a crash
        of the process; not flushed to disk, since losing it to a power cut costs only sending
        the photo again from the start (the server makes each photo once)."""
        with self._database.transaction(flush=False) as db:
            db.execute(
                "UPDATE photos SET state=?, error=NULL, upload_url=COALESCE(?, upload_url),"
                " uploaded_bytes=COALESCE(?, uploaded_bytes) WHERE id=?",
                (PhotoState.UPLOADING.value, upload_url, uploaded_bytes, photo_id),
            )

    def set_preview(self, photo_id: str, preview: PreviewState) -> None:
        """Whether the photo's web size reached the server (`SENT`: viewers can see the photo
        before its original lands) or will not be sent (`SKIPPED`). Flushed: after a crash
        between the two, the sync sends the original and not the web size again."""
        with self._database.transaction() as db:
            db.execute("UPDATE photos SET preview=? WHERE id=?", (preview.value, photo_id))

    def clear_upload_url(self, photo_id: str) -> None:
        with self._database.transaction() as db:
            db.execute(
                "UPDATE photos SET upload_url=NULL, uploaded_bytes=0 WHERE id=?", (photo_id,)
            )

    def retry_photo(self, photo_id: str) -> None:
        """Queue a failed, changed or missing photo again (after the owner fixed the cause)."""
        photo = self.photo(photo_id)
        with self._database.transaction() as db:
            db.execute(
                "UPDATE photos SET state=?, error=NULL WHERE id=?",
                (PhotoState.QUEUED.value, photo_id),
            )
            outbox.enqueue(db, OperationKind.UPLOAD_PHOTO, photo_id, photo.album_id)

    # -- outbox --------------------------------------------------------------------------------

    def pending_operations(self, after: int = 0) -> list[Operation]:
        return outbox.pending(self._database, after)

    def complete_operation(self, seq: int) -> None:
        outbox.complete(self._database, seq)

    def fail_operation(self, seq: int, error: str) -> None:
        outbox.fail(self._database, seq, error)
