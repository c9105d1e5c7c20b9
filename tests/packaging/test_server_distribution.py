"""`pip install ./server` is a whole deployment: no Qt, nothing of the desktop app.

Installs the server distribution into a fresh virtual environment (the way a host would on a
machine with only Python), starts that server, and has the desktop app's `albumen share` send
an album to it over real HTTP.
"""

from __future__ import annotations

import subprocess
import venv
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import ROOT, ServerProcess, photo_jpeg, run_albumen, sha256, start_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("server-venv") / "venv"
    venv.EnvBuilder(with_pip=True).create(folder)
    python = folder / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(ROOT / "server")],
        check=True,
        capture_output=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
    )
    return folder


@pytest.fixture
def standalone_server(server_venv: Path, tmp_path: Path) -> Iterator[ServerProcess]:
    data = tmp_path / "server-data"
    data.mkdir()
    server = start_server(data, python=str(server_venv / "bin" / "python"))
    yield server
    server.stop()


def test_the_server_installs_without_qt_or_the_desktop_app(server_venv: Path) -> None:
    listed = subprocess.run(
        [str(server_venv / "bin" / "python"), "-m", "pip", "list", "--format=freeze"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.lower()
    names = {line.split("==")[0] for line in listed.splitlines()}
    assert "albumen-server" in names
    assert not names & {"pyside6", "pyside6-essentials", "shiboken6", "albumen"}, names
    help_text = subprocess.run(
        [str(server_venv / "bin" / "albumen-server"), "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "--data" in help_text and "--public-url" in help_text
    desktop = subprocess.run(
        [str(server_venv / "bin" / "python"), "-c", "import albumen"],
        capture_output=True,
        text=True,
    )
    assert desktop.returncode != 0 and "No module named 'albumen'" in desktop.stderr


def test_the_desktop_app_shares_to_the_standalone_server(
    standalone_server: ServerProcess, tmp_path: Path
) -> None:
    photos = tmp_path / "shoot"
    photos.mkdir()
    hashes = {}
    for index in range(2):
        data = photo_jpeg(seed=index + 7)
        (photos / f"IMG_{index}.jpg").write_bytes(data)
        hashes[sha256(data)] = f"IMG_{index}.jpg"
    client_data = tmp_path / "client"
    client_data.mkdir()
    (client_data / "settings.json").write_text(f'{{"server_url": "{standalone_server.url}"}}')
    result = run_albumen(
        client_data,
        *("share", str(photos), "--album", "Standalone", "--generate-password"),
        token=standalone_server.token,
    )
    assert result.returncode == 0, result.stderr
    assert f"{standalone_server.url}/s/" in result.stdout
    albums = standalone_server.api("GET", "/api/albums").json()["albums"]
    (album,) = [album for album in albums if album["title"] == "Standalone"]
    listed = standalone_server.api("GET", f"/api/albums/{album['id']}/photos").json()["photos"]
    assert {photo["sha256"] for photo in listed} == set(hashes)
