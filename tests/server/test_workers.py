"""`albumen-server --workers N`: N processes on one port, started, watched and replaced by
uvicorn's supervisor, each a whole server (albumen_server.workers). Real processes on
127.0.0.1, real HTTP, SQLite shared by the workers; the processes are read from Linux's /proc."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.server.uploading import TUS
from tests.support import ServerProcess, new_id, photo_jpeg, sha256, start_server, tus_metadata


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[ServerProcess]:
    server = start_server(tmp_path, "--workers", "2")
    yield server
    server.stop()


def _workers(server: ServerProcess) -> set[int]:
    """The supervisor's worker processes (not multiprocessing's resource tracker)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue  # gone meanwhile
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == server.process.pid and b"resource_tracker" not in command:
            found.add(int(entry.name))
    return found


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def _wait_for(predicate: object, timeout: float = 30) -> None:
    assert callable(predicate)
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "not within the time"
        time.sleep(0.05)


def _upload_alone(server: ServerProcess, album_id: str, index: int) -> tuple[str, str]:
    """One photo in one tus creation carrying its bytes, over a connection of its own (so the
    kernel may give it to either worker); its id and SHA-256."""
    data = photo_jpeg((640, 480), seed=9100 + index)
    photo_id = new_id()
    with requests.Session() as http:
        answer = http.post(
            f"{server.url}/api/uploads/",
            data=data,
            headers={
                **server.auth,
                **TUS,
                "Upload-Length": str(len(data)),
                "Upload-Metadata": tus_metadata(
                    album_id=album_id,
                    photo_id=photo_id,
                    filename=f"IMG_{index:04d}.JPG",
                    sha256=sha256(data),
                    content_type="image/jpeg",
                ),
                "Content-Type": "application/offset+octet-stream",
            },
            timeout=60,
        )
    assert answer.status_code == 201, answer.text
    assert answer.headers["Upload-Offset"] == str(len(data))
    return photo_id, sha256(data)


def test_two_workers_share_the_port_and_one_killed_is_replaced(
    two_workers: ServerProcess,
) -> None:
    server = two_workers
    _wait_for(lambda: len(_workers(server)) == 2)
    workers = _workers(server)
    album_id = new_id()
    server.api("PUT", f"/api/albums/{album_id}", json={"title": "Two"}).raise_for_status()
    before = {pid: _cpu_ticks(pid) for pid in workers}
    with ThreadPoolExecutor(4) as pool:
        sent = dict(pool.map(lambda i: _upload_alone(server, album_id, i), range(24)))
    worked = {pid: _cpu_ticks(pid) - before[pid] for pid in workers}
    assert all(ticks > 0 for ticks in worked.values()), f"each worker took requests: {worked}"

    listed = server.api("GET", f"/api/albums/{album_id}/photos").json()["photos"]
    assert {p["id"]: p["sha256"] for p in listed} == sent, "every photo once, byte-exact"

    # A worker killed outright: the port keeps answering new connections (a connection the
    # dead process held dies with it), and the supervisor starts another.
    victim = min(workers)
    os.kill(victim, signal.SIGKILL)
    server.http.close()
    server.http = requests.Session()
    for _ in range(10):
        assert requests.get(f"{server.url}/api/health", timeout=30).status_code == 200
    _wait_for(lambda: len(_workers(server)) == 2 and victim not in _workers(server), timeout=60)
    photo_id, digest = _upload_alone(server, album_id, 99)
    original = server.api("GET", f"/api/photos/{photo_id}/original")
    assert sha256(original.content) == digest


def test_a_worker_count_that_is_not_one_to_64_is_refused_by_name(tmp_path: Path) -> None:
    for bad in ("0", "65", "two"):
        done = subprocess.run(
            [sys.executable, "-m", "albumen_server.cli", "--data", str(tmp_path), "--workers", bad],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 2
        assert f"--workers: {bad!r} is not a whole number from 1 to 64" in done.stderr


def test_a_workers_settings_are_the_parents_every_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from albumen_server.config import ServerConfig
    from albumen_server.workers import (
        CONFIG_VARIABLE,
        config_from_environment,
        config_to_environment,
    )

    config = ServerConfig(
        data_dir=tmp_path / "data",
        database_url="postgresql+psycopg://albumen@db/albumen",
        blobs_url="s3://bucket/prefix",
        public_url="https://photos.example.org",
        disk_reserve=2 * 1000**3,
        tile_url="https://tiles.example/{z}/{x}/{y}.png",
        tile_attribution="(c) OpenStreetMap contributors",
    )
    monkeypatch.setenv(CONFIG_VARIABLE, config_to_environment(config))
    assert config_from_environment() == config
    monkeypatch.delenv(CONFIG_VARIABLE)
    with pytest.raises(RuntimeError, match="--workers"):
        config_from_environment()
