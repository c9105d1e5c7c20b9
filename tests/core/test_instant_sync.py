"""The Instant gallery, client side, against a real server: every web size goes first, then the
link, then the originals; a drain stopped between the two resumes with the originals alone; a
server that knows no web sizes gets the originals, and nothing fails."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from albumen.core.backend import Backend
from albumen.core.credentials import Credentials
from albumen.core.model import LinkSettings, LinkState, PhotoState, PreviewState
from albumen.core.scan import scan
from albumen.core.store import Store
from albumen.core.sync import SyncEvent, SyncService
from albumen.core.thumbnails import ThumbnailCache
from albumen.core.web_size import WEB_EDGE, WebSizes
from tests.core.test_credentials import MemoryKeyring
from tests.support import ServerProcess, photo_jpeg, sha256


def _service(
    store: Store, url: str, token: str, cache: Path, events: list[SyncEvent]
) -> SyncService:
    return SyncService(
        store,
        lambda: Backend(url, token, read_timeout=20),
        Credentials(MemoryKeyring()),
        concurrency=2,
        listener=events.append,
        retries=1,
        backoff=0.01,
        web_sizes=WebSizes(ThumbnailCache(cache)),
    )


def _shared_album(store: Store, folder: Path, count: int, seed: int) -> tuple[str, str]:
    """An album of `count` photos of 2400x1600 (their web sizes are smaller; the first stored
    sideways, a 1600x2400 portrait once upright) with a link made after them, as `albumen
    share` queues it; returns the album id and the link's token."""
    folder.mkdir()
    for index in range(count):
        data = photo_jpeg((2400, 1600), seed=seed + index, orientation=6 if index == 0 else 1)
        (folder / f"P{index}.jpg").write_bytes(data)
    album = store.create_album(f"Instant {seed}")
    store.add_photos(album.id, scan([folder]).photos)
    link = store.create_link(album.id, LinkSettings(), has_password=False)
    return album.id, link.token


def _remote(server: ServerProcess, album_id: str) -> dict[str, str]:
    """sha256 → state of the album's photos on the server."""
    photos = server.api("GET", f"/api/albums/{album_id}/photos").json()["photos"]
    return {photo["sha256"]: photo["state"] for photo in photos}


def _facts(server: ServerProcess, album_id: str) -> dict[str, tuple[object, ...]]:
    """id → (width, height, taken_at) of the album's photos on the server."""
    photos = server.api("GET", f"/api/albums/{album_id}/photos").json()["photos"]
    return {p["id"]: (p["width"], p["height"], p["taken_at"]) for p in photos}


def _kinds(events: list[SyncEvent], *kinds: str) -> list[tuple[str, str | None]]:
    return [(event.kind, event.photo_id) for event in events if event.kind in kinds]


def test_web_sizes_go_first_then_the_link_then_the_originals(
    shared_server: ServerProcess, tmp_path: Path
) -> None:
    store = Store(tmp_path / "s.sqlite3")
    album_id, token = _shared_album(store, tmp_path / "in", 4, seed=7100)
    events: list[SyncEvent] = []
    service = _service(store, shared_server.url, shared_server.token, tmp_path / "c", events)
    report = service.sync_once()
    assert (report.previewed, report.uploaded, report.failed, report.remaining) == (4, 4, [], 0)
    order = [kind for kind, _photo in _kinds(events, "previewed", "link", "uploaded")]
    assert order == ["previewed"] * 4 + ["link"] + ["uploaded"] * 4, order
    photos = store.photos(album_id)
    assert {(p.preview, p.state) for p in photos} == {(PreviewState.SENT, PhotoState.UPLOADED)}
    assert _remote(shared_server, album_id) == {p.sha256: "complete" for p in photos}
    for photo in photos:
        original = shared_server.api("GET", f"/api/photos/{photo.id}/original").content
        assert original == photo.path.read_bytes()
        # Dropped once the original landed (the grid's thumbnail stays).
        assert not ThumbnailCache(tmp_path / "c").path_for(photo.sha256, WEB_EDGE).exists()
    listing = requests.get(f"{shared_server.url}/s/{token}/photos.json", timeout=30).json()
    assert len(listing["photos"]) == 4
    assert not any(p.get("original") == "arriving" for p in listing["photos"])


