"""`albumen-server owners` and `albumen-server token revoke`, run by an administrator beside a
running server (SQLite, and PostgreSQL as a deployment of several processes has it): the list
counts what each owner keeps, and a revoked owner's devices are refused at their next request
while their links keep working for viewers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.postgres import PostgresCluster
from tests.server.uploading import upload_photo
from tests.support import (
    ServerProcess,
    create_token,
    invite,
    new_id,
    new_token,
    photo_jpeg,
    sha256,
    start_server,
)


def admin(
    server: ServerProcess, *args: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """An `albumen-server` command on the server's data folder (and database), as run by hand."""
    command = [sys.executable, "-m", "albumen_server.cli", *args, "--data", str(server.data)]
    if server.database:
        command += ["--database", server.database]
    return subprocess.run(command, capture_output=True, text=True, check=check, timeout=60)


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

    listed = json.loads(admin(server, "owners", "--json").stdout)["owners"]
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
    }
    assert by_name["bob"]["photos"] == 1 and by_name["bob"]["tokens"] == 1
    table = admin(server, "owners").stdout.splitlines()
    assert table[0].split() == [
        "OWNER",
        "SINCE",
        "ALBUMS",
        "PHOTOS",
        "STORED",
        "LIVE",
        "LINKS",
        "DEVICES",
    ]
    alice_row = next(line for line in table if line.startswith("alice"))
    assert f"{(len(first) + len(second)) / 1000:.1f} kB" in alice_row and "2 (newest " in alice_row

    pending = invite(server, "alice").rsplit("/pair/", 1)[1]
    done = admin(server, "token", "revoke", "--name", "alice")
    assert "Revoked 2 token(s) and 1 unused invitation(s) of 'alice'" in done.stdout
    refused = alice.api("GET", "/api/albums")
    assert refused.status_code == 401, refused.text
    assert bob.api("GET", "/api/albums").status_code == 200
    gallery = requests.get(f"{server.url}/s/{live}", timeout=30)  # viewers are not affected
    assert gallery.status_code == 200 and "Proofs" in gallery.text
    paired = requests.post(f"{server.url}/api/pair", json={"code": pending}, timeout=30)
    assert paired.status_code == 410, "an invitation sent before the revocation is void"
    assert json.loads(admin(server, "owners", "--json").stdout)["owners"][0]["tokens"] == 0

    unknown = admin(server, "token", "revoke", "--name", "mallory", check=False)
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

    asked = admin(server, "owners", "remove", "--name", "cleo", check=False)
    assert asked.returncode == 2 and "add --yes" in asked.stderr, "no terminal: nothing asked"
    assert requests.get(f"{server.url}/s/{token}", timeout=30).status_code == 200

    done = admin(server, "owners", "remove", "--name", "cleo", "--yes")
    assert "Removed 'cleo': 1 album(s), 2 photo(s); 1 file(s) deleted" in done.stdout
    assert blob_files(server) == before - {sha256(own)}, "the file dana keeps too stays"
    assert requests.get(f"{server.url}/s/{token}", timeout=30).status_code == 404
    assert cleo.api("GET", "/api/albums").status_code == 401
    kept = dana.api("GET", f"/api/albums/{staying}/photos").json()["photos"]
    original = dana.api("GET", f"/api/photos/{kept[0]['id']}/original")
    assert original.status_code == 200 and original.content == shared
    names = [
        owner["name"] for owner in json.loads(admin(server, "owners", "--json").stdout)["owners"]
    ]
    assert "cleo" not in names and "dana" in names
    again = admin(server, "owners", "remove", "--name", "cleo", "--yes", check=False)
    assert again.returncode == 1 and "no owner is called 'cleo'" in again.stderr


def test_owners_revocation_and_removal_on_sqlite(fresh_server: ServerProcess) -> None:
    check_owners_and_revocation(fresh_server)
    check_removal(fresh_server)


def test_owners_revocation_and_removal_on_postgresql(
    postgres: PostgresCluster, tmp_path: Path
) -> None:
    server = start_server(tmp_path / "data", "--database", postgres.create_database())
    try:
        check_owners_and_revocation(server)
        check_removal(server)
    finally:
        server.stop()


@pytest.mark.parametrize("size", [0, 999, 1000, 1_234_567, 5 * 10**12])
def test_sizes_read_as_df_h_and_file_managers_write_them(size: int) -> None:
    from albumen_server.cli import _size_text

    expected = {0: "0 B", 999: "999 B", 1000: "1.0 kB", 1_234_567: "1.2 MB", 5 * 10**12: "5.0 TB"}
    assert _size_text(size) == expected[size]
