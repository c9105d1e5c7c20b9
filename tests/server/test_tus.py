"""tus 1.0.0 uploads over real HTTP, with a standard client the project did not write (tuspy)."""

from __future__ import annotations

import base64
import hashlib
import os
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from tusclient import client as tus_client

from tests.server.uploading import TUS, create_upload, upload_photo
from tests.support import ServerProcess, new_id, photo_jpeg, sha256, tus_metadata, wait_until


def _album(server: ServerProcess) -> str:
    album_id = new_id()
    server.api("PUT", f"/api/albums/{album_id}", json={"title": "Uploads"}).raise_for_status()
    return album_id


def _photos(server: ServerProcess, album_id: str) -> list[dict[str, object]]:
    return server.api("GET", f"/api/albums/{album_id}/photos").json()["photos"]


def _head(server: ServerProcess, location: str) -> requests.Response:
    return server.http.head(location, headers={**server.auth, **TUS}, timeout=10)


def _patch(
    server: ServerProcess, location: str, data: bytes, offset: int, **headers: str
) -> requests.Response:
    return server.http.patch(
        location,
        data=data,
        headers={
            **server.auth,
            **TUS,
            "Upload-Offset": str(offset),
            "Content-Type": "application/offset+octet-stream",
            **headers,
        },
        timeout=30,
    )


def test_options_advertises_the_extensions(shared_server: ServerProcess) -> None:
    response = requests.options(shared_server.url + "/api/uploads/", timeout=10)
    assert response.status_code == 204
    assert response.headers["Tus-Version"] == "1.0.0"
    extensions = set(response.headers["Tus-Extension"].split(","))
    assert extensions >= {
        "creation",
        "creation-with-upload",
        "checksum",
        "termination",
        "expiration",
    }
    assert set(response.headers["Tus-Checksum-Algorithm"].split(",")) >= {"sha1", "sha256"}
    assert int(response.headers["Tus-Max-Size"]) > 1 << 30


def test_standard_tus_client_uploads_and_resumes(
    shared_server: ServerProcess, tmp_path: Path
) -> None:
    """tuspy uploads part of a file, stops, and a second tuspy uploader resumes it."""
    album_id = _album(shared_server)
    data = os.urandom(3 * 1024 * 1024 + 123)
    source = tmp_path / "big.raw"
    source.write_bytes(data)
    photo_id = new_id()
    metadata = {
        "album_id": album_id,
        "photo_id": photo_id,
        "filename": "IMG_0420.CR3",
        "sha256": sha256(data),
        "content_type": "image/x-canon-cr3",
    }
    client = tus_client.TusClient(shared_server.url + "/api/uploads/", headers=shared_server.auth)
    first = client.uploader(str(source), chunk_size=1024 * 1024, metadata=metadata)
    first.upload_chunk()  # one chunk, then the "connection" goes away
    assert first.offset == 1024 * 1024
    assert first.url is not None
    assert int(_head(shared_server, first.url).headers["Upload-Offset"]) == 1024 * 1024
    resumed = client.uploader(str(source), url=first.url, chunk_size=1024 * 1024, metadata=metadata)
    assert resumed.offset == 1024 * 1024  # it asked HEAD where to go on from
    resumed.upload()
    assert resumed.offset == len(data)
    back = shared_server.api("GET", f"/api/photos/{photo_id}/original")
    assert back.status_code == 200
    assert back.content == data


def test_upload_resumes_after_the_connection_dropped_mid_patch(
    shared_server: ServerProcess,
) -> None:
    album_id = _album(shared_server)
    data = os.urandom(2 * 1024 * 1024)
    location, photo_id = create_upload(shared_server, album_id, data, "dropped.jpg")
    path = location.removeprefix(shared_server.url)
    sent = 1024 * 1024 + 4321
    with socket.create_connection(("127.0.0.1", shared_server.port)) as sock:
        head = (
            f"PATCH {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {shared_server.token}\r\nTus-Resumable: 1.0.0\r\n"
            "Content-Type: application/offset+octet-stream\r\nUpload-Offset: 0\r\n"
            f"Content-Length: {len(data)}\r\n\r\n"
        )
        sock.sendall(head.encode() + data[:sent])
    # The server keeps what arrived; HEAD says where to resume from once it has noticed.
    wait_until(
        lambda: int(_head(shared_server, location).headers["Upload-Offset"]) == sent,
        what="the server to keep the bytes that arrived before the drop",
    )
    offset = sent
    assert _photos(shared_server, album_id) == []
    done = _patch(shared_server, location, data[offset:], offset)
    assert done.status_code == 204
    assert done.headers["Upload-Offset"] == str(len(data))
    assert shared_server.api("GET", f"/api/photos/{photo_id}/original").content == data


