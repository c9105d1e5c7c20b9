"""Sections, an album in parts: the owner's rule (`Owner.put_in_section`), the store's schema 9,
and the album's sections reaching a real server with the sync (docs/DESIGN.md, "Sections")."""

from __future__ import annotations

from pathlib import Path

import pytest

from albumen.core.backend import Backend
from albumen.core.credentials import Credentials
from albumen.core.intake import add_checked
from albumen.core.model import Album, OperationKind
from albumen.core.owner import Owner
from albumen.core.scan import scan
from albumen.core.sections import MAX_SECTIONS, MAX_TITLE, SectionError, album_sections
from albumen.core.store import NewPhoto, Store
from albumen.core.store_schema import MIGRATIONS
from albumen.core.sync import SyncService
from tests.core.old_stores import old_store
from tests.core.test_credentials import MemoryKeyring
from tests.core.test_sync import _photos
from tests.support import ServerProcess, photo_jpeg


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "store.sqlite3")


def _owner(store: Store) -> tuple[Owner, list[str | None]]:
    owner = Owner(store, Credentials(MemoryKeyring()))
    heard: list[str | None] = []
    owner.on_change(heard.append)
    return owner, heard


def _album(store: Store, count: int) -> tuple[str, list[str]]:
    """An album of `count` photos without files (the rule needs none); its id and the photos'
    ids, in its order: p0, p1, …"""
    album = store.create_album("Wedding")
    added = store.add_photos(
        album.id,
        [
            NewPhoto(path=Path(f"/photos/p{i}.jpg"), size=1, mtime_ns=1, sha256=f"{i:064x}")
            for i in range(count)
        ],
    )
    return album.id, [photo.id for photo in added.added]


def _layout(store: Store, album_id: str, ids: list[str]) -> list[tuple[str, str | None]]:
    """The album as (p-number, section) in its order: readable in an assertion."""
    names = {photo_id: f"p{index}" for index, photo_id in enumerate(ids)}
    return [(names[photo.id], photo.section) for photo in store.photos(album_id)]


def test_photos_move_to_the_end_of_their_section_and_the_album_keeps_the_gallerys_order(
    store: Store,
) -> None:
    owner, heard = _owner(store)
    album_id, p = _album(store, 6)
    heard.clear()
    for sent in store.pending_operations():  # as if synced: what follows is queued anew
        store.complete_operation(sent.seq)

    assert owner.put_in_section(album_id, [p[0], p[1]], "  Getting ready ") == "Getting ready"
    assert heard == [album_id], "the app refreshes and syncs on it"
    assert _layout(store, album_id, p) == [
        ("p2", None),
        ("p3", None),
        ("p4", None),
        ("p5", None),
        ("p0", "Getting ready"),
        ("p1", "Getting ready"),
    ], "a new section starts at the end of the album; photos in none stay first"

    owner.put_in_section(album_id, [p[3], p[2]], "Ceremony")
    owner.put_in_section(album_id, [p[5]], "getting READY")  # joins, spelled as kept
    assert _layout(store, album_id, p) == [
        ("p4", None),
        ("p0", "Getting ready"),
        ("p1", "Getting ready"),
        ("p5", "Getting ready"),
        ("p2", "Ceremony"),
        ("p3", "Ceremony"),
    ], "the photos move to the end of that section's photos, in the order they had"
    sections = album_sections(store.photos(album_id))
    assert [(s.title, s.photo_ids) for s in sections] == [
        ("Getting ready", (p[0], p[1], p[5])),
        ("Ceremony", (p[2], p[3])),
    ]

    owner.put_in_section(album_id, [p[1], p[4]], "   ")  # blank: out of any section
    assert _layout(store, album_id, p) == [
        ("p4", None),
        ("p1", None),
        ("p0", "Getting ready"),
        ("p5", "Getting ready"),
        ("p2", "Ceremony"),
        ("p3", "Ceremony"),
    ], "taken out, at the end of the photos in none; p4 was in none already and stays"
    owner.put_in_section(album_id, [p[2]], "ceremony")  # already there: nothing moves
    assert _layout(store, album_id, p)[4:] == [("p2", "Ceremony"), ("p3", "Ceremony")]

    queued = [(op.kind, op.entity_id) for op in store.pending_operations()]
    assert queued == [(OperationKind.PUT_ALBUM, album_id)], "one album PUT carries it all"
    assert store.album(album_id).sections_used


