"""Watermarked links (docs/DESIGN.md, "Watermarked links"): every picture such a link serves
carries the text, its originals are never offered, and the text is checked on the way in.
Real server, real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import zipfile

import requests
from PIL import Image, ImageChops, ImageStat

from tests.server.test_picks import _link
from tests.server.uploading import put_preview, upload_photo
from tests.support import ServerProcess, new_id, photo_jpeg

TEXT = "© Amélie Berg Photography"


def _album(server: ServerProcess, photos: int = 2) -> tuple[str, list[str]]:
    album_id = new_id()
    server.api("PUT", f"/api/albums/{album_id}", json={"title": "Proofs"}).raise_for_status()
    ids = [
        upload_photo(
            server, album_id, photo_jpeg((1200, 800), gps=False, seed=n), f"IMG_{n:04}.jpg"
        )
        for n in range(photos)
    ]
    return album_id, ids


def _picture(server: ServerProcess, token: str, photo_id: str, kind: str) -> Image.Image:
    answer = requests.get(f"{server.url}/s/{token}/photos/{photo_id}/{kind}", timeout=30)
    assert answer.status_code == 200, answer.text
    return Image.open(io.BytesIO(answer.content)).convert("L")


def _difference(plain: Image.Image, marked: Image.Image, box: tuple[float, ...]) -> float:
    """The mean difference of the two pictures inside `box` (fractions of the picture)."""
    width, height = plain.size
    left, top, right, bottom = box
    crop = (int(left * width), int(top * height), int(right * width), int(bottom * height))
    return ImageStat.Stat(ImageChops.difference(plain.crop(crop), marked.crop(crop))).mean[0]


def test_every_picture_of_a_watermarked_link_carries_the_text(
    shared_server: ServerProcess,
) -> None:
    album_id, (first, second) = _album(shared_server)
    _plain_id, plain_token = _link(shared_server, album_id, download="web")
    link_id, token = _link(shared_server, album_id, download="web", watermark=f"  {TEXT} ")
    link = shared_server.api("GET", f"/api/links/{link_id}").json()
    assert link["watermark"] == TEXT, "kept without the spaces around it"
    listed = shared_server.api("GET", f"/api/links?album_id={album_id}").json()["links"]
    assert sorted(str(each["watermark"]) for each in listed) == ["None", TEXT]

    for kind in ("small", "thumb", "preview"):
        plain = _picture(shared_server, plain_token, first, kind)
        marked = _picture(shared_server, token, first, kind)
        assert marked.size == plain.size, kind
        # The text runs across the middle; the corners are the same photo (but for the second
        # JPEG encoding's faint noise).
        middle = _difference(plain, marked, (0.3, 0.45, 0.7, 0.55))
        corner = _difference(plain, marked, (0.0, 0.8, 0.2, 1.0))
        assert middle > 8 * max(corner, 0.5), (kind, middle, corner)

    # The web download and the zip carry it too: no way around it on this link.
    preview = requests.get(f"{shared_server.url}/s/{token}/photos/{second}/preview", timeout=30)
    download = requests.get(
        f"{shared_server.url}/s/{token}/photos/{second}/preview?download=1", timeout=30
    )
    assert download.status_code == 200 and download.content == preview.content
    zipped = requests.get(f"{shared_server.url}/s/{token}/download?size=web", timeout=60)
    assert zipped.status_code == 200, zipped.text
    with zipfile.ZipFile(io.BytesIO(zipped.content)) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    assert entries["IMG_0001.jpg"] == preview.content
    plain_preview = requests.get(
        f"{shared_server.url}/s/{plain_token}/photos/{second}/preview", timeout=30
    )
    assert plain_preview.headers["ETag"] != preview.headers["ETag"]

    # Never the original, nor the large picture only a link of originals serves.
    for kind in ("original", "large"):
        answer = requests.get(f"{shared_server.url}/s/{token}/photos/{first}/{kind}", timeout=30)
        assert answer.status_code == 403, (kind, answer.text)
    refused = requests.get(f"{shared_server.url}/s/{token}/download?size=original", timeout=30)
    assert refused.status_code == 403


def test_a_new_or_removed_watermark_shows_on_the_next_picture(
    shared_server: ServerProcess,
) -> None:
    album_id, (photo_id,) = _album(shared_server, photos=1)
    link_id, token = _link(shared_server, album_id, download="none", watermark="PROOF")
    body = {"album_id": album_id, "token": token, "download": "none"}
    first = requests.get(f"{shared_server.url}/s/{token}/photos/{photo_id}/thumb", timeout=30)

    edited = shared_server.api("PUT", f"/api/links/{link_id}", json={**body, "watermark": TEXT})
    assert edited.status_code == 200 and edited.json()["watermark"] == TEXT
    second = requests.get(f"{shared_server.url}/s/{token}/photos/{photo_id}/thumb", timeout=30)
    assert second.content != first.content

    removed = shared_server.api("PUT", f"/api/links/{link_id}", json=body)
    assert removed.json()["watermark"] is None, "left out, as every right: none"
    blank = shared_server.api("PUT", f"/api/links/{link_id}", json={**body, "watermark": "  "})
    assert blank.status_code == 200 and blank.json()["watermark"] is None
    _other, plain_token = _link(shared_server, album_id)
    plain = requests.get(f"{shared_server.url}/s/{plain_token}/photos/{photo_id}/thumb", timeout=30)
    third = requests.get(f"{shared_server.url}/s/{token}/photos/{photo_id}/thumb", timeout=30)
    assert third.content == plain.content


def test_an_arriving_photo_is_watermarked_too(shared_server: ServerProcess) -> None:
    album_id, _ids = _album(shared_server, photos=0)
    photo_id = new_id()
    original = photo_jpeg((1200, 800), seed=7)
    assert put_preview(shared_server, photo_id, album_id, original).status_code == 201
    _plain_id, plain_token = _link(shared_server, album_id)
    _marked_id, token = _link(shared_server, album_id, watermark=TEXT)
    plain = _picture(shared_server, plain_token, photo_id, "preview")
    marked = _picture(shared_server, token, photo_id, "preview")
    assert _difference(plain, marked, (0.3, 0.45, 0.7, 0.55)) > 4


def test_a_watermark_is_checked_on_the_way_in(shared_server: ServerProcess) -> None:
    album_id, _ids = _album(shared_server, photos=0)
    link_id, token = _link(shared_server, album_id)
    body = {"album_id": album_id, "token": token}
    refusals = {
        "x" * 61: "watermark: is 61 characters long; at most 60",
        "Anna\nBerg": "watermark: must be one line of text, without control characters",
        "東京 Photo": "watermark: has '東', which the watermark's font cannot draw",
    }
    for text, message in refusals.items():
        answer = shared_server.api("PUT", f"/api/links/{link_id}", json={**body, "watermark": text})
        assert answer.status_code == 422, (text, answer.text)
        assert answer.json()["error"]["message"] == message
    originals = shared_server.api(
        "PUT",
        f"/api/links/{link_id}",
        json={**body, "watermark": TEXT, "download": "original"},
    )
    assert originals.status_code == 422
    assert originals.json()["error"]["message"] == (
        'watermark: a watermarked link offers no originals; choose download "web" or "none"'
    )
    assert shared_server.api("GET", f"/api/links/{link_id}").json()["watermark"] is None
