"""Findings of the review of the live server, each with the test that failed before its fix.

Bodies bounded before authentication, titles that cannot break headers, file names that cannot
break out of Content-Disposition, tus numbers in ASCII only, 507 for uploads that would not fit,
headers on every answer, no third-party Swagger page, protected images kept out of disk caches,
a Host check, and no per-request growth of the upload lock table.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import requests
from fastapi.testclient import TestClient

from albumen_server.app import create_app
from albumen_server.config import ServerConfig
from tests.server.uploading import TUS, upload_photo
from tests.support import ServerProcess, new_id, new_token, photo_jpeg, sha256, tus_metadata


def _chunks(total: int) -> Iterator[bytes]:
    block = b"[" * (1 << 20)
    for _ in range(total // len(block)):
        yield block


def test_big_bodies_are_refused_before_authentication(shared_server: ServerProcess) -> None:
    declared = requests.put(
        f"{shared_server.url}/api/albums/{new_id()}",
        data=b"{" * (2 << 20),
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert declared.status_code == 413 and declared.json()["error"]["code"] == "too_large"
    streamed = requests.put(  # chunked: no Content-Length to refuse it by
        f"{shared_server.url}/api/albums/{new_id()}",
        data=_chunks(300 << 20),
        headers={"Content-Type": "application/json"},
        timeout=60,
    )
    assert streamed.status_code == 413
    small = requests.put(f"{shared_server.url}/api/albums/{new_id()}", json={}, timeout=30)
    assert small.status_code == 401  # a small body still meets authentication first


def test_titles_and_labels_with_control_characters_are_refused(
    shared_server: ServerProcess,
) -> None:
    album_id = new_id()
    bad = shared_server.api(
        "PUT", f"/api/albums/{album_id}", json={"title": "Trip\r\nSet-Cookie: a=b"}
    )
    assert bad.status_code == 422 and "control characters" in bad.text
    shared_server.api("PUT", f"/api/albums/{album_id}", json={"title": "Trip"}).raise_for_status()
    link = {"album_id": album_id, "token": new_token(), "label": "For\x00Anna"}
    assert shared_server.api("PUT", f"/api/links/{new_id()}", json=link).status_code == 422


def test_zip_and_download_names_cannot_break_the_header(shared_server: ServerProcess) -> None:
    album_id, token = new_id(), new_token()
    title = 'Paris/Nice "2026"'
    shared_server.api("PUT", f"/api/albums/{album_id}", json={"title": title}).raise_for_status()
    upload_photo(shared_server, album_id, photo_jpeg(seed=2), "a.jpg")
    link = {"album_id": album_id, "token": token, "download": "original"}
    shared_server.api("PUT", f"/api/links/{new_id()}", json=link).raise_for_status()
    answer = requests.get(f"{shared_server.url}/s/{token}/download", timeout=30, stream=True)
    disposition = answer.headers["Content-Disposition"]
    answer.close()
    assert disposition == (
        'attachment; filename="Paris_Nice _2026_.zip"; '
        "filename*=UTF-8''Paris%2FNice%20%222026%22.zip"
    )


def test_tus_numbers_are_ascii_digits(shared_server: ServerProcess) -> None:
    album_id = new_id()
    shared_server.api("PUT", f"/api/albums/{album_id}", json={"title": "t"}).raise_for_status()
    data = photo_jpeg(seed=9)
    meta = tus_metadata(album_id=album_id, photo_id=new_id(), filename="a.jpg", sha256=sha256(data))
    odd = shared_server.api(
        "POST", "/api/uploads/", headers={**TUS, "Upload-Length": "²", "Upload-Metadata": meta}
    )
    assert odd.status_code == 400 and odd.json()["error"]["code"] == "invalid_length"
    created = shared_server.api(
        "POST",
        "/api/uploads/",
        headers={**TUS, "Upload-Length": str(len(data)), "Upload-Metadata": meta},
    )
    patch = shared_server.api(
        "PATCH",
        created.headers["Location"].split(shared_server.url, 1)[1],
        data=data,
        headers={
            **TUS,
            "Upload-Offset": "¹",  # a superscript one: a digit to str.isdigit, not to int()
            "Content-Type": "application/offset+octet-stream",
        },
    )
    assert patch.status_code == 400 and patch.json()["error"]["code"] == "invalid_offset"


def test_uploads_that_would_not_fit_are_refused_with_507(fresh_server: ServerProcess) -> None:
    album_id = new_id()
    fresh_server.api("PUT", f"/api/albums/{album_id}", json={"title": "t"}).raise_for_status()
    free = shutil.disk_usage(fresh_server.data).free
    announced = 15 << 30
    accepted = 0
    for _ in range(free // announced + 2):
        meta = tus_metadata(
            album_id=album_id, photo_id=new_id(), filename="big.raw", sha256="0" * 64
        )
        answer = fresh_server.api(
            "POST",
            "/api/uploads/",
            headers={**TUS, "Upload-Length": str(announced), "Upload-Metadata": meta},
        )
        if answer.status_code == 507:
            assert answer.json()["error"]["code"] == "insufficient_storage"
            break
        assert answer.status_code == 201
        accepted += 1
    else:
        raise AssertionError("uploads beyond the free space were all accepted")
    assert accepted * announced <= free


def test_every_answer_says_nosniff_and_no_referrer(shared_server: ServerProcess) -> None:
    for path in ("/api/health", "/api/openapi.json", "/s/unknown-token", "/static/viewer.css"):
        answer = requests.get(shared_server.url + path, timeout=30)
        assert answer.headers["X-Content-Type-Options"] == "nosniff", path
        assert answer.headers["Referrer-Policy"] == "no-referrer", path
    assert requests.get(shared_server.url + "/api/docs", timeout=30).status_code == 404


def test_images_behind_a_password_are_not_stored(shared_server: ServerProcess) -> None:
    album_id, token = new_id(), new_token()
    shared_server.api("PUT", f"/api/albums/{album_id}", json={"title": "t"}).raise_for_status()
    photo_id = upload_photo(shared_server, album_id, photo_jpeg(seed=1), "a.jpg")
    link = {"album_id": album_id, "token": token, "password": "correct horse"}
    shared_server.api("PUT", f"/api/links/{new_id()}", json=link).raise_for_status()
    with requests.Session() as viewer:
        viewer.post(
            f"{shared_server.url}/s/{token}/unlock", data={"password": "correct horse"}, timeout=30
        )
        thumb = viewer.get(f"{shared_server.url}/s/{token}/photos/{photo_id}/thumb", timeout=30)
    assert thumb.status_code == 200
    assert thumb.headers["Cache-Control"] == "private, no-store"


def test_only_known_hosts_are_answered(shared_server: ServerProcess) -> None:
    evil = requests.get(
        shared_server.url + "/api/health", headers={"Host": "attacker.example"}, timeout=30
    )
    assert evil.status_code == 421
    for host in ("localhost", f"127.0.0.1:{shared_server.port}", f"[::1]:{shared_server.port}"):
        answer = requests.get(shared_server.url + "/api/health", headers={"Host": host}, timeout=30)
        assert answer.status_code == 200, host


def test_made_up_upload_ids_leave_no_lock_behind(tmp_path: Path) -> None:
    """In process, to look at the table itself: 200 PATCHes of ids nobody created."""
    from albumen_server.cli import create_token

    config = ServerConfig(data_dir=tmp_path)
    token = create_token(config, "owner")
    app = create_app(config)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        for _ in range(200):
            answer = client.patch(
                f"/api/uploads/{os.urandom(16).hex()}",
                content=b"x",
                headers={
                    **TUS,
                    "Authorization": f"Bearer {token}",
                    "Upload-Offset": "0",
                    "Content-Type": "application/offset+octet-stream",
                },
            )
            assert answer.status_code == 404
    assert app.state.uploads.locks == {}
