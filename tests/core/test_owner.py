"""The owner's actions and the rules each implies (albumen.core.owner), as app and CLI use them.

The keyring here is an in-memory KeyringBackend (tests/core/test_credentials.py; the real GNOME
Keyring is exercised there) and one that refuses every secret, as a locked keyring does."""

from __future__ import annotations

from pathlib import Path

import keyring.errors
import pytest

from albumen.core.credentials import Credentials
from albumen.core.model import LinkSettings, LinkState, OperationKind
from albumen.core.owner import KEEP, Owner
from albumen.core.store import NewPhoto, Store
from tests.core.test_credentials import MemoryKeyring


class LockedKeyring(MemoryKeyring):
    """Answers, but refuses to keep anything (a keyring left locked)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError("the collection is locked")


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "store.sqlite3")


def _owner(store: Store, backend: MemoryKeyring | None = None) -> tuple[Owner, list[str | None]]:
    owner = Owner(store, Credentials(backend or MemoryKeyring()))
    heard: list[str | None] = []
    owner.on_change(heard.append)
    return owner, heard


def _photos(store: Store, album_id: str, count: int) -> list[str]:
    added = store.add_photos(
        album_id,
        [
            NewPhoto(path=Path(f"/photos/p{i}.jpg"), size=1, mtime_ns=1, sha256=f"{i:064x}")
            for i in range(count)
        ],
    )
    return [photo.id for photo in added.added]


def test_a_link_password_is_in_the_keyring_before_the_link_is_queued(store: Store) -> None:
    owner, heard = _owner(store)
    album = owner.create_album("Wedding")
    seen_when_queued: list[str | None] = []
    original = store.create_link

    def create_link(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        seen_when_queued.append(owner.credentials.link_password(str(kwargs["link_id"])))
        return original(*args, **kwargs)  # type: ignore[arg-type]

    store.create_link = create_link  # type: ignore[method-assign]
    saved = owner.save_link(album.id, LinkSettings(), password="harbour-lantern-quiet")
    assert seen_when_queued == ["harbour-lantern-quiet"], "a running drain must find it"
    assert saved.kept and saved.password == "harbour-lantern-quiet"
    assert saved.link.has_password and saved.link.state is LinkState.PENDING
    assert heard == [album.id, album.id]


def test_editing_keeps_removes_or_replaces_the_password(store: Store) -> None:
    owner, _heard = _owner(store)
    album = owner.create_album("Wedding")
    link = owner.save_link(album.id, LinkSettings(), password="first-words").link
    kept = owner.save_link(album.id, LinkSettings(label="x"), password=KEEP, link_id=link.id)
    assert kept.password == "first-words" and kept.link.has_password
    changed = owner.save_link(album.id, LinkSettings(), password="second-words", link_id=link.id)
    assert owner.credentials.link_password(link.id) == "second-words" and changed.link.has_password
    removed = owner.save_link(album.id, LinkSettings(), password=None, link_id=link.id)
    assert removed.password is None and not removed.link.has_password
    assert owner.credentials.link_password(link.id) is None


def test_a_locked_keyring_still_makes_the_link_and_says_the_password_was_not_kept(
    store: Store,
) -> None:
    owner, _heard = _owner(store, LockedKeyring())
    album = owner.create_album("Wedding")
    saved = owner.save_link(album.id, LinkSettings(), password="only-this-session")
    assert not saved.kept and saved.password == "only-this-session"
    assert owner.credentials.link_password(saved.link.id) == "only-this-session"


def test_revoking_forgets_the_password_and_tells_who_listens(store: Store) -> None:
    owner, heard = _owner(store)
    album = owner.create_album("Wedding")
    link = owner.save_link(album.id, LinkSettings(), password="to-be-forgotten").link
    heard.clear()
    revoked = owner.revoke_link(link.id)
    assert revoked.state in (LinkState.REVOKED, LinkState.REVOKE_PENDING)
    assert owner.credentials.link_password(link.id) is None
    assert heard == [album.id]


def test_cover_and_order_are_queued_and_announced(store: Store) -> None:
    """The app wakes the sync on the announcement: a new cover or order reaches the server at
    once, not on the next retry (set_cover in a widget used to queue without telling anyone)."""
    owner, heard = _owner(store)
    album = owner.create_album("Wedding")
    first, second, third = _photos(store, album.id, 3)
    heard.clear()
    owner.set_cover(album.id, second)
    owner.order_photos(album.id, [third, first, second])
    owner.move_photo(album.id, first, 2)
    assert heard == [album.id, album.id, album.id]
    assert store.album(album.id).cover_photo_id == second
    assert [p.id for p in store.photos(album.id)] == [third, second, first]
    assert any(
        op.kind is OperationKind.PUT_ALBUM and op.entity_id == album.id
        for op in store.pending_operations()
    ), "the album's new cover and order wait in the outbox"


def test_removing_photos_announces_their_album(store: Store) -> None:
    owner, heard = _owner(store)
    album = owner.create_album("Wedding")
    ids = _photos(store, album.id, 2)
    heard.clear()
    owner.remove_photos(ids[:1])
    assert heard == [album.id]
    assert [p.id for p in store.photos(album.id)] == ids[1:]
