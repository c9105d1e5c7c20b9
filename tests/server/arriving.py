"""What the tests of arriving photos share: an album and a link to look through, originals of a
colour their previews do not have, and telling the two apart by a picture's colour."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import requests
from PIL import Image

from tests.support import ServerProcess, new_id, new_token, photo_jpeg

RED, BLUE = (220, 30, 30), (30, 40, 220)


def original_jpeg(colour: tuple[int, int, int] = BLUE) -> bytes:
    """An original of another colour than its preview, so a thumbnail tells which it came from;
    bytes of its own (after the JPEG's end), so no other test's upload holds them already."""
    return photo_jpeg((4000, 3000), colour=colour) + new_id().encode()


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


def photos_of(server: ServerProcess, album_id: str) -> list[dict[str, Any]]:
    response = server.api("GET", f"/api/albums/{album_id}")
    assert response.status_code == 200, response.text
    return list(response.json()["photos"])
