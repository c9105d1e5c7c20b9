"""The baseline for `server_upload.py`: an HTTP receiver that does nothing but write bytes to disk.

Whatever the tus server costs beyond this (framework, hashing, fsync, database) is its overhead,
so this stays as small as an upload endpoint can be: standard library only, one request at a
time, the body copied to a file in 1 MiB pieces. Any PUT or POST path is accepted; the body lands
in DIR under the path's last segment (`/upload` -> DIR/upload).

    .venv/bin/python bench/baseline_receiver.py --dir DIR [--port 0]

It prints `listening PORT` on its first stdout line once it accepts connections, so a parent
asking for port 0 learns which port it got.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

PIECE = 1 << 20


class Receiver(BaseHTTPRequestHandler):
    """Copies a Content-Length body to a file; answers 201 (empty)."""

    # HTTP/1.1 so the server answers `Expect: 100-continue` at once: curl -T sends that header
    # for big bodies and would otherwise wait a whole second before sending anything.
    protocol_version = "HTTP/1.1"
    folder: Path = Path()
    fsync = False

    def do_PUT(self) -> None:
        self._receive()

    def do_POST(self) -> None:
        self._receive()

    def _receive(self) -> None:
        length_text = self.headers.get("Content-Length", "")
        if not length_text.isdigit():
            # Chunked bodies are out of scope: the bench always sends a known length.
            self._answer(HTTPStatus.LENGTH_REQUIRED)
            return
        remaining = int(length_text)
        name = self.path.rstrip("/").rsplit("/", 1)[-1] or "upload"
        buffer = bytearray(PIECE)
        view = memoryview(buffer)
        with open(self.folder / name, "wb") as target:
            while remaining:
                got = self.rfile.readinto(view[: min(PIECE, remaining)])
                if not got:
                    self.close_connection = True
                    return  # the client went away; nothing to answer
                target.write(view[:got])
                remaining -= got
            if self.fsync:
                target.flush()
                os.fsync(target.fileno())
        self._answer(HTTPStatus.CREATED)

    def _answer(self, status: HTTPStatus) -> None:
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # the base class's signature
        """Silent: a log line per request would only add noise to the bench's stderr."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, required=True, help="folder the bodies are written to")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free one)")
    parser.add_argument(
        "--fsync", action="store_true", help="fsync each file before answering, as the server does"
    )
    options = parser.parse_args(argv)
    options.dir.mkdir(parents=True, exist_ok=True)
    Receiver.folder = options.dir
    Receiver.fsync = options.fsync
    with HTTPServer(("127.0.0.1", options.port), Receiver) as server:
        print(f"listening {server.server_address[1]}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C when run by hand
            server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
