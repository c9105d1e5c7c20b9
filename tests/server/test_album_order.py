"""The owner's order of an album's photos and its cover, over real HTTP: the owner API and every
viewer route that lists photos follow the one order (see photos.ALBUM_ORDER)."""

from __future__ import annotations

import io
import re
import time
import zipfile
from datetime import UTC, datetime, timedelta
from typing import Any

import piexif
from sqlalchemy import insert

from albumen_server.database import Database
from albumen_server.models import Photo
from tests.server.uploading import upload_photo
from tests.support import ServerProcess, new_id, new_token, photo_jpeg, sha256


def _dated(seed: int, taken: str) -> bytes:
    """A test photo whose EXIF says it was taken at `taken` ("YYYY:MM:DD HH:MM:SS")."""
    data = photo_jpeg((160, 120), seed=seed)
    exif = piexif.load(data)
    exif["Exif"][piexif.ExifIFD.DateTimeOriginal] = taken.encode()
    out = io.BytesIO()
    piexif.insert(piexif.dump(exif), data, out)
    return out.getvalue()


def _put_album(server: ServerProcess, album_id: str, **fields: Any) -> dict[str, Any]:
    response = server.api("PUT", f"/api/albums/{album_id}", json={"title": "Order", **fields})
    assert response.status_code in (200, 201), response.text
    body: dict[str, Any] = response.json()
    return body


def _owner_order(server: ServerProcess, album_id: str) -> list[str]:
    album = server.api("GET", f"/api/albums/{album_id}").json()
    listed = server.api("GET", f"/api/albums/{album_id}/photos").json()["photos"]
    assert [p["id"] for p in listed] == [p["id"] for p in album["photos"]]
    return [p["id"] for p in album["photos"]]


def _viewer_order(server: ServerProcess, token: str) -> list[str]:
    """The order every viewer route shows, checked to agree between them."""
    get = server.http.get
    page = get(f"{server.url}/s/{token}", timeout=30)
    assert page.status_code == 200
    in_gallery = re.findall(r'<li class="r\d+" id="p-([0-9a-f-]{36})"', page.text)
    in_json = [
        p["id"] for p in get(f"{server.url}/s/{token}/photos.json", timeout=30).json()["photos"]
    ]
    assert in_gallery == in_json
    for index, photo_id in enumerate(in_json):
        facts = get(f"{server.url}/s/{token}/photos/{photo_id}.json", timeout=30).json()
        assert (facts["position"], facts["photo_count"]) == (index + 1, len(in_json))
        one = get(f"{server.url}/s/{token}/photos/{photo_id}", timeout=30).text
        assert f"{index + 1} of {len(in_json)}" in one
        if index + 1 < len(in_json):
            assert f'rel="next" href="/s/{token}/photos/{in_json[index + 1]}"' in one
        if index > 0:
            assert f'rel="prev" href="/s/{token}/photos/{in_json[index - 1]}"' in one
    return in_json


def _zip_names(server: ServerProcess, token: str) -> list[str]:
    response = server.http.get(f"{server.url}/s/{token}/download", timeout=60)
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(response.content)).namelist()


def test_owner_order_is_followed_everywhere_and_later_photos_come_after(
    shared_server: ServerProcess,
) -> None:
    album_id, token = new_id(), new_token()
    _put_album(shared_server, album_id)
    same_time = "2026:06:01 10:20:30"
    a, b, c = (
        upload_photo(shared_server, album_id, _dated(40 + i, same_time), f"{name}.JPG")
        for i, name in enumerate("ABC")
    )
    link = {"album_id": album_id, "token": token, "download": "web"}
    assert shared_server.api("PUT", f"/api/links/{new_id()}", json=link).status_code == 201
    assert _owner_order(shared_server, album_id) == [a, b, c]  # no order yet: upload order

    ordered = _put_album(shared_server, album_id, photo_order=[c, a, b])
    assert _owner_order(shared_server, album_id) == [c, a, b]
    assert _viewer_order(shared_server, token) == [c, a, b]
    assert _zip_names(shared_server, token) == ["C.jpg", "A.jpg", "B.jpg"]
    again = _put_album(shared_server, album_id, photo_order=[c, a, b])
    assert again["updated_at"] == ordered["updated_at"]  # nothing moved: nothing changed

    # Uploaded after the order was set: after the placed ones, by capture time (E before D).
    d = upload_photo(shared_server, album_id, _dated(50, "2026:06:03 08:00:00"), "D.JPG")
    e = upload_photo(shared_server, album_id, _dated(51, "2026:05:01 08:00:00"), "E.JPG")
    assert _owner_order(shared_server, album_id) == [c, a, b, e, d]
    assert _viewer_order(shared_server, token) == [c, a, b, e, d]
    assert _zip_names(shared_server, token) == ["C.jpg", "A.jpg", "B.jpg", "E.jpg", "D.jpg"]

    # Left out (as an older client sends it): the order stays.
    renamed = _put_album(shared_server, album_id, title="Renamed")
    assert renamed["title"] == "Renamed"
    assert _owner_order(shared_server, album_id) == [c, a, b, e, d]

    # Ids of no photo of this album are ignored, a repeated id counts once, unlisted ones follow.
    elsewhere = new_id()
    _put_album(shared_server, elsewhere)
    foreign = upload_photo(shared_server, elsewhere, _dated(52, same_time), "F.JPG")
    _put_album(shared_server, album_id, photo_order=[new_id(), d, foreign, b, d])
    assert _owner_order(shared_server, album_id) == [d, b, e, a, c]
    assert _owner_order(shared_server, elsewhere) == [foreign]

    # null clears it: back to capture time, then upload order.
    cleared = _put_album(shared_server, album_id, photo_order=None)
    assert cleared["updated_at"] > renamed["updated_at"]
    assert _viewer_order(shared_server, token) == [e, a, b, c, d]


