"""The client's tus against the real server: a photo that fits in one body is sent with its
creation (one request), and a creation cut mid-body goes on where the server's copy stops, with
no second upload of the photo started."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any, TypeVar

import pytest

from albumen.client import Client
from albumen.core.backend import Backend, BackendError
from albumen.core.credentials import Credentials
from albumen.core.store import NewPhoto, Store
from albumen.core.sync import SyncService
from albumen.core.tus_client import Created
from albumen.core.upload_bodies import Stopped
from tests.core.test_credentials import MemoryKeyring
from tests.support import ServerProcess, new_id, photo_jpeg, sha256, wait_until


class _Recorded(Backend):
    """The real backend, noting each request's method and path."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.requests: list[tuple[str, str]] = []

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        self.requests.append((method, path.removeprefix(self.base_url)))
        return super()._request(method, path, **kwargs)


RecordingBackend = TypeVar("RecordingBackend", bound=_Recorded)


def _sync_one_photo(
    store: Store, server: ServerProcess, kind: type[RecordingBackend]
) -> list[RecordingBackend]:
    """A sync of the store's one photo through backends of `kind`, which it returns (the sync
    makes one per thread); the photo must have been uploaded."""
    backends: list[RecordingBackend] = []

    def backend() -> RecordingBackend:
        backends.append(kind(server.url, server.token, read_timeout=20))
        return backends[-1]

    service = SyncService(store, backend, Credentials(MemoryKeyring()), retries=1, backoff=0.01)
    report = service.sync_once()
    assert report.uploaded == 1 and not report.failed, report
    return backends


def _album(server: ServerProcess) -> str:
    album_id = new_id()
    server.api("PUT", f"/api/albums/{album_id}", json={"title": "tus"}).raise_for_status()
    return album_id


def test_a_photo_that_fits_in_one_body_goes_with_its_creation(
    shared_server: ServerProcess, tmp_path: Path
) -> None:
    path = tmp_path / "one.jpg"
    path.write_bytes(photo_jpeg((800, 600), seed=4401))
    store = Store(tmp_path / "s.sqlite3")
    album = store.create_album("One request")
    store.add_photos(
        album.id,
        [
            NewPhoto(
                path=path, size=path.stat().st_size, mtime_ns=1, sha256=sha256(path.read_bytes())
            )
        ],
    )
    backends = _sync_one_photo(store, shared_server, _Recorded)
    sent = [request for b in backends for request in b.requests]
    uploads = [(m, p) for m, p in sent if p.startswith("/api/uploads") and m in ("POST", "PATCH")]
    assert uploads == [("POST", "/api/uploads/")], sent  # no PATCH: the creation carried it all
    # The sync's PUT created the album (201): what it holds is not asked, it holds nothing.
    assert ("PUT", f"/api/albums/{album.id}") in sent
    assert ("GET", f"/api/albums/{album.id}/photos") not in sent, sent
    (photo,) = store.photos(album.id)
    original = shared_server.api("GET", f"/api/photos/{photo.id}/original")
    assert original.content == path.read_bytes()


def test_what_the_server_takes_is_asked_while_the_album_is_looked_at(
    shared_server: ServerProcess, tmp_path: Path
) -> None:
    """Before a share's first creation the sync asks what the album holds and which bytes the
    server has, and the creation needs to know what the server takes (OPTIONS): an upload
    thread asks that meanwhile, not one round trip after the others before the first byte.
    The real backend, slow to list the album."""
    timeline: list[tuple[str, str, float, float]] = []

    class SlowToListTheAlbum(_Recorded):
        def _request(self, method: str, path: str, **kwargs: Any) -> Any:
            begun = time.monotonic()
            if method == "GET" and path.endswith("/photos"):
                time.sleep(0.3)
            try:
                return super()._request(method, path, **kwargs)
            finally:
                timeline.append((method, path, begun, time.monotonic()))

    path = tmp_path / "one.jpg"
    path.write_bytes(photo_jpeg((640, 480), seed=4402))
    store = Store(tmp_path / "s.sqlite3")
    album = store.create_album("Side by side")
    # On the server already (the sync's PUT answers 200): the run asks what it holds.
    shared_server.api("PUT", f"/api/albums/{album.id}", json={"title": "x"}).raise_for_status()
    size, digest = path.stat().st_size, sha256(path.read_bytes())
    store.add_photos(album.id, [NewPhoto(path=path, size=size, mtime_ns=1, sha256=digest)])
    _sync_one_photo(store, shared_server, SlowToListTheAlbum)
    (options,) = [t for t in timeline if t[0] == "OPTIONS"]
    (listing,) = [t for t in timeline if t[0] == "GET" and t[1].endswith("/photos")]
    assert options[2] < listing[3], "OPTIONS waited for the album's listing"