def test_chunk_checksums_sha1_and_sha256(shared_server: ServerProcess) -> None:
    album_id = _album(shared_server)
    data = os.urandom(200_000)
    location, _photo_id = create_upload(shared_server, album_id, data, "chunks.jpg")
    first, second = data[:100_000], data[100_000:]
    wrong = base64.b64encode(hashlib.sha1(b"something else").digest()).decode()
    mismatch = _patch(shared_server, location, first, 0, **{"Upload-Checksum": f"sha1 {wrong}"})
    assert mismatch.status_code == 460
    assert mismatch.json()["error"]["code"] == "checksum_mismatch"
    assert _head(shared_server, location).headers["Upload-Offset"] == "0"
    good1 = base64.b64encode(hashlib.sha1(first).digest()).decode()
    assert _patch(shared_server, location, first, 0, **{"Upload-Checksum": f"sha1 {good1}"}).ok
    good2 = base64.b64encode(hashlib.sha256(second).digest()).decode()
    last = _patch(
        shared_server, location, second, 100_000, **{"Upload-Checksum": f"sha256 {good2}"}
    )
    assert last.status_code == 204
    assert len(_photos(shared_server, album_id)) == 1
    md5 = _patch(shared_server, location, b"", len(data), **{"Upload-Checksum": "md5 AAAA"})
    assert md5.status_code == 400


def test_whole_file_sha256_mismatch_keeps_nothing(fresh_server: ServerProcess) -> None:
    album_id = _album(fresh_server)
    data = photo_jpeg(seed=3)
    location, photo_id = create_upload(
        fresh_server, album_id, data, "liar.jpg", announced_sha256=sha256(b"other bytes")
    )
    response = _patch(fresh_server, location, data, 0)
    assert response.status_code == 460
    assert "SHA-256" in response.json()["error"]["message"]
    assert _photos(fresh_server, album_id) == []
    assert fresh_server.api("GET", f"/api/photos/{photo_id}/original").status_code == 404
    blobs = fresh_server.data / "blobs"
    assert not [p for p in blobs.rglob("*") if p.is_file()]
    assert not list((fresh_server.data / "uploads").iterdir())
    assert _head(fresh_server, location).status_code == 404


def test_the_same_photo_twice_is_harmless(shared_server: ServerProcess) -> None:
    album_id = _album(shared_server)
    data = photo_jpeg(seed=11)
    photo_id = upload_photo(shared_server, album_id, data, "twice.jpg")
    assert upload_photo(shared_server, album_id, data, "twice.jpg", photo_id) == photo_id
    photos = _photos(shared_server, album_id)
    assert [p["id"] for p in photos] == [photo_id]
    other_album = _album(shared_server)
    conflict = shared_server.api(
        "POST",
        "/api/uploads/",
        headers={
            **TUS,
            "Upload-Length": str(len(data)),
            "Upload-Metadata": tus_metadata(
                album_id=other_album, photo_id=photo_id, filename="x.jpg", sha256=sha256(b"x")
            ),
        },
    )
    assert conflict.status_code == 409


def test_a_lost_final_answer_can_be_asked_again(shared_server: ServerProcess) -> None:
    album_id = _album(shared_server)
    data = photo_jpeg(seed=12)
    location, _ = create_upload(shared_server, album_id, data, "done.jpg")
    assert _patch(shared_server, location, data, 0).status_code == 204
    head = _head(shared_server, location)
    assert head.headers["Upload-Offset"] == head.headers["Upload-Length"] == str(len(data))
    assert _patch(shared_server, location, b"", len(data)).status_code == 204


