"""Upload helpers for tests that need photos on the server: the project's own minimal tus calls,
and the web-size preview that makes a photo arriving before its original."""

from __future__ import annotations

import io
import random
from typing import Any

import requests
from PIL import Image

from tests.support import ServerProcess, new_id, sha256, tus_metadata

TUS = {"Tus-Resumable": "1.0.0"}


def create_upload(
    server: ServerProcess,
    album_id: str,
    data: bytes,
    filename: str,
    photo_id: str | None = None,
    *,
    announced_sha256: str | None = None,
) -> tuple[str, str]:
    photo_id = photo_id or new_id()
    response = ask_to_upload(
        server, album_id, data, filename, photo_id, announced_sha256=announced_sha256
    )
    assert response.status_code == 201, response.text
    return response.headers["Location"], photo_id


def ask_to_upload(
    server: ServerProcess,
    album_id: str,
    data: bytes,
    filename: str,
    photo_id: str,
    *,
    announced_sha256: str | None = None,
) -> requests.Response:
    """The tus creation of an upload of `data` (announced with its own SHA-256 unless told
    otherwise), whatever the server answers."""
    return server.api(
        "POST",
        "/api/uploads/",
        headers={
            **TUS,
            "Upload-Length": str(len(data)),
            "Upload-Metadata": tus_metadata(
                album_id=album_id,
                photo_id=photo_id,
                filename=filename,
                sha256=announced_sha256 or sha256(data),
                content_type="image/jpeg",
            ),
        },
    )


def upload_photo(
    server: ServerProcess, album_id: str, data: bytes, filename: str, photo_id: str | None = None
) -> str:
    location, photo_id = create_upload(server, album_id, data, filename, photo_id)
    response = server.http.patch(
        location,
        data=data,
        headers={
            **server.auth,
            **TUS,
            "Upload-Offset": "0",
            "Content-Type": "application/offset+octet-stream",
        },
        timeout=60,
    )
    assert response.status_code == 204, response.text
    return photo_id


RED = (220, 30, 30)


def web_jpeg(
    size: tuple[int, int] = (2048, 1536), colour: tuple[int, int, int] = RED, **save: Any
) -> bytes:
    """A preview as the client makes it: a JPEG of one colour, with a mark of its own in a
    corner so that no two previews (nor their blobs) are the same."""
    image = Image.new("RGB", size, colour)
    mark = random.Random(new_id()).randbytes(16 * 16 * 3)
    image.paste(Image.frombytes("RGB", (16, 16), mark), (0, 0))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, **save)
    return out.getvalue()


def put_preview(
    server: ServerProcess,
    photo_id: str,
    album_id: str,
    original: bytes,
    preview: bytes | None = None,
    **params: Any,
) -> requests.Response:
    query = {
        "album_id": album_id,
        "filename": "IMG_0001.JPG",
        "sha256": sha256(original),
        "size": len(original),
        "width": 4000,
        "height": 3000,
        "taken_at": "2026-06-01T10:20:30Z",
        **params,
    }
    return server.api(
        "PUT",
        f"/api/photos/{photo_id}/preview",
        params={key: value for key, value in query.items() if value is not None},
        data=web_jpeg() if preview is None else preview,
        headers={"Content-Type": "image/jpeg"},
    )
