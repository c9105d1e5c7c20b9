"""Links through the owner API: made by the client, edited, revoked for good."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests

from tests.support import ServerProcess, new_id, new_token


def _album(server: ServerProcess) -> str:
    album_id = new_id()
    server.api("PUT", f"/api/albums/{album_id}", json={"title": "Links"}).raise_for_status()
    return album_id


def _put(server: ServerProcess, link_id: str, **body: object) -> requests.Response:
    return server.api("PUT", f"/api/links/{link_id}", json=body)


def test_create_edit_and_list_links(shared_server: ServerProcess) -> None:
    album_id = _album(shared_server)
    link_id, token = new_id(), new_token()
    created = _put(
        shared_server,
        link_id,
        album_id=album_id,
        token=token,
        password="s3cret horse",
        download="web",
        label="For Mum",
    )
    assert created.status_code == 201, created.text
    link = created.json()
    assert link["url"] == f"{shared_server.url}/s/{token}"
    assert link["has_password"] is True
    assert (link["view_count"], link["last_viewed_at"], link["revoked_at"]) == (0, None, None)
    expires = (datetime.now(UTC) + timedelta(days=7)).replace(microsecond=0)
    edited = _put(
        shared_server,
        link_id,
        album_id=album_id,
        token=token,
        download="original",
        show_metadata=True,
        expires_at=expires.isoformat(),
    )
    assert edited.status_code == 200
    body = edited.json()
    assert body["has_password"] is True, "an omitted password keeps the current one"
    assert body["download"] == "original"
    assert body["show_metadata"] is True
    assert datetime.fromisoformat(body["expires_at"]) == expires
    cleared = _put(shared_server, link_id, album_id=album_id, token=token, password=None)
    assert cleared.json()["has_password"] is False
    listed = shared_server.api("GET", f"/api/links?album_id={album_id}").json()["links"]
    assert [item["id"] for item in listed] == [link_id]
    assert shared_server.api("GET", f"/api/links/{link_id}").json()["token"] == token


@pytest.mark.parametrize(
    "token",
    ["short", "a" * 40, "abc/def+ghi=jkl" * 3, "abababababababababababababababab"],
)
def test_weak_tokens_are_refused(shared_server: ServerProcess, token: str) -> None:
    response = _put(shared_server, new_id(), album_id=_album(shared_server), token=token)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "weak_token"


def test_a_token_belongs_to_one_link_forever(shared_server: ServerProcess) -> None:
    album_id = _album(shared_server)
    link_id, token = new_id(), new_token()
    assert _put(shared_server, link_id, album_id=album_id, token=token).status_code == 201
    reused = _put(shared_server, new_id(), album_id=album_id, token=token)
    assert reused.status_code == 409
    changed = _put(shared_server, link_id, album_id=album_id, token=new_token())
    assert changed.status_code == 409
    assert shared_server.api("DELETE", f"/api/links/{link_id}").status_code == 204
    assert shared_server.api("DELETE", f"/api/links/{link_id}").status_code == 204
    assert shared_server.api("DELETE", f"/api/links/{new_id()}").status_code == 404
    after_revoke = _put(shared_server, link_id, album_id=album_id, token=token)
    assert after_revoke.status_code == 409
    assert shared_server.api("GET", f"/api/links/{link_id}").json()["revoked_at"] is not None
    reused_after_revoke = _put(shared_server, new_id(), album_id=album_id, token=token)
    assert reused_after_revoke.status_code == 409


def test_link_input_is_checked(shared_server: ServerProcess) -> None:
    album_id = _album(shared_server)
    bad_download = _put(
        shared_server, new_id(), album_id=album_id, token=new_token(), download="all"
    )
    assert bad_download.status_code == 422
    assert "download" in bad_download.json()["error"]["message"]
    unknown_album = _put(shared_server, new_id(), album_id=new_id(), token=new_token())
    assert unknown_album.status_code == 404
    empty_password = _put(
        shared_server, new_id(), album_id=album_id, token=new_token(), password=""
    )
    assert empty_password.status_code == 422
    bad_time = _put(
        shared_server, new_id(), album_id=album_id, token=new_token(), expires_at="tomorrow"
    )
    assert bad_time.status_code == 422
