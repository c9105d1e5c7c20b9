"""`albumen-server backup` while uploads run: the copy restores every album, link and byte."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.server.uploading import upload_photo
from tests.support import ServerProcess, new_id, new_token, photo_jpeg, start_server

pytestmark = pytest.mark.slow


@pytest.fixture
def sqlite_server(tmp_path: Path) -> Iterator[ServerProcess]:
    data = tmp_path / "live"
    data.mkdir()
    server = start_server(data)
    yield server
    server.stop()


def _backup(server: ServerProcess, destination: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "albumen_server.cli",
            "backup",
            "--data",
            str(server.data),
            str(destination),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_backup_while_uploading_restores_every_album_link_and_byte(
    sqlite_server: ServerProcess, tmp_path: Path
) -> None:
    server = sqlite_server
    uploaded: dict[str, str] = {}  # photo id -> sha256, of uploads the server confirmed
    albums = [new_id() for _ in range(3)]
    # Drawn as the app draws them: "token-" and a UUID had too few distinct characters for
    # the server about once in a thousand (a flaky refusal, 422 weak_token).
    tokens = {album_id: new_token() for album_id in albums}
    for index, album_id in enumerate(albums):
        server.api("PUT", f"/api/albums/{album_id}", json={"title": f"Shoot {index}"})
        link = {"album_id": album_id, "token": tokens[album_id], "download": "original"}
        link |= {"show_metadata": False, "show_location": False, "password": "correct horse"}
        assert server.api("PUT", f"/api/links/{new_id()}", json=link).status_code in (200, 201)
    stop = threading.Event()
    failures: list[BaseException] = []

    def keep_uploading() -> None:
        seed = 0
        try:
            while not stop.is_set():
                seed += 1
                data = photo_jpeg(seed=seed, size=(800, 600))
                photo_id = upload_photo(server, albums[seed % 3], data, f"IMG_{seed}.jpg")
                uploaded[photo_id] = hashlib.sha256(data).hexdigest()
        except BaseException as error:  # reported by the test below
            failures.append(error)

    uploader = threading.Thread(target=keep_uploading)
    uploader.start()
    try:
        while len(uploaded) < 5:
            stop.wait(0.05)  # let some uploads land before the backup starts
        first = _backup(server, tmp_path / "backup")
        assert first.returncode == 0, first.stderr
        confirmed_before_second = dict(uploaded)
        second = _backup(server, tmp_path / "backup")  # again into the same folder: adds the new
        assert second.returncode == 0, second.stderr
    finally:
        stop.set()
        uploader.join(60)
    assert not failures, failures

    restored = start_server(tmp_path / "backup")
    try:
        restored.token = server.token  # the owner's token is in the copied database
        listed = restored.api("GET", "/api/albums").json()["albums"]
        assert {album["id"] for album in listed} == set(albums)
        photos = {}
        for album_id in albums:
            for photo in restored.api("GET", f"/api/albums/{album_id}/photos").json()["photos"]:
                photos[photo["id"]] = photo["sha256"]
        # every upload confirmed before the second backup began is in it, byte for byte
        assert set(confirmed_before_second) <= set(photos)
        for photo_id, digest in photos.items():
            original = restored.api("GET", f"/api/photos/{photo_id}/original")
            assert original.status_code == 200
            assert hashlib.sha256(original.content).hexdigest() == digest
        links = restored.api("GET", "/api/links").json()["links"]
        assert len(links) == 3
        gallery = requests.get(f"{restored.url}/s/{tokens[albums[0]]}", timeout=10)
        assert gallery.status_code == 401  # the link, its password and all
        unlocked = requests.post(
            f"{restored.url}/s/{tokens[albums[0]]}/unlock",
            data={"password": "correct horse"},
            timeout=30,
        )
        assert unlocked.status_code == 200 and "Shoot 0" in unlocked.text
    finally:
        restored.stop()
    assert oct((tmp_path / "backup" / "albumen.sqlite3").stat().st_mode & 0o777) == "0o600"


def test_backup_refuses_what_it_cannot_copy(sqlite_server: ServerProcess, tmp_path: Path) -> None:
    into_itself = _backup(sqlite_server, sqlite_server.data)
    assert into_itself.returncode == 1 and "must not be the data folder" in into_itself.stderr
    nothing = subprocess.run(
        [
            sys.executable,
            "-m",
            "albumen_server.cli",
            "backup",
            "--data",
            str(tmp_path / "none"),
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
    )
    assert nothing.returncode == 1 and "holds no Albumen database" in nothing.stderr
