"""`albumen login` with the pairing address of `albumen-server invite`: the token goes to the
keyring (the real Secret Service, as in tests/core/test_credentials.py), or, with none, is shown
once, since the address is spent."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from keyring.backend import KeyringBackend

from albumen.core.pairing import this_device
from tests.core.test_credentials import real_keyring  # noqa: F401  # the fixture
from tests.support import ServerProcess, invite, run_albumen, server_admin

EXIT_AUTH = 4


def _name(server: ServerProcess, token: str) -> str:
    me = requests.get(
        f"{server.url}/api/me", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    return str(me.json()["name"])


@pytest.mark.keyring
def test_login_with_a_pairing_address_keeps_the_token_in_the_keyring(
    real_keyring: KeyringBackend,  # noqa: F811
    fresh_server: ServerProcess,
    tmp_path: Path,
) -> None:
    del real_keyring
    address = invite(fresh_server, "sam")
    result = run_albumen(tmp_path, "login", address)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"logged in to {fresh_server.url} as sam"
    settings = json.loads((tmp_path / "settings.json").read_text())
    assert settings["server_url"] == fresh_server.url
    # Another process reads the token from the keyring daemon.
    read = subprocess.run(
        [
            sys.executable,
            "-c",
            "import keyring, sys; print(keyring.get_password('Albumen', sys.argv[1]))",
            f"server-token:{fresh_server.url}",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert _name(fresh_server, read.stdout.strip()) == "sam"
    again = run_albumen(tmp_path, "login", address)
    assert again.returncode == EXIT_AUTH
    assert "used already or has expired" in again.stderr


def test_login_with_a_pairing_address_and_no_keyring_shows_the_token_once(
    fresh_server: ServerProcess, tmp_path: Path
) -> None:
    address = invite(fresh_server, "sam")
    no_keyring = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    result = run_albumen(tmp_path, "login", address, env={**os.environ, **no_keyring})
    assert result.returncode == EXIT_AUTH
    assert "No usable keyring" in result.stderr
    token = result.stderr.rsplit("ALBUMEN_TOKEN: ", 1)[1].strip()
    assert _name(fresh_server, token) == "sam"
    assert not (tmp_path / "settings.json").exists()
    # Paired under this computer's name, for an administrator to revoke it alone if lost.
    listed = json.loads(server_admin(fresh_server, "owners", "--json").stdout)["owners"]
    assert next(o for o in listed if o["name"] == "sam")["devices"] == [this_device()]


def test_login_refuses_a_pairing_address_over_plain_http_to_another_machine(
    tmp_path: Path,
) -> None:
    result = run_albumen(tmp_path, "login", "http://photos.example/pair/" + "a" * 32)
    assert result.returncode == EXIT_AUTH
    assert "pairing needs https://" in result.stderr
