"""The `albumen` command against a real server on 127.0.0.1, as an owner would use it."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests
from PIL import Image

from tests.support import (
    ServerProcess,
    create_token,
    free_port,
    photo_jpeg,
    run_albumen,
    sha256,
    start_server,
    wait_until,
)


def _albumen(
    data: Path,
    *args: str,
    server: ServerProcess | None = None,
    token: str | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    return run_albumen(
        data, *args, token=token or (server.token if server else ""), timeout=timeout
    )


def _use_server(data: Path, url: str) -> None:
    data.mkdir(parents=True, exist_ok=True)
    (data / "settings.json").write_text(json.dumps({"server_url": url}))


def _folder(tmp_path: Path, count: int = 3) -> dict[Path, str]:
    folder = tmp_path / "shoot"
    (folder / "day2").mkdir(parents=True)
    hashes = {}
    for index in range(count):
        path = (folder if index % 2 == 0 else folder / "day2") / f"DSC_{index:04d}.JPG"
        data = photo_jpeg(seed=index * 31)
        path.write_bytes(data)
        hashes[path] = sha256(data)
    (folder / "notes.txt").write_text("not a photo")
    (folder / "empty.jpg").write_bytes(b"")
    return hashes


def _hashes(paths: dict[Path, str]) -> dict[Path, str]:
    return {path: sha256(path.read_bytes()) for path in paths}


def _unlock(url: str, password: str) -> requests.Session:
    session = requests.Session()
    response = session.post(url + "/unlock", data={"password": password}, timeout=30)
    assert response.status_code == 200, response.status_code
    return session


def test_share_a_folder_with_a_password_then_revoke(
    shared_server: ServerProcess, tmp_path: Path
) -> None:
    hashes = _folder(tmp_path)
    data = tmp_path / "client"
    _use_server(data, shared_server.url)
    result = _albumen(
        data,
        "share",
        str(tmp_path / "shoot"),
        "--album",
        "Lofoten",
        "--password",
        "northern lights",
        "--download",
        "original",
        "--show-location",
        "--show-metadata",
        server=shared_server,
    )
    assert result.returncode == 1, result.stderr  # two bad files in the folder
    assert "notes.txt: is not a photo format" in result.stderr
    assert "empty.jpg: is empty" in result.stderr
    url = result.stdout.strip().splitlines()[-1]
    assert url.startswith(shared_server.url + "/s/")
    assert requests.get(url, timeout=30).status_code == 401
    viewer = _unlock(url, "northern lights")
    listing = viewer.get(url + "/photos.json", timeout=30).json()
    assert listing["album"]["title"] == "Lofoten"
    assert len(listing["photos"]) == 3
    served = {
        sha256(viewer.get(url + f"/photos/{photo['id']}/original", timeout=30).content)
        for photo in listing["photos"]
    }
    assert served == set(hashes.values()), "byte-exact through the viewer"
    again = _albumen(
        data, "share", str(tmp_path / "shoot"), "--album", "Lofoten", server=shared_server
    )
    assert "already in the album" in again.stderr
    assert len(viewer.get(url + "/photos.json", timeout=30).json()["photos"]) == 3

    links = _albumen(data, "links", "Lofoten", server=shared_server)
    assert url in links.stdout and "active" in links.stdout
    columns = links.stdout.strip().splitlines()[-1].split("\t")
    assert re.fullmatch(r"\d+ views?, \d+ downloads?", columns[1]), columns
    revoked = _albumen(data, "revoke", url, server=shared_server)
    assert revoked.returncode == 0, revoked.stderr
    assert viewer.get(url, timeout=30).status_code == 404
    photo_id = listing["photos"][0]["id"]
    assert viewer.get(url + f"/photos/{photo_id}/thumb", timeout=30).status_code == 404
    assert _hashes(hashes) == hashes, "the owner's originals are never written to"


def test_share_offline_then_sync_when_the_server_is_up(tmp_path: Path) -> None:
    hashes = _folder(tmp_path, count=2)
    server_data = tmp_path / "server"
    server_data.mkdir()
    port = free_port()
    data = tmp_path / "client"
    _use_server(data, f"http://127.0.0.1:{port}")
    token = create_token(server_data)
    result = _albumen(
        data,
        "share",
        str(tmp_path / "shoot"),
        "--album",
        "Offline",
        "--download",
        "web",
        token=token,
    )
    assert result.returncode == 3, result.stderr
    url = result.stdout.strip().splitlines()[-1]
    assert url.startswith(f"http://127.0.0.1:{port}/s/")
    assert "becomes live once synced" in result.stderr
    status = _albumen(data, "links", token=token)
    assert "pending" in status.stdout

    server = start_server(server_data, port=port, token=token)
    try:
        synced = _albumen(data, "sync", token=token)
        assert synced.returncode == 0, synced.stderr
        assert "2 uploaded" in synced.stdout
        listing = requests.get(url + "/photos.json", timeout=30).json()
        assert len(listing["photos"]) == 2
        assert "active" in _albumen(data, "links", token=token).stdout
    finally:
        server.stop()
    assert _hashes(hashes) == hashes


@pytest.mark.slow
def test_sigkill_mid_upload_then_sync_uploads_every_photo_once(
    fresh_server: ServerProcess, tmp_path: Path
) -> None:
    folder = tmp_path / "big"
    folder.mkdir()
    big = folder / "scan.tif"
    Image.frombytes("RGB", (4000, 3000), os.urandom(4000 * 3000 * 3)).save(big)  # 36 MB
    small = folder / "small.jpg"
    small.write_bytes(photo_jpeg(seed=77))
    before = {big: sha256(big.read_bytes()), small: sha256(small.read_bytes())}
    data = tmp_path / "client"
    data.mkdir()
    (data / "settings.json").write_text(
        json.dumps({"server_url": fresh_server.url, "bandwidth_limit_kbps": 8000})
    )
    env = {**os.environ, "ALBUMEN_TOKEN": fresh_server.token}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "albumen.cli",
            "--data-dir",
            str(data),
            "share",
            str(folder),
            "--album",
            "Killed",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    uploads = fresh_server.data / "uploads"

    def part_size() -> int:
        total = 0
        for part in uploads.glob("*.part") if uploads.exists() else []:
            with contextlib.suppress(FileNotFoundError):  # a small one may land meanwhile
                total += part.stat().st_size
        return total

    wait_until(lambda: part_size() > 8_000_000, 60, "the big upload to be well under way")
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    partial = part_size()
    assert 0 < partial < big.stat().st_size
    (data / "settings.json").write_text(json.dumps({"server_url": fresh_server.url}))
    synced = _albumen(data, "sync", server=fresh_server)
    assert synced.returncode == 0, synced.stderr
    albums = fresh_server.api("GET", "/api/albums").json()["albums"]
    (album,) = [a for a in albums if a["title"] == "Killed"]
    photos = fresh_server.api("GET", f"/api/albums/{album['id']}/photos").json()["photos"]
    assert sorted(p["sha256"] for p in photos) == sorted(before.values())
    for photo in photos:
        original = fresh_server.api("GET", f"/api/photos/{photo['id']}/original").content
        assert sha256(original) == photo["sha256"]
    assert {p: sha256(p.read_bytes()) for p in before} == before


def test_share_with_remove_location_sends_no_gps_to_the_server(
    shared_server: ServerProcess, tmp_path: Path
) -> None:
    folder = tmp_path / "private"
    folder.mkdir()
    (folder / "home.jpg").write_bytes(photo_jpeg((320, 240), seed=31))
    data = tmp_path / "client"
    _use_server(data, shared_server.url)
    result = _albumen(
        data,
        "share",
        str(folder),
        "--album",
        "At home",
        "--remove-location",
        "--download",
        "original",
        server=shared_server,
    )
    assert result.returncode == 0, result.stderr
    url = result.stdout.strip().splitlines()[-1]
    photo = requests.get(url + "/photos.json", timeout=30).json()["photos"][0]
    received = shared_server.api("GET", f"/api/photos/{photo['id']}/original").content
    gps = Image.open(io.BytesIO(received)).getexif().get_ifd(0x8825)
    assert dict(gps) == {}, "the server never received the location"
    assert (folder / "home.jpg").read_bytes() == photo_jpeg((320, 240), seed=31)


def test_share_leaves_a_core_to_the_sending_while_it_checks(
    shared_server: ServerProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`albumen share` sends while it checks, and checking only has to stay ahead of the
    sending: it checks on every core but one (albumen.core.intake.check_workers_beside_sending).
    In-process (the CLI's `main`) on a computer made to look like it has three cores; the check
    pool is the real one, its size noted."""
    from concurrent.futures import ThreadPoolExecutor

    from albumen import cli
    from albumen.core import intake

    sizes: list[int | None] = []

    class NotedPool(ThreadPoolExecutor):
        def __init__(self, max_workers: int | None = None, **kwargs: Any) -> None:
            sizes.append(max_workers)
            super().__init__(max_workers, **kwargs)

    monkeypatch.setattr(intake, "ThreadPoolExecutor", NotedPool)
    monkeypatch.setattr(intake, "check_workers", lambda: 3)
    monkeypatch.setenv("ALBUMEN_TOKEN", shared_server.token)
    folder = tmp_path / "cores"
    folder.mkdir()
    for index in range(3):
        (folder / f"C{index}.jpg").write_bytes(photo_jpeg((320, 240), seed=9400 + index))
    data = tmp_path / "client"
    _use_server(data, shared_server.url)
    code = cli.main(["--data-dir", str(data), "share", str(folder), "--album", "Cores"])
    assert code == 0
    assert sizes == [2], sizes
