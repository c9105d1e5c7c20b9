"""The Instant gallery, server side: a photo seen at once from its web-size preview (`arriving`),
complete when its original lands. Real server processes, real HTTP, SQLite and PostgreSQL."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Any

import piexif
import pytest
import requests
from PIL import Image

from tests.server.uploading import TUS, create_upload, upload_photo
from tests.support import (
    ServerProcess,
    new_id,
    new_token,
    photo_jpeg,
    sha256,
    start_server,
    wait_until,
)

RED, BLUE = (220, 30, 30), (30, 40, 220)


def web_jpeg(
    size: tuple[int, int] = (2048, 1536), colour: tuple[int, int, int] = RED, **save: Any
) -> bytes:
    """A preview as the client makes it: a plain JPEG of one colour."""
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG", quality=85, **save)
    return out.getvalue()


def original_jpeg(colour: tuple[int, int, int] = BLUE) -> bytes:
    """An original of another colour than its preview, so a thumbnail tells which it came from."""
    return photo_jpeg((4000, 3000), colour=colour)


def mean_colour(jpeg: bytes) -> tuple[int, ...]:
    with Image.open(io.BytesIO(jpeg)) as image:
        small = image.convert("RGB").resize((1, 1), Image.Resampling.BOX)
        return tuple(small.getpixel((0, 0)))  # type: ignore[arg-type]


def is_reddish(jpeg: bytes) -> bool:
    red, _green, blue = mean_colour(jpeg)
    return red > 150 and blue < 100


def is_bluish(jpeg: bytes) -> bool:
    red, _green, blue = mean_colour(jpeg)
    return blue > 150 and red < 100


@dataclass
class Shared:
    server: ServerProcess
    album_id: str
    token: str
    link_id: str

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return requests.get(
            f"{self.server.url}/s/{self.token}{path}", timeout=30, allow_redirects=False, **kwargs
        )


def album(server: ServerProcess, title: str = "Arriving") -> str:
    album_id = new_id()
    server.api("PUT", f"/api/albums/{album_id}", json={"title": title}).raise_for_status()
    return album_id


def share(server: ServerProcess, album_id: str, **link: Any) -> Shared:
    link_id, token = new_id(), new_token()
    body = {"album_id": album_id, "token": token, "download": "original", **link}
    server.api("PUT", f"/api/links/{link_id}", json=body).raise_for_status()
    return Shared(server, album_id, token, link_id)


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


def photos_of(server: ServerProcess, album_id: str) -> list[dict[str, Any]]:
    response = server.api("GET", f"/api/albums/{album_id}")
    assert response.status_code == 200, response.text
    return list(response.json()["photos"])


# -- a photo arrives ------------------------------------------------------------------------------


def test_a_preview_makes_the_photo_arriving_for_the_owner(shared_server: ServerProcess) -> None:
    album_id, photo_id, original = album(shared_server), new_id(), original_jpeg()
    made = put_preview(shared_server, photo_id, album_id, original)
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["state"] == "arriving"
    assert body["sha256"] == sha256(original)
    assert (body["width"], body["height"], body["size"]) == (4000, 3000, len(original))
    assert body["taken_at"].startswith("2026-06-01T10:20:30")
    [listed] = photos_of(shared_server, album_id)
    assert (listed["id"], listed["state"]) == (photo_id, "arriving")
    # Its bytes are not on the server: the client must still send them.
    check = shared_server.api("POST", "/api/photos/check", json={"sha256": [sha256(original)]})
    assert check.json()["present"] == []
    owner_original = shared_server.api("GET", f"/api/photos/{photo_id}/original")
    assert owner_original.status_code == 409
    assert owner_original.json()["error"]["code"] == "arriving"
