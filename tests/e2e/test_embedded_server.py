"""The embedded server: the app proves a server is its own before it sends the owner token,
and keeps its data folder private.

An impostor holding the embedded server's port (another local user, after a reboot) once got
`Authorization: Bearer alb_…` from `albumen share`.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from albumen import embedded
from tests.support import photo_jpeg, run_albumen, start_server

pytestmark = pytest.mark.slow


class _Impostor(BaseHTTPRequestHandler):
    """Answers like an Albumen server would, and remembers every Authorization it is sent."""

    seen_authorization: ClassVar[list[str]] = []

    def _answer(self) -> None:
        if self.headers.get("Authorization"):
            self.seen_authorization.append(self.headers["Authorization"])
        body = json.dumps(
            {"status": "ok", "version": "0.1.0", "proof": "0" * 64, "id": 1, "name": "owner"}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    # http.server's handler names
    do_GET = do_PUT = do_POST = do_HEAD = do_PATCH = _answer  # noqa: N815

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def impostor() -> Iterator[ThreadingHTTPServer]:
    _Impostor.seen_authorization = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Impostor)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "albumen-data"
    yield folder
    embedded.stop(folder)


def _share(data: Path, photos: Path) -> subprocess.CompletedProcess[str]:
    return run_albumen(data, "share", str(photos), "--album", "Mine")  # no ALBUMEN_TOKEN


def test_an_impostor_on_the_embedded_port_never_gets_the_token(
    impostor: ThreadingHTTPServer, data_dir: Path, tmp_path: Path
) -> None:
    port = impostor.server_address[1]
    state = data_dir / "server" / embedded.STATE_FILE
    state.parent.mkdir(parents=True)
    state.write_text(json.dumps({"url": f"http://127.0.0.1:{port}", "port": port, "pid": 1}))
    photos = tmp_path / "photos"
    photos.mkdir()
    (photos / "a.jpg").write_bytes(photo_jpeg(seed=3))

    result = _share(data_dir, photos)

    assert result.returncode == 0, result.stderr
    assert _Impostor.seen_authorization == []
    assert f"127.0.0.1:{port}/" not in result.stdout  # the link is on our own server
    ours = json.loads(state.read_text())
    assert ours["port"] != port and embedded.is_ours(ours["url"], data_dir / "server")


def test_the_data_folder_is_private(data_dir: Path, tmp_path: Path) -> None:
    photos = tmp_path / "photos"
    photos.mkdir()
    (photos / "a.jpg").write_bytes(photo_jpeg(seed=4))
    assert _share(data_dir, photos).returncode == 0

    def mode(path: Path) -> int:
        return stat.S_IMODE(path.stat().st_mode)

    assert mode(data_dir) == 0o700
    assert mode(data_dir / "server") == 0o700
    assert mode(data_dir / "albumen.sqlite3") == 0o600
    assert mode(data_dir / "server" / "albumen.sqlite3") == 0o600
    assert mode(data_dir / "server" / embedded.IDENTITY_FILE) == 0o600
    blobs = [path for path in (data_dir / "server" / "blobs").rglob("*") if path.is_file()]
    assert blobs and all(mode(path) == 0o600 for path in blobs)


def test_the_embedded_server_is_reached_with_a_proxy_in_the_environment(
    data_dir: Path, tmp_path: Path
) -> None:
    """An owner behind a proxy (HTTP_PROXY set, NO_PROXY silent): the app goes to its own server
    on 127.0.0.1 directly. Through the proxy, which cannot reach this computer's loopback, the
    embedded server 'did not start in 30 s', every time."""
    photos = tmp_path / "photos"
    photos.mkdir()
    (photos / "a.jpg").write_bytes(photo_jpeg(seed=6))
    with socket.socket() as closed:  # a proxy that answers nothing: its port, free again
        closed.bind(("127.0.0.1", 0))
        dead_proxy = f"http://127.0.0.1:{closed.getsockname()[1]}"
    proxies = {"HTTP_PROXY": dead_proxy, "HTTPS_PROXY": dead_proxy, "ALL_PROXY": dead_proxy}
    proxies |= {"NO_PROXY": "", "no_proxy": ""}

    result = run_albumen(data_dir, "share", str(photos), "--album", "Mine", env=proxies)

    assert result.returncode == 0, result.stderr
    assert "uploaded a.jpg" in result.stderr
    assert "/s/" in result.stdout


def test_an_older_embedded_server_gives_its_port_to_its_successor(
    data_dir: Path, tmp_path: Path
) -> None:
    """Upgrading from a version whose server could not prove itself keeps the links' port."""
    server_data = data_dir / "server"
    server_data.mkdir(parents=True)
    older = start_server(server_data)  # as an earlier Albumen left it: no identity key
    try:
        url, port = older.url, older.port
        state = server_data / embedded.STATE_FILE
        state.write_text(json.dumps({"url": url, "port": port, "pid": older.process.pid}))
        photos = tmp_path / "photos"
        photos.mkdir()
        (photos / "a.jpg").write_bytes(photo_jpeg(seed=5))

        result = _share(data_dir, photos)

        assert result.returncode == 0, result.stderr
        assert older.process.wait(10) is not None  # the older server was asked to stop
        successor = json.loads(state.read_text())
        assert successor["port"] == port and successor["pid"] != older.process.pid
        assert f"{url}/s/" in result.stdout
    finally:
        if older.process.poll() is None:
            older.stop()


