"""The embedded sharing server: a fresh install shares on 127.0.0.1 with no setup.

Lives outside `albumen.core` on purpose: it imports the server package, which the core must not.
The server runs as a background process that outlives the command that started it (viewers'
links keep working), on a port kept in the data folder so links stay valid across restarts.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

DEFAULT_PORT = 8737
STATE_FILE = "embedded.json"


class EmbeddedServerError(Exception):
    """The embedded server could not be started; the message says why and where its log is."""


@dataclass(frozen=True)
class EmbeddedServer:
    url: str
    pid: int
    data: Path


def _healthy(url: str) -> bool:
    try:
        return requests.get(url + "/api/health", timeout=2).ok
    except requests.RequestException:
        return False


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
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
    data.mkdir(parents=True, exist_ok=True)
    state_path = data / STATE_FILE
    port = DEFAULT_PORT
    with contextlib.suppress(OSError, ValueError, KeyError):
        state = json.loads(state_path.read_text())
        port = int(state["port"])
        if _healthy(state["url"]):
            return EmbeddedServer(state["url"], int(state["pid"]), data)
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
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise EmbeddedServerError(f"the embedded server stopped at start; see {log_path}")
        if _healthy(url):
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
