"""Secrets go to a keyring and nowhere else. Unit tests use an in-memory keyring backend (set
here, as the testing rules allow); `test_real_secret_service_*` use GNOME Keyring on D-Bus."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend
from keyring.backends import SecretService, fail

from albumen.core.credentials import Credentials, KeyringUnavailableError
from tests.support import ServerProcess, photo_jpeg


class MemoryKeyring(KeyringBackend):
    """A real KeyringBackend that keeps secrets in a dict, for tests without D-Bus."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username), None)


def test_tokens_and_passwords_round_trip(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ALBUMEN_TOKEN", raising=False)
    backend = MemoryKeyring()
    credentials = Credentials(backend)
    assert credentials.available
    credentials.set_server_token("https://photos.example/", "alb_secret")
    assert credentials.server_token("https://photos.example") == "alb_secret"
    assert credentials.set_link_password("link-1", "correct horse") is True
    assert credentials.link_password("link-1") == "correct horse"
    assert ("Albumen", "link-password:link-1") in backend.secrets
    credentials.forget_link_password("link-1")
    assert credentials.link_password("link-1") is None
    monkeypatch.setenv("ALBUMEN_TOKEN", "from-env")
    assert credentials.server_token("https://photos.example") == "from-env"


def test_no_keyring_says_how_to_fix_and_keeps_passwords_in_memory_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ALBUMEN_TOKEN", raising=False)
    credentials = Credentials(fail.Keyring())
    assert not credentials.available
    with pytest.raises(KeyringUnavailableError, match=r"Secret Service|ALBUMEN_TOKEN"):
        credentials.set_server_token("https://photos.example", "t")
    assert credentials.server_token("https://photos.example") is None
    assert credentials.set_link_password("link-2", "shown once") is False
    assert credentials.link_password("link-2") == "shown once"
    assert Credentials(fail.Keyring()).link_password("link-2") is None


def test_a_token_in_the_environment_leaves_the_keyring_alone() -> None:
    """Headless (ALBUMEN_TOKEN), the keyring is neither imported nor looked for: finding the
    OS backend costs tens of milliseconds before a share's first byte. In a fresh process, as
    `albumen share` runs; the client opened on a data folder as the CLI opens it."""
    script = (
        "import sys, tempfile, pathlib\n"
        "from albumen.client import Client\n"
        "client = Client(pathlib.Path(tempfile.mkdtemp()))\n"
        "assert client.credentials.server_token('https://photos.example') == 'from-env'\n"
        "print('keyring' in sys.modules)\n"
    )
    env = {**os.environ, "ALBUMEN_TOKEN": "from-env"}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False", "the keyring was imported"


def _secret_service() -> KeyringBackend | None:
    # Asked directly: keyring's own choice would chain in the MemoryKeyring defined above.
    backend = SecretService.Keyring()
    try:
        backend.priority  # noqa: B018  # raises when no Secret Service answers on D-Bus
    except Exception:
        return None
    return backend


@pytest.fixture
def real_keyring() -> KeyringBackend:
    backend = _secret_service()
    if backend is None:
        message = (
            "no Secret Service keyring on D-Bus (.ci/run starts gnome-keyring-daemon in a "
            "dbus-run-session)"
        )
        if os.environ.get("ALBUMEN_REQUIRE_KEYRING"):
            pytest.fail(message)
        pytest.skip(message)
    return backend


@pytest.mark.keyring
def test_real_secret_service_keeps_a_link_password(real_keyring: KeyringBackend) -> None:
    credentials = Credentials(real_keyring)
    assert credentials.available
    credentials.set_link_password("real-link", "saddle-orbit-tundra")
    # Another process reads it back from the keyring daemon, not from this one's memory.
    read = subprocess.run(
        [
            sys.executable,
            "-c",
            "import keyring; print(keyring.get_password('Albumen', 'link-password:real-link'))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert read.stdout.strip() == "saddle-orbit-tundra"
    credentials.forget_link_password("real-link")
    assert credentials.link_password("real-link") is None


@pytest.mark.keyring
def test_real_secret_service_offline_share_with_password(
    real_keyring: KeyringBackend, shared_server: ServerProcess, tmp_path: Path
) -> None:
    """A generated password survives the process via the keyring; SQLite never holds it."""
    del real_keyring
    photo = tmp_path / "a.jpg"
    photo.write_bytes(photo_jpeg(seed=404))
    data = tmp_path / "client"
    data.mkdir()
    (data / "settings.json").write_text(json.dumps({"server_url": "http://127.0.0.1:9"}))
    env = {**os.environ, "ALBUMEN_TOKEN": shared_server.token}
    command = [sys.executable, "-m", "albumen.cli", "--data-dir", str(data)]
    shared = subprocess.run(
        [*command, "share", str(photo), "--album", "Keyring", "--generate-password"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert shared.returncode == 3, shared.stderr
    url, password_line = shared.stdout.strip().splitlines()[-2:]
    password = password_line.removeprefix("password: ")
    assert "not kept" not in shared.stderr
    (data / "settings.json").write_text(json.dumps({"server_url": shared_server.url}))
    url = url.replace("http://127.0.0.1:9", shared_server.url)
    synced = subprocess.run(
        [*command, "sync"], capture_output=True, text=True, env=env, timeout=120
    )
    assert synced.returncode == 0, synced.stderr
    import requests

    unlocked = requests.post(url + "/unlock", data={"password": password}, timeout=30)
    assert unlocked.status_code == 200
    for path in data.rglob("*"):
        if path.is_file():
            assert password.encode() not in path.read_bytes(), path
