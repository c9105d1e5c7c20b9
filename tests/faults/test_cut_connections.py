"""`albumen share` of 200 MB through a connection that breaks every few megabytes: it
completes, byte-exact, and resends only what the cuts lost (tus resumes from the server's
offset)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from tests.faults.cutting_proxy import CuttingProxy
from tests.support import ServerProcess, run_albumen, sha256

pytestmark = pytest.mark.slow
MB = 1 << 20


@pytest.fixture
def proxy(shared_server: ServerProcess) -> Iterator[tuple[CuttingProxy, int]]:
    cutting = CuttingProxy(shared_server.port, cut_min=3 * MB, cut_max=8 * MB, seed=7)
    port = cutting.start()
    yield cutting, port
    cutting.stop()


def test_share_through_a_connection_that_keeps_breaking(
    shared_server: ServerProcess, proxy: tuple[CuttingProxy, int], tmp_path: Path
) -> None:
    cutting, port = proxy
    photos = tmp_path / "scans"
    photos.mkdir()
    hashes = set()
    for index in range(8):  # 8 × 24 MB uncompressed TIFF scans: 192 MB
        path = photos / f"scan_{index}.tif"
        Image.frombytes("RGB", (4000, 2000), os.urandom(4000 * 2000 * 3)).save(path)
        hashes.add(sha256(path.read_bytes()))
    total = sum(path.stat().st_size for path in photos.iterdir())
    client = tmp_path / "client"
    client.mkdir()
    (client / "settings.json").write_text(json.dumps({"server_url": f"http://127.0.0.1:{port}"}))
    result = run_albumen(
        client,
        "share",
        str(photos),
        "--album",
        "Hotel Wi-Fi",
        token=shared_server.token,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert cutting.cuts >= 15, cutting.cuts  # it really kept breaking
    albums = shared_server.api("GET", "/api/albums").json()["albums"]
    (album,) = [a for a in albums if a["title"] == "Hotel Wi-Fi"]
    listed = shared_server.api("GET", f"/api/albums/{album['id']}/photos").json()["photos"]
    assert sorted(p["sha256"] for p in listed) == sorted(hashes)  # each exactly once
    for photo in listed:
        original = shared_server.api("GET", f"/api/photos/{photo['id']}/original")
        assert sha256(original.content) == photo["sha256"]
    # what a cut loses is resent from the server's offset, never the whole file again
    assert cutting.forwarded < total * 1.25, (cutting.forwarded, total, cutting.cuts)
