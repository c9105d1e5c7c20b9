"""The Instant gallery, server side: a photo seen at once from its web-size preview (`arriving`),
complete when its original lands. Real server processes, real HTTP, SQLite and PostgreSQL."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import piexif
import pytest
import requests
from PIL import Image

from tests.postgres import PostgresCluster
from tests.s3 import S3Server
from tests.server.uploading import TUS, create_upload, put_preview, upload_photo, web_jpeg
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
    assert f"/s/{link.token}/photos/{photo_id}/original" not in gallery.text
    assert "Download all originals" not in gallery.text  # the zip of originals is not ready
    assert "1 full-resolution file is still on its way" in gallery.text
    assert f"/s/{link.token}/download?size=web" in gallery.text

    thumb = link.get(f"/photos/{photo_id}/thumb")
    assert thumb.status_code == 200
    assert thumb.headers["Content-Type"] == "image/jpeg"
    assert is_reddish(thumb.content)  # made from the preview
    with Image.open(io.BytesIO(thumb.content)) as image:
        assert max(image.size) == 400
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


# -- the original lands ---------------------------------------------------------------------------


def test_the_original_landing_makes_the_photo_complete_from_its_own_bytes(
    fresh_server: ServerProcess,
) -> None:
    server = fresh_server
    album_id, photo_id, original = album(server), new_id(), original_jpeg(BLUE)
    made = put_preview(server, photo_id, album_id, original, taken_at="2025-01-02T03:04:05Z")
    assert made.status_code == 201
    link = share(server, album_id, show_metadata=True, show_location=True)
    assert is_reddish(link.get(f"/photos/{photo_id}/thumb").content)
    blobs = server.data / "blobs"
    [preview_blob] = [path for path in blobs.rglob("*") if path.is_file()]
    cache = server.data / "cache"
    preview_thumb = cache / preview_blob.name[:2] / preview_blob.name / "thumb.jpg"
    assert preview_thumb.exists()

    upload_photo(server, album_id, original, "IMG_0001.JPG", photo_id)

    [photo] = photos_of(server, album_id)
    assert photo["state"] == "complete"
    assert photo["taken_at"].startswith("2026-06-01T10:20:30")  # the original's, not announced
    assert (photo["width"], photo["height"]) == (4000, 3000)
    back = server.api("GET", f"/api/photos/{photo_id}/original")
    assert back.status_code == 200 and back.content == original
    # The original's thumbnail, made by the server from it, now stands in the preview's place
    # (and is made ahead, by the background renderer).
    original_thumb = cache / sha256(original)[:2] / sha256(original) / "thumb.jpg"
    wait_until(original_thumb.exists, 60, "the original's thumbnail made ahead")
    thumb = link.get(f"/photos/{photo_id}/thumb")
    assert is_bluish(thumb.content)
    assert is_bluish(link.get(f"/photos/{photo_id}/preview").content)
    # The preview has gone, with the pictures made of it.
    assert not preview_blob.exists()
    assert not preview_thumb.exists()

    [item] = link.get("/photos.json").json()["photos"]
    assert item["original"] == f"/s/{link.token}/photos/{photo_id}/original"
    assert item["place"] == "Paris, France"  # the original's GPS
    assert link.get(f"/photos/{photo_id}/original").content == original
    facts = {fact["label"] for fact in link.get(f"/photos/{photo_id}.json").json()["facts"]}
    assert {"Taken", "Camera", "Place"} <= facts
    page = link.get(f"/photos/{photo_id}")
    assert "Download original" in page.text and "still on its way" not in page.text
    whole = link.get("/download")
    assert whole.status_code == 200
    with zipfile.ZipFile(io.BytesIO(whole.content)) as archive:
        assert archive.namelist() == ["IMG_0001.JPG"]


def test_another_file_for_an_arriving_photo_is_refused_and_it_stays_arriving(
    shared_server: ServerProcess,
) -> None:
    album_id, photo_id, original = album(shared_server), new_id(), original_jpeg()
    assert put_preview(shared_server, photo_id, album_id, original).status_code == 201
    other = photo_jpeg((800, 600), colour=(10, 200, 10))
    # Announced as other bytes: refused at creation.
    response = shared_server.api(
        "POST",
        "/api/uploads/",
        headers={
            **TUS,
            "Upload-Length": str(len(other)),
            "Upload-Metadata": ",".join(
                f"{key} {value}"
                for key, value in {
                    "album_id": _b64(album_id),
                    "photo_id": _b64(photo_id),
                    "filename": _b64("IMG_0001.JPG"),
                    "sha256": _b64(sha256(other)),
                }.items()
            ),
        },
    )
    assert response.status_code == 409
    assert "arriving" in response.json()["error"]["message"]
    # Announced right, but other bytes sent: 460, nothing kept.
    location, _ = create_upload(
        shared_server, album_id, other, "IMG_0001.JPG", photo_id, announced_sha256=sha256(original)
    )
    sent = shared_server.http.patch(
        location,
        data=other,
        headers={
            **shared_server.auth,
            **TUS,
            "Upload-Offset": "0",
            "Content-Type": "application/offset+octet-stream",
        },
        timeout=30,
    )
    assert sent.status_code == 460
    [photo] = photos_of(shared_server, album_id)
    assert photo["state"] == "arriving"
    assert shared_server.api("GET", f"/api/photos/{photo_id}/original").status_code == 409


def _b64(text: str) -> str:
    import base64

    return base64.b64encode(text.encode()).decode()


def test_the_same_file_arriving_in_two_albums_completes_in_both(
    shared_server: ServerProcess,
) -> None:
    first, second = album(shared_server), album(shared_server)
    original = original_jpeg()
    one, two = new_id(), new_id()
    assert put_preview(shared_server, one, first, original).status_code == 201
    assert put_preview(shared_server, two, second, original).status_code == 201
    upload_photo(shared_server, first, original, "IMG_0001.JPG", one)
    assert photos_of(shared_server, second)[0]["state"] == "complete"
    # Told again that the bytes are here (as a client that resumes would): nothing changes.
    again = shared_server.api(
        "PUT",
        f"/api/photos/{two}",
        json={"album_id": second, "filename": "IMG_0001.JPG", "sha256": sha256(original)},
    )
    assert again.status_code == 200 and again.json()["state"] == "complete"
    assert shared_server.api("GET", f"/api/photos/{two}/original").content == original
    # A preview of bytes the server holds makes a complete photo at once.
    third = new_id()
    made = put_preview(shared_server, third, second, original)
    assert made.status_code == 201 and made.json()["state"] == "complete"


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
        params={"album_id": album_id, "filename": "a.jpg", "sha256": sha256(b"x"), "size": 1},
        data=b"\xff\xd8\xff" + bytes(9 << 20),
        headers={"Content-Type": "image/jpeg"},  # no token: refused before authentication
        timeout=30,
    )
    assert huge.status_code == 413
    assert huge.json()["error"]["code"] == "too_large"


def test_albums_and_photos_of_another_owner_are_not_there(shared_server: ServerProcess) -> None:
    from tests.support import create_token

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


# -- a crash between the preview and the original ------------------------------------------------


def test_a_server_restarted_between_preview_and_original_keeps_the_photo_arriving(
    fresh_server: ServerProcess,
) -> None:
    server = fresh_server
    album_id, photo_id, original = album(server), new_id(), original_jpeg(BLUE)
    assert put_preview(server, photo_id, album_id, original).status_code == 201
    link = share(server, album_id)
    server.process.kill()  # no goodbye: as a power cut would
    server.process.wait()
    database = ("--database", server.database) if server.database else ()
    again = start_server(server.data, *database)
    try:
        link.server = again
        [photo] = photos_of(again, album_id)
        assert photo["state"] == "arriving"
        assert is_reddish(link.get(f"/photos/{photo_id}/thumb").content)
        assert link.get(f"/photos/{photo_id}/original").status_code == 409
        upload_photo(again, album_id, original, "IMG_0001.JPG", photo_id)
        assert photos_of(again, album_id)[0]["state"] == "complete"
        assert is_bluish(link.get(f"/photos/{photo_id}/thumb").content)
        assert again.api("GET", f"/api/photos/{photo_id}/original").content == original
    finally:
        again.stop()


def test_a_backup_keeps_an_arriving_photo_seen(tmp_path: Path) -> None:
    """`albumen-server backup` copies the previews arriving photos are seen from, too."""
    live = tmp_path / "live"
    live.mkdir()
    server = start_server(live)
    try:
        album_id, photo_id = album(server), new_id()
        assert put_preview(server, photo_id, album_id, original_jpeg()).status_code == 201
        link = share(server, album_id)
        copy = tmp_path / "copy"
        backup = subprocess.run(
            [sys.executable, "-m", "albumen_server.cli", "backup", "--data", str(live), str(copy)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert backup.returncode == 0, backup.stderr
    finally:
        server.stop()
    restored = start_server(copy)
    try:
        link.server = restored
        assert photos_of(restored, album_id)[0]["state"] == "arriving"
        assert is_reddish(link.get(f"/photos/{photo_id}/thumb").content)
    finally:
        restored.stop()


@pytest.mark.slow
def test_two_machines_on_s3_switch_from_the_preview_to_the_original_together(
    postgres: PostgresCluster, s3: S3Server, tmp_path: Path
) -> None:
    """Each process caches pictures on its own disk: one that showed the preview's thumbnail
    shows the original's once it lands through another, with nothing to tell it but the row."""
    database, bucket = postgres.create_database(), s3.new_bucket()
    servers = [
        start_server(
            tmp_path / f"machine-{index}",
            "--database",
            database,
            "--blobs",
            f"s3://{bucket}/albumen",
            env=s3.environment,
        )
        for index in range(2)
    ]
    try:
        one, two = servers
        album_id, photo_id, original = album(one), new_id(), original_jpeg(BLUE)
        assert put_preview(one, photo_id, album_id, original).status_code == 201
        link = share(one, album_id)
        link.server = two
        assert is_reddish(link.get(f"/photos/{photo_id}/thumb").content)
        keys = s3.client().list_objects_v2(Bucket=bucket)["Contents"]  # type: ignore[attr-defined]
        [preview_key] = [item["Key"] for item in keys]

        upload_photo(one, album_id, original, "IMG_0001.JPG", photo_id)
        assert is_bluish(link.get(f"/photos/{photo_id}/thumb").content)
        assert two.api("GET", f"/api/photos/{photo_id}/original").content == original
        keys = s3.client().list_objects_v2(Bucket=bucket)["Contents"]  # type: ignore[attr-defined]
        names = [item["Key"] for item in keys]
        assert preview_key not in names  # the preview went once the original landed
        assert any(name.endswith(sha256(original)) for name in names)
    finally:
        for server in servers:
            server.stop()
