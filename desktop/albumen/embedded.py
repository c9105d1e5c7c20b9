"""The embedded sharing server: a fresh install shares on 127.0.0.1 with no setup.

Lives outside `albumen.core` on purpose: it imports the server package, which the core must not.
"""

from __future__ import annotations

from pathlib import Path


def run_embedded_server_foreground(data: Path, port: int) -> int:
    """Serve the data folder's server on 127.0.0.1 until interrupted."""
    from albumen_server.cli import create_token
    from albumen_server.cli import main as server_main
    from albumen_server.config import ServerConfig

    server_data = data / "server"
    token = create_token(ServerConfig(data_dir=server_data), "owner")
    print(f"Albumen sharing server on http://127.0.0.1:{port}, data in {server_data}")
    print(f"Owner token for this session (shown once): {token}")
    print(f"Open http://127.0.0.1:{port}/api/docs for the API; Ctrl+C stops the server.")
    return server_main(["--data", str(server_data), "--host", "127.0.0.1", "--port", str(port)])