def test_an_embedded_server_that_was_killed_is_started_again(
    data_dir: Path, tmp_path: Path
) -> None:
    """The app's retries call Client.revive_embedded when a sync finds no server: once the
    embedded server is killed, the next sync reaches a new one and the upload lands."""
    import os
    import signal

    from albumen.client import Client
    from albumen.core.credentials import Credentials
    from albumen.core.store import NewPhoto
    from albumen_photo.digest import file_sha256
    from tests.core.test_credentials import MemoryKeyring

    client = Client(data_dir, Credentials(MemoryKeyring()))
    try:
        service = client.sync_service()
        assert client.revive_embedded() is False  # nothing started yet: nothing to revive
        assert service.sync_once().offline is None
        first = client.target()
        assert client.revive_embedded() is False  # it runs: left alone
        state = json.loads((embedded.server_data(data_dir) / embedded.STATE_FILE).read_text())
        os.kill(int(state["pid"]), signal.SIGKILL)

        photo = tmp_path / "IMG_0001.jpg"
        photo.write_bytes(photo_jpeg())
        album = client.store.create_album("Back again")
        stat_result = photo.stat()
        client.store.add_photos(
            album.id,
            [
                NewPhoto(
                    path=photo,
                    size=stat_result.st_size,
                    mtime_ns=stat_result.st_mtime_ns,
                    sha256=file_sha256(photo),
                )
            ],
        )
        assert service.sync_once().offline is not None  # as the app finds it: no server
        assert client.revive_embedded() is True
        service.reconfigure()
        report = service.sync_once()
        assert report.offline is None and report.uploaded == 1
        assert embedded.is_ours(client.target().url, embedded.server_data(data_dir))
        assert client.target().url == first.url  # the port was free again: the same links
    finally:
        client.close()
        embedded.stop(data_dir)


def _nice_values(pid: int) -> list[int]:
    """The nice value of each thread of the process (field 19 of /proc/PID/task/TID/stat)."""
    values = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        values.append(int(fields[16]))  # fields after the name start at the state (field 3)
    return values


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads Linux's /proc")
def test_the_embedded_server_runs_in_the_background_with_every_thread(data_dir: Path) -> None:
    """It shares the owner's cores with the app's window: the kernel gives it what the window
    leaves (albumen.priority), and so every thread it started after its start."""
    from albumen.priority import BACKGROUND_NICE

    server = embedded.ensure_running(data_dir)
    own = os.getpriority(os.PRIO_PROCESS, 0)
    assert own < BACKGROUND_NICE  # the test itself runs in the foreground
    threads = _nice_values(server.pid)
    assert len(threads) > 1, threads  # a server with its worker threads running
    assert all(value >= BACKGROUND_NICE for value in threads), threads