def test_a_drag_or_photos_added_keep_the_album_in_the_gallerys_order(
    store: Store, tmp_path: Path
) -> None:
    owner, _heard = _owner(store)
    album_id, p = _album(store, 5)
    owner.put_in_section(album_id, [p[0], p[1]], "Ceremony")
    owner.put_in_section(album_id, [p[2], p[3]], "Party")
    assert _layout(store, album_id, p) == [
        ("p4", None),
        ("p0", "Ceremony"),
        ("p1", "Ceremony"),
        ("p2", "Party"),
        ("p3", "Party"),
    ]
    # A Party photo dragged between the two Ceremony photos stays in Party, first there (it
    # was put before the other Party photo); the gallery would show it there too.
    owner.move_photo(album_id, p[3], 2)
    assert _layout(store, album_id, p) == [
        ("p4", None),
        ("p0", "Ceremony"),
        ("p1", "Ceremony"),
        ("p3", "Party"),
        ("p2", "Party"),
    ]
    # A whole order asked for (a sort): sections follow their first photo, as viewers see them.
    owner.order_photos(album_id, [p[2], p[3], p[0], p[1], p[4]])
    assert _layout(store, album_id, p) == [
        ("p4", None),
        ("p2", "Party"),
        ("p3", "Party"),
        ("p0", "Ceremony"),
        ("p1", "Ceremony"),
    ]
    # Photos added join those in no section, ahead of the sections, as the gallery shows them.
    folder = tmp_path / "more"
    folder.mkdir()
    (folder / "late.jpg").write_bytes(photo_jpeg((64, 48), seed=99))
    report = add_checked(store, album_id, [folder])
    [late] = report.added
    names = [photo.id for photo in store.photos(album_id)]
    assert names.index(late.id) == 1, "after p4, before Party"
    assert [photo.section for photo in store.photos(album_id)][:2] == [None, None]


def test_titles_and_sections_past_the_servers_limits_are_refused_in_words(store: Store) -> None:
    owner, _heard = _owner(store)
    album_id, p = _album(store, MAX_SECTIONS + 1)
    before = _layout(store, album_id, p)
    with pytest.raises(SectionError, match=f"section title: 101 characters .* at most {MAX_TITLE}"):
        owner.put_in_section(album_id, [p[0]], "x" * (MAX_TITLE + 1))
    with pytest.raises(SectionError, match="section title: must be one line"):
        owner.put_in_section(album_id, [p[0]], "Ceremony\nParty")
    with pytest.raises(SectionError, match="section title: must be one line"):
        owner.put_in_section(album_id, [p[0]], "Ceremony\tParty")
    assert _layout(store, album_id, p) == before, "a refusal changes nothing"
    assert not store.album(album_id).sections_used
    assert owner.put_in_section(album_id, [p[0]], "  " + "y" * MAX_TITLE + "  ") == "y" * 100

    for index in range(1, MAX_SECTIONS):
        owner.put_in_section(album_id, [p[index]], f"Part {index}")
    assert len(album_sections(store.photos(album_id))) == MAX_SECTIONS
    with pytest.raises(SectionError, match=f"sections: an album has at most {MAX_SECTIONS}"):
        owner.put_in_section(album_id, [p[MAX_SECTIONS]], "One more")
    owner.put_in_section(album_id, [p[MAX_SECTIONS]], "part 7")  # an existing one: fine
    assert store.photo(p[MAX_SECTIONS]).section == "Part 7"
    # Emptying a section makes room for another.
    owner.put_in_section(album_id, [p[1]], None)
    owner.put_in_section(album_id, [p[MAX_SECTIONS]], "One more")
    assert store.photo(p[MAX_SECTIONS]).section == "One more"


def test_a_version_8_store_gains_sections_and_is_backed_up_first(tmp_path: Path) -> None:
    path = tmp_path / "albumen.sqlite3"
    old_store(
        path,
        8,
        "INSERT INTO photos (id, album_id, path, filename, size, mtime_ns, sha256, state,"
        " position, added_at) VALUES ('p1', 'a1', '/photos/a.jpg', 'a.jpg', 1, 1,"
        " 'abc', 'uploaded', 0, ?)",
    )
    store = Store(path)
    try:
        assert store.schema_version == len(MIGRATIONS) >= 9
        assert store.photo("p1").section is None, "photos from before sections are in none"
        assert not store.album("a1").sections_used, "its PUT leaves `sections` out"
        owner, _heard = _owner(store)
        owner.put_in_section("a1", ["p1"], "Ceremony")
        assert store.photo("p1").section == "Ceremony"
    finally:
        store.close()
    assert path.with_name("albumen.sqlite3.v8.bak").exists(), "copied aside before migrating"


def _sync(store: Store, server: ServerProcess) -> None:
    service = SyncService(
        store,
        lambda: Backend(server.url, server.token, read_timeout=20),
        Credentials(MemoryKeyring()),
        retries=1,
        backoff=0.01,
    )
    report = service.sync_once()
    assert (report.failed, report.remaining, report.offline) == ([], 0, None)


