"""Two server processes on one deployment (one database, one blob folder) lose no photo.

Before: deleting a photo on one process while the same bytes were added on the other (`PUT
/api/photos`, the dedupe path) left the new photo without its blob in 7 of 30 trials; the
lock deciding "is this blob still used?" was a `threading.Lock`, one per process.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.postgres import PostgresCluster
from tests.server.uploading import upload_photo
from tests.support import ServerProcess, new_id, photo_jpeg, start_server

pytestmark = pytest.mark.slow


@pytest.fixture(params=["sqlite", "postgresql"])
def two_processes(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[ServerProcess]]:
    extra: tuple[str, ...] = ()
    if request.param == "postgresql":
        cluster: PostgresCluster = request.getfixturevalue("postgres")
        extra = ("--database", cluster.create_database())
    first = start_server(tmp_path, *extra)
    second = start_server(tmp_path, *extra)
    second.token = first.token  # one deployment: either process takes the owner's token
    yield [first, second]
    second.stop()
    first.stop()


def test_delete_and_dedupe_on_two_processes_never_lose_a_blob(
    two_processes: list[ServerProcess],
) -> None:
    one, other = two_processes
    album_id = new_id()
    one.api("PUT", f"/api/albums/{album_id}", json={"title": "Race"}).raise_for_status()
    outcomes = {"kept": 0, "refused": 0}
    with ThreadPoolExecutor(2) as pool:
        for trial in range(30):
            data = photo_jpeg(seed=1000 + trial, size=(320, 240))
            digest = hashlib.sha256(data).hexdigest()
            first_id = upload_photo(one, album_id, data, f"a{trial}.jpg")
            second_id = new_id()
            deleting = pool.submit(one.api, "DELETE", f"/api/photos/{first_id}")
            adding = pool.submit(
                other.api,
                "PUT",
                f"/api/photos/{second_id}",
                json={"album_id": album_id, "filename": f"b{trial}.jpg", "sha256": digest},
            )
            assert deleting.result().status_code == 204
            added = adding.result()
            if added.status_code == 409:
                assert added.json()["error"]["code"] == "not_present"
                outcomes["refused"] += 1
                continue
            assert added.status_code in (200, 201), added.text
            for server in (one, other):
                original = server.api("GET", f"/api/photos/{second_id}/original")
                assert original.status_code == 200, f"trial {trial}: the blob was lost"
                assert hashlib.sha256(original.content).hexdigest() == digest
            outcomes["kept"] += 1
    assert sum(outcomes.values()) == 30
