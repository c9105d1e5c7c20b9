"""Picks in the local store (kept, news once, migrated stores) and the forms the owner takes them
away in (the Lightroom line, CSV, JSON), in real SQLite."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from albumen.core.model import LinkSettings, LinkState, Photo, Pick
from albumen.core.picks import (
    CSV_COLUMNS,
    PickFormat,
    PickNews,
    announcement,
    display_name,
    format_picks,
    notes_on,
    picked_counts,
)
from albumen.core.store import NewPhoto, Store
from albumen.core.store_schema import MIGRATIONS
from tests.core.old_stores import old_store

WHEN = datetime(2026, 3, 12, 14, 2, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "albumen.sqlite3")


def _album_with_photos(store: Store, tmp_path: Path, names: list[str]) -> tuple[str, list[Photo]]:
    album = store.create_album("Lofoten")
    photos = []
    for index, name in enumerate(names):
        path = tmp_path / name
        path.write_bytes(name.encode())
        photos.append(NewPhoto(path=path, size=len(name), mtime_ns=1, sha256=f"{index:064x}"))
    return album.id, store.add_photos(album.id, photos).added


def _pick(album_id: str, name: str, photos: list[Photo], **kw: object) -> Pick:
    values: dict[str, object] = {
        "id": f"pick-{name}",
        "link_id": "link-1",
        "album_id": album_id,
        "name": name,
        "note": None,
        "photo_ids": tuple(photo.id for photo in photos),
        "submitted_at": WHEN,
    }
    values.update(kw)
    return Pick(**values)  # type: ignore[arg-type]


def test_picks_are_kept_and_each_list_is_news_once_per_sending(
    store: Store, tmp_path: Path
) -> None:
    album_id, photos = _album_with_photos(store, tmp_path, ["a.jpg", "b.jpg", "c.jpg"])
    anna = _pick(
        album_id,
        "Anna",
        photos[:2],
        note="For the living room",
        photo_notes={photos[1].id: "Warmer, please\nand larger"},
    )
    news = store.receive_picks(album_id, [anna])
    assert news == [anna]
    assert store.picks(album_id) == [anna]
    assert store.picks(album_id)[0].photo_notes == {photos[1].id: "Warmer, please\nand larger"}
    assert store.album(album_id).pick_count == 1

    assert store.receive_picks(album_id, [anna]) == [], "the same list again is no news"
    resent = _pick(album_id, "Anna", photos, submitted_at=WHEN + timedelta(minutes=5))
    ben = _pick(album_id, "Ben", photos[2:], submitted_at=WHEN + timedelta(minutes=1))
    assert store.receive_picks(album_id, [resent, ben]) == [resent, ben]
    assert [p.name for p in store.picks(album_id)] == ["Ben", "Anna"], "first sent first"
    assert store.picks(album_id)[1].photo_ids == tuple(p.id for p in photos)
    assert store.picks(album_id)[1].photo_notes == {}, "sent again without notes: none kept"

    assert store.receive_picks(album_id, [ben]) == []
    assert store.picks(album_id) == [ben], "a list the server no longer has goes here too"
    store.delete_album(album_id)
    assert store.receive_picks(album_id, [ben]) == [], "a deleted album takes no picks"


def test_only_albums_that_may_have_picks_are_asked(store: Store, tmp_path: Path) -> None:
    plain = store.create_album("No picks")
    store.create_link(plain.id, LinkSettings(), has_password=False)
    proofing = store.create_album("Proofing")
    link = store.create_link(proofing.id, LinkSettings(allow_picks=True), has_password=False)
    assert link.settings.allow_picks
    assert store.albums_to_pull_picks() == [], "a pending link had no viewer yet"
    store.set_link_remote(link.id, state=LinkState.ACTIVE)
    assert store.albums_to_pull_picks() == [proofing.id]
    store.update_link(link.id, LinkSettings(allow_picks=False))
    assert not store.link(link.id).settings.allow_picks
    album_id, photos = _album_with_photos(store, tmp_path, ["a.jpg"])
    store.receive_picks(album_id, [_pick(album_id, "Cy", photos)])
    assert set(store.albums_to_pull_picks()) == {album_id}, "an album holding picks is asked"


def test_a_version_2_store_gains_picks_keeping_its_links(tmp_path: Path) -> None:
    path = tmp_path / "albumen.sqlite3"
    old_store(
        path,
        2,
        "INSERT INTO links (id, album_id, token, download, show_metadata, show_location,"
        " has_password, state, created_at) VALUES ('l1','a1','t'||hex(randomblob(16)),"
        " 'web', 1, 0, 0, 'active', ?)",
    )
    store = Store(path)
    assert store.schema_version == len(MIGRATIONS) >= 3
    link = store.link("l1")
    assert link.settings.download.value == "web" and link.settings.show_metadata
    assert not link.settings.allow_picks, "links made before proofing do not allow picks"
    assert store.album("a1").pick_count == 0 and store.picks("a1") == []
    store.close()
    assert path.with_name("albumen.sqlite3.v2.bak").exists(), "copied aside before migrating"


def test_the_lightroom_line_follows_the_album_and_names_each_photo_once(
    store: Store, tmp_path: Path
) -> None:
    names = ["DSCF0201.JPG", "DSCF0203.RAF", "IMG 7.heic", "DSCF0201.RAF", "later.png"]
    album_id, photos = _album_with_photos(store, tmp_path, names)
    album = store.album(album_id)
    anna = _pick(album_id, "Anna", [photos[2], photos[0], photos[1]])
    ben = _pick(album_id, "Ben", [photos[0], photos[3]])
    everyone = format_picks(album, photos, [anna, ben], PickFormat.LIGHTROOM)
    assert everyone == "DSCF0201, DSCF0203, IMG 7"
    assert format_picks(album, photos, [ben], PickFormat.LIGHTROOM) == "DSCF0201"
    assert format_picks(album, photos, [], PickFormat.LIGHTROOM) == ""
    assert picked_counts([anna, ben]) == {
        photos[0].id: 2,
        photos[1].id: 1,
        photos[2].id: 1,
        photos[3].id: 1,
    }
    store.remove_photos([photos[2].id])
    left = store.photos(album_id)
    assert format_picks(album, left, [anna], PickFormat.LIGHTROOM) == "DSCF0201, DSCF0203"


def test_csv_has_a_row_per_photo_per_sender_and_never_a_formula(
    store: Store, tmp_path: Path
) -> None:
    album_id, photos = _album_with_photos(store, tmp_path, ["a.jpg", "b.jpg"])
    album = store.album(album_id)
    anna = _pick(
        album_id,
        "Anna",
        photos,
        note='Both, "please"\nthanks',
        photo_notes={photos[1].id: "Crop it square,\nplease"},
    )
    mallory = _pick(
        album_id,
        '=HYPERLINK("http://x")',
        photos[1:],
        note="@SUM(A1)",
        submitted_at=WHEN,
        photo_notes={photos[1].id: "=1+1"},
    )
    text = format_picks(album, photos, [anna, mallory], PickFormat.CSV)
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert CSV_COLUMNS[-1] == "photo_note", "added last: the older columns keep their places"
    when, a, b = "2026-03-12T14:02:00Z", photos[0].id, photos[1].id
    assert rows[1:] == [
        ["a.jpg", "Anna", 'Both, "please"\nthanks', when, a, ""],
        ["b.jpg", "Anna", 'Both, "please"\nthanks', when, b, "Crop it square,\nplease"],
        ["b.jpg", '\'=HYPERLINK("http://x")', "'@SUM(A1)", when, b, "'=1+1"],
    ]
    assert format_picks(album, photos, [], PickFormat.CSV) == ",".join(CSV_COLUMNS)


def test_json_keeps_ids_and_names(store: Store, tmp_path: Path) -> None:
    album_id, photos = _album_with_photos(store, tmp_path, ["a.jpg", "b.jpg"])
    album = store.album(album_id)
    anna = _pick(
        album_id, "Anna", [photos[1], photos[0]], note="Yes", photo_notes={photos[0].id: "Tilt"}
    )
    document = json.loads(format_picks(album, photos, [anna], PickFormat.JSON))
    assert document["album"] == {"id": album_id, "title": "Lofoten"}
    [listed] = document["picks"]
    assert listed["name"] == "Anna" and listed["note"] == "Yes"
    assert listed["photo_ids"] == [photos[1].id, photos[0].id]
    assert listed["filenames"] == ["b.jpg", "a.jpg"]
    assert listed["photo_notes"] == {photos[0].id: "Tilt"}
    assert listed["submitted_at"] == "2026-03-12T14:02:00Z"


def test_news_reads_as_a_sentence(store: Store, tmp_path: Path) -> None:
    album_id, photos = _album_with_photos(store, tmp_path, [f"{n}.jpg" for n in range(23)])
    anna = PickNews(_pick(album_id, "Anna", photos), "Lofoten")
    assert anna.text() == "Anna picked 23 photos from Lofoten"
    assert announcement([anna]) == ("New picks", "Anna picked 23 photos from Lofoten")
    assert announcement([]) is None
    one = PickNews(_pick(album_id, "  Ben\n\x1b[31m ", photos[:1]), "Lofoten")
    assert one.text() == "Ben [31m picked 1 photo from Lofoten"
    title, body = announcement([anna, one, anna, one, anna]) or ("", "")
    assert title == "5 new lists of picks"
    assert body.splitlines()[-1] == "and 2 more lists"
    assert display_name(_pick(album_id, "x" * 200, photos)).endswith("…")
    noted = _pick(album_id, "Cy", photos[:3], photo_notes={photos[0].id: "Warmer", "gone": "x"})
    assert PickNews(noted, "Lofoten").text() == "Cy picked 3 photos from Lofoten, with 1 note"


def test_notes_on_a_photo_name_their_senders_first_sent_first(store: Store, tmp_path: Path) -> None:
    album_id, photos = _album_with_photos(store, tmp_path, ["a.jpg", "b.jpg"])
    a, b = photos[0].id, photos[1].id
    anna = _pick(album_id, " Anna\n", photos, photo_notes={a: "Warmer", b: "Square"})
    ben = _pick(album_id, "Ben", photos[:1], photo_notes={a: "Black and white"})
    stale = _pick(album_id, "Cy", photos[1:], photo_notes={a: "on a photo no longer picked"})
    assert notes_on(a, [anna, ben, stale]) == [("Anna", "Warmer"), ("Ben", "Black and white")]
    assert notes_on(b, [ben]) == []


def test_a_version_4_store_gains_notes_on_photos_keeping_its_picks(tmp_path: Path) -> None:
    path = tmp_path / "albumen.sqlite3"
    old_store(
        path,
        4,
        "INSERT INTO picks (id, album_id, link_id, name, note, photo_ids, submitted_at)"
        " VALUES ('p1','a1','l1','Anna','Hi','[\"x\"]',?)",
    )
    store = Store(path)
    assert store.schema_version == len(MIGRATIONS) >= 5
    (pick,) = store.picks("a1")
    assert (pick.name, pick.note, pick.photo_ids, pick.photo_notes) == ("Anna", "Hi", ("x",), {})
    store.close()