def test_cover_is_set_kept_cleared_and_must_be_a_photo_of_the_album(
    shared_server: ServerProcess,
) -> None:
    album_id, other_id = new_id(), new_id()
    assert _put_album(shared_server, album_id)["cover_photo_id"] is None
    _put_album(shared_server, other_id)
    first = upload_photo(shared_server, album_id, photo_jpeg(seed=60), "1.JPG")
    second = upload_photo(shared_server, album_id, photo_jpeg(seed=61), "2.JPG")
    foreign = upload_photo(shared_server, other_id, photo_jpeg(seed=62), "3.JPG")

    assert _put_album(shared_server, album_id, cover_photo_id=second)["cover_photo_id"] == second
    one = shared_server.api("GET", f"/api/albums/{album_id}").json()
    assert one["cover_photo_id"] == second
    listed = shared_server.api("GET", "/api/albums").json()["albums"]
    assert [a["cover_photo_id"] for a in listed if a["id"] == album_id] == [second]
    # Left out: kept; the order does not touch it either.
    assert _put_album(shared_server, album_id, title="Kept")["cover_photo_id"] == second
    kept = _put_album(shared_server, album_id, photo_order=[second, first])
    assert kept["cover_photo_id"] == second

    # A photo of another album, or of none: no cover.
    assert _put_album(shared_server, album_id, cover_photo_id=foreign)["cover_photo_id"] is None
    assert _put_album(shared_server, album_id, cover_photo_id=new_id())["cover_photo_id"] is None
    other = shared_server.api("GET", f"/api/albums/{other_id}").json()
    assert other["cover_photo_id"] is None

    _put_album(shared_server, album_id, cover_photo_id=first)
    assert _put_album(shared_server, album_id, cover_photo_id=None)["cover_photo_id"] is None
    assert shared_server.api("GET", f"/api/albums/{album_id}").json()["cover_photo_id"] is None

    # Deleting the cover photo leaves the album without one.
    _put_album(shared_server, album_id, cover_photo_id=first)
    assert shared_server.api("DELETE", f"/api/photos/{first}").status_code == 204
    assert shared_server.api("GET", f"/api/albums/{album_id}").json()["cover_photo_id"] is None


def test_cover_sent_before_its_upload_counts_once_the_photo_arrives(
    shared_server: ServerProcess,
) -> None:
    # The client's outbox may send the album before the photo's upload has finished.
    album_id, photo_id = new_id(), new_id()
    assert _put_album(shared_server, album_id, cover_photo_id=photo_id)["cover_photo_id"] is None
    upload_photo(shared_server, album_id, photo_jpeg(seed=63), "cover.JPG", photo_id)
    album = shared_server.api("GET", f"/api/albums/{album_id}").json()
    assert album["cover_photo_id"] == photo_id


def test_an_order_of_5000_photos_is_written_quickly(fresh_server: ServerProcess) -> None:
    album_id = new_id()
    _put_album(fresh_server, album_id)
    data = photo_jpeg((64, 48), seed=70)
    upload_photo(fresh_server, album_id, data, "seed.JPG")
    owner_id = fresh_server.api("GET", "/api/me").json()["id"]
    # 5,000 more rows of the same bytes, written straight to the server's database: uploading
    # them one by one would take minutes and tell nothing more about ordering.
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [
        {
            "id": new_id(),
            "album_id": album_id,
            "owner_id": owner_id,
            "filename": f"IMG_{n:04d}.JPG",
            "sha256": sha256(data),
            "size": len(data),
            "content_type": "image/jpeg",
            "taken_at": start + timedelta(minutes=n),
            "created_at": start,
        }
        for n in range(5000)
    ]
    db = Database(fresh_server.database_url)
    try:
        with db.session() as session:
            session.execute(insert(Photo), rows)
    finally:
        db.dispose()
    by_time = _owner_order(fresh_server, album_id)
    assert len(by_time) == 5001

    wanted = list(reversed(by_time))
    began = time.monotonic()
    response = fresh_server.api(
        "PUT", f"/api/albums/{album_id}", json={"title": "Big", "photo_order": wanted}
    )
    elapsed = time.monotonic() - began
    assert response.status_code == 200, response.text
    assert elapsed < 2.0, f"ordering 5,001 photos took {elapsed:.2f} s"
    assert _owner_order(fresh_server, album_id) == wanted

    too_many = [new_id() for _ in range(100_001)]
    refused = fresh_server.api(
        "PUT", f"/api/albums/{album_id}", json={"title": "Big", "photo_order": too_many}
    )
    assert refused.status_code == 422
    assert "photo_order" in refused.json()["error"]["message"]
    assert _owner_order(fresh_server, album_id) == wanted


def test_bad_ids_in_an_order_are_refused(shared_server: ServerProcess) -> None:
    album_id = new_id()
    refused = shared_server.api(
        "PUT", f"/api/albums/{album_id}", json={"title": "Bad", "photo_order": ["not-an-id"]}
    )
    assert refused.status_code == 422
    assert "photo_order" in refused.json()["error"]["message"]
    assert shared_server.api("GET", f"/api/albums/{album_id}").status_code == 404
