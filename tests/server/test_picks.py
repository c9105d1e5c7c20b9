"""Proofing through the API: a link that allows picks takes them, its owner reads them.

Real server, real HTTP, on SQLite and PostgreSQL (tests/server/conftest.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import requests

from tests.server.uploading import upload_photo
from tests.support import ServerProcess, create_token, new_id, new_token, photo_jpeg


@dataclass
class Proofing:
    server: ServerProcess
    album_id: str
    link_id: str
    token: str
    photo_ids: list[str]  # in the album's order

    @property
    def url(self) -> str:
        return f"{self.server.url}/s/{self.token}"

    def send(
        self, pick_id: str, session: requests.Session | None = None, **body: object
    ) -> requests.Response:
        return (session or requests).put(f"{self.url}/picks/{pick_id}", json=body, timeout=30)

    def owner_picks(self) -> list[dict[str, object]]:
        answer = self.server.api("GET", f"/api/links/{self.link_id}/picks")
        assert answer.status_code == 200, answer.text
        picks: list[dict[str, object]] = answer.json()["picks"]
        return picks


def _link(server: ServerProcess, album_id: str, **link: object) -> tuple[str, str]:
    link_id, token = new_id(), new_token()
    answer = server.api(
        "PUT", f"/api/links/{link_id}", json={"album_id": album_id, "token": token, **link}
    )
    assert answer.status_code == 201, answer.text
    return link_id, token


def _proofing(server: ServerProcess, photos: int = 4, **link: object) -> Proofing:
    album_id = new_id()
    server.api("PUT", f"/api/albums/{album_id}", json={"title": "Proofs"}).raise_for_status()
    ids = [
        upload_photo(server, album_id, photo_jpeg((64, 48), seed=n), f"IMG_{n:04}.jpg")
        for n in range(photos)
    ]
    order = server.api(
        "PUT", f"/api/albums/{album_id}", json={"title": "Proofs", "photo_order": ids}
    )
    order.raise_for_status()
    link_id, token = _link(server, album_id, **{"allow_picks": True, **link})
    return Proofing(server, album_id, link_id, token, ids)


def test_allow_picks_is_a_link_setting_off_by_default(shared_server: ServerProcess) -> None:
    proofing = _proofing(shared_server, photos=0, allow_picks=False)
    link = shared_server.api("GET", f"/api/links/{proofing.link_id}").json()
    assert link["allow_picks"] is False
    body = {"album_id": proofing.album_id, "token": proofing.token, "allow_picks": True}
    edited = shared_server.api("PUT", f"/api/links/{proofing.link_id}", json=body)
    assert edited.status_code == 200 and edited.json()["allow_picks"] is True
    listed = shared_server.api("GET", f"/api/links?album_id={proofing.album_id}").json()["links"]
    assert [link["allow_picks"] for link in listed] == [True]
    left_out = {"album_id": proofing.album_id, "token": proofing.token}
    again = shared_server.api("PUT", f"/api/links/{proofing.link_id}", json=left_out)
    assert again.json()["allow_picks"] is False, "a PUT states the link's rights in full"


def test_a_pick_is_sent_sent_again_and_read_by_the_owner(shared_server: ServerProcess) -> None:
    proofing = _proofing(shared_server)
    a, b, c, d = proofing.photo_ids
    pick_id = new_id()
    first = proofing.send(
        pick_id, name="  Anna  ", note="For the living room\nand Mum", photo_ids=[c, a, c]
    )
    assert first.status_code == 201, first.text
    sent = first.json()
    assert sent["id"] == pick_id and sent["link_id"] == proofing.link_id
    assert sent["name"] == "Anna", "spaces around a name are not part of it"
    assert sent["photo_ids"] == [a, c], "each photo once, in the album's order"
    assert sent["note"] == "For the living room\nand Mum"
    first_time = datetime.fromisoformat(sent["submitted_at"])

    again = proofing.send(pick_id.upper(), name="Anna", photo_ids=[a, d])
    assert again.status_code == 200, again.text
    assert again.json()["photo_ids"] == [a, d]

    owner = proofing.owner_picks()
    assert len(owner) == 1, "sending again updates the same list"
    (pick,) = owner
    assert pick["id"] == pick_id
    assert pick["photo_ids"] == [a, d] and pick["note"] is None
    assert set(pick) >= {"id", "link_id", "name", "note", "photo_ids", "submitted_at"}
    assert datetime.fromisoformat(str(pick["submitted_at"])) >= first_time

    other = proofing.send(new_id(), name="Ben", photo_ids=[b])
    assert other.status_code == 201
    by_album = shared_server.api("GET", f"/api/albums/{proofing.album_id}/picks").json()["picks"]
    assert [(p["name"], p["photo_ids"]) for p in by_album] == [("Anna", [a, d]), ("Ben", [b])]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"photo_ids": []}, "name"),
        ({"name": "", "photo_ids": []}, "name"),
        ({"name": "   ", "photo_ids": []}, "name"),
        ({"name": "x" * 101, "photo_ids": []}, "name"),
        ({"name": "Anna\nSet-Cookie: x", "photo_ids": []}, "name"),
        ({"name": "Anna", "note": "n" * 2001, "photo_ids": []}, "note"),
        ({"name": "Anna", "note": "bell\x07", "photo_ids": []}, "note"),
        ({"name": "Anna"}, "photo_ids"),
        ({"name": "Anna", "photo_ids": ["not-a-uuid"]}, "photo_ids"),
        ({"name": "Anna", "photo_ids": "all"}, "photo_ids"),
        ({"name": "Anna", "photo_ids": [], "email": "a@example.com"}, "email"),
    ],
)
def test_bad_picks_are_refused_naming_the_field(
    shared_server: ServerProcess, body: dict[str, object], field: str
) -> None:
    proofing = _proofing(shared_server, photos=0)
    answer = proofing.send(new_id(), **body)
    assert answer.status_code == 422, answer.text
    assert field in answer.json()["error"]["message"]
    assert proofing.owner_picks() == []


def test_photos_must_be_of_the_album(shared_server: ServerProcess) -> None:
    proofing = _proofing(shared_server, photos=2)
    elsewhere = _proofing(shared_server, photos=1)
    for strangers in ([new_id()], [proofing.photo_ids[0], elsewhere.photo_ids[0]]):
        answer = proofing.send(new_id(), name="Anna", photo_ids=strangers)
        assert answer.status_code == 422, answer.text
        message = answer.json()["error"]["message"]
        assert message.startswith("photo_ids:") and strangers[-1] in message
    not_uuid = requests.put(
        f"{proofing.url}/picks/123", json={"name": "A", "photo_ids": []}, timeout=30
    )
    assert not_uuid.status_code == 422 and "pick_id" in not_uuid.json()["error"]["message"]
    assert proofing.owner_picks() == []


def test_a_link_without_picks_refuses_like_an_unavailable_link(
    shared_server: ServerProcess,
) -> None:
    proofing = _proofing(shared_server, photos=1, allow_picks=False)
    body = {"name": "Anna", "photo_ids": proofing.photo_ids}
    refused = proofing.send(new_id(), **body)
    unknown = requests.put(
        f"{shared_server.url}/s/{new_token()}/picks/{new_id()}", json=body, timeout=30
    )
    assert refused.status_code == unknown.status_code == 404
    assert refused.json() == unknown.json()
    assert proofing.owner_picks() == []
    gallery = requests.get(proofing.url, timeout=30).text
    assert "picks.js" not in gallery and "Send my picks" not in gallery


def test_revoked_and_expired_links_take_no_more_picks_but_the_owner_keeps_them(
    shared_server: ServerProcess,
) -> None:
    proofing = _proofing(shared_server, photos=2)
    pick_id = new_id()
    assert proofing.send(pick_id, name="Anna", photo_ids=proofing.photo_ids[:1]).status_code == 201
    assert shared_server.api("DELETE", f"/api/links/{proofing.link_id}").status_code == 204
    refused = proofing.send(pick_id, name="Anna", photo_ids=proofing.photo_ids)
    assert refused.status_code == 404
    assert [p["photo_ids"] for p in proofing.owner_picks()] == [proofing.photo_ids[:1]]

    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    expired = _proofing(shared_server, photos=1, expires_at=past)
    assert expired.send(new_id(), name="Ben", photo_ids=expired.photo_ids).status_code == 404


def test_a_pick_id_belongs_to_one_link(shared_server: ServerProcess) -> None:
    proofing = _proofing(shared_server, photos=1)
    second_id, second_token = _link(shared_server, proofing.album_id, allow_picks=True)
    second = Proofing(shared_server, proofing.album_id, second_id, second_token, proofing.photo_ids)
    pick_id = new_id()
    assert proofing.send(pick_id, name="Anna", photo_ids=proofing.photo_ids).status_code == 201
    taken = second.send(pick_id, name="Mallory", photo_ids=[])
    assert taken.status_code == 409, taken.text
    assert [p["name"] for p in proofing.owner_picks()] == ["Anna"]
    assert second.owner_picks() == []


def test_deleting_photos_and_the_album_takes_the_picks_along(shared_server: ServerProcess) -> None:
    proofing = _proofing(shared_server, photos=3)
    a, b, c = proofing.photo_ids
    assert proofing.send(new_id(), name="Anna", photo_ids=[a, b, c]).status_code == 201
    assert shared_server.api("DELETE", f"/api/photos/{b}").status_code == 204
    assert [p["photo_ids"] for p in proofing.owner_picks()] == [[a, c]]
    assert shared_server.api("DELETE", f"/api/albums/{proofing.album_id}").status_code == 204
    assert proofing.owner_picks() == [], "the link stays (revoked), its picks went with the album"
    gone = shared_server.api("GET", f"/api/albums/{proofing.album_id}/picks")
    assert gone.status_code == 404


def test_only_the_owner_reads_the_picks(shared_server: ServerProcess) -> None:
    proofing = _proofing(shared_server, photos=1)
    assert proofing.send(new_id(), name="Anna", photo_ids=proofing.photo_ids).status_code == 201
    stranger = create_token(shared_server.data, "stranger", database=shared_server.database)
    headers = {"Authorization": f"Bearer {stranger}"}
    for path in (f"/api/links/{proofing.link_id}/picks", f"/api/albums/{proofing.album_id}/picks"):
        theirs = requests.get(shared_server.url + path, headers=headers, timeout=30)
        assert theirs.status_code == 404, path
        assert requests.get(shared_server.url + path, timeout=30).status_code == 401
    unknown = shared_server.api("GET", f"/api/links/{new_id()}/picks")
    assert unknown.status_code == 404


def test_a_locked_link_takes_picks_only_once_unlocked(shared_server: ServerProcess) -> None:
    proofing = _proofing(shared_server, photos=1, password="picket fence")
    body = {"name": "Anna", "photo_ids": proofing.photo_ids}
    locked = proofing.send(new_id(), **body)
    assert locked.status_code == 401 and locked.json()["error"]["code"] == "password_required"
    with requests.Session() as viewer:
        unlock = viewer.post(
            f"{proofing.url}/unlock", data={"password": "picket fence"}, timeout=60
        )
        assert unlock.status_code == 200  # followed to the gallery
        assert proofing.send(new_id(), session=viewer, **body).status_code == 201
    assert len(proofing.owner_picks()) == 1


def test_sends_are_limited_per_link_and_client(shared_server: ServerProcess) -> None:
    proofing = _proofing(shared_server, photos=1)
    pick_id = new_id()
    for n in range(30):
        answer = proofing.send(pick_id, name=f"Anna {n}", photo_ids=proofing.photo_ids)
        assert answer.status_code in (200, 201), (n, answer.text)
    blocked = proofing.send(pick_id, name="Anna 30", photo_ids=[])
    assert blocked.status_code == 429, blocked.text
    assert 1 <= int(blocked.headers["Retry-After"]) <= 15 * 60 + 1
    assert [p["name"] for p in proofing.owner_picks()] == ["Anna 29"]
    other = _proofing(shared_server, photos=1)
    assert other.send(new_id(), name="Anna", photo_ids=[]).status_code == 201, "per link"


def test_requests_from_another_site_are_refused(shared_server: ServerProcess) -> None:
    proofing = _proofing(shared_server, photos=1)
    body = {"name": "Anna", "photo_ids": proofing.photo_ids}
    for headers in (
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "https://attacker.example"},
    ):
        answer = requests.put(
            f"{proofing.url}/picks/{new_id()}", json=body, headers=headers, timeout=30
        )
        assert answer.status_code == 403, headers
    same = requests.put(
        f"{proofing.url}/picks/{new_id()}",
        json=body,
        headers={"Sec-Fetch-Site": "same-origin", "Origin": shared_server.url},
        timeout=30,
    )
    assert same.status_code == 201, same.text
    assert len(proofing.owner_picks()) == 1