def _remote_sections(server: ServerProcess, album_id: str) -> list[tuple[str, list[str]]]:
    response = server.api("GET", f"/api/albums/{album_id}")
    response.raise_for_status()
    return [(part["title"], part["photo_ids"]) for part in response.json()["sections"]]


def _album_of_files(
    tmp_path: Path, count: int, start: int
) -> tuple[Store, Owner, list[str | None], Album, list[str]]:
    """A store with an album of `count` real photo files (checked, as the app adds them), its
    owner, what the owner heard, and the photos' ids in the album's order."""
    store = Store(tmp_path / "s.sqlite3")
    owner, heard = _owner(store)
    album = store.create_album("In parts")
    store.add_photos(album.id, scan(_photos(tmp_path / "in", count, start=start)).photos)
    return store, owner, heard, album, [photo.id for photo in store.photos(album.id)]


def test_the_sections_reach_the_server_and_the_last_one_gone_clears_them(
    shared_server: ServerProcess, tmp_path: Path
) -> None:
    store, owner, _heard, album, p = _album_of_files(tmp_path, 4, start=9100)
    owner.put_in_section(album.id, [p[2], p[0]], "Ceremony")
    owner.put_in_section(album.id, [p[1]], "Party")
    _sync(store, shared_server)
    assert _remote_sections(shared_server, album.id) == [
        ("Ceremony", [p[0], p[2]]),
        ("Party", [p[1]]),
    ]
    body = shared_server.api("GET", f"/api/albums/{album.id}").json()
    assert [photo["id"] for photo in body["photos"]] == [p[3], p[0], p[2], p[1]]

    owner.put_in_section(album.id, [p[0], p[2]], "")
    _sync(store, shared_server)
    assert _remote_sections(shared_server, album.id) == [("Party", [p[1]])]
    owner.put_in_section(album.id, [p[1]], None)  # the last one: `[]` clears them
    _sync(store, shared_server)
    assert _remote_sections(shared_server, album.id) == []
    store.close()


def test_a_whole_section_moves_among_the_sections_and_viewers_see_it_so(
    shared_server: ServerProcess, tmp_path: Path
) -> None:
    """Before: a section's place was its first photo's, so moving a part of a wedding before
    another meant dragging its photos one by one."""
    store, owner, heard, album, p = _album_of_files(tmp_path, 6, start=9200)
    owner.put_in_section(album.id, [p[1], p[2]], "Ceremony")
    owner.put_in_section(album.id, [p[3]], "Portraits")
    owner.put_in_section(album.id, [p[4], p[5]], "Party")
    heard.clear()

    assert owner.move_section(album.id, "Party", -1)
    assert heard == [album.id]
    assert _layout(store, album.id, p) == [
        ("p0", None),
        ("p1", "Ceremony"),
        ("p2", "Ceremony"),
        ("p4", "Party"),
        ("p5", "Party"),
        ("p3", "Portraits"),
    ], "the photos in none stay first; the section's photos keep their order"
    assert owner.move_section(album.id, "Party", -1)
    assert not owner.move_section(album.id, "Party", -1), "first already"
    assert not owner.move_section(album.id, "Portraits", 1), "last already"
    assert not owner.move_section(album.id, "Nowhere", 1)
    assert [s.title for s in album_sections(store.photos(album.id))] == [
        "Party",
        "Ceremony",
        "Portraits",
    ]

    _sync(store, shared_server)
    assert _remote_sections(shared_server, album.id) == [
        ("Party", [p[4], p[5]]),
        ("Ceremony", [p[1], p[2]]),
        ("Portraits", [p[3]]),
    ]
    body = shared_server.api("GET", f"/api/albums/{album.id}").json()
    assert [photo["id"] for photo in body["photos"]] == [p[0], p[4], p[5], p[1], p[2], p[3]]
    store.close()


def test_an_album_that_never_had_sections_leaves_the_servers_alone(
    shared_server: ServerProcess, tmp_path: Path
) -> None:
    """Its PUT carries no `sections` (a server from before sections refuses fields it does not
    know): what the server has stays, as the contract says of a field left out."""
    store = Store(tmp_path / "s.sqlite3")
    album = store.create_album("Never in parts")
    store.add_photos(album.id, scan(_photos(tmp_path / "in", 2, start=9200)).photos)
    _sync(store, shared_server)
    first = store.photos(album.id)[0].id
    shared_server.api(
        "PUT",
        f"/api/albums/{album.id}",
        json={
            "title": "Never in parts",
            "sections": [{"title": "Elsewhere", "photo_ids": [first]}],
        },
    ).raise_for_status()
    store.update_album(album.id, title="Renamed here")
    _sync(store, shared_server)
    body = shared_server.api("GET", f"/api/albums/{album.id}").json()
    assert body["title"] == "Renamed here", "the album's PUT went"
    assert _remote_sections(shared_server, album.id) == [("Elsewhere", [first])]
    store.close()
