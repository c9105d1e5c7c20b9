"""The embedded sharing server: a fresh install shares on 127.0.0.1 with no setup.

Lives outside `albumen.core` on purpose: it imports the server package, which the core must not.
The server runs as a background process that outlives the command that started it (viewers'
links keep working), on a port kept in the data folder so links stay valid across restarts.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from albumen.core.backend import environment_session
from albumen.priority import background_process_options, lower_process

DEFAULT_PORT = 8737
STATE_FILE = "embedded.json"
# The server answers a challenge with an HMAC under the key in this file
# (albumen_server.identity, whose proof the check below computes too).
IDENTITY_FILE = "identity.key"


class EmbeddedServerError(Exception):
    """The embedded server could not be started; the message says why and where its log is."""


@dataclass(frozen=True)
class EmbeddedServer:
    url: str
    pid: int
    data: Path


def _identity_key(data: Path) -> bytes:
    """The key only our embedded server can read (0600 in a 0700 folder); made once."""
    path = data / IDENTITY_FILE
    with contextlib.suppress(OSError):
        key = path.read_bytes()
        if len(key) >= 32:
            return key
    key = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    path.chmod(0o600)
    return key


def is_ours(url: str, data: Path) -> bool:
    """True only when the server at `url` proves it reads our identity key: the one thing a
    process of another user holding our port cannot do. Nothing secret is sent to find out."""
    try:
        key = (data / IDENTITY_FILE).read_bytes()
    except OSError:
        return False
    challenge = secrets.token_hex(16)
    try:
        # Straight to 127.0.0.1, never through a proxy the environment names (which cannot
        # reach this computer's loopback: the embedded server then never started for an owner
        # with HTTP_PROXY set), and nothing from ~/.netrc.
        with environment_session() as session:
            response = session.get(
                url + "/api/identity", params={"challenge": challenge}, timeout=2
            )
            proof = response.json().get("proof") if response.ok else None
    except (requests.RequestException, ValueError, AttributeError):
        return False
    from albumen_server.identity import identity_proof  # the server's own side of the proof

    return isinstance(proof, str) and hmac.compare_digest(proof, identity_proof(key, challenge))


def _port_free(port: int) -> bool:
    """Whether a server could listen on the port now. With SO_REUSEADDR, as uvicorn binds:
    connections of a server just killed linger in TIME_WAIT, and must not push its successor
    to another port (the owner's local links name this one)."""
    with socket.socket() as sock:
        if os.name != "nt":  # on Windows the option would let two servers share the port
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _choose_port(preferred: int) -> int:
    if _port_free(preferred):
        return preferred
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop_older_server(pid: int, data: Path, port: int) -> None:
    """An embedded server started by an earlier Albumen, before servers proved themselves,
    still holds the port that existing links name: stop it, so that its successor takes the
    same port. Only a process serving this very data folder is touched (read from /proc, so on
    Linux; elsewhere the new server takes another port)."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return
    if b"albumen_server.cli" not in command and b"albumen-server" not in command:
        return
    if str(data).encode() not in command:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, 15)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not _port_free(port):
        time.sleep(0.05)  # waiting for another process to let go of its port: no signal for it


def private_folder(folder: Path) -> None:
    """Make `folder` (and what it holds: link tokens, owner tokens, photos) the owner's alone."""
    folder.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):  # a folder the owner made elsewhere may not be ours
        folder.chmod(0o700)


def server_command() -> list[str]:
    """How to run `albumen-server`: this Python with `-m`; in a PyInstaller bundle, which has no
    Python to run `-m` with, the bundle's own executable, which runs the server when its first
    argument is `albumen-server` (packaging/albumen_main.py)."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "albumen-server"]
    return [sys.executable, "-m", "albumen_server.cli"]


def server_data(data_dir: Path) -> Path:
    return data_dir / "server"


def mint_token(data_dir: Path) -> str:
    """A new owner token for the embedded server, written straight into its database."""
    from albumen_server.cli import create_token
    from albumen_server.config import ServerConfig

    return create_token(ServerConfig(data_dir=server_data(data_dir)), "owner")


def ensure_running(data_dir: Path, timeout: float = 30.0) -> EmbeddedServer:
    """Reuse the running embedded server, or start one in the background."""
    data = server_data(data_dir)
    private_folder(data_dir)
    private_folder(data)
    _identity_key(data)
    state_path = data / STATE_FILE
    port = DEFAULT_PORT
    with contextlib.suppress(OSError, ValueError, KeyError):
        state = json.loads(state_path.read_text())
        port = int(state["port"])
        if is_ours(state["url"], data):
            return EmbeddedServer(state["url"], int(state["pid"]), data)
        _stop_older_server(int(state["pid"]), data, port)
    port = _choose_port(port)
    url = f"http://127.0.0.1:{port}"
    log_path = data / "server.log"
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [
                *server_command(),
                "--data",
                str(data),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # outlives the command that started it
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            **background_process_options(),
        )
    # A background service of the app: what it receives from the app, and serves, never takes
    # a core from the app's window (albumen.priority).
    lower_process(process.pid)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise EmbeddedServerError(f"the embedded server stopped at start; see {log_path}")
        if is_ours(url, data):
            state_path.write_text(json.dumps({"url": url, "port": port, "pid": process.pid}))
            return EmbeddedServer(url, process.pid, data)
        time.sleep(0.05)  # waiting for another process to listen; it has no other signal
    process.terminate()
    raise EmbeddedServerError(
        f"the embedded server did not start in {timeout:.0f} s; see {log_path}"
    )


def stop(data_dir: Path) -> bool:
    """Stop the background server of this data folder, if one runs."""
    state_path = server_data(data_dir) / STATE_FILE
    try:
        state = json.loads(state_path.read_text())
    except (OSError, ValueError):
        return False
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(int(state["pid"]), 15)
    state_path.unlink(missing_ok=True)
    return True


def run_embedded_server_foreground(data: Path, port: int) -> int:
    """Serve the data folder's server on 127.0.0.1 until interrupted (`albumen serve`)."""
    from albumen_server.cli import main as server_main

    folder = server_data(data)
    folder.mkdir(parents=True, exist_ok=True)
    print(f"Albumen sharing server on http://127.0.0.1:{port}, data in {folder}")
    print("Ctrl+C stops it.")
    return server_main(["--data", str(folder), "--host", "127.0.0.1", "--port", str(port)])
