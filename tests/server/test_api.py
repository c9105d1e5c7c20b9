"""The owner API over real HTTP: albums, photos, errors, OpenAPI."""

from __future__ import annotations

import pytest
import requests

from tests.server.uploading import upload_photo
from tests.support import ServerProcess, new_id, new_token, photo_jpeg, sha256


def _error(response: requests.Response) -> dict[str, str]:
    body = response.json()
    assert set(body) == {"error"}, body
    assert body["error"]["code"] and body["error"]["message"], body
    return body["error"]


def test_health_needs_no_token(shared_server: ServerProcess) -> None:
    response = requests.get(shared_server.url + "/api/health", timeout=10)
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["version"]


def test_me_names_the_owner_of_the_token(shared_server: ServerProcess) -> None:
    response = shared_server.api("GET", "/api/me")
    assert response.status_code == 200
    assert response.json()["name"] == "owner"


def test_missing_and_wrong_tokens_are_refused(shared_server: ServerProcess) -> None:
    missing = requests.get(shared_server.url + "/api/albums", timeout=10)
    assert missing.status_code == 401
    assert _error(missing)["code"] == "unauthorized"
    wrong = shared_server.api("GET", "/api/albums", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert "not known" in _error(wrong)["message"]


def test_put_album_creates_then_updates_idempotently(shared_server: ServerProcess) -> None:
    album_id = new_id()
    created = shared_server.api("PUT", f"/api/albums/{album_id}", json={"title": "Iceland"})
    assert created.status_code == 201
    assert created.json()["photo_count"] == 0
    again = shared_server.api("PUT", f"/api/albums/{album_id}", json={"title": "Iceland"})
    assert again.status_code == 200
    assert again.json()["updated_at"] == created.json()["updated_at"]
    renamed = shared_server.api(
        "PUT", f"/api/albums/{album_id}", json={"title": "Iceland 2026", "description": "Ring road"}
    )
    assert renamed.json()["title"] == "Iceland 2026"
    assert renamed.json()["description"] == "Ring road"
    listed = shared_server.api("GET", "/api/albums").json()["albums"]
    mine = [a for a in listed if a["id"] == album_id]
    assert len(mine) == 1
    assert set(mine[0]) >= {"id", "title", "photo_count", "created_at", "updated_at"}
    assert mine[0]["created_at"].endswith(("Z", "+00:00"))


def test_album_lists_its_photos_and_check_finds_them(shared_server: ServerProcess) -> None:
    album_id = new_id()
    shared_server.api("PUT", f"/api/albums/{album_id}", json={"title": "With photos"})
    data = photo_jpeg(seed=101)
    photo_id = upload_photo(shared_server, album_id, data, "DSC_0001.JPG")
    album = shared_server.api("GET", f"/api/albums/{album_id}").json()
    assert album["photo_count"] == 1
    (photo,) = album["photos"]
    assert photo["id"] == photo_id
    assert photo["sha256"] == sha256(data)
    assert photo["size"] == len(data)
    assert (photo["width"], photo["height"]) == (640, 480)
    assert photo["taken_at"].startswith("2026-06-01T10:20:30")
    listed = shared_server.api("GET", f"/api/albums/{album_id}/photos").json()["photos"]
    assert [p["id"] for p in listed] == [photo_id]
    unknown = "0" * 64
    check = shared_server.api("POST", "/api/photos/check", json={"sha256": [sha256(data), unknown]})
    assert check.json() == {"present": [sha256(data)]}
    original = shared_server.api("GET", f"/api/photos/{photo_id}/original")
    assert original.status_code == 200
    assert original.content == data


def test_delete_photo_and_album(fresh_server: ServerProcess) -> None:
    album_id = new_id()
    fresh_server.api("PUT", f"/api/albums/{album_id}", json={"title": "Short-lived"})
    data = photo_jpeg(seed=7)
    keep_id = upload_photo(fresh_server, album_id, data, "a.jpg")
    other = photo_jpeg(seed=8)
    gone_id = upload_photo(fresh_server, album_id, other, "b.jpg")
    blob = fresh_server.data / "blobs" / sha256(other)[:2] / sha256(other)[2:4] / sha256(other)
    assert blob.is_file()
    assert fresh_server.api("DELETE", f"/api/photos/{gone_id}").status_code == 204
    assert not blob.exists()
    assert fresh_server.api("GET", f"/api/photos/{gone_id}/original").status_code == 404
    assert fresh_server.api("DELETE", f"/api/photos/{gone_id}").status_code == 404
    link_id = new_id()
    token = new_token()
    fresh_server.api(
        "PUT", f"/api/links/{link_id}", json={"album_id": album_id, "token": token}
    ).raise_for_status()
    assert fresh_server.api("DELETE", f"/api/albums/{album_id}").status_code == 204
    assert fresh_server.api("GET", f"/api/albums/{album_id}").status_code == 404
    assert fresh_server.api("GET", f"/api/photos/{keep_id}/original").status_code == 404
    link = fresh_server.api("GET", f"/api/links/{link_id}").json()
    assert link["revoked_at"] is not None
    assert requests.get(link["url"], timeout=10).status_code == 404


def test_bad_input_gets_a_4xx_in_the_error_shape(shared_server: ServerProcess) -> None:
    album_id = new_id()
    malformed = shared_server.api(
        "PUT",
        f"/api/albums/{album_id}",
        data=b'{"title": ',
        headers={"Content-Type": "application/json"},
    )
    assert malformed.status_code == 400
    assert _error(malformed)["code"] == "invalid_json"
    wrong_type = shared_server.api("PUT", f"/api/albums/{album_id}", json={"title": 42})
    assert wrong_type.status_code == 422
    assert "title" in _error(wrong_type)["message"]
    extra = shared_server.api("PUT", f"/api/albums/{album_id}", json={"title": "x", "oops": 1})
    assert extra.status_code == 422
    assert "oops" in _error(extra)["message"]
    bad_id = shared_server.api("PUT", "/api/albums/not-a-uuid", json={"title": "x"})
    assert bad_id.status_code == 422
    assert "UUID" in _error(bad_id)["message"]
    unknown = shared_server.api("GET", f"/api/albums/{new_id()}")
    assert unknown.status_code == 404
    assert _error(unknown)["code"] == "not_found"
    bad_check = shared_server.api("POST", "/api/photos/check", json={"sha256": ["xyz"]})
    assert bad_check.status_code == 422
    _error(bad_check)
    no_route = shared_server.api("GET", "/api/nothing-here")
    assert no_route.status_code == 404
    _error(no_route)


def test_openapi_document_lists_the_contract(shared_server: ServerProcess) -> None:
    document = requests.get(shared_server.url + "/api/openapi.json", timeout=10).json()
    paths = document["paths"]
    for path in (
        "/api/health",
        "/api/me",
        "/api/albums",
        "/api/albums/{album_id}",
        "/api/photos/check",
        "/api/links/{link_id}",
        "/api/uploads/",
    ):
        assert path in paths, path


def test_put_photo_reuses_bytes_the_owner_already_uploaded(shared_server: ServerProcess) -> None:
    first, second = new_id(), new_id()
    for album_id in (first, second):
        shared_server.api("PUT", f"/api/albums/{album_id}", json={"title": "Twice"})
    data = photo_jpeg(seed=303)
    upload_photo(shared_server, first, data, "same.jpg")
    photo_id = new_id()
    body = {"album_id": second, "filename": "same.jpg", "sha256": sha256(data)}
    created = shared_server.api("PUT", f"/api/photos/{photo_id}", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["size"] == len(data)
    again = shared_server.api("PUT", f"/api/photos/{photo_id}", json=body)
    assert again.status_code == 200
    assert shared_server.api("GET", f"/api/photos/{photo_id}/original").content == data
    listed = shared_server.api("GET", f"/api/albums/{second}/photos").json()["photos"]
    assert [p["id"] for p in listed] == [photo_id]
    unknown = {**body, "sha256": "b" * 64}
    missing = shared_server.api("PUT", f"/api/photos/{new_id()}", json=unknown)
    assert missing.status_code == 409
    assert missing.json()["error"]["code"] == "not_present"
    sneaky = {**body, "filename": "../../x.jpg"}
    assert shared_server.api("PUT", f"/api/photos/{new_id()}", json=sneaky).status_code == 400


def test_put_photo_repeats_only_the_same_photo(shared_server: ServerProcess) -> None:
    """A client-made photo id names one photo: repeating it for another album is a conflict,
    as it is for a tus upload, not a success that leaves the photo where it was."""
    first, second = new_id(), new_id()
    for album_id in (first, second):
        shared_server.api("PUT", f"/api/albums/{album_id}", json={"title": "One id"})
    data = photo_jpeg(seed=305)
    photo_id = upload_photo(shared_server, first, data, "one.jpg")
    body = {"album_id": second, "filename": "one.jpg", "sha256": sha256(data)}
    moved = shared_server.api("PUT", f"/api/photos/{photo_id}", json=body)
    assert moved.status_code == 409, moved.text
    assert _error(moved)["code"] == "conflict"
    assert shared_server.api("GET", f"/api/albums/{second}/photos").json()["photos"] == []
    # The owner API is not tus: its answers do not carry the tus header.
    sneaky = shared_server.api("PUT", f"/api/photos/{new_id()}", json={**body, "filename": "a/b"})
    assert _error(sneaky)["code"] == "invalid_filename"
    assert "Tus-Resumable" not in sneaky.headers


def test_put_photo_keeps_where_the_twin_was_taken(shared_server: ServerProcess) -> None:
    """A photo added by PUT (bytes already on the server) has the place its twin has: the viewer
    groups and maps it on a link that shows location, as it does the uploaded one."""
    first, second = new_id(), new_id()
    for album_id in (first, second):
        shared_server.api("PUT", f"/api/albums/{album_id}", json={"title": "Paris twice"})
    data = photo_jpeg(seed=304)  # GPS of the Eiffel Tower in its EXIF
    upload_photo(shared_server, first, data, "eiffel.jpg")
    photo_id = new_id()
    body = {"album_id": second, "filename": "eiffel.jpg", "sha256": sha256(data)}
    created = shared_server.api("PUT", f"/api/photos/{photo_id}", json=body)
    assert created.status_code == 201, created.text

    token = new_token()
    shared_server.api(
        "PUT",
        f"/api/links/{new_id()}",
        json={"album_id": second, "token": token, "show_location": True},
    ).raise_for_status()
    listing = requests.get(f"{shared_server.url}/s/{token}/photos.json", timeout=30).json()
    (photo,) = listing["photos"]
    assert photo["id"] == photo_id
    assert photo["place"] == "Paris, France"
    assert photo["latitude"] == pytest.approx(48 + 51 / 60 + 30 / 3600)
    assert photo["longitude"] == pytest.approx(2 + 17 / 60 + 40 / 3600)
    assert [place["photos"] for place in listing["places"]] == [[photo_id]]
