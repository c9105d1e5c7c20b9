"""Nothing is lost when a process dies mid-upload: `kill -9` of `albumen share` at random
moments, and of the server itself.

Bounded in time and only on loopback: the client's uploads are slowed by its own bandwidth cap
so that each kill lands mid-way; seeds are fixed so a failure repeats.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from albumen.core.store import Store
from tests.server.uploading import TUS, create_upload
from tests.support import (
    ServerProcess,
    new_id,
    photo_jpeg,
    run_albumen,
    sha256,
    start_albumen,
    start_server,
    wait_until,
)

pytestmark = pytest.mark.slow
TRIALS = 20


def _cli(data: Path, *args: str, token: str) -> subprocess.Popen[bytes]:
    return start_albumen(data, *args, token=token, stdout=subprocess.DEVNULL)


def test_share_killed_at_random_moments_then_sync_sends_each_photo_once(
    shared_server: ServerProcess, tmp_path: Path
) -> None:
    chance = random.Random(20261130)
    killed_mid_way = 0
    for trial in range(TRIALS):
        # new bytes every trial: bytes the server already holds would not be uploaded at all
        photos = tmp_path / f"photos-{trial}"
        photos.mkdir()
        expected = set()
        for index in range(4):
            data = photo_jpeg(size=(1600, 1200), seed=trial * 10 + index)  # ~0.4 MB each
            (photos / f"IMG_{index}.jpg").write_bytes(data)
            expected.add(sha256(data))
        client = tmp_path / f"client-{trial}"
        client.mkdir()
        # ~1.6 MB at 300 kB/s: a share takes over 5 s, so every kill below lands mid-way
        settings = {"server_url": shared_server.url, "bandwidth_limit_kbps": 300}
        (client / "settings.json").write_text(json.dumps(settings))
        album = f"Trial {trial}"
        share = _cli(client, "share", str(photos), "--album", album, token=shared_server.token)
        time.sleep(chance.uniform(0.3, 3.0))  # a random moment of the share
        if share.poll() is None:
            killed_mid_way += 1
        share.send_signal(signal.SIGKILL)
        share.wait(10)
        (client / "settings.json").write_text(json.dumps({"server_url": shared_server.url}))
        sync = _cli(client, "sync", token=shared_server.token)
        _, errors = sync.communicate(timeout=120)
        assert sync.returncode == 0, errors.decode()
        recorded = _recorded(client / "albumen.sqlite3", album)
        assert recorded <= expected, f"trial {trial}"
        albums = shared_server.api("GET", "/api/albums").json()["albums"]
        remote = [a for a in albums if a["title"] == album]
        if not recorded:  # killed before the share recorded anything: nothing to send
            assert not remote or remote[0]["photo_count"] == 0, f"trial {trial}"
            continue
        listed = shared_server.api("GET", f"/api/albums/{remote[0]['id']}/photos").json()
        hashes = [p["sha256"] for p in listed["photos"]]
        assert sorted(hashes) == sorted(recorded), f"trial {trial}: each photo exactly once"
        listed = listed["photos"]
        for photo in listed:
            original = shared_server.api("GET", f"/api/photos/{photo['id']}/original")
            assert sha256(original.content) == photo["sha256"], f"trial {trial}"
        status = run_albumen(client, "status", token=shared_server.token, timeout=60)
        assert status.returncode == 0, status.stderr  # the store opens and reads after the kill
    assert killed_mid_way == TRIALS  # every kill landed while the share was still going


def test_share_killed_between_web_sizes_and_originals_then_sync_sends_the_originals_alone(
    shared_server: ServerProcess, tmp_path: Path
) -> None:
    """Killed once the link is printed (every web size in), at once or while the originals
    go: `albumen sync` sends the originals, not the web sizes again, and every photo ends
    complete, once, byte-exact."""
    for trial, delay in enumerate((0.0, 1.5, 4.0)):
        photos = tmp_path / f"instant-{trial}"
        photos.mkdir()
        for index in range(3):  # 12 MP, about 2.8 MB each: 8 s of originals at 1 MiB/s
            data = photo_jpeg(size=(4000, 3000), seed=5000 + trial * 10 + index)
            (photos / f"DSC_{index}.JPG").write_bytes(data)
        client = tmp_path / f"instant-client-{trial}"
        client.mkdir()
        (client / "settings.json").write_text(json.dumps({"server_url": shared_server.url}))
        album = f"Instant {trial}"
        command = ["share", str(photos), "--album", album, "--limit-rate", "1M"]
        share = start_albumen(
            client, *command, token=shared_server.token, stderr=subprocess.DEVNULL
        )
        assert share.stdout is not None
        assert b"/s/" in share.stdout.readline(), f"trial {trial}: the link was printed"
        time.sleep(delay)  # a moment after the link: the originals are still going
        assert share.poll() is None, f"trial {trial}: killed before the originals were in"
        share.send_signal(signal.SIGKILL)
        share.wait(10)
        share.stdout.close()
        store = Store(client / "albumen.sqlite3")
        try:
            (local,) = [a for a in store.albums() if a.title == album]
            mine = store.photos(local.id)
        finally:
            store.close()
        assert {p.preview.value for p in mine} == {"sent"}, f"trial {trial}"
        assert local.uploaded_count < 3, f"trial {trial}: some originals were left"
        sync = run_albumen(client, "sync", token=shared_server.token, timeout=120)
        assert sync.returncode == 0, sync.stderr
        assert "web sizes" not in sync.stdout, f"trial {trial}: {sync.stdout}"
        remote = shared_server.api("GET", f"/api/albums/{local.id}/photos").json()["photos"]
        assert sorted(p["sha256"] for p in remote) == sorted(p.sha256 for p in mine)
        assert {p["state"] for p in remote} == {"complete"}, f"trial {trial}"
        for photo in remote:
            original = shared_server.api("GET", f"/api/photos/{photo['id']}/original")
            assert sha256(original.content) == photo["sha256"], f"trial {trial}"


def _recorded(database: Path, title: str) -> set[str]:
    """The photos the client's store holds for the album: what a sync must deliver."""
    if not database.exists():
        return set()
    store = Store(database)
    try:
        albums = [album for album in store.albums() if album.title == title]
        return {photo.sha256 for album in albums for photo in store.photos(album.id)}
    finally:
        store.close()


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[ServerProcess]:
    data = tmp_path / "server"
    data.mkdir()
    server = start_server(data)
    yield server
    if server.process.poll() is None:
        server.stop()


