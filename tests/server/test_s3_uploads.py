"""Uploads in progress live in the bucket when the blobs do: the PATCHes of one upload may reach
any process on any machine, with no shared disk and no sticky routing.

Three server processes, each with a data folder of its own (three machines, as far as the server
can tell), share one PostgreSQL database and one S3 bucket (moto on loopback); one upload's
PATCHes go round them, in pieces that do not fit S3's part sizes.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.postgres import PostgresCluster
from tests.s3 import S3Server
from tests.server.uploading import TUS, create_upload
from tests.support import ServerProcess, new_id, noise_photo, start_server

pytestmark = pytest.mark.slow
MB = 1 << 20


@pytest.fixture
def machines(
    postgres: PostgresCluster, s3: S3Server, tmp_path: Path
) -> Iterator[tuple[list[ServerProcess], str]]:
    database = postgres.create_database()
    bucket = s3.new_bucket()
    servers = []
    try:
        for index in range(3):
            servers.append(
                start_server(
                    tmp_path / f"machine-{index}",
                    "--database",
                    database,
                    "--blobs",
                    f"s3://{bucket}/albumen",
                    env=s3.environment,
                )
            )
        yield servers, bucket
    finally:
        for server in servers:
            server.stop()


def _patch(
    server: ServerProcess, path: str, body: bytes, offset: int, checksum: bytes | None = None
) -> object:
    headers = {
        **TUS,
        "Upload-Offset": str(offset),
        "Content-Type": "application/offset+octet-stream",
    }
    if checksum is not None:
        headers["Upload-Checksum"] = "sha256 " + base64.b64encode(checksum).decode()
    return server.api("PATCH", path, data=body, headers=headers)


def _offset(server: ServerProcess, path: str) -> int:
    head = server.api("HEAD", path, headers=TUS)
    assert head.status_code == 200, head.status_code
    return int(head.headers["Upload-Offset"])


def _left_in_bucket(s3: S3Server, bucket: str) -> tuple[list[str], list[str]]:
    """Objects under the uploads prefix, and multipart uploads not completed or aborted."""
    client = s3.client()
    listed = client.list_objects_v2(Bucket=bucket, Prefix="albumen/uploads/")  # type: ignore[attr-defined]
    pending = client.list_multipart_uploads(Bucket=bucket)  # type: ignore[attr-defined]
    return (
        [item["Key"] for item in listed.get("Contents", [])],
        [item["Key"] for item in pending.get("Uploads", [])],
    )


def test_one_upload_goes_round_three_machines_that_share_no_disk(
    machines: tuple[list[ServerProcess], str], s3: S3Server
) -> None:
    servers, bucket = machines
    album_id = new_id()
    assert servers[0].api("PUT", f"/api/albums/{album_id}", json={"title": "Round"}).ok
    data = noise_photo(7.4)  # random pixels, ~22 MB
    location, photo_id = create_upload(servers[0], album_id, data, "round.png")
    path = location.removeprefix(servers[0].url)
    # Below a part, across a part boundary, one byte, several parts at once, the rest.
    sizes = [3 * MB, 7 * MB, 1, 9 * MB]
    sizes.append(len(data) - sum(sizes))
    offset = 0
    for index, size in enumerate(sizes):
        server = servers[index % 3]
        assert _offset(server, path) == offset  # every machine sees where the upload is
        answer = _patch(server, path, data[offset : offset + size], offset)
        assert answer.status_code == 204, answer.text  # type: ignore[attr-defined]
        offset += size
        assert int(answer.headers["Upload-Offset"]) == offset  # type: ignore[attr-defined]

    for server in servers:
        original = server.api("GET", f"/api/photos/{photo_id}/original")
        assert hashlib.sha256(original.content).hexdigest() == hashlib.sha256(data).hexdigest()
    assert _left_in_bucket(s3, bucket) == ([], [])  # no tail, no staging object, no multipart
    for server in servers:  # nothing of the upload stays on any machine's disk
        uploads = server.data / "uploads"
        assert not (uploads.exists() and list(uploads.iterdir()))


def test_checksums_and_termination_with_parts_in_the_bucket(
    machines: tuple[list[ServerProcess], str], s3: S3Server
) -> None:
    servers, bucket = machines
    album_id = new_id()
    assert servers[0].api("PUT", f"/api/albums/{album_id}", json={"title": "Checked"}).ok
    data = noise_photo(4.2)  # ~12.6 MB
    location, _photo_id = create_upload(servers[0], album_id, data, "checked.png")
    path = location.removeprefix(servers[0].url)
    chunk = data[: 3 * MB]

    wrong = _patch(servers[1], path, chunk, 0, checksum=hashlib.sha256(b"other").digest())
    assert wrong.status_code == 460, wrong.text  # type: ignore[attr-defined]
    assert _offset(servers[2], path) == 0  # none of the refused chunk was kept

    right = _patch(servers[2], path, chunk, 0, checksum=hashlib.sha256(chunk).digest())
    assert right.status_code == 204, right.text  # type: ignore[attr-defined]
    assert _offset(servers[0], path) == len(chunk)
    tails, pending = _left_in_bucket(s3, bucket)
    assert len(tails) == 1 and len(pending) == 1  # the bytes wait in the bucket

    gone = servers[1].api("DELETE", path, headers=TUS)
    assert gone.status_code == 204
    assert _left_in_bucket(s3, bucket) == ([], [])
    assert servers[0].api("HEAD", path, headers=TUS).status_code == 404
