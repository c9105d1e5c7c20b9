"""`albumen-server owners` and `albumen-server token revoke`, run by an administrator beside a
running server (SQLite, and PostgreSQL as a deployment of several processes has it): the list
counts what each owner keeps, and a revoked owner's devices are refused at their next request
while their links keep working for viewers."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from tests.server.uploading import upload_photo
from tests.support import (
    ServerProcess,
    create_token,
    invite,
    new_id,
    new_token,
    photo_jpeg,
    server_admin,
    sha256,
)

pytestmark = pytest.mark.slow  # each test runs the admin commands a dozen times


def as_owner(server: ServerProcess, token: str) -> ServerProcess:
    """The same server, reached with another owner's token."""
    return ServerProcess(server.data, server.port, token, server.process, server.database)


def album_with_photos(owner: ServerProcess, photos: list[bytes]) -> str:
    album_id = new_id()
    owner.api("PUT", f"/api/albums/{album_id}", json={"title": "Proofs"}).raise_for_status()
    for index, data in enumerate(photos):
        upload_photo(owner, album_id, data, f"IMG_{index:04d}.JPG")
    return album_id


def link(owner: ServerProcess, album_id: str, **settings: Any) -> tuple[str, str]:
    """A new link to the album: its id and its token."""
    link_id, token = new_id(), new_token()
    body = {"album_id": album_id, "token": token, "download": "none", **settings}
    owner.api("PUT", f"/api/links/{link_id}", json=body).raise_for_status()
    return link_id, token


def check_owners_and_revocation(server: ServerProcess) -> None:
    alice = as_owner(server, create_token(server.data, "alice", database=server.database))
    bob = as_owner(server, create_token(server.data, "bob", database=server.database))
    create_token(server.data, "alice", database=server.database)  # her second device
    first, second = photo_jpeg((64, 48), seed=1), photo_jpeg((64, 48), seed=2)
    proofs = album_with_photos(alice, [first, second])
    again = album_with_photos(alice, [first])  # the same file in another album: stored once
    _, live = link(alice, proofs)
    link(alice, again, expires_at="2001-01-01T00:00:00Z")  # expired: not live
    revoked, _ = link(alice, again)
    alice.api("DELETE", f"/api/links/{revoked}").raise_for_status()
    album_with_photos(bob, [photo_jpeg((32, 32), seed=3)])

    listed = json.loads(server_admin(server, "owners", "--json").stdout)["owners"]
    by_name = {owner["name"]: owner for owner in listed}
    assert [owner["name"] for owner in listed] == ["alice", "bob", "owner"]
    assert by_name["alice"] | {"since": None, "newest_token_at": None} == {
        "name": "alice",
        "since": None,
        "albums": 2,
        "photos": 3,
        "stored_bytes": len(first) + len(second),
        "live_links": 1,
        "tokens": 2,
        "newest_token_at": None,
        "devices": [],
        "quota_bytes": None,
    }
    assert by_name["bob"]["photos"] == 1 and by_name["bob"]["tokens"] == 1
    table = server_admin(server, "owners").stdout.splitlines()
    assert table[0].split() == [
        "OWNER",
        "SINCE",
        "ALBUMS",
        "PHOTOS",
        "STORED",
        "QUOTA",
        "LIVE",
        "LINKS",
        "DEVICES",
    ]
    alice_row = next(line for line in table if line.startswith("alice"))
    assert f"{(len(first) + len(second)) / 1000:.1f} kB" in alice_row and "2 (newest " in alice_row

    pending = invite(server, "alice").rsplit("/pair/", 1)[1]
    done = server_admin(server, "token", "revoke", "--name", "alice")
    assert "Revoked 2 token(s) and 1 unused invitation(s) of 'alice'" in done.stdout
    refused = alice.api("GET", "/api/albums")
    assert refused.status_code == 401, refused.text
    assert bob.api("GET", "/api/albums").status_code == 200
    gallery = requests.get(f"{server.url}/s/{live}", timeout=30)  # viewers are not affected
    assert gallery.status_code == 200 and "Proofs" in gallery.text
    paired = requests.post(f"{server.url}/api/pair", json={"code": pending}, timeout=30)
    assert paired.status_code == 410, "an invitation sent before the revocation is void"
    assert json.loads(server_admin(server, "owners", "--json").stdout)["owners"][0]["tokens"] == 0

    unknown = server_admin(server, "token", "revoke", "--name", "mallory", check=False)
    assert unknown.returncode == 1
    assert "no owner is called 'mallory'" in unknown.stderr and not unknown.stdout


def blob_files(server: ServerProcess) -> set[str]:
    return {path.name for path in (server.data / "blobs").rglob("*") if path.is_file()}


