"""Upload helper for tests that need photos on the server: the project's own minimal tus calls."""

from __future__ import annotations

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
    response = server.api(
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
    assert response.status_code == 201, response.text
    return response.headers["Location"], photo_id


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