def test_the_server_killed_mid_upload_resumes_from_its_offset(
    own_server: ServerProcess, tmp_path: Path
) -> None:
    album_id = new_id()
    own_server.api("PUT", f"/api/albums/{album_id}", json={"title": "Kill"}).raise_for_status()
    data = os.urandom(24 << 20)
    location, photo_id = create_upload(own_server, album_id, data, "big.raw")
    path = location.split(own_server.url, 1)[1]
    written = 0

    def slowly() -> Iterator[bytes]:
        nonlocal written
        for start in range(0, len(data), 256 << 10):
            written = start
            time.sleep(0.01)
            yield data[start : start + (256 << 10)]

    headers = {**TUS, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}
    part = own_server.data / "uploads" / f"{path.rsplit('/', 1)[1]}.part"
    with ThreadPoolExecutor(1) as pool:
        patch = pool.submit(own_server.api, "PATCH", path, data=slowly(), headers=headers)
        wait_until(lambda: part.exists() and part.stat().st_size > 4 << 20, 30, "bytes on disk")
        own_server.process.send_signal(signal.SIGKILL)
        own_server.process.wait(10)
        with pytest.raises(requests.RequestException):
            patch.result()
    restarted = start_server(own_server.data)  # same data folder; the path is port-free
    try:
        head = restarted.api("HEAD", path, headers=TUS)
        assert head.status_code == 200
        offset = int(head.headers["Upload-Offset"])
        assert 4 << 20 <= offset < len(data)  # what reached the disk counts, nothing more
        rest = restarted.api(
            "PATCH",
            path,
            data=data[offset:],
            headers={**headers, "Upload-Offset": str(offset)},
        )
        assert rest.status_code == 204, rest.text
        original = restarted.api("GET", f"/api/photos/{photo_id}/original")
        assert original.status_code == 200 and original.content == data
    finally:
        restarted.stop()
