"""Two server processes on one deployment (one database, one blob folder) lose no photo.

Before: deleting a photo on one process while the same bytes were added on the other (`PUT
/api/photos`, the dedupe path) left the new photo without its blob in 7 of 30 trials; the
lock deciding "is this blob still used?" was a `threading.Lock`, one per process.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.postgres import PostgresCluster
from tests.server.uploading import TUS, create_upload, upload_photo
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


def test_two_patches_of_one_upload_on_two_processes_do_not_interleave(
    two_processes: list[ServerProcess],
) -> None:
    """A client retrying while its first PATCH still streams, each reaching another process."""
    one, other = two_processes
    album_id = new_id()
    one.api("PUT", f"/api/albums/{album_id}", json={"title": "Retry"}).raise_for_status()
    data = os.urandom(4 << 20)
    location, photo_id = create_upload(one, album_id, data, "retry.jpg")
    path = location.split(one.url, 1)[1]
    started = threading.Event()

    def slowly() -> Iterator[bytes]:
        for start in range(0, len(data), 64 << 10):
            started.set()
            time.sleep(0.01)  # a slow uplink: the retry below arrives while this streams
            yield data[start : start + (64 << 10)]

    headers = {**TUS, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(one.api, "PATCH", path, data=slowly(), headers=headers)
        started.wait(10)
        retry = other.api("PATCH", path, data=data, headers=headers)
        answers = [first.result(), retry]
    # one of the two wrote the upload; the other was told so, whichever reached its lock first
    assert sorted(answer.status_code for answer in answers)[0] == 204, [a.text for a in answers]
    loser = max(answers, key=lambda answer: answer.status_code)
    assert loser.status_code in (409, 423), loser.text
    if loser.status_code == 423:
        assert loser.json()["error"]["code"] == "upload_busy"
    original = other.api("GET", f"/api/photos/{photo_id}/original")
    assert original.status_code == 200 and original.content == data
