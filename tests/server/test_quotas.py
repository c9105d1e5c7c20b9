"""Storage quotas, set by an administrator beside a running server (`albumen-server owners
quota`), on SQLite and PostgreSQL: a new file that would take the owner past their room is
refused with 507 `quota_exceeded` and words for them; what they keep already costs nothing
more; another owner is not affected; `none` lifts it."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.server.test_owners_admin import as_owner
from tests.server.uploading import ask_to_upload, put_preview, upload_photo
from tests.support import (
    ServerProcess,
    create_token,
    new_id,
    photo_jpeg,
    server_admin,
    sha256,
)

pytestmark = pytest.mark.slow


def _album(owner: ServerProcess) -> str:
    album_id = new_id()
    owner.api("PUT", f"/api/albums/{album_id}", json={"title": "Wedding"}).raise_for_status()
    return album_id


def _quota_of(server: ServerProcess, name: str) -> object:
    listed = json.loads(server_admin(server, "owners", "--json").stdout)["owners"]
    return next(owner["quota_bytes"] for owner in listed if owner["name"] == name)


def test_a_quota_refuses_new_files_past_it_and_nothing_else(fresh_server: ServerProcess) -> None:
    server = fresh_server
    dora = as_owner(server, create_token(server.data, "dora", database=server.database))
    eve = as_owner(server, create_token(server.data, "eve", database=server.database))
    photos = [photo_jpeg((400, 300), seed=n) for n in range(4)]
    size = max(len(photo) for photo in photos)
    album_id = _album(dora)
    kept = upload_photo(dora, album_id, photos[0], "IMG_0001.JPG")

    # Room for two files: the one she keeps and one more.
    room = 2 * size + size // 2
    done = server_admin(server, "owners", "quota", "--name", "dora", str(room))
    assert done.stdout.startswith("'dora' may keep "), done.stdout
    assert f"{len(photos[0]) / 1000:.1f} kB used" in done.stdout
    assert _quota_of(server, "dora") == room
    table = server_admin(server, "owners").stdout.splitlines()
    assert "QUOTA" in table[0].split()
    assert f"{room / 1000:.1f} kB" in next(line for line in table if line.startswith("dora"))

    upload_photo(dora, album_id, photos[1], "IMG_0002.JPG")
    me = dora.api("GET", "/api/me").json()
    assert (me["stored_bytes"], me["quota_bytes"]) == (len(photos[0]) + len(photos[1]), room)
    assert eve.api("GET", "/api/me").json()["quota_bytes"] is None
    refused = ask_to_upload(dora, album_id, photos[2], "IMG_0003.JPG", new_id())
    assert refused.status_code == 507, refused.text
    error = refused.json()["error"]
    assert error["code"] == "quota_exceeded"
    assert error["message"].startswith("your storage on this server is full: ")
    assert "ask the server's administrator for more room" in error["message"]
    assert "Location" not in refused.headers, "nothing was made"

    # An arriving photo is refused too: its original could not land.
    preview = put_preview(dora, new_id(), album_id, photos[2])
    assert preview.status_code == 507 and preview.json()["error"]["code"] == "quota_exceeded"
    # A file she keeps costs nothing: the same photo in a second album, uploaded or added.
    second = _album(dora)
    again = ask_to_upload(dora, second, photos[0], "IMG_0001.JPG", new_id())
    assert again.status_code == 201, again.text
    body = {"album_id": second, "filename": "IMG_0002.JPG", "sha256": sha256(photos[1])}
    added = dora.api("PUT", f"/api/photos/{new_id()}", json=body)
    assert added.status_code == 201, added.text
    # Another owner is not affected, even by the same bytes.
    assert upload_photo(eve, _album(eve), photos[2], "IMG_0003.JPG")

    # Deleting a photo she no longer shares makes room.
    assert dora.api("DELETE", f"/api/photos/{kept}").status_code == 204
    refused = ask_to_upload(dora, album_id, photos[2], "IMG_0003.JPG", new_id())
    assert refused.status_code == 507, "the same file is still in her second album"
    assert dora.api("DELETE", f"/api/albums/{second}").status_code == 204
    upload_photo(dora, album_id, photos[2], "IMG_0003.JPG")

    # Lowered below what she keeps: her photos stay, nothing new comes; `none` lifts it.
    lowered = server_admin(server, "owners", "quota", "--name", "dora", "1K")
    assert "over it already" in lowered.stdout
    assert dora.api("GET", f"/api/albums/{album_id}").json()["photo_count"] == 2
    assert ask_to_upload(dora, album_id, photos[3], "IMG_0004.JPG", new_id()).status_code == 507
    lifted = server_admin(server, "owners", "quota", "--name", "dora", "none")
    assert lifted.stdout.startswith("'dora' has no quota now"), lifted.stdout
    assert _quota_of(server, "dora") is None
    upload_photo(dora, album_id, photos[3], "IMG_0004.JPG")


def test_quota_commands_name_what_is_wrong(fresh_server: ServerProcess) -> None:
    unknown = server_admin(fresh_server, "owners", "quota", "--name", "nobody", "5G", check=False)
    assert unknown.returncode == 1
    assert "no owner is called 'nobody'" in unknown.stderr
    create_token(fresh_server.data, "dora", database=fresh_server.database)
    bad = server_admin(fresh_server, "owners", "quota", "--name", "dora", "lots", check=False)
    assert bad.returncode == 2
    assert "'lots' is not a size such as 0, 512M or 2G" in bad.stderr
    assert _quota_of(fresh_server, "dora") is None, "nothing changed"
    given = server_admin(fresh_server, "owners", "quota", "--name", "dora", "50G")
    assert given.stdout == "'dora' may keep 50.0 GB; 0 B used.\n", "as the list shows sizes"
    assert _quota_of(fresh_server, "dora") == 50 * 1000**3


def test_uploads_started_together_never_pass_the_quota_together(
    fresh_server: ServerProcess,
) -> None:
    """Each check holds the owner's room until its file is recorded (quotas.room_held): twelve
    new files asked for at the same moment, as tus creations and as arriving photos' previews,
    from twelve connections, with room for three of them."""
    server = fresh_server
    token = create_token(server.data, "fay", database=server.database)
    fay = as_owner(server, token)
    album_id = _album(fay)
    photos = [photo_jpeg((400, 300), seed=100 + n) for n in range(12)]
    size = max(len(photo) for photo in photos)
    room = 3 * size + size // 2
    server_admin(server, "owners", "quota", "--name", "fay", str(room))
    start = threading.Barrier(len(photos))

    def ask(index: int) -> int:
        connection = as_owner(server, token)  # a session of its own: requests' are not shared
        start.wait(timeout=30)
        if index % 2:
            return put_preview(connection, new_id(), album_id, photos[index]).status_code
        return ask_to_upload(
            connection, album_id, photos[index], f"IMG_{index:04}.JPG", new_id()
        ).status_code

    with ThreadPoolExecutor(len(photos)) as pool:
        answers = list(pool.map(ask, range(len(photos))))
    assert sorted(answers) == [201] * 3 + [507] * 9, answers
    me = fay.api("GET", "/api/me").json()
    assert me["stored_bytes"] <= room