def check_removal(server: ServerProcess) -> None:
    """A photographer leaves: all they keep goes, a file another owner keeps too stays."""
    cleo = as_owner(server, create_token(server.data, "cleo", database=server.database))
    dana = as_owner(server, create_token(server.data, "dana", database=server.database))
    shared, own = photo_jpeg((48, 32), seed=7), photo_jpeg((48, 32), seed=8)
    leaving = album_with_photos(cleo, [shared, own])
    _, token = link(cleo, leaving)
    staying = album_with_photos(dana, [shared])
    before = blob_files(server)
    assert {sha256(shared), sha256(own)} <= before

    asked = server_admin(server, "owners", "remove", "--name", "cleo", check=False)
    assert asked.returncode == 2 and "add --yes" in asked.stderr, "no terminal: nothing asked"
    assert requests.get(f"{server.url}/s/{token}", timeout=30).status_code == 200

    done = server_admin(server, "owners", "remove", "--name", "cleo", "--yes")
    assert "Removed 'cleo': 1 album(s), 2 photo(s); 1 file(s) deleted" in done.stdout
    assert blob_files(server) == before - {sha256(own)}, "the file dana keeps too stays"
    assert requests.get(f"{server.url}/s/{token}", timeout=30).status_code == 404
    assert cleo.api("GET", "/api/albums").status_code == 401
    kept = dana.api("GET", f"/api/albums/{staying}/photos").json()["photos"]
    original = dana.api("GET", f"/api/photos/{kept[0]['id']}/original")
    assert original.status_code == 200 and original.content == shared
    listed = json.loads(server_admin(server, "owners", "--json").stdout)["owners"]
    names = [owner["name"] for owner in listed]
    assert "cleo" not in names and "dana" in names
    again = server_admin(server, "owners", "remove", "--name", "cleo", "--yes", check=False)
    assert again.returncode == 1 and "no owner is called 'cleo'" in again.stderr


def test_one_lost_laptop_is_revoked_and_the_owners_other_computers_stay_paired(
    fresh_server: ServerProcess,
) -> None:
    """Each device pairs under its own name (the app sends its host name); revoking one leaves
    the others in."""
    codes = [invite(fresh_server, "erin").rsplit("/pair/", 1)[1] for _ in range(2)]
    owners: dict[str, ServerProcess] = {}
    for code, device in zip(codes, ["erin-laptop", "erin-studio\n\x07imac"], strict=True):
        paired = requests.post(
            f"{fresh_server.url}/api/pair", json={"code": code, "device": device}, timeout=30
        )
        assert paired.status_code == 200, paired.text
        owners[device] = as_owner(fresh_server, paired.json()["token"])
    create_token(fresh_server.data, "erin", database=fresh_server.database)  # a script's, unnamed
    listed = json.loads(server_admin(fresh_server, "owners", "--json").stdout)["owners"]
    (erin,) = [owner for owner in listed if owner["name"] == "erin"]
    assert erin["tokens"] == 3
    assert erin["devices"] == ["erin-studio imac", "erin-laptop"], "newest first, one line each"
    table = server_admin(fresh_server, "owners").stdout.splitlines()
    row = next(line for line in table if line.startswith("erin"))
    assert "3: erin-studio imac, erin-laptop (newest " in row

    revoke = ["token", "revoke", "--name", "erin", "--device", "erin-laptop"]
    done = server_admin(fresh_server, *revoke)
    assert "Revoked 1 token(s) of 'erin' on 'erin-laptop'" in done.stdout
    assert owners["erin-laptop"].api("GET", "/api/albums").status_code == 401
    assert owners["erin-studio\n\x07imac"].api("GET", "/api/albums").status_code == 200
    unknown = server_admin(fresh_server, *revoke, check=False)
    assert unknown.returncode == 1
    assert "has no device called 'erin-laptop' (theirs: 'erin-studio imac')" in unknown.stderr


def test_owners_revocation_and_removal(fresh_server: ServerProcess) -> None:
    """On SQLite and on PostgreSQL (`fresh_server` is both)."""
    check_owners_and_revocation(fresh_server)
    check_removal(fresh_server)


@pytest.mark.parametrize("size", [0, 999, 1000, 1_234_567, 5 * 10**12])
def test_sizes_read_as_df_h_and_file_managers_write_them(size: int) -> None:
    from albumen_server.quotas import size_text

    expected = {0: "0 B", 999: "999 B", 1000: "1.0 kB", 1_234_567: "1.2 MB", 5 * 10**12: "5.0 TB"}
    assert size_text(size) == expected[size]
