"""The sync against a real server: order, idempotence, offline, changed files, link state."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import requests
import sqlalchemy as sa

from albumen.core.backend import Backend, BackendError
from albumen.core.credentials import Credentials
from albumen.core.link_state import activity
from albumen.core.model import Download, LinkSettings, LinkState, PhotoState
from albumen.core.scan import scan
from albumen.core.store import Store
from albumen.core.sync import SyncEvent, SyncReport, SyncService
from tests.core.test_credentials import MemoryKeyring
from tests.support import ServerProcess, free_port, photo_jpeg, wait_until


def _service(
    store: Store, url: str, token: str, events: list[SyncEvent] | None = None
) -> SyncService:
    return SyncService(
        store,
        lambda: Backend(url, token, read_timeout=20),
        Credentials(MemoryKeyring()),
        concurrency=3,
        listener=(events.append if events is not None else None),
        retries=1,
        backoff=0.01,
    )


def _photos(folder: Path, count: int, start: int = 0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(start, start + count):
        path = folder / f"P{index}.jpg"
        path.write_bytes(photo_jpeg((320, 240), seed=index))
        paths.append(path)
    return paths


def test_uploads_then_reuses_bytes_for_a_second_album(
    fresh_server: ServerProcess, tmp_path: Path
) -> None:
    store = Store(tmp_path / "s.sqlite3")
    files = _photos(tmp_path / "in", 3, start=500)
    first = store.create_album("First")
    store.add_photos(first.id, scan(files).photos)
    events: list[SyncEvent] = []
    report = _service(store, fresh_server.url, fresh_server.token, events).sync_once()
    assert (report.uploaded, report.failed, report.remaining) == (3, [], 0)
    assert {e.kind for e in events} >= {"progress", "uploaded"}
    second = store.create_album("Second")
    store.add_photos(second.id, scan(files[:1]).photos)
    report = _service(store, fresh_server.url, fresh_server.token).sync_once()
    assert report.uploaded == 1
    remote = fresh_server.api("GET", f"/api/albums/{second.id}/photos").json()["photos"]
    assert len(remote) == 1
    engine = sa.create_engine(f"sqlite:///{fresh_server.data / 'albumen.sqlite3'}")
    with engine.connect() as connection:
        uploads = connection.execute(sa.text("SELECT COUNT(*) FROM uploads")).scalar()
    engine.dispose()
    assert uploads == 3, "the second album's photo reused the bytes: no fourth tus upload"


def test_offline_keeps_everything_queued_and_revoke_stays_pending(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    album = store.create_album("Offline")
    store.add_photos(album.id, scan(_photos(tmp_path / "in", 2)).photos)
    link = store.create_link(album.id, LinkSettings(download=Download.WEB), has_password=False)
    dead = f"http://127.0.0.1:{free_port()}"
    report = _service(store, dead, "t").sync_once()
    assert report.offline is not None
    assert report.remaining == 4  # album, two photos, link
    store.revoke_link(link.id)
    report = _service(store, dead, "t").sync_once()
    assert store.link(link.id).state is LinkState.REVOKE_PENDING
    assert all(p.state is PhotoState.QUEUED for p in store.photos(album.id))


def test_links_go_live_and_their_views_come_back(
    shared_server: ServerProcess, tmp_path: Path
) -> None:
    store = Store(tmp_path / "s.sqlite3")
    album = store.create_album("Views")
    store.add_photos(album.id, scan(_photos(tmp_path / "in", 1, start=600)).photos)
    settings = LinkSettings(label="Ann", download=Download.WEB)
    link = store.create_link(album.id, settings, has_password=False)
    service = _service(store, shared_server.url, shared_server.token)
    service.sync_once()
    live = store.link(link.id)
    assert live.state is LinkState.ACTIVE
    assert live.url == f"{shared_server.url}/s/{live.token}"
    assert requests.get(live.url, timeout=30).status_code == 200
    assert requests.get(live.url, timeout=30).status_code == 200

    def counted() -> int:  # the server counts a view once its page has gone out
        return int(shared_server.api("GET", f"/api/links/{link.id}").json()["view_count"])

    wait_until(lambda: counted() == 2, what="both views counted")
    service.sync_once()
    assert store.link(link.id).view_count == 2
    assert (store.link(link.id).download_count, store.link(link.id).last_downloaded_at) == (
        0,
        None,
    )
    # What they took comes back too (a web size saved as a file).
    photo_id = store.photos(album.id)[0].id
    saved = requests.get(f"{live.url}/photos/{photo_id}/preview?download=1", timeout=30)
    assert saved.status_code == 200
    wait_until(
        lambda: shared_server.api("GET", f"/api/links/{link.id}").json()["download_count"] == 1,
        what="the download counted",
    )
    service.sync_once()
    taken = store.link(link.id)
    assert taken.download_count == 1 and taken.last_downloaded_at is not None
    assert activity(taken) == "2 views, 1 download"
    # Revoked from elsewhere (another device): the pull shows it.
    shared_server.api("DELETE", f"/api/links/{link.id}")
    service.sync_once()
    assert store.link(link.id).state is LinkState.REVOKED


def test_changed_and_vanished_sources_are_reported_not_uploaded(
    shared_server: ServerProcess, tmp_path: Path
) -> None:
    store = Store(tmp_path / "s.sqlite3")
    album = store.create_album("Moved")
    changed, vanished, fine = _photos(tmp_path / "in", 3, start=700)
    store.add_photos(album.id, scan([changed, vanished, fine]).photos)
    changed.write_bytes(photo_jpeg((320, 240), seed=9999))
    os.utime(changed, ns=(1, 1))
    vanished.unlink()
    report = _service(store, shared_server.url, shared_server.token).sync_once()
    states = {p.filename: (p.state, p.error) for p in store.photos(album.id)}
    assert states["P700.jpg"][0] is PhotoState.CHANGED
    assert "changed since it was added" in (states["P700.jpg"][1] or "")
    assert states["P701.jpg"][0] is PhotoState.MISSING
    assert "is gone" in (states["P701.jpg"][1] or "")
    assert states["P702.jpg"][0] is PhotoState.UPLOADED
    assert len(report.failed) == 2


def test_the_owners_order_and_cover_reach_the_server(
    fresh_server: ServerProcess, tmp_path: Path
) -> None:
    store = Store(tmp_path / "s.sqlite3")
    album = store.create_album("Arranged")
    store.add_photos(album.id, scan(_photos(tmp_path / "in", 3, start=700)).photos)
    first, second, third = store.photos(album.id)
    store.move_photo(third.id, 0)  # arranged before anything was uploaded
    store.set_cover(album.id, second.id)
    report = _service(store, fresh_server.url, fresh_server.token).sync_once()
    assert (report.uploaded, report.remaining) == (3, 0)

    def remote() -> tuple[list[str], str | None]:
        body = fresh_server.api("GET", f"/api/albums/{album.id}").json()
        return [p["id"] for p in body["photos"]], body["cover_photo_id"]

    assert remote() == ([third.id, first.id, second.id], second.id)
    store.move_photo(first.id, 2)
    store.set_cover(album.id, None)
    _service(store, fresh_server.url, fresh_server.token).sync_once()
    assert remote() == ([third.id, second.id, first.id], None)


def test_a_pause_during_a_back_off_is_heard_at_once(tmp_path: Path) -> None:
    """Retries wait on the stop event: stopping the service ends a back-off of minutes now."""
    store = Store(tmp_path / "store.db")
    service = SyncService(
        store,
        lambda: Backend("http://127.0.0.1:9", "token"),
        Credentials(MemoryKeyring()),
        retries=5,
        backoff=120.0,  # the first wait alone would be a minute or more
    )
    tries: list[int] = []
    first_try = threading.Event()

    def busy_server() -> None:
        tries.append(1)
        first_try.set()
        raise BackendError(503, "busy", "the server is busy")

    outcome: list[BaseException] = []

    def run() -> None:
        try:
            service.with_retries(busy_server)
        except BackendError as error:
            outcome.append(error)

    worker = threading.Thread(target=run)
    worker.start()
    assert first_try.wait(10)
    service.stop()
    worker.join(30)  # far below the back-off: a sleep would still be waiting
    assert not worker.is_alive(), "the back-off did not hear the stop"
    assert len(tries) == 1 and isinstance(outcome[0], BackendError)


def test_a_pause_asked_before_the_drain_begins_holds(
    shared_server: ServerProcess, tmp_path: Path
) -> None:
    """The app's sync thread may start a moment before the owner pauses: the drain it then
    begins must not wipe out that pause (it did: each drain cleared the stop flag)."""
    store = Store(tmp_path / "s.sqlite3")
    album = store.create_album("Paused")
    store.add_photos(album.id, scan(_photos(tmp_path / "in", 2, start=700)).photos)
    service = _service(store, shared_server.url, shared_server.token)
    service.stop()  # the owner pressed Pause
    report = service.sync_once(resume=False)  # the thread started before it gets here
    assert report.uploaded == 0
    assert all(photo.state is PhotoState.QUEUED for photo in store.photos(album.id))
    service.resume()  # the owner resumes
    assert service.sync_once(resume=False).uploaded == 2


def test_an_album_the_sync_created_is_known_empty_until_the_server_changes(
    shared_server: ServerProcess, tmp_path: Path
) -> None:
    """The PUT that creates an album (201) tells the sync it holds nothing, which spares the
    upload run a question; told of another server (`reconfigure`), the sync forgets it."""
    store = Store(tmp_path / "s.sqlite3")
    album = store.create_album("Known empty")
    service = _service(store, shared_server.url, shared_server.token)
    (put_album,) = store.pending_operations()
    service.apply(put_album, SyncReport())
    assert service.new_albums == {album.id}
    again = store.create_album("Known empty")
    shared_server.api("PUT", f"/api/albums/{again.id}", json={"title": "x"}).raise_for_status()
    service.apply(store.pending_operations()[0], SyncReport())  # 200: it was there already
    assert service.new_albums == {album.id}
    service.reconfigure()
    assert service.new_albums == set()
