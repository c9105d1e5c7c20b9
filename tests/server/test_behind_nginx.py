"""Three server processes behind nginx (packaging/nginx/albumen.conf, round robin, TLS) on one
PostgreSQL database and one S3 bucket: the flows of a real deployment, each request landing on
whichever process nginx picks.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.nginx import NginxProxy
from tests.postgres import PostgresCluster
from tests.s3 import S3Server
from tests.server.uploading import TUS
from tests.support import (
    ServerProcess,
    new_id,
    new_token,
    photo_jpeg,
    run_albumen,
    sha256,
    start_server,
    tus_metadata,
)

pytestmark = pytest.mark.slow


@dataclass
class Deployment:
    url: str
    cert: Path
    processes: list[ServerProcess]
    token: str

    def api(self, method: str, path: str, **kwargs: object) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}  # type: ignore[dict-item]
        return requests.request(  # type: ignore[arg-type]
            method, self.url + path, headers=headers, verify=str(self.cert), timeout=60, **kwargs
        )


@pytest.fixture(scope="module")
def deployment(postgres: PostgresCluster, s3: S3Server) -> Iterator[Deployment]:
    folder, listen = NginxProxy.reserve()
    url = f"https://127.0.0.1:{listen}"
    database = postgres.create_database()
    bucket = s3.new_bucket()
    data = folder / "data"
    data.mkdir()
    args = ["--database", database, "--blobs", f"s3://{bucket}", "--trusted-proxy", "127.0.0.1"]
    processes = [
        start_server(data, *args, "--public-url", url, env=s3.environment) for _ in range(3)
    ]
    proxy = NginxProxy.start(folder, listen, [process.port for process in processes])
    yield Deployment(url, proxy.cert, processes, processes[0].token)
    proxy.stop()
    for process in processes:
        process.stop()


def test_a_tus_upload_in_small_chunks_alternating_between_processes(
    deployment: Deployment,
) -> None:
    album_id = new_id()
    deployment.api("PUT", f"/api/albums/{album_id}", json={"title": "Chunks"}).raise_for_status()
    data = photo_jpeg(seed=21, size=(1600, 1200))
    photo_id = new_id()
    metadata = tus_metadata(
        album_id=album_id, photo_id=photo_id, filename="chunks.jpg", sha256=sha256(data)
    )
    created = deployment.api(
        "POST",
        "/api/uploads/",
        headers={**TUS, "Upload-Length": str(len(data)), "Upload-Metadata": metadata},
    )
    assert created.status_code == 201, created.text
    location = created.headers["Location"]
    assert location.startswith(deployment.url + "/api/uploads/")
    path = location.removeprefix(deployment.url)
    offset, step, patches = 0, 16 << 10, 0
    while offset < len(data):
        answer = deployment.api(
            "PATCH",
            path,
            data=data[offset : offset + step],
            headers={
                **TUS,
                "Upload-Offset": str(offset),
                "Content-Type": "application/offset+octet-stream",
            },
        )
        assert answer.status_code == 204, answer.text
        offset = int(answer.headers["Upload-Offset"])
        patches += 1
    assert patches >= 6  # round robin over three processes: each wrote some of the parts
    original = deployment.api("GET", f"/api/photos/{photo_id}/original")
    assert original.status_code == 200 and sha256(original.content) == sha256(data)


def test_the_cli_shares_through_the_proxy_and_a_revoke_reaches_every_process(
    deployment: Deployment, tmp_path: Path
) -> None:
    photos = tmp_path / "shoot"
    photos.mkdir()
    for index in range(3):
        (photos / f"IMG_{index}.jpg").write_bytes(photo_jpeg(seed=40 + index))
    client = tmp_path / "client"
    client.mkdir()
    (client / "settings.json").write_text(json.dumps({"server_url": deployment.url}))
    shared = run_albumen(
        client,
        *("share", str(photos), "--album", "Through nginx", "--password", "northern lights"),
        token=deployment.token,
        env={"REQUESTS_CA_BUNDLE": str(deployment.cert)},
        timeout=180,
    )
    assert shared.returncode == 0, shared.stderr
    link_url = shared.stdout.strip().splitlines()[-1]
    assert link_url.startswith(deployment.url + "/s/")
    viewer = requests.Session()
    viewer.trust_env = False  # REQUESTS_CA_BUNDLE in the environment would win over `verify`
    viewer.verify = str(deployment.cert)
    unlocked = viewer.post(link_url + "/unlock", data={"password": "northern lights"}, timeout=60)
    assert unlocked.status_code == 200
    listing = viewer.get(link_url + "/photos.json", timeout=60).json()
    assert len(listing["photos"]) == 3
    links = deployment.api("GET", "/api/links").json()["links"]
    (link,) = [item for item in links if item["url"] == link_url]
    assert deployment.api("DELETE", f"/api/links/{link['id']}").status_code == 204
    # the next request on every process (round robin: six in a row reach all three) says no
    assert {viewer.get(link_url, timeout=60).status_code for _ in range(6)} == {404}


def test_the_password_limit_holds_across_processes(deployment: Deployment) -> None:
    album_id, token = new_id(), new_token()
    deployment.api("PUT", f"/api/albums/{album_id}", json={"title": "Locked"}).raise_for_status()
    link = {"album_id": album_id, "token": token, "password": "correct horse"}
    deployment.api("PUT", f"/api/links/{new_id()}", json=link).raise_for_status()
    answers = [
        requests.post(
            f"{deployment.url}/s/{token}/unlock",
            data={"password": "wrong"},
            headers={"X-Forwarded-For": f"203.0.113.{n}"},  # nginx overwrites it
            verify=str(deployment.cert),
            allow_redirects=False,
            timeout=60,
        ).status_code
        for n in range(12)
    ]
    assert answers == [401] * 10 + [429, 429]