def test_a_creation_cut_mid_body_goes_on_where_the_servers_copy_stops(
    shared_server: ServerProcess, tmp_path: Path
) -> None:
    data = os.urandom(6 * 1024 * 1024 + 5)
    path = tmp_path / "cut.raw"
    path.write_bytes(data)
    backend = _Recorded(shared_server.url, shared_server.token, read_timeout=20)
    asked = 0

    def stop_after_two_pieces() -> bool:
        nonlocal asked
        asked += 1
        return asked > 2

    album_id, photo_id = _album(shared_server), new_id()
    facts: dict[str, Any] = dict(
        album_id=album_id,
        photo_id=photo_id,
        filename="cut.raw",
        sha256=sha256(data),
        size=len(data),
        content_type=None,
    )
    with pytest.raises(Stopped):
        backend.create_upload(**facts, path=path, should_stop=stop_after_two_pieces)
    kept: list[Created] = []

    def cut_bytes_kept() -> bool:
        """The server notices the cut on its own time, after writing what had arrived: its
        offset is read until it stops moving, and an empty PATCH at the end gets the upload's
        lock (423 while the cut request still holds it)."""
        time.sleep(0.2)
        kept.append(backend.create_upload(**facts))
        last = [created.offset for created in kept[-3:]]
        if not (len(last) == 3 and len(set(last)) == 1 and last[0] > 0):
            return False
        try:
            backend.send_file(kept[-1].url, path, last[0], last[0])  # nothing left to send
        except BackendError as error:
            if error.status == 423:
                return False
            raise
        return True

    wait_until(cut_bytes_kept, what="the bytes before the cut to be kept")
    kept[:] = kept[-1:]
    again = backend.create_upload(**facts, path=path)  # as the next try does: with the bytes
    assert again.url == kept[0].url, "a second upload of the photo was started"
    assert again.offset == kept[0].offset and not again.complete
    assert backend.send_file(again.url, path, again.offset, len(data)) == len(data)
    original = shared_server.api("GET", f"/api/photos/{photo_id}/original")
    assert original.content == data
    assert [m for m, _p in backend.requests].count("OPTIONS") == 1  # asked once per backend
    backend.close()


def test_the_upload_threads_of_a_share_ask_the_server_once_what_it_takes(
    shared_server: ServerProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sync gives each upload thread a backend (a connection) of its own; the client's
    backends share what the server answered, so three uploads starting together ask OPTIONS
    once, not once each ahead of their first photo. The real backend, its OPTIONS answer slowed
    so that every thread would have asked."""
    asked: list[str] = []
    request = Backend._request

    def slow_options(self: Backend, method: str, path: str, **kwargs: Any) -> Any:
        if method == "OPTIONS":
            asked.append(threading.current_thread().name)
            time.sleep(0.3)
        return request(self, method, path, **kwargs)

    monkeypatch.setattr(Backend, "_request", slow_options)
    credentials = Credentials(MemoryKeyring())
    credentials.set_server_token(shared_server.url, shared_server.token)
    client = Client(tmp_path / "data", credentials)
    client.settings.server_url = shared_server.url
    album = client.store.create_album("Three at once")
    photos = []
    for seed in range(3):
        data = photo_jpeg((640, 480), seed=4500 + seed)
        path = tmp_path / f"{seed}.jpg"
        path.write_bytes(data)
        photos.append(NewPhoto(path=path, size=len(data), mtime_ns=1, sha256=sha256(data)))
    client.store.add_photos(album.id, photos)
    try:
        report = client.sync_service().sync_once()
    finally:
        client.close()
    assert report.uploaded == 3 and not report.failed, report
    assert len(asked) == 1, asked


class _NotingBodies(_Recorded):
    """The real backend, noting which requests carried a body and how each was answered."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bodies: list[tuple[str, bool]] = []
        self.refused: list[int] = []

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        self.bodies.append((method, kwargs.get("data") is not None))
        try:
            return super()._request(method, path, **kwargs)
        except BackendError as error:
            self.refused.append(error.status)
            raise


def test_after_a_crash_mid_creation_the_photo_is_not_sent_with_its_creation_again(
    shared_server: ServerProcess, tmp_path: Path
) -> None:
    """A crash while a creation's body was under way leaves the store saying "uploading" with no
    upload named, and the server holding what arrived. The next process creates plainly (the
    server names that upload) and sends the rest: bytes sent with the creation again would cross
    the link only to be refused (409)."""
    data = os.urandom(5 * 1024 * 1024 + 3)
    path = tmp_path / "crash.raw"
    path.write_bytes(data)
    store = Store(tmp_path / "s.sqlite3")
    album = store.create_album("Crash")
    (photo,) = store.add_photos(
        album.id, [NewPhoto(path=path, size=len(data), mtime_ns=1, sha256=sha256(data))]
    ).added
    shared_server.api("PUT", f"/api/albums/{album.id}", json={"title": "Crash"}).raise_for_status()
    before = _Recorded(shared_server.url, shared_server.token, read_timeout=20)
    cut = before.create_upload(
        album_id=album.id,
        photo_id=photo.id,
        filename="crash.raw",
        sha256=sha256(data),
        size=len(data),
        content_type=None,
    )
    before.send_file(cut.url, path, 0, 2 * 1024 * 1024)  # what arrived before the crash
    before.close()
    store.note_upload(photo.id)  # what the crashed process had noted: a creation under way
    backends = _sync_one_photo(store, shared_server, _NotingBodies)
    assert not [status for b in backends for status in b.refused], "a request was refused"
    posts = [body for b in backends for method, body in b.bodies if method == "POST"]
    assert posts and not posts[0], "the photo's bytes went with its creation again"
    original = shared_server.api("GET", f"/api/photos/{photo.id}/original")
    assert original.content == data
