"""tus creation over real HTTP: a photo sent with its creation (creation-with-upload) takes one
request, and a creation asked again for an unfinished upload answers that upload, so a client
that lost the first answer goes on where its bytes stopped."""

from __future__ import annotations

import base64
import hashlib
import os
import socket

import requests

from tests.server.uploading import TUS
from tests.support import ServerProcess, new_id, photo_jpeg, sha256, tus_metadata, wait_until

OFFSET_TYPE = "application/offset+octet-stream"


def _album(server: ServerProcess) -> str:
    album_id = new_id()
    server.api("PUT", f"/api/albums/{album_id}", json={"title": "Creations"}).raise_for_status()
    return album_id


def _creation_headers(album_id: str, photo_id: str, data: bytes) -> dict[str, str]:
    return {
        **TUS,
        "Upload-Length": str(len(data)),
        "Upload-Metadata": tus_metadata(
            album_id=album_id, photo_id=photo_id, filename="one.jpg", sha256=sha256(data)
        ),
    }


def _create(
    server: ServerProcess,
    album_id: str,
    photo_id: str,
    data: bytes,
    body: bytes | None = None,
    **headers: str,
) -> requests.Response:
    extra = {"Content-Type": OFFSET_TYPE} if body is not None else {}
    return server.api(
        "POST",
        "/api/uploads/",
        data=body,
        headers={**_creation_headers(album_id, photo_id, data), **extra, **headers},
    )


def _offset(server: ServerProcess, location: str) -> int:
    head = server.http.head(location, headers={**server.auth, **TUS}, timeout=10)
    return int(head.headers["Upload-Offset"])


def _original(server: ServerProcess, photo_id: str) -> requests.Response:
    return server.api("GET", f"/api/photos/{photo_id}/original")


def test_a_photo_sent_with_its_creation_takes_one_request(shared_server: ServerProcess) -> None:
    album_id, photo_id = _album(shared_server), new_id()
    data = photo_jpeg(seed=31)
    created = _create(shared_server, album_id, photo_id, data, body=data)
    assert created.status_code == 201, created.text
    assert created.headers["Upload-Offset"] == str(len(data))
    assert _original(shared_server, photo_id).content == data  # the photo exists already
    assert _offset(shared_server, created.headers["Location"]) == len(data)


def test_a_creations_body_is_checked_against_its_checksum(shared_server: ServerProcess) -> None:
    album_id, photo_id = _album(shared_server), new_id()
    data = photo_jpeg(seed=32)
    wrong = base64.b64encode(hashlib.sha256(b"other bytes").digest()).decode()
    refused = _create(
        shared_server, album_id, photo_id, data, body=data, **{"Upload-Checksum": f"sha256 {wrong}"}
    )
    assert refused.status_code == 460, refused.text
    location = refused.headers["Location"]  # the upload exists: nothing of the body was kept
    assert _offset(shared_server, location) == 0
    assert _original(shared_server, photo_id).status_code == 404
    right = base64.b64encode(hashlib.sha256(data).digest()).decode()
    again = shared_server.http.patch(
        location,
        data=data,
        headers={
            **shared_server.auth,
            **TUS,
            "Content-Type": OFFSET_TYPE,
            "Upload-Offset": "0",
            "Upload-Checksum": f"sha256 {right}",
        },
        timeout=30,
    )
    assert again.status_code == 204
    assert _original(shared_server, photo_id).content == data


def test_a_creation_asked_again_answers_the_unfinished_upload(
    shared_server: ServerProcess,
) -> None:
    """The first creation's body was cut after some bytes (the client never heard its answer):
    asked again, the server answers the same upload and where it ends, and a creation that
    brings the bytes from 0 again is told where to go on from instead of starting another."""
    album_id, photo_id = _album(shared_server), new_id()
    data = os.urandom(2 * 1024 * 1024)
    headers = _creation_headers(album_id, photo_id, data)
    sent = 1024 * 1024 + 77
    with socket.create_connection(("127.0.0.1", shared_server.port)) as sock:
        request = "".join(
            f"{name}: {value}\r\n"
            for name, value in {
                **headers,
                "Host": "127.0.0.1",
                "Authorization": f"Bearer {shared_server.token}",
                "Content-Type": OFFSET_TYPE,
                "Content-Length": str(len(data)),
            }.items()
        )
        sock.sendall(f"POST /api/uploads/ HTTP/1.1\r\n{request}\r\n".encode() + data[:sent])
    plain: list[requests.Response] = []

    def asked_again() -> bool:
        """The cut request's bytes are in and its writer is gone (an empty PATCH at the end
        gets the upload's lock: 423 while the cut request still holds it)."""
        plain[:] = [_create(shared_server, album_id, photo_id, data)]
        if plain[0].headers.get("Upload-Offset") != str(sent):
            return False
        empty = shared_server.http.patch(
            plain[0].headers["Location"],
            data=b"",
            headers={
                **shared_server.auth,
                **TUS,
                "Content-Type": OFFSET_TYPE,
                "Upload-Offset": str(sent),
            },
            timeout=30,
        )
        return empty.status_code == 204

    wait_until(asked_again, what="the cut creation's bytes to be kept and its upload answered")
    location = plain[0].headers["Location"]
    assert plain[0].status_code == 201
    with_body = _create(shared_server, album_id, photo_id, data, body=data)
    assert with_body.status_code == 409, with_body.text
    assert with_body.headers["Location"] == location
    assert with_body.headers["Upload-Offset"] == str(sent)
    done = shared_server.http.patch(
        location,
        data=data[sent:],
        headers={
            **shared_server.auth,
            **TUS,
            "Content-Type": OFFSET_TYPE,
            "Upload-Offset": str(sent),
        },
        timeout=30,
    )
    assert done.status_code == 204
    assert _original(shared_server, photo_id).content == data
    # Once the photo exists, a creation starts a new upload again (sending the same photo twice
    # stays harmless, see test_tus.py).
    fresh = _create(shared_server, album_id, photo_id, data)
    assert fresh.status_code == 201 and fresh.headers["Location"] != location
