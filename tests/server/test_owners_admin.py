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


def test_owners_and_revocation_on_sqlite(fresh_server: ServerProcess) -> None:
    check_owners_and_revocation(fresh_server)


def test_owners_and_revocation_on_postgresql(postgres: PostgresCluster, tmp_path: Path) -> None:
    server = start_server(tmp_path / "data", "--database", postgres.create_database())
    try:
        check_owners_and_revocation(server)
    finally:
        server.stop()


@pytest.mark.parametrize("size", [0, 999, 1000, 1_234_567, 5 * 10**12])
def test_sizes_read_as_df_h_and_file_managers_write_them(size: int) -> None:
    from albumen_server.cli import _size_text

    expected = {0: "0 B", 999: "999 B", 1000: "1.0 kB", 1_234_567: "1.2 MB", 5 * 10**12: "5.0 TB"}
    assert _size_text(size) == expected[size]
