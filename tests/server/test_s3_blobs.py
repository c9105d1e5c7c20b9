"""`--blobs s3://BUCKET/PREFIX`: originals in S3-compatible storage, streamed both ways.

Against moto's S3 server on loopback, reached through the standard AWS variables as a
deployment would: multipart uploads, ranged reads behind the stripper, zip, delete.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from albumen_photo.metadata import read_metadata
from tests.s3 import S3Server
from tests.server.uploading import upload_photo
from tests.support import (
    ServerProcess,
    new_id,
    new_token,
    noise_photo,
    photo_jpeg,
    start_server,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def s3_server(s3: S3Server, tmp_path: Path) -> Iterator[tuple[ServerProcess, str]]:
    bucket = s3.new_bucket()
    server = start_server(tmp_path, "--blobs", f"s3://{bucket}/photos/v1", env=s3.environment)
    yield server, bucket
    server.stop()


def test_originals_live_in_the_bucket_and_come_back_byte_exact(
    s3: S3Server, s3_server: tuple[ServerProcess, str], tmp_path: Path
) -> None:
    server, bucket = s3_server
    album_id, token = new_id(), new_token()
    server.api("PUT", f"/api/albums/{album_id}", json={"title": "In the cloud"}).raise_for_status()
    small = photo_jpeg(seed=11)  # with GPS in its EXIF
    big = noise_photo(12)  # ~36 MB: three 16 MiB parts
    small_id = upload_photo(server, album_id, small, "small.jpg")
    big_id = upload_photo(server, album_id, big, "big.png")

    client = s3.client()
    listed = client.list_objects_v2(Bucket=bucket, Prefix="photos/v1/")  # type: ignore[attr-defined]
    keys = {item["Key"] for item in listed.get("Contents", [])}
    for data in (small, big):
        digest = hashlib.sha256(data).hexdigest()
        assert f"photos/v1/{digest[:2]}/{digest[2:4]}/{digest}" in keys
    big_key = f"photos/v1/{hashlib.sha256(big).hexdigest()[:2]}"
    head = client.head_object(  # type: ignore[attr-defined]
        Bucket=bucket, Key=next(key for key in keys if key.startswith(big_key))
    )
    assert "-" in head["ETag"], "a big original goes up as a multipart upload"
    assert not (server.data / "blobs").exists() or not any((server.data / "blobs").rglob("*"))

    for photo_id, data in ((small_id, small), (big_id, big)):
        original = server.api("GET", f"/api/photos/{photo_id}/original")
        assert original.status_code == 200 and original.content == data

    link = {"album_id": album_id, "token": token, "download": "original"}
    server.api("PUT", f"/api/links/{new_id()}", json=link).raise_for_status()
    stripped = requests.get(f"{server.url}/s/{token}/photos/{small_id}/original", timeout=60)
    assert stripped.status_code == 200
    copy = tmp_path / "served.jpg"
    copy.write_bytes(stripped.content)
    assert read_metadata(copy).gps is None
    thumb = requests.get(f"{server.url}/s/{token}/photos/{big_id}/thumb", timeout=60)
    assert thumb.status_code == 200 and thumb.content.startswith(b"\xff\xd8")
    archive = requests.get(f"{server.url}/s/{token}/download", timeout=120)
    with zipfile.ZipFile(io.BytesIO(archive.content)) as zipped:
        assert sorted(zipped.namelist()) == ["big.png", "small.jpg"]
        assert zipped.read("big.png") == big

    assert server.api("DELETE", f"/api/photos/{big_id}").status_code == 204
    after = client.list_objects_v2(Bucket=bucket, Prefix="photos/v1/")  # type: ignore[attr-defined]
    assert len(after.get("Contents", [])) == 1


def test_blob_urls_are_checked_at_start(tmp_path: Path) -> None:
    from albumen_server.blobs import open_blob_store

    for bad in ("file://localhost/relative", "file://other-host/x", "s3://", "ftp://x/y"):
        with pytest.raises(ValueError, match="--blobs"):
            open_blob_store(
                bad if bad != "file://localhost/relative" else "file:relative", tmp_path
            )
    assert open_blob_store(f"file://localhost{tmp_path}/b", tmp_path).root == tmp_path / "b"  # type: ignore[attr-defined]
