"""How the gallery leaves the server: its first screen of thumbnails asked for at once, the page
streamed as it renders, the page and photos.json gzipped for clients that take it."""

from __future__ import annotations

import gzip
import re

import pytest
import requests

from albumen_server.viewer_model import FIRST_SCREEN
from albumen_server.viewer_wire import FIRST_PIECE, accepts_gzip
from tests.server.uploading import upload_photo
from tests.support import ServerProcess, new_id, new_token, photo_jpeg

PHOTOS = FIRST_SCREEN + 3


@pytest.fixture(scope="module")
def album(shared_server: ServerProcess) -> tuple[str, list[str]]:
    """A link to an album of PHOTOS photos, and their ids in album (upload) order."""
    album_id, token = new_id(), new_token()
    shared_server.api("PUT", f"/api/albums/{album_id}", json={"title": "Wire"}).raise_for_status()
    small = photo_jpeg((64, 48))
    ids = [
        upload_photo(shared_server, album_id, small + new_id().encode(), f"IMG_{n:04d}.JPG")
        for n in range(PHOTOS)
    ]
    shared_server.api(
        "PUT", f"/api/links/{new_id()}", json={"album_id": album_id, "token": token}
    ).raise_for_status()
    return token, ids


def _get(server: ServerProcess, path: str, encoding: str) -> requests.Response:
    return requests.get(
        server.url + path, headers={"Accept-Encoding": encoding}, timeout=30, stream=True
    )


def test_the_first_screen_of_thumbnails_is_asked_for_at_once(
    shared_server: ServerProcess, album: tuple[str, list[str]]
) -> None:
    token, ids = album
    page = _get(shared_server, f"/s/{token}", "identity").text
    grid = page[page.index('<section id="photos"') : page.index("</section>")]
    images = re.findall(r"<img [^>]*>", grid)
    assert len(images) == PHOTOS
    for index, (image, photo_id) in enumerate(zip(images, ids, strict=True)):
        assert f"/photos/{photo_id}/thumb" in image
        if index < FIRST_SCREEN:
            assert 'fetchpriority="high"' in image and "loading=" not in image, image
        else:
            assert 'loading="lazy"' in image and "fetchpriority" not in image, image


def test_the_gallery_streams_its_head_and_first_thumbnails_first(
    shared_server: ServerProcess, album: tuple[str, list[str]]
) -> None:
    token, ids = album
    response = _get(shared_server, f"/s/{token}", "identity")
    assert response.status_code == 200
    assert "Content-Length" not in response.headers  # sent as rendered
    first, *rest = response.iter_content(chunk_size=None)
    assert rest, "one piece: nothing was streamed"
    assert FIRST_PIECE <= len(first) < len(b"".join([first, *rest]))
    assert b'rel="stylesheet" href="/static/viewer.css"' in first
    assert f"/photos/{ids[0]}/thumb".encode() in first
    assert f"/photos/{ids[-1]}/thumb".encode() not in first


@pytest.mark.parametrize("path", ["", "/photos.json"], ids=["gallery", "photos.json"])
def test_the_gallery_and_its_listing_are_gzipped_for_clients_that_take_them(
    shared_server: ServerProcess, album: tuple[str, list[str]], path: str
) -> None:
    token, ids = album
    plain = _get(shared_server, f"/s/{token}{path}", "identity")
    assert "Content-Encoding" not in plain.headers
    packed = _get(shared_server, f"/s/{token}{path}", "br, gzip;q=0.8")
    assert packed.headers["Content-Encoding"] == "gzip"
    for response in (plain, packed):
        assert response.headers["Vary"] == "Accept-Encoding"
    wire = packed.raw.read(decode_content=False)
    assert gzip.decompress(wire) == plain.content
    assert len(wire) * 3 < len(plain.content)
    assert all(photo_id.encode() in plain.content for photo_id in ids)
    refused = _get(shared_server, f"/s/{token}{path}", "gzip;q=0, identity")
    assert "Content-Encoding" not in refused.headers


@pytest.mark.parametrize(
    ("header", "gzip_ok"),
    [
        ("gzip, deflate, br, zstd", True),
        ("GZIP", True),
        ("br;q=1.0, gzip;q=0.5", True),
        ("*", True),
        ("", False),
        ("identity", False),
        ("br", False),
        ("gzip;q=0", False),
        ("gzip; q=0.0, *", False),
        ("*;q=0, gzip", True),
        ("gzip;q=x", False),
    ],
)
def test_accept_encoding_is_read_as_the_standard_says(header: str, gzip_ok: bool) -> None:
    assert accepts_gzip(header) is gzip_ok
