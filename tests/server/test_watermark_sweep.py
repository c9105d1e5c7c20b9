"""Pictures of a watermark no link shows any more leave the server's cache
(`albumen_server.watermark_sweep`). Real server, real HTTP, on SQLite and PostgreSQL.

Before: every text a link ever carried kept its thumbnails, previews and large sizes on the
disk for good, as did a revoked link's."""

from __future__ import annotations

import hashlib
import shutil
import time
from pathlib import Path

import requests

from albumen_server.config import ServerConfig
from albumen_server.deployment import build_context
from albumen_server.derivative_cache import watermark_key
from albumen_server.watermark_sweep import sweep
from tests.server.test_picks import _link
from tests.server.uploading import upload_photo
from tests.support import ServerProcess, new_id, photo_jpeg


def _photo(server: ServerProcess) -> tuple[str, str, Path]:
    """An album of one photo: its id, the photo's id and the cache folder of its pictures."""
    album_id = new_id()
    server.api("PUT", f"/api/albums/{album_id}", json={"title": "Proofs"}).raise_for_status()
    original = photo_jpeg((1200, 800), gps=False, seed=11)
    photo_id = upload_photo(server, album_id, original, "IMG_0001.jpg")
    sha256 = hashlib.sha256(original).hexdigest()
    return album_id, photo_id, server.data / "cache" / sha256[:2] / sha256


def _view(server: ServerProcess, token: str, photo_id: str) -> None:
    for kind in ("thumb", "preview"):
        answer = requests.get(f"{server.url}/s/{token}/photos/{photo_id}/{kind}", timeout=30)
        assert answer.status_code == 200, answer.text


def _pictures(folder: Path, text: str | None) -> list[str]:
    """The cached pictures carrying `text` (None: those with no watermark)."""
    names = [path.name for path in folder.glob("*.jpg")]
    if text is None:
        return sorted(name for name in names if "-w" not in name)
    return sorted(name for name in names if watermark_key(text) in name)


def _until_gone(folder: Path, text: str) -> None:
    deadline = time.monotonic() + 15
    while _pictures(folder, text) and time.monotonic() < deadline:
        time.sleep(0.05)  # the sweep runs on the server's own thread, after the commit
    assert _pictures(folder, text) == [], f"pictures of {text!r} left in the cache"


def test_a_former_or_revoked_watermark_leaves_the_cache(shared_server: ServerProcess) -> None:
    album_id, photo_id, folder = _photo(shared_server)
    link_id, token = _link(shared_server, album_id, download="none", watermark="PROOF")
    _view(shared_server, token, photo_id)
    assert len(_pictures(folder, "PROOF")) >= 4  # thumb and preview, with their metadata variant
    plain = _pictures(folder, None)
    assert plain  # the shared pixels the watermark is drawn on

    body = {"album_id": album_id, "token": token, "download": "none"}
    edited = shared_server.api("PUT", f"/api/links/{link_id}", json={**body, "watermark": "FINAL"})
    assert edited.status_code == 200, edited.text
    _view(shared_server, token, photo_id)
    _until_gone(folder, "PROOF")
    assert len(_pictures(folder, "FINAL")) >= 4

    # A text another link in use carries stays, for as long as that link is in use.
    second_id, second_token = _link(shared_server, album_id, download="none", watermark="FINAL")
    third_id, third_token = _link(shared_server, album_id, download="none", watermark="DRAFT")
    _view(shared_server, third_token, photo_id)
    assert shared_server.api("DELETE", f"/api/links/{link_id}").status_code == 204
    assert shared_server.api("DELETE", f"/api/links/{third_id}").status_code == 204
    _until_gone(folder, "DRAFT")  # swept after the first revocation's sweep, in order
    assert len(_pictures(folder, "FINAL")) >= 4
    _view(shared_server, second_token, photo_id)
    assert shared_server.api("DELETE", f"/api/links/{second_id}").status_code == 204
    _until_gone(folder, "FINAL")
    assert _pictures(folder, None) == plain


def test_the_whole_cache_is_swept_for_what_other_processes_made(
    shared_server: ServerProcess,
) -> None:
    """What another machine's process changed, or made before a link changed elsewhere, is found
    by the sweep of the whole cache each process runs after it starts and once a day: run here
    by a second process of the deployment (this test's), on the same database and data."""
    album_id, photo_id, folder = _photo(shared_server)
    _link_id, token = _link(shared_server, album_id, download="none", watermark="KEEP")
    _view(shared_server, token, photo_id)
    kept = _pictures(folder, "KEEP")
    for name in kept:  # as if made under a text that link no longer carries
        stale = name.replace(watermark_key("KEEP"), watermark_key("GONE"))
        shutil.copyfile(folder / name, folder / stale)
    assert len(_pictures(folder, "GONE")) == len(kept)
    plain = _pictures(folder, None)

    context = build_context(
        ServerConfig(data_dir=shared_server.data, database_url=shared_server.database)
    )
    try:
        dropped = sweep(context)
    finally:
        context.db.dispose()
    assert dropped >= len(kept)
    assert _pictures(folder, "GONE") == []
    assert _pictures(folder, "KEEP") == kept
    assert _pictures(folder, None) == plain
