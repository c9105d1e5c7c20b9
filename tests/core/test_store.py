"""The local album list in real SQLite: actions land at once, with their outbox operations."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from albumen.core.model import (
    AlbumPrivacy,
    Download,
    Exposure,
    LinkSettings,
    LinkState,
    OperationKind,
    PhotoState,
)
from albumen.core.store import NewPhoto, Store, StoreError
from albumen.core.store_schema import MIGRATIONS


def _photo(tmp_path: Path, name: str, digest: str) -> NewPhoto:
    path = tmp_path / name
    path.write_bytes(digest.encode())
    return NewPhoto(path=path, size=len(digest), mtime_ns=1, sha256=digest)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "albumen.sqlite3")


def test_albums_photos_and_outbox(store: Store, tmp_path: Path) -> None:
    album = store.create_album("  Iceland  ")
    assert album.title == "Iceland"
    result = store.add_photos(
        album.id,
        [
            _photo(tmp_path, "a.jpg", "a" * 64),
            _photo(tmp_path, "b.jpg", "b" * 64),
            _photo(tmp_path, "b2.jpg", "b" * 64),
        ],
    )
    assert [p.filename for p in result.added] == ["a.jpg", "b.jpg"]
    assert result.duplicates == [tmp_path / "b2.jpg"]
    assert result.same_as == {tmp_path / "b2.jpg": "b.jpg"}  # its twin, in the same batch
    again = store.add_photos(album.id, [_photo(tmp_path, "a-copy.jpg", "a" * 64)])
    assert again.added == [] and again.duplicates == [tmp_path / "a-copy.jpg"]
    assert again.same_as == {tmp_path / "a-copy.jpg": "a.jpg"}  # its twin, in the album
    listed = store.albums()
    assert listed[0].photo_count == 2
    assert listed[0].cover_photo_id == result.added[0].id
    kinds = [op.kind for op in store.pending_operations()]
    assert kinds == [
        OperationKind.PUT_ALBUM,
        OperationKind.UPLOAD_PHOTO,
        OperationKind.UPLOAD_PHOTO,
    ]
    store.update_album(album.id, title="Iceland 2026")
    assert [op.kind for op in store.pending_operations()].count(OperationKind.PUT_ALBUM) == 1
    assert all(p.state is PhotoState.QUEUED for p in store.photos(album.id))


def test_reorder_and_remove(store: Store, tmp_path: Path) -> None:
    album = store.create_album("Order")
    added = store.add_photos(album.id, [_photo(tmp_path, f"{n}.jpg", n * 64) for n in "abc"]).added
    store.move_photo(added[2].id, 0)
    assert [p.filename for p in store.photos(album.id)] == ["c.jpg", "a.jpg", "b.jpg"]
    store.remove_photos([added[0].id])
    assert [p.filename for p in store.photos(album.id)] == ["c.jpg", "b.jpg"]
    kinds = [(op.kind, op.entity_id) for op in store.pending_operations()]
    assert (OperationKind.UPLOAD_PHOTO, added[0].id) not in kinds
    assert (OperationKind.DELETE_PHOTO, added[0].id) in kinds
    # The cover (the first photo added) went: the photo that followed it is the cover now.
    assert store.album(album.id).cover_photo_id == added[1].id


def test_links_are_pending_then_revoke_pending(store: Store) -> None:
    album = store.create_album("Links")
    settings = LinkSettings(download=Download.WEB, label="Mum")
    link = store.create_link(album.id, settings, has_password=True)
    assert link.state is LinkState.PENDING
    assert len(link.token) >= 32
    assert store.link_by_token(link.token) == link
    revoked = store.revoke_link(link.id)
    assert revoked.state is LinkState.REVOKE_PENDING
    kinds = [op.kind for op in store.pending_operations()]
    assert OperationKind.PUT_LINK not in kinds, "a link never sent need not be created first"
    assert kinds[-1] is OperationKind.REVOKE_LINK
    with pytest.raises(StoreError, match="revoked"):
        store.update_link(link.id, settings)


def test_a_sync_that_saw_the_link_before_its_revoke_cannot_undo_it(store: Store) -> None:
    album = store.create_album("Race")
    link = store.create_link(album.id, LinkSettings(), has_password=False, link_id="fixed-id")
    assert link.id == "fixed-id"
    store.set_link_remote(link.id, state=LinkState.ACTIVE, view_count=2)
    store.revoke_link(link.id)
    store.set_link_remote(link.id, state=LinkState.ACTIVE, view_count=3)  # a stale refresh
    stale = store.link(link.id)
    assert stale.state is LinkState.REVOKE_PENDING and stale.view_count == 3
    store.set_link_remote(link.id, state=LinkState.REVOKED)
    assert store.link(link.id).state is LinkState.REVOKED


def test_state_survives_reopening_and_old_schemas_are_backed_up(tmp_path: Path) -> None:
    path = tmp_path / "albumen.sqlite3"
    first = Store(path)
    album = first.create_album("Kept")
    first.close()
    second = Store(path)
    assert second.album(album.id).title == "Kept"
    assert second.schema_version == len(MIGRATIONS)
    second.close()
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version=99")
    with pytest.raises(StoreError, match="newer Albumen"):
        Store(path)


def test_a_version_1_store_gains_album_privacy_and_is_backed_up_first(tmp_path: Path) -> None:
    path = tmp_path / "albumen.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(MIGRATIONS[0])
        db.execute(
            "INSERT INTO albums (id, title, created_at, updated_at) VALUES (?,?,?,?)",
            ("a1", "From version 1", "2025-05-01T10:00:00+00:00", "2025-05-01T10:00:00+00:00"),
        )
        db.execute("PRAGMA user_version=1")
    db.close()
    store = Store(path)
    assert store.schema_version == len(MIGRATIONS) >= 2
    album = store.album("a1")
    assert album.title == "From version 1"
    assert album.privacy == AlbumPrivacy()
    store.close()
    backup = path.with_name("albumen.sqlite3.v1.bak")
    with sqlite3.connect(backup) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 1
        assert db.execute("SELECT title FROM albums").fetchall() == [("From version 1",)]
    db.close()


def test_privacy_rules_resend_links_and_replace_uploaded_photos(
    store: Store, tmp_path: Path
) -> None:
    album = store.create_album("Private")
    store.add_photos(
        album.id, [_photo(tmp_path, "a.jpg", "a" * 64), _photo(tmp_path, "b.jpg", "b" * 64)]
    )
    first, second = store.photos(album.id)
    store.set_photo_state(first.id, PhotoState.UPLOADED, uploaded_bytes=first.size)
    store.set_photo_state(second.id, PhotoState.UPLOADING, upload_url="http://x/uploads/1")
    link = store.create_link(album.id, LinkSettings(show_location=True), has_password=False)
    for operation in store.pending_operations():
        store.complete_operation(operation.seq)

    again = store.set_privacy(album.id, AlbumPrivacy(strip_location=True))
    assert again == 1
    assert store.album(album.id).privacy.strip_location
    kinds = [(op.kind, op.entity_id) for op in store.pending_operations()]
    assert kinds == [
        (OperationKind.PUT_LINK, link.id),
        (OperationKind.DELETE_PHOTO, first.id),
        (OperationKind.UPLOAD_PHOTO, first.id),
    ]
    assert store.photo(first.id).state is PhotoState.QUEUED
    assert store.photo(second.id).upload_url is None, "its upload began with other bytes"


def test_an_album_rule_limits_what_every_link_shows() -> None:
    wide = LinkSettings(show_location=True, show_metadata=True)
    assert AlbumPrivacy().limit(wide) == wide
    never = AlbumPrivacy(location=Exposure.NEVER).limit(wide)
    assert (never.show_location, never.show_metadata) == (False, True)
    stripped = AlbumPrivacy(strip_location=True).limit(wide)
    assert not stripped.show_location
    quiet = AlbumPrivacy(metadata=Exposure.NEVER).limit(wide)
    assert (quiet.show_location, quiet.show_metadata) == (True, False)


def test_delete_album_drops_its_queue_but_tells_the_server(store: Store, tmp_path: Path) -> None:
    album = store.create_album("Gone")
    store.add_photos(album.id, [_photo(tmp_path, "a.jpg", "a" * 64)])
    store.delete_album(album.id)
    assert store.albums() == []
    operations = store.pending_operations()
    assert [op.kind for op in operations] == [OperationKind.DELETE_ALBUM]
    with pytest.raises(StoreError):
        store.album(album.id)


def test_the_cover_a_gallery_opens_on_is_the_owners_else_the_first_photo(
    store: Store, tmp_path: Path
) -> None:
    album = store.create_album("Covers")
    assert store.cover_photo(album.id) is None, "no photos: no cover"
    added = store.add_photos(
        album.id, [_photo(tmp_path, "a.jpg", "a" * 64), _photo(tmp_path, "b.jpg", "b" * 64)]
    ).added
    first, second = (photo.id for photo in added)
    cover = store.cover_photo(album.id)
    assert cover is not None and cover.id == first
    store.set_cover(album.id, second)
    cover = store.cover_photo(album.id)
    assert cover is not None and cover.id == second
    other = store.create_album("Elsewhere")
    moved = store.add_photos(other.id, [_photo(tmp_path, "c.jpg", "c" * 64)]).added[0]
    store.set_cover(album.id, moved.id)  # another album's photo is no cover of this one
    cover = store.cover_photo(album.id)
    assert cover is not None and cover.id == first
