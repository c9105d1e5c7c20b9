"""`albumen share` on a slow uplink, against a real server: the link is printed once every photo
can be seen through it, while the originals are still on their way; the command goes on with
them and ends when they have landed, byte-exact."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest
import requests

from tests.support import ServerProcess, photo_jpeg, run_albumen, sha256, start_albumen

pytestmark = pytest.mark.slow


def camera_folder(folder: Path, count: int, seed: int) -> dict[str, str]:
    """`count` 12 MP photos of about 2.8 MB (their web sizes are a tenth of that); name → sha."""
    folder.mkdir()
    hashes = {}
    for index in range(count):
        data = photo_jpeg((4000, 3000), seed=seed + index)
        (folder / f"DSC_{index:04d}.JPG").write_bytes(data)
        hashes[f"DSC_{index:04d}.JPG"] = sha256(data)
    return hashes


def test_the_link_is_printed_while_the_originals_are_still_arriving(
    shared_server: ServerProcess, tmp_path: Path
) -> None:
    hashes = camera_folder(tmp_path / "shoot", 3, seed=8100)
    data = tmp_path / "client"
    data.mkdir()
    (data / "settings.json").write_text(json.dumps({"server_url": shared_server.url}))
    # 8.4 MB of originals at 600 KiB/s: about 14 s after the web sizes (0.8 MB) are in.
    command = ["share", str(tmp_path / "shoot"), "--album", "Slow uplink"]
    command += ["--download", "original", "--limit-rate", "600K"]
    share = start_albumen(data, *command, token=shared_server.token, text=True)
    try:
        assert share.stdout is not None
        url = share.stdout.readline().strip()  # printed while the command goes on
        assert url.startswith(shared_server.url + "/s/"), url
        listing = requests.get(url + "/photos.json", timeout=30).json()
        assert len(listing["photos"]) == 3, "every photo can be seen through the link"
        arriving = [p for p in listing["photos"] if p.get("original") == "arriving"]
        assert arriving, "the link came before the originals"
        for photo in listing["photos"]:
            thumb = requests.get(f"{url}/photos/{photo['id']}/thumb", timeout=30)
            assert thumb.status_code == 200 and thumb.content.startswith(b"\xff\xd8")
        albums = run_albumen(data, "albums", token=shared_server.token, timeout=60)
        assert "viewable now, originals" in albums.stdout, albums.stdout
        status = run_albumen(data, "status", token=shared_server.token, timeout=60)
        assert "Slow uplink: viewable now, originals" in status.stdout, status.stdout
        _out, errors = share.communicate(timeout=240)
    finally:
        share.kill()
        share.wait()
    assert share.returncode == 0, errors
    assert "the link is live: viewable now, originals 0 of 3" in errors
    listing = requests.get(url + "/photos.json", timeout=30).json()
    assert not any(photo["original"] == "arriving" for photo in listing["photos"])
    for photo in listing["photos"]:
        served = requests.get(f"{url}/photos/{photo['id']}/original", timeout=30)
        assert served.status_code == 200  # downloadable now (stripped as the link says)
        original = shared_server.api("GET", f"/api/photos/{photo['id']}/original")
        assert sha256(original.content) == hashes[photo["filename"]], "byte-exact"
    assert {sha256(p.read_bytes()) for p in (tmp_path / "shoot").iterdir()} == set(
        hashes.values()
    ), "the owner's files are only read"


def test_limit_rate_takes_curl_suffixes_and_says_what_is_wrong(tmp_path: Path) -> None:
    bad = run_albumen(
        tmp_path / "c", "share", str(tmp_path), "--album", "A", "--limit-rate", "fast"
    )
    assert bad.returncode == 2
    assert "'fast' is not a rate" in bad.stderr and "2.5M" in bad.stderr


def test_interrupted_after_the_link_the_originals_stay_queued_for_sync(
    shared_server: ServerProcess, tmp_path: Path
) -> None:
    hashes = camera_folder(tmp_path / "shoot", 2, seed=8200)
    data = tmp_path / "client"
    data.mkdir()
    (data / "settings.json").write_text(json.dumps({"server_url": shared_server.url}))
    command = ["share", str(tmp_path / "shoot"), "--album", "Interrupted", "--limit-rate", "500K"]
    share = start_albumen(data, *command, token=shared_server.token, text=True)
    try:
        assert share.stdout is not None
        url = share.stdout.readline().strip()
        share.send_signal(signal.SIGINT)  # Ctrl-C while the originals go (11 s of them)
        _out, errors = share.communicate(timeout=60)
    finally:
        share.kill()
        share.wait()
    assert share.returncode == 130, errors
    assert "interrupted: what was sent is kept; `albumen sync` goes on" in errors
    assert "Traceback" not in errors, errors
    listing = requests.get(url + "/photos.json", timeout=30).json()
    assert [p["original"] for p in listing["photos"]] == ["arriving"] * 2
    synced = run_albumen(data, "sync", token=shared_server.token)
    assert synced.returncode == 0, synced.stderr
    assert synced.stdout.startswith("2 uploaded"), synced.stdout
    listing = requests.get(url + "/photos.json", timeout=30).json()
    for photo in listing["photos"]:
        original = shared_server.api("GET", f"/api/photos/{photo['id']}/original")
        assert sha256(original.content) == hashes[photo["filename"]]


def test_web_sizes_go_first_unless_the_server_is_here_and_uploads_are_not_capped(
    tmp_path: Path,
) -> None:
    from albumen.client import Client
    from albumen.core.credentials import Credentials
    from tests.core.test_credentials import MemoryKeyring

    def web_sizes(settings: dict[str, object], rate: float | None = None) -> bool:
        data = tmp_path / f"client-{len(list(tmp_path.iterdir()))}"
        data.mkdir()
        (data / "settings.json").write_text(json.dumps(settings))
        client = Client(data, Credentials(MemoryKeyring()))
        try:
            if rate is not None:
                client.limit_rate(rate)
            return client.web_sizes() is not None
        finally:
            client.close()

    assert web_sizes({"server_url": "https://photos.example.org"})
    assert not web_sizes({"server_url": "https://photos.example.org", "web_sizes_first": False})
    assert not web_sizes({}), "the embedded server, uncapped: originals at disk speed"
    assert not web_sizes({"server_url": "http://127.0.0.1:8080"})
    assert web_sizes({"server_url": "http://127.0.0.1:8080"}, rate=2.5 * 1024 * 1024)
    assert web_sizes({"bandwidth_limit_kbps": 500}), "the app's own cap counts too"
