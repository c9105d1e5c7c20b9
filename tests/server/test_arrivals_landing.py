"""An arriving photo's original lands: the photo becomes complete from its own bytes, through a
restart, a backup and another process on S3; other bytes are refused and it stays arriving."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from albumen_server.derivative_cache import pixels_file
from tests.postgres import PostgresCluster
from tests.s3 import S3Server
from tests.server.arriving import (
    BLUE,
    album,
    is_bluish,
    is_reddish,
    original_jpeg,
    photos_of,
    share,
)
from tests.server.uploading import TUS, ask_to_upload, create_upload, put_preview, upload_photo
from tests.support import (
    ServerProcess,
    new_id,
    photo_jpeg,
    sha256,
    start_server,
    wait_until,
)

# -- the original lands ---------------------------------------------------------------------------


def test_the_original_landing_makes_the_photo_complete_from_its_own_bytes(
    fresh_server: ServerProcess,
) -> None:
    server = fresh_server
    album_id, photo_id, original = album(server), new_id(), original_jpeg(BLUE)
    made = put_preview(server, photo_id, album_id, original, taken_at="2025-01-02T03:04:05Z")
    assert made.status_code == 201
    link = share(server, album_id, show_metadata=True, show_location=True)
    assert is_reddish(link.get(f"/photos/{photo_id}/thumb").content)
    blobs = server.data / "blobs"
    [preview_blob] = [path for path in blobs.rglob("*") if path.is_file()]
    cache = server.data / "cache"
    preview_thumb = pixels_file(cache, preview_blob.name, "thumb")
    assert preview_thumb.exists()

    upload_photo(server, album_id, original, "IMG_0001.JPG", photo_id)

    [photo] = photos_of(server, album_id)
    assert photo["state"] == "complete"
    assert photo["taken_at"].startswith("2026-06-01T10:20:30")  # the original's, not announced
    assert (photo["width"], photo["height"]) == (4000, 3000)
    back = server.api("GET", f"/api/photos/{photo_id}/original")
    assert back.status_code == 200 and back.content == original
    # The original's thumbnail, made by the server from it, now stands in the preview's place
    # (and is made ahead, by the background renderer).
    original_thumb = pixels_file(cache, sha256(original), "thumb")
    wait_until(original_thumb.exists, 60, "the original's thumbnail made ahead")
    thumb = link.get(f"/photos/{photo_id}/thumb")
    assert is_bluish(thumb.content)
    assert is_bluish(link.get(f"/photos/{photo_id}/preview").content)
    # The preview has gone, with the pictures made of it.
    assert not preview_blob.exists()
    assert not preview_thumb.exists()

    [item] = link.get("/photos.json").json()["photos"]
    assert item["original"] == f"/s/{link.token}/photos/{photo_id}/original"
    assert item["place"] == "Paris, France"  # the original's GPS
    assert link.get(f"/photos/{photo_id}/original").content == original
    facts = {fact["label"] for fact in link.get(f"/photos/{photo_id}.json").json()["facts"]}
    assert {"Taken", "Camera", "Place"} <= facts
    page = link.get(f"/photos/{photo_id}")
    assert "Download original" in page.text and "still on its way" not in page.text
    whole = link.get("/download")
    assert whole.status_code == 200
    with zipfile.ZipFile(io.BytesIO(whole.content)) as archive:
        assert archive.namelist() == ["IMG_0001.JPG"]


def test_another_file_for_an_arriving_photo_is_refused_and_it_stays_arriving(
    shared_server: ServerProcess,
) -> None:
    album_id, photo_id, original = album(shared_server), new_id(), original_jpeg()
    assert put_preview(shared_server, photo_id, album_id, original).status_code == 201
    other = photo_jpeg((800, 600), colour=(10, 200, 10))
    # Announced as other bytes: refused at creation.
    response = ask_to_upload(shared_server, album_id, other, "IMG_0001.JPG", photo_id)
    assert response.status_code == 409
    assert "arriving" in response.json()["error"]["message"]
    # Announced right, but other bytes sent: 460, nothing kept.
    location, _ = create_upload(
        shared_server, album_id, other, "IMG_0001.JPG", photo_id, announced_sha256=sha256(original)
    )
    sent = shared_server.http.patch(
        location,
        data=other,
        headers={
            **shared_server.auth,
            **TUS,
            "Upload-Offset": "0",
            "Content-Type": "application/offset+octet-stream",
        },
        timeout=30,
    )
    assert sent.status_code == 460
    [photo] = photos_of(shared_server, album_id)
    assert photo["state"] == "arriving"
    assert shared_server.api("GET", f"/api/photos/{photo_id}/original").status_code == 409


def test_the_same_file_arriving_in_two_albums_completes_in_both(
    shared_server: ServerProcess,
) -> None:
    first, second = album(shared_server), album(shared_server)
    original = original_jpeg()
    one, two = new_id(), new_id()
    assert put_preview(shared_server, one, first, original).status_code == 201
    assert put_preview(shared_server, two, second, original).status_code == 201
    upload_photo(shared_server, first, original, "IMG_0001.JPG", one)
    assert photos_of(shared_server, second)[0]["state"] == "complete"
    # Told again that the bytes are here (as a client that resumes would): nothing changes.
    again = shared_server.api(
        "PUT",
        f"/api/photos/{two}",
        json={"album_id": second, "filename": "IMG_0001.JPG", "sha256": sha256(original)},
    )
    assert again.status_code == 200 and again.json()["state"] == "complete"
    assert shared_server.api("GET", f"/api/photos/{two}/original").content == original
    # A preview of bytes the server holds makes a complete photo at once.
    third = new_id()
    made = put_preview(shared_server, third, second, original)
    assert made.status_code == 201 and made.json()["state"] == "complete"


# -- a crash between the preview and the original ------------------------------------------------


def test_a_server_restarted_between_preview_and_original_keeps_the_photo_arriving(
    fresh_server: ServerProcess,
) -> None:
    server = fresh_server
    album_id, photo_id, original = album(server), new_id(), original_jpeg(BLUE)
    assert put_preview(server, photo_id, album_id, original).status_code == 201
    link = share(server, album_id)
    server.process.kill()  # no goodbye: as a power cut would
    server.process.wait()
    database = ("--database", server.database) if server.database else ()
    again = start_server(server.data, *database)
    try:
        link.server = again
        [photo] = photos_of(again, album_id)
        assert photo["state"] == "arriving"
        assert is_reddish(link.get(f"/photos/{photo_id}/thumb").content)
        assert link.get(f"/photos/{photo_id}/original").status_code == 409
        upload_photo(again, album_id, original, "IMG_0001.JPG", photo_id)
        assert photos_of(again, album_id)[0]["state"] == "complete"
        assert is_bluish(link.get(f"/photos/{photo_id}/thumb").content)
        assert again.api("GET", f"/api/photos/{photo_id}/original").content == original
    finally:
        again.stop()


def test_a_backup_keeps_an_arriving_photo_seen(tmp_path: Path) -> None:
    """`albumen-server backup` copies the previews arriving photos are seen from, too."""
    live = tmp_path / "live"
    live.mkdir()
    server = start_server(live)
    try:
        album_id, photo_id = album(server), new_id()
        assert put_preview(server, photo_id, album_id, original_jpeg()).status_code == 201
        link = share(server, album_id)
        copy = tmp_path / "copy"
        backup = subprocess.run(
            [sys.executable, "-m", "albumen_server.cli", "backup", "--data", str(live), str(copy)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert backup.returncode == 0, backup.stderr
    finally:
        server.stop()
    restored = start_server(copy)
    try:
        link.server = restored
        assert photos_of(restored, album_id)[0]["state"] == "arriving"
        assert is_reddish(link.get(f"/photos/{photo_id}/thumb").content)
    finally:
        restored.stop()


@pytest.mark.slow
def test_two_machines_on_s3_switch_from_the_preview_to_the_original_together(
    postgres: PostgresCluster, s3: S3Server, tmp_path: Path
) -> None:
    """Each process caches pictures on its own disk: one that showed the preview's thumbnail
    shows the original's once it lands through another, with nothing to tell it but the row."""
    database, bucket = postgres.create_database(), s3.new_bucket()
    servers = [
        start_server(
            tmp_path / f"machine-{index}",
            "--database",
            database,
            "--blobs",
            f"s3://{bucket}/albumen",
            env=s3.environment,
        )
        for index in range(2)
    ]
    try:
        one, two = servers
        album_id, photo_id, original = album(one), new_id(), original_jpeg(BLUE)
        assert put_preview(one, photo_id, album_id, original).status_code == 201
        link = share(one, album_id)
        link.server = two
        assert is_reddish(link.get(f"/photos/{photo_id}/thumb").content)
        keys = s3.client().list_objects_v2(Bucket=bucket)["Contents"]  # type: ignore[attr-defined]
        [preview_key] = [item["Key"] for item in keys]

        upload_photo(one, album_id, original, "IMG_0001.JPG", photo_id)
        assert is_bluish(link.get(f"/photos/{photo_id}/thumb").content)
        assert two.api("GET", f"/api/photos/{photo_id}/original").content == original
        keys = s3.client().list_objects_v2(Bucket=bucket)["Contents"]  # type: ignore[attr-defined]
        names = [item["Key"] for item in keys]
        assert preview_key not in names  # the preview went once the original landed
        assert any(name.endswith(sha256(original)) for name in names)
    finally:
        for server in servers:
            server.stop()
