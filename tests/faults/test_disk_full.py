"""The server's disk fills up: a clear 507, nothing half-written, and uploads complete once
space is back.

The server's whole data folder (SQLite database, blobs, uploads in progress) is a small tmpfs
mounted for the test, and the test fills it from outside, as another program on the machine
would: the server meets a real ENOSPC in the middle of writing an upload. Mounting needs root;
CI runs as root (a skip elsewhere is turned into a failure in CI by tests/conftest.py).
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from albumen.core.model import PhotoState
from albumen.core.store import Store
from tests.server.uploading import TUS, create_upload
from tests.support import (
    ServerProcess,
    new_id,
    noise_photo,
    run_albumen,
    sha256,
    start_server,
)

pytestmark = pytest.mark.slow
DISK_BYTES = 32 * 1024 * 1024
EXIT_OFFLINE = 3


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root; CI runs as root")
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK_BYTES},mode=0700", "tmpfs", str(mount)],
        check=True,
    )
    try:
        yield mount
    finally:
        subprocess.run(["umount", "--lazy", str(mount)], check=False)


@pytest.fixture
def server_on_small_disk(small_disk: Path) -> Iterator[ServerProcess]:
    # No reserve: the test decides how much room there is, to the byte.
    server = start_server(small_disk / "data", "--disk-reserve", "0")
    yield server
    server.stop()


def free_bytes(folder: Path) -> int:
    stat = os.statvfs(folder)
    return stat.f_bavail * stat.f_frsize


def fill(disk: Path, leave: int) -> Path:
    """Take all but `leave` bytes of the disk, with a file another program could have written."""
    filler = disk / "filler"
    with open(filler, "ab") as handle:
        handle.write(b"\0" * max(0, free_bytes(disk) - leave))
    return filler


def _patch(server: ServerProcess, location: str, data: bytes, offset: int) -> object:
    return server.http.patch(
        location,
        data=data[offset:],
        headers={
            **server.auth,
            **TUS,
            "Upload-Offset": str(offset),
            "Content-Type": "application/offset+octet-stream",
        },
        timeout=60,
    )


def test_an_upload_that_fills_the_disk_keeps_an_exact_prefix_and_completes_later(
    server_on_small_disk: ServerProcess, small_disk: Path
) -> None:
    server = server_on_small_disk
    album_id = new_id()
    assert server.api("PUT", f"/api/albums/{album_id}", json={"title": "Full"}).ok
    data = noise_photo(3.5, "JPEG", seed=1)
    assert len(data) > 3_000_000
    location, photo_id = create_upload(server, album_id, data, "IMG_0001.jpg")
    part = server.data / "uploads" / f"{location.rsplit('/', 1)[1]}.part"
    filler = fill(small_disk, leave=len(data) // 3)

    # The disk fills mid-write: 507, and what landed is exactly the start of the file.
    response = _patch(server, location, data, 0)
    assert response.status_code == 507, response.text
    assert response.json()["error"]["code"] == "insufficient_storage"
    assert response.headers["Tus-Resumable"] == "1.0.0"
    landed = int(response.headers["Upload-Offset"])
    assert 0 < landed < len(data)
    head = server.api("HEAD", location.removeprefix(server.url), headers=TUS)
    assert int(head.headers["Upload-Offset"]) == landed
    assert part.read_bytes() == data[:landed]

    # Trying again while the disk is still full changes nothing and breaks nothing.
    again = _patch(server, location, data, landed)
    assert again.status_code == 507, again.text
    landed = int(again.headers["Upload-Offset"])
    assert part.read_bytes() == data[:landed]
    assert server.api("GET", "/api/albums").status_code == 200  # the server goes on serving
    assert server.api("GET", f"/api/photos/{photo_id}/original").status_code == 404

    # Space is back: the upload resumes from where it stopped, and the photo is byte-exact.
    filler.unlink()
    done = _patch(server, location, data, landed)
    assert done.status_code == 204, done.text
    assert int(done.headers["Upload-Offset"]) == len(data)
    original = server.api("GET", f"/api/photos/{photo_id}/original")
    assert original.status_code == 200
    assert original.content == data
    assert not list((server.data / "uploads").glob("*.part"))


def test_a_full_database_answers_507_and_keeps_no_part_of_the_change(
    server_on_small_disk: ServerProcess, small_disk: Path
) -> None:
    server = server_on_small_disk
    filler = fill(small_disk, leave=0)
    # Albums with long descriptions until SQLite needs a page it cannot have.
    answers = []
    for index in range(200):
        response = server.api(
            "PUT",
            f"/api/albums/{new_id()}",
            json={"title": f"Album {index}", "description": "x" * 4000},
        )
        answers.append(response.status_code)
        if response.status_code == 507:
            assert response.json()["error"]["code"] == "insufficient_storage"
            break
    assert answers[-1] == 507, f"the database never filled: {answers}"
    assert set(answers[:-1]) <= {200, 201}, answers  # no 500 on the way
    listed = server.api("GET", "/api/albums").json()["albums"]
    assert len(listed) == len(answers) - 1  # the refused album is not there, not even in part
    filler.unlink()
    assert server.api("PUT", f"/api/albums/{new_id()}", json={"title": "Room again"}).ok


def test_a_share_onto_a_full_server_waits_and_sync_completes_once_space_is_back(
    server_on_small_disk: ServerProcess, small_disk: Path, tmp_path: Path
) -> None:
    server = server_on_small_disk
    photos = tmp_path / "photos"
    photos.mkdir()
    expected = {}
    for index in range(3):
        data = noise_photo(2.5, "JPEG", seed=10 + index)
        (photos / f"IMG_{index}.jpg").write_bytes(data)
        expected[f"IMG_{index}.jpg"] = data
    client = tmp_path / "client"
    client.mkdir()
    (client / "settings.json").write_text(json.dumps({"server_url": server.url}))
    # Room for one photo and a half: the share sends what fits and then must wait.
    filler = fill(small_disk, leave=len(expected["IMG_0.jpg"]) * 3 // 2)

    share = run_albumen(client, "share", str(photos), "--album", "Full", token=server.token)
    assert share.returncode == EXIT_OFFLINE, share.stderr
    assert "storage is full" in share.stderr
    assert "albumen sync" in share.stderr
    states, album_id = _states(client)
    assert PhotoState.FAILED not in states  # waiting, not given up
    assert len([s for s in states if s is not PhotoState.UPLOADED]) >= 1

    filler.unlink()
    sync = run_albumen(client, "sync", token=server.token)
    assert sync.returncode == 0, sync.stderr
    listed = server.api("GET", f"/api/albums/{album_id}/photos").json()["photos"]
    assert sorted(photo["filename"] for photo in listed) == sorted(expected)
    for photo in listed:
        original = server.api("GET", f"/api/photos/{photo['id']}/original")
        assert sha256(original.content) == sha256(expected[photo["filename"]])
    assert set(_states(client)[0]) == {PhotoState.UPLOADED}


def _states(client: Path) -> tuple[list[PhotoState], str]:
    """The state of each photo of the client's one album, and the album's id."""
    store = Store(client / "albumen.sqlite3")
    try:
        (album,) = store.albums()
        return [photo.state for photo in store.photos(album.id)], album.id
    finally:
        store.close()
