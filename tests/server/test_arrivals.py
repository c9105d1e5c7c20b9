"""The Instant gallery, server side: a photo seen at once from its web-size preview (`arriving`),
what viewers get of it, and the previews refused. Real server processes, real HTTP, SQLite and
PostgreSQL. The original's landing is in test_arrivals_landing.py."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import piexif
import requests
from PIL import Image

from tests.server.arriving import (
    BLUE,
    album,
    is_bluish,
    is_reddish,
    mean_colour,
    original_jpeg,
    photos_of,
    share,
)
from tests.server.uploading import put_preview, upload_photo, web_jpeg
from tests.support import ServerProcess, create_token, new_id, photo_jpeg, sha256

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


def test_viewers_see_an_arriving_photo_at_once_and_its_original_is_on_its_way(
    shared_server: ServerProcess,
) -> None:
    album_id, photo_id, original = album(shared_server), new_id(), original_jpeg()
    assert put_preview(shared_server, photo_id, album_id, original).status_code == 201
    link = share(shared_server, album_id, show_metadata=True, show_location=True)

    gallery = link.get("")
    assert gallery.status_code == 200
    assert f"/s/{link.token}/photos/{photo_id}/thumb" in gallery.text
    assert 'data-arriving="yes"' in gallery.text
    assert "data-large" not in gallery.text  # the server has only the preview's pixels yet
    assert f"/s/{link.token}/photos/{photo_id}/original" not in gallery.text
    assert "Download all originals" not in gallery.text  # the zip of originals is not ready
    assert "1 full-resolution file is still on its way" in gallery.text
    assert f"/s/{link.token}/download?size=web" in gallery.text

    thumb = link.get(f"/photos/{photo_id}/thumb")
    assert thumb.status_code == 200
    assert thumb.headers["Content-Type"] == "image/jpeg"
    assert is_reddish(thumb.content)  # made from the preview
    with Image.open(io.BytesIO(thumb.content)) as image:
        assert image.height == 480  # the gallery's thumbnail height
    preview = link.get(f"/photos/{photo_id}/preview")
    assert preview.status_code == 200 and is_reddish(preview.content)

    [item] = link.get("/photos.json").json()["photos"]
    assert item["original"] == "arriving"
    assert (item["width"], item["height"]) == (4000, 3000)  # the client's, not the preview's
    assert item["taken_at"].startswith("2026-06-01T10:20:30")
    assert item["latitude"] is None and item["place"] is None  # no place until the original

    page = link.get(f"/photos/{photo_id}")
    assert page.status_code == 200
    assert "The full-resolution file is still on its way" in page.text
    assert "Download original" not in page.text
    facts = link.get(f"/photos/{photo_id}.json").json()
    assert facts["original"] == "arriving"
    assert facts["facts"] == [{"label": "Taken", "value": "1 June 2026, 10:20"}]

    # The original itself, and a zip of originals, answer 409 `arriving`; kindly to a browser.
    refused = link.get(f"/photos/{photo_id}/original")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "arriving"
    kind = link.get(f"/photos/{photo_id}/original", headers={"Accept": "text/html"})
    assert kind.status_code == 409
    assert kind.headers["Content-Type"].startswith("text/html")
    assert "The full-resolution file is still on its way" in kind.text
    assert "Content-Security-Policy" in kind.headers
    whole = link.get("/download")
    assert whole.status_code == 409
    assert whole.json()["error"]["code"] == "arriving"
    assert "1 full-resolution file is still on its way" in whole.json()["error"]["message"]
    web = link.get("/download?size=web")
    assert web.status_code == 200
    with zipfile.ZipFile(io.BytesIO(web.content)) as archive:
        [name] = archive.namelist()
        assert name == "IMG_0001.jpg"
        assert is_reddish(archive.read(name))


def test_nothing_the_client_left_in_the_preview_reaches_a_viewer(
    shared_server: ServerProcess,
) -> None:
    """A preview with camera, GPS and a comment: a link that shows everything shows none of it,
    only what the client announced."""
    exif = piexif.dump(
        {
            "0th": {piexif.ImageIFD.Make: b"Leica", piexif.ImageIFD.Model: b"M11"},
            "Exif": {piexif.ExifIFD.BodySerialNumber: b"SN-SECRET"},
            "GPS": {
                piexif.GPSIFD.GPSLatitudeRef: b"N",
                piexif.GPSIFD.GPSLatitude: ((48, 1), (51, 1), (30, 1)),
                piexif.GPSIFD.GPSLongitudeRef: b"E",
                piexif.GPSIFD.GPSLongitude: ((2, 1), (17, 1), (40, 1)),
            },
            "1st": {},
        }
    )
    leaky = web_jpeg((1600, 1200), exif=exif, comment=b"at home, Rue Secret 5")
    album_id, photo_id = album(shared_server), new_id()
    made = put_preview(shared_server, photo_id, album_id, original_jpeg(), leaky, taken_at=None)
    assert made.status_code == 201, made.text
    link = share(shared_server, album_id, show_metadata=True, show_location=True)
    for kind in ("thumb", "preview"):
        picture = link.get(f"/photos/{photo_id}/{kind}").content
        assert b"Leica" not in picture and b"SN-SECRET" not in picture
        assert b"Rue Secret" not in picture
        with Image.open(io.BytesIO(picture)) as image:
            assert "exif" not in image.info
    facts = link.get(f"/photos/{photo_id}.json").json()
    assert facts["facts"] == []
    assert facts["latitude"] is None
    assert link.get("/photos.json").json().get("places") == []


# -- repeats and refusals -------------------------------------------------------------------------


def test_a_preview_sent_again_is_fine_and_a_complete_photo_stays_as_it_is(
    shared_server: ServerProcess,
) -> None:
    album_id, photo_id, original = album(shared_server), new_id(), original_jpeg(BLUE)
    preview = web_jpeg()
    assert put_preview(shared_server, photo_id, album_id, original, preview).status_code == 201
    repeat = put_preview(shared_server, photo_id, album_id, original, preview)
    assert repeat.status_code == 200 and repeat.json()["state"] == "arriving"
    assert len(photos_of(shared_server, album_id)) == 1
    # A new preview (after a crash, made again) replaces the one before.
    green = put_preview(shared_server, photo_id, album_id, original, web_jpeg(colour=(20, 200, 20)))
    assert green.status_code == 200
    link = share(shared_server, album_id)
    _red, green_level, _blue = mean_colour(link.get(f"/photos/{photo_id}/thumb").content)
    assert green_level > 150
    # The same id with other bytes or in another album is a conflict.
    other = put_preview(shared_server, photo_id, album_id, photo_jpeg((300, 200)))
    assert other.status_code == 409
    elsewhere = put_preview(shared_server, photo_id, album(shared_server), original)
    assert elsewhere.status_code == 409

    upload_photo(shared_server, album_id, original, "IMG_0001.JPG", photo_id)
    late = put_preview(shared_server, photo_id, album_id, original, web_jpeg(), width=10, height=10)
    assert late.status_code == 200
    assert late.json()["state"] == "complete"
    assert (late.json()["width"], late.json()["height"]) == (4000, 3000)
    assert is_bluish(link.get(f"/photos/{photo_id}/thumb").content)
    # Even a body that is no JPEG: the photo is complete, nothing to take from it.
    assert put_preview(shared_server, photo_id, album_id, original, b"late").status_code == 200


def test_previews_that_are_not_what_the_contract_says_are_refused_clearly(
    shared_server: ServerProcess,
) -> None:
    album_id, original = album(shared_server), original_jpeg()

    def refused(preview: bytes, **params: Any) -> tuple[int, str, str]:
        response = put_preview(shared_server, new_id(), album_id, original, preview, **params)
        error = response.json()["error"]
        return response.status_code, error["code"], error["message"]

    png = io.BytesIO()
    Image.new("RGB", (100, 100)).save(png, "PNG")
    status, code, message = refused(png.getvalue(), filename="IMG_0042.JPG")
    assert (status, code) == (415, "not_jpeg")
    assert "IMG_0042.JPG" in message and "PNG" in message
    assert refused(b"hello, not a picture")[:2] == (415, "not_jpeg")
    assert refused(b"")[:2] == (415, "not_jpeg")
    status, code, message = refused(web_jpeg((3000, 2000)))
    assert (status, code) == (422, "preview_too_large")
    assert "3000x2000" in message and "2048" in message
    whole = web_jpeg((1024, 768))
    assert refused(whole[: len(whole) // 2])[:2] == (422, "unreadable_preview")
    assert refused(whole, filename="../../etc/passwd")[:2] == (400, "invalid_filename")
    assert refused(whole, sha256="abc")[0] == 422
    assert refused(whole, width=0)[0] == 422
    # Nothing of those was kept.
    assert photos_of(shared_server, album_id) == []

    huge = requests.put(
        f"{shared_server.url}/api/photos/{new_id()}/preview",
        params={"album_id": album_id, "filename": "a.jpg", "sha256": sha256(b"x"), "size": "1"},
        data=b"\xff\xd8\xff" + bytes(9 << 20),
        headers={"Content-Type": "image/jpeg"},  # no token: refused before authentication
        timeout=30,
    )
    assert huge.status_code == 413
    assert huge.json()["error"]["code"] == "too_large"


def test_albums_and_photos_of_another_owner_are_not_there(shared_server: ServerProcess) -> None:
    album_id, photo_id, original = album(shared_server), new_id(), original_jpeg()
    assert put_preview(shared_server, photo_id, album_id, original).status_code == 201
    stranger = create_token(shared_server.data, "stranger", database=shared_server.database)
    theirs = ServerProcess(
        shared_server.data, shared_server.port, stranger, shared_server.process
    )  # the same server, another owner's token
    their_album = album(theirs)
    taken = put_preview(theirs, photo_id, their_album, original)
    assert taken.status_code == 404
    assert taken.json()["error"]["code"] == "not_found"
    assert put_preview(theirs, new_id(), album_id, original).status_code == 404  # not theirs
    assert put_preview(shared_server, new_id(), new_id(), original).status_code == 404
    assert theirs.api("GET", f"/api/photos/{photo_id}/original").status_code == 404
    [photo] = photos_of(shared_server, album_id)
    assert photo["state"] == "arriving"


def test_deleting_an_arriving_photo_drops_its_preview(fresh_server: ServerProcess) -> None:
    album_id, photo_id = album(fresh_server), new_id()
    assert put_preview(fresh_server, photo_id, album_id, original_jpeg()).status_code == 201
    blobs = [path for path in (fresh_server.data / "blobs").rglob("*") if path.is_file()]
    assert len(blobs) == 1
    assert fresh_server.api("DELETE", f"/api/photos/{photo_id}").status_code == 204
    assert not blobs[0].exists()
