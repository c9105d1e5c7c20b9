"""The store shared by threads: a read never waits behind another thread's write, a thread
reads its own writes inside a transaction, and read connections are reused, not piled up."""

from __future__ import annotations

import contextlib
import gc
import threading
from pathlib import Path

from albumen.core.store import NewPhoto, Store


def _photo(index: int) -> NewPhoto:
    return NewPhoto(path=Path(f"/p/{index}.jpg"), size=1, mtime_ns=1, sha256=f"{index:064x}")


def test_a_read_does_not_wait_for_a_write_under_way(tmp_path: Path) -> None:
    """The GUI thread reads the store for every refresh while upload workers commit: it must
    not queue behind a commit (one shared lock made it wait for each flush to disk)."""
    store = Store(tmp_path / "s.sqlite3")
    album = store.create_album("Shared")
    store.add_photos(album.id, [_photo(1)])
    writing = threading.Event()
    release = threading.Event()

    def slow_writer() -> None:
        with store._database.transaction() as db:  # a worker's transaction, held open
            db.execute("UPDATE albums SET title = 'Renamed' WHERE id = ?", (album.id,))
            writing.set()
            release.wait(30)

    writer = threading.Thread(target=slow_writer)
    writer.start()
    try:
        assert writing.wait(10)
        seen: list[str] = []
        reader = threading.Thread(target=lambda: seen.append(store.album(album.id).title))
        reader.start()
        reader.join(10)  # with one lock for all, this read would wait for `release`
        assert not reader.is_alive(), "the read waited for the writer"
        assert seen == ["Shared"], "a reader sees what was committed before it began"
    finally:
        release.set()
        writer.join(10)
    assert store.album(album.id).title == "Renamed"


def test_inside_a_transaction_a_thread_reads_its_own_writes(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    album = store.create_album("Before")
    with store._database.transaction() as db:
        db.execute("UPDATE albums SET title = 'During' WHERE id = ?", (album.id,))
        assert store.album(album.id).title == "During"


def _open_files(path: Path) -> int:
    """How many of this process's file descriptors have `path` open (Linux)."""
    descriptors = Path("/proc/self/fd")
    count = 0
    for fd in descriptors.iterdir():
        with contextlib.suppress(OSError):
            count += fd.readlink() == path
    return count


def test_short_lived_threads_do_not_pile_up_open_files(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    store = Store(path)
    album = store.create_album("Many syncs")
    store.photos(album.id)  # this thread's reader
    before = _open_files(path)
    for _sync in range(40):  # the app starts a thread per sync
        thread = threading.Thread(target=lambda: store.photos(album.id))
        thread.start()
        thread.join()
    gc.collect()
    # One reader per thread had left each thread's file open (SQLite keeps a closed
    # connection's file while another connection of the process holds a lock on it).
    assert _open_files(path) <= before + 1, "read connections piled up"
    store.close()