@pytest.fixture
def far_east(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This process in Tokyo's time zone (the server's stays its own): a camera time without
    an offset must still reach the server as the camera showed it."""
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_a_drain_stopped_between_web_sizes_and_originals_resumes_with_the_originals(
    shared_server: ServerProcess, tmp_path: Path, far_east: None
) -> None:
    store = Store(tmp_path / "s.sqlite3")
    album_id, token = _shared_album(store, tmp_path / "in", 3, seed=7200)
    events: list[SyncEvent] = []
    service = _service(store, shared_server.url, shared_server.token, tmp_path / "c", events)
    service.listener = lambda event: (
        events.append(event),
        service.stop() if event.kind == "link" else None,
    )
    stopped = service.sync_once()
    assert stopped.offline == "paused" and stopped.previewed == 3 and stopped.uploaded == 0
    photos = store.photos(album_id)
    assert {(p.preview, p.state) for p in photos} == {(PreviewState.SENT, PhotoState.QUEUED)}
    assert _remote(shared_server, album_id) == {p.sha256: "arriving" for p in photos}
    (link,) = store.links(album_id)
    assert link.state is LinkState.ACTIVE, "the link went live with the web sizes"
    listing = requests.get(f"{shared_server.url}/s/{token}/photos.json", timeout=30).json()
    assert [p.get("original") for p in listing["photos"]] == ["arriving"] * 3
    announced = _facts(shared_server, album_id)

    resumed: list[SyncEvent] = []
    report = _service(
        store, shared_server.url, shared_server.token, tmp_path / "c", resumed
    ).sync_once()
    assert (report.previewed, report.uploaded, report.remaining) == (0, 3, 0)
    assert not _kinds(resumed, "previewed"), "the web sizes are not sent again"
    assert _remote(shared_server, album_id) == {p.sha256: "complete" for p in photos}
    for photo in photos:
        original = shared_server.api("GET", f"/api/photos/{photo.id}/original").content
        assert sha256(original) == photo.sha256
    # What the client announced with the web size is what the original says: nothing moves.
    assert _facts(shared_server, album_id) == announced
    assert {facts[:2] for facts in announced.values()} == {(2400, 1600), (1600, 2400)}
    assert {facts[2] for facts in announced.values()} == {"2026-06-01T10:20:30Z"}
    listing = requests.get(f"{shared_server.url}/s/{token}/photos.json", timeout=30).json()
    assert not any(p.get("original") == "arriving" for p in listing["photos"])


class OlderServer(ThreadingHTTPServer):
    """The real server behind a proxy that answers `PUT /api/photos/{id}/preview` as a server
    from before the Instant gallery does (404, Starlette's "Not Found": no such route). tus
    answers name the real server, so uploads go to it directly."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.previews_refused = 0
        self.session = requests.Session()
        super().__init__(("127.0.0.1", 0), _Relay)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Relay(BaseHTTPRequestHandler):
    server: OlderServer

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _relay(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        path = self.path.split("?")[0]
        if self.command == "PUT" and path.startswith("/api/photos/") and path.endswith("/preview"):
            self.server.previews_refused += 1
            self._answer(404, b'{"error": {"code": "not_found", "message": "Not Found"}}')
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host",)}
        answer = self.server.session.request(
            self.command, self.server.target + self.path, data=body, headers=headers, timeout=30
        )
        self._answer(answer.status_code, answer.content, answer.headers)

    def _answer(self, status: int, body: bytes, headers: object = None) -> None:
        self.send_response(status)
        skip = ("content-length", "transfer-encoding", "connection", "content-encoding")
        for key, value in dict(headers or {"Content-Type": "application/json"}).items():
            if key.lower() not in skip:
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = do_PATCH = _relay  # noqa: N815


@pytest.fixture
def older_server(shared_server: ServerProcess) -> Iterator[OlderServer]:
    proxy = OlderServer(shared_server.url)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    yield proxy
    proxy.shutdown()
    proxy.session.close()


def test_a_server_without_web_sizes_gets_the_originals_and_the_link_after_them(
    shared_server: ServerProcess, older_server: OlderServer, tmp_path: Path
) -> None:
    store = Store(tmp_path / "s.sqlite3")
    album_id, _token = _shared_album(store, tmp_path / "in", 3, seed=7300)
    events: list[SyncEvent] = []
    service = _service(store, older_server.url, shared_server.token, tmp_path / "c", events)
    report = service.sync_once()
    assert (report.previewed, report.uploaded, report.failed, report.remaining) == (0, 3, [], 0)
    refused = older_server.previews_refused  # the first answer stops them: those under way
    assert 1 <= refused <= service.concurrency, "then originals only"
    order = [kind for kind, _photo in _kinds(events, "previewed", "link", "uploaded")]
    assert order == ["uploaded"] * 3 + ["link"], "the link waits for the originals, as before"
    photos = store.photos(album_id)
    assert {p.state for p in photos} == {PhotoState.UPLOADED}
    assert _remote(shared_server, album_id) == {p.sha256: "complete" for p in photos}
    # The next drain does not ask again (the service remembers this server knows none).
    store.add_photos(album_id, scan([_one_more(tmp_path)]).photos)
    assert service.sync_once().uploaded == 1 and older_server.previews_refused == refused


def _one_more(tmp_path: Path) -> Path:
    path = tmp_path / "more.jpg"
    path.write_bytes(photo_jpeg((2400, 1600), seed=7399))
    return path
