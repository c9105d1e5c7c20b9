"""The orders a grid can show, and the store taking one of them as the album's own."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from albumen.core.model import OperationKind
from albumen.core.photo_order import PhotoSort, natural_key, sort_photos
from albumen.core.store import NewPhoto, Store


def _add(store: Store, album_id: str, names_and_times: list[tuple[str, int | None]]) -> None:
    store.add_photos(
        album_id,
        [
            NewPhoto(
                path=Path("/photos") / name,
                size=1,
                mtime_ns=1,
                sha256=f"{index:064x}",
                taken_at=None if hour is None else datetime(2026, 6, 9, hour, tzinfo=UTC),
            )
            for index, (name, hour) in enumerate(names_and_times)
        ],
    )


def test_file_names_sort_as_a_person_reads_them() -> None:
    names = ["IMG_10.jpg", "img_9.JPG", "IMG_0100.jpg", "Beach.jpg", "IMG_9b.jpg"]
    assert sorted(names, key=natural_key) == [
        "Beach.jpg",
        "img_9.JPG",
        "IMG_9b.jpg",
        "IMG_10.jpg",
        "IMG_0100.jpg",
    ]


def test_sorting_is_a_view_of_the_album_order(tmp_path: Path) -> None:
    store = Store(tmp_path / "albumen.sqlite3")
    album = store.create_album("Day")
    _add(
        store,
        album.id,
        [("scan.png", None), ("DSC_10.jpg", 9), ("DSC_9.jpg", 11), ("DSC_2.jpg", 9)],
    )
    photos = store.photos(album.id)
    by = {sort: [p.filename for p in sort_photos(photos, sort)] for sort in PhotoSort}
    assert by[PhotoSort.ALBUM] == ["scan.png", "DSC_10.jpg", "DSC_9.jpg", "DSC_2.jpg"]
    # Same time: by name (a burst follows the camera's counter); no time at all: last.
    assert by[PhotoSort.TAKEN] == ["DSC_2.jpg", "DSC_10.jpg", "DSC_9.jpg", "scan.png"]
    assert by[PhotoSort.FILENAME] == ["DSC_2.jpg", "DSC_9.jpg", "DSC_10.jpg", "scan.png"]
    assert [p.filename for p in store.photos(album.id)] == by[PhotoSort.ALBUM], "untouched"
    store.close()


def test_the_store_takes_an_order_as_the_albums_and_tells_the_server(tmp_path: Path) -> None:
    store = Store(tmp_path / "albumen.sqlite3")
    album = store.create_album("Day")
    other = store.create_album("Other")
    _add(store, album.id, [("a.jpg", 1), ("b.jpg", 2), ("c.jpg", 3), ("d.jpg", 4)])
    _add(store, other.id, [("x.jpg", 1)])
    a, _b, c, _d = store.photos(album.id)
    (x,) = store.photos(other.id)
    for operation in store.pending_operations():
        store.complete_operation(operation.seq)
    # Photos left out follow in their order; another album's photo is not moved in.
    store.order_photos(album.id, [c.id, x.id, a.id])
    assert [p.filename for p in store.photos(album.id)] == ["c.jpg", "a.jpg", "b.jpg", "d.jpg"]
    assert [p.id for p in store.photos(other.id)] == [x.id]
    positions = [p.position for p in store.photos(album.id)]
    assert len(set(positions)) == 4
    assert [(op.kind, op.entity_id) for op in store.pending_operations()] == [
        (OperationKind.PUT_ALBUM, album.id)
    ]
    store.close()
