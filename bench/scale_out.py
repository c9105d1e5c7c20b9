"""What one server process serves, and what three behind nginx serve, in one run.

Both set-ups run on one throwaway PostgreSQL cluster (a database each) with the blobs in a
shared folder: one `albumen-server` reached directly over HTTP, and three behind nginx
(packaging/nginx/albumen.conf: TLS, round robin). For each: a 200-photo album behind an open
link, its thumbnails rendered once (a warm cache, as after the first viewer); then `wrk` asks
for `photos.json` and random thumbnails for `--seconds` (viewer requests per second), and
`--uploads` tus uploads of `--upload-mb` each go up `--parallel` at a time (MB/s, MB = MiB).
Prints one JSON line. Needs Debian's `postgresql`, `nginx`, `wrk` and `openssl`.

    .venv/bin/python bench/scale_out.py [--seconds 10] [--connections 32] [--uploads 8]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.nginx import NginxProxy  # noqa: E402
from tests.postgres import PostgresCluster  # noqa: E402
from tests.server.uploading import TUS  # noqa: E402
from tests.support import (  # noqa: E402
    ServerProcess,
    new_id,
    new_token,
    sha256,
    start_server,
    tus_metadata,
)

MIB = 1 << 20


def log(message: str) -> None:
    print(f"scale_out: {message}", file=sys.stderr, flush=True)


def _photo(seed: int) -> bytes:
    image = Image.effect_noise((1200, 800), 40 + seed % 50).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


class Target:
    """One deployment as a client sees it: a base URL, a token, TLS or not."""

    def __init__(self, url: str, token: str, verify: str | bool) -> None:
        self.url, self.token = url, token
        self.http = requests.Session()
        self.http.trust_env = False
        self.http.verify = verify

    def api(self, method: str, path: str, **kwargs: object) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}  # type: ignore[dict-item]
        return self.http.request(method, self.url + path, headers=headers, timeout=300, **kwargs)  # type: ignore[arg-type]

    def upload(self, album_id: str, data: bytes, name: str) -> str:
        photo_id = new_id()
        meta = tus_metadata(
            album_id=album_id, photo_id=photo_id, filename=name, sha256=sha256(data)
        )
        created = self.api(
            "POST",
            "/api/uploads/",
            headers={**TUS, "Upload-Length": str(len(data)), "Upload-Metadata": meta},
        )
        created.raise_for_status()
        patched = self.http.patch(
            created.headers["Location"],
            data=data,
            headers={
                **TUS,
                "Authorization": f"Bearer {self.token}",
                "Upload-Offset": "0",
                "Content-Type": "application/offset+octet-stream",
            },
            timeout=600,
        )
        if patched.status_code != 204:
            raise RuntimeError(f"upload failed: {patched.status_code} {patched.text[:200]}")
        return photo_id


def _album(target: Target, photos: list[bytes]) -> tuple[str, list[str]]:
    album_id, token = new_id(), new_token()
    target.api("PUT", f"/api/albums/{album_id}", json={"title": "Scale"}).raise_for_status()
    with ThreadPoolExecutor(4) as pool:
        ids = list(
            pool.map(lambda n: target.upload(album_id, photos[n], f"IMG_{n}.jpg"), range(200))
        )
    target.api(
        "PUT", f"/api/links/{new_id()}", json={"album_id": album_id, "token": token}
    ).raise_for_status()
    with ThreadPoolExecutor(4) as pool:  # warm: every thumbnail rendered once
        list(pool.map(lambda i: target.http.get(f"{target.url}/s/{token}/photos/{i}/thumb"), ids))
    return token, ids


def _wrk(target: Target, token: str, ids: list[str], seconds: int, connections: int) -> float:
    paths = [f"/s/{token}/photos.json"] + [f"/s/{token}/photos/{i}/thumb" for i in ids]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write("paths = {" + ",".join(json.dumps(p) for p in paths) + "}\n")
        script.write(
            "request = function() return wrk.format('GET', paths[math.random(#paths)]) end\n"
        )
    result = subprocess.run(
        [
            "wrk",
            "-t",
            "2",
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "-s",
            script.name,
            target.url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    Path(script.name).unlink()
    match = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
    if errors:
        raise RuntimeError(f"{errors.group(1)} failed requests under load:\n{result.stdout}")
    return float(match.group(1)) if match else 0.0


def _uploads(target: Target, count: int, size_mb: int, parallel: int) -> float:
    album_id = new_id()
    target.api("PUT", f"/api/albums/{album_id}", json={"title": "Uploads"}).raise_for_status()
    blobs = [os.urandom(size_mb * MIB) for _ in range(count)]
    began = time.monotonic()
    with ThreadPoolExecutor(parallel) as pool:
        list(pool.map(lambda n: target.upload(album_id, blobs[n], f"big_{n}.raw"), range(count)))
    return count * size_mb / (time.monotonic() - began)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--uploads", type=int, default=8)
    parser.add_argument("--upload-mb", type=int, default=32)
    parser.add_argument("--parallel", type=int, default=4)
    options = parser.parse_args()
    log("making 200 photos")
    photos = [_photo(n) for n in range(200)]
    cluster = PostgresCluster.start()
    figures: dict[str, object] = {
        "bench": "scale_out",
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
    }
    servers: list[ServerProcess] = []
    proxy: NginxProxy | None = None
    try:
        with tempfile.TemporaryDirectory() as one_folder:
            log("one process")
            one = start_server(Path(one_folder), "--database", cluster.create_database())
            servers.append(one)
            direct = Target(one.url, one.token, False)
            token, ids = _album(direct, photos)
            figures["one_process_viewer_rps"] = round(
                _wrk(direct, token, ids, options.seconds, options.connections)
            )
            figures["one_process_upload_mb_s"] = round(
                _uploads(direct, options.uploads, options.upload_mb, options.parallel), 1
            )
            one.stop()
            servers.remove(one)
        folder, listen = NginxProxy.reserve()
        data = folder / "data"
        data.mkdir()
        database = cluster.create_database()
        url = f"https://127.0.0.1:{listen}"
        for _ in range(3):
            servers.append(
                start_server(
                    data,
                    "--database",
                    database,
                    "--trusted-proxy",
                    "127.0.0.1",
                    "--public-url",
                    url,
                )
            )
        proxy = NginxProxy.start(folder, listen, [server.port for server in servers])
        log("three processes behind nginx")
        behind = Target(url, servers[0].token, str(proxy.cert))
        token, ids = _album(behind, photos)
        figures["three_behind_nginx_viewer_rps"] = round(
            _wrk(behind, token, ids, options.seconds, options.connections)
        )
        figures["three_behind_nginx_upload_mb_s"] = round(
            _uploads(behind, options.uploads, options.upload_mb, options.parallel), 1
        )
        figures["viewer_ratio"] = round(
            figures["three_behind_nginx_viewer_rps"] / max(1, figures["one_process_viewer_rps"]),
            2,  # type: ignore[operator]
        )
    finally:
        if proxy is not None:
            proxy.stop()
        for server in servers:
            server.stop()
        cluster.stop()
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