def test_termination_removes_the_upload(fresh_server: ServerProcess) -> None:
    album_id = _album(fresh_server)
    data = os.urandom(50_000)
    location, _ = create_upload(fresh_server, album_id, data, "gone.jpg")
    assert _patch(fresh_server, location, data[:10_000], 0).status_code == 204
    deleted = fresh_server.http.delete(location, headers={**fresh_server.auth, **TUS}, timeout=10)
    assert deleted.status_code == 204
    assert _head(fresh_server, location).status_code == 404
    assert not list((fresh_server.data / "uploads").iterdir())


def test_expired_upload_answers_410(fresh_server: ServerProcess) -> None:
    album_id = _album(fresh_server)
    data = os.urandom(10_000)
    location, _ = create_upload(fresh_server, album_id, data, "late.jpg")
    expires = _head(fresh_server, location).headers["Upload-Expires"]
    assert expires.endswith("GMT")
    engine = sa.create_engine(fresh_server.database_url)
    with engine.begin() as connection:
        past = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=1)
        connection.execute(sa.text("UPDATE uploads SET expires_at = :t"), {"t": past})
    engine.dispose()
    assert _head(fresh_server, location).status_code == 410
    assert _patch(fresh_server, location, data, 0).status_code in (404, 410)


@pytest.mark.parametrize(
    ("metadata", "status", "code"),
    [
        ({"filename": "../../etc/passwd"}, 400, "invalid_filename"),
        ({"filename": "..\\..\\boot.ini"}, 400, "invalid_filename"),
        ({"filename": "a\x00b.jpg"}, 400, "invalid_filename"),
        ({"sha256": "abc"}, 400, "invalid_metadata"),
        ({"photo_id": "photo-1"}, 400, "invalid_metadata"),
        ({"album_id": None}, 400, "invalid_metadata"),
        ({"filename": "x" * 5000}, 400, "metadata_too_large"),
    ],
)
def test_bad_upload_metadata_is_refused(
    shared_server: ServerProcess, metadata: dict[str, str | None], status: int, code: str
) -> None:
    album_id = _album(shared_server)
    values = {
        "album_id": album_id,
        "photo_id": new_id(),
        "filename": "ok.jpg",
        "sha256": "a" * 64,
    }
    values.update({k: v for k, v in metadata.items() if v is not None})
    for key in [k for k, v in metadata.items() if v is None]:
        values.pop(key)
    response = shared_server.api(
        "POST",
        "/api/uploads/",
        headers={**TUS, "Upload-Length": "10", "Upload-Metadata": tus_metadata(**values)},
    )
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    assert response.headers["Tus-Resumable"] == "1.0.0"


def test_creation_needs_an_existing_album_and_tus_headers(shared_server: ServerProcess) -> None:
    metadata = tus_metadata(album_id=new_id(), photo_id=new_id(), filename="a.jpg", sha256="a" * 64)
    missing_album = shared_server.api(
        "POST", "/api/uploads/", headers={**TUS, "Upload-Length": "1", "Upload-Metadata": metadata}
    )
    assert missing_album.status_code == 404
    no_version = shared_server.api(
        "POST", "/api/uploads/", headers={"Upload-Length": "1", "Upload-Metadata": metadata}
    )
    assert no_version.status_code == 412
    garbage = shared_server.api(
        "POST", "/api/uploads/", headers={**TUS, "Upload-Length": "1", "Upload-Metadata": "k !!!"}
    )
    assert garbage.status_code == 400


def test_offset_and_length_are_enforced(shared_server: ServerProcess) -> None:
    album_id = _album(shared_server)
    data = os.urandom(1000)
    location, _ = create_upload(shared_server, album_id, data, "strict.jpg")
    assert _patch(shared_server, location, data[:10], 5).status_code == 409
    too_much = _patch(shared_server, location, data + b"extra", 0)
    assert too_much.status_code == 413
    assert _head(shared_server, location).headers["Upload-Offset"] == "0"
    wrong_type = shared_server.http.patch(
        location,
        data=data,
        headers={**shared_server.auth, **TUS, "Upload-Offset": "0", "Content-Type": "text/plain"},
        timeout=10,
    )
    assert wrong_type.status_code == 415
