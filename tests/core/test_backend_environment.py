"""What the owner's environment changes in how the app reaches its server: a proxy named by the
proxy variables is used (and NO_PROXY is heeded), never for a server on this computer's
loopback, and a password for the server's host in ~/.netrc does not replace the owner token.
Against the real server and a real proxy on 127.0.0.1; the server's name as the proxy knows it
(`SERVER_NAME`) does not resolve here, as a name only a corporate proxy can resolve."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

import pytest

from albumen.core.backend import Backend, OfflineError
from tests.support import ServerProcess

PROXY_VARIABLES = (
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
)


SERVER_NAME = "photos.invalid"  # RFC 2606: never resolves


class _Proxy(BaseHTTPRequestHandler):
    """A forwarding HTTP proxy that notes each request line it was asked for; it reaches every
    host it is asked for on 127.0.0.1, where the test's server is, under that name."""

    seen: ClassVar[list[str]] = []

    def _forward(self) -> None:
        self.seen.append(f"{self.command} {self.path}")
        target = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        upstream = http.client.HTTPConnection("127.0.0.1", target.port, timeout=20)
        headers = {
            k: v for k, v in self.headers.items() if k.lower() not in ("proxy-connection", "host")
        }
        # as the server knows itself: without --public-url it answers its own names only
        headers["Host"] = f"127.0.0.1:{target.port}"
        upstream.request(self.command, target.path or "/", body=body, headers=headers)
        answer = upstream.getresponse()
        data = answer.read()
        self.send_response(answer.status)
        for key, value in answer.getheaders():
            if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        upstream.close()

    def do_GET(self) -> None:
        self._forward()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def proxy() -> Iterator[tuple[str, list[str]]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Proxy)
    seen: ClassVar[list[str]] = []
    _Proxy.seen = seen
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_a_proxy_from_the_environment_is_used_unless_no_proxy_names_the_host(
    shared_server: ServerProcess,
    proxy: tuple[str, list[str]],
    clean_environment: pytest.MonkeyPatch,
) -> None:
    proxy_url, seen = proxy
    clean_environment.setenv("HTTP_PROXY", proxy_url)
    named = shared_server.url.replace("127.0.0.1", SERVER_NAME)
    backend = Backend(named, shared_server.token, read_timeout=20)
    try:
        assert backend.me()["name"]
        assert seen == [f"GET {named}/api/me"]
    finally:
        backend.close()

    clean_environment.setenv("NO_PROXY", SERVER_NAME)
    backend = Backend(named, shared_server.token, read_timeout=20)
    try:
        with pytest.raises(OfflineError):  # straight to a name this machine cannot resolve
            backend.me()
        assert seen == [f"GET {named}/api/me"], "NO_PROXY was not heeded"
    finally:
        backend.close()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_server_on_this_computer_is_reached_without_the_proxy(
    shared_server: ServerProcess,
    proxy: tuple[str, list[str]],
    clean_environment: pytest.MonkeyPatch,
    host: str,
) -> None:
    """A proxy elsewhere cannot reach this computer's loopback: with HTTP_PROXY set and NO_PROXY
    silent, the embedded server was never reached."""
    proxy_url, seen = proxy
    clean_environment.setenv("HTTP_PROXY", proxy_url)
    clean_environment.setenv("ALL_PROXY", proxy_url)
    backend = Backend(shared_server.url.replace("127.0.0.1", host), shared_server.token)
    try:
        assert backend.me()["name"]
        assert seen == [], "the request to this computer went through the proxy"
    finally:
        backend.close()


def test_a_netrc_password_for_the_servers_host_does_not_replace_the_owner_token(
    shared_server: ServerProcess, tmp_path: Path, clean_environment: pytest.MonkeyPatch
) -> None:
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine 127.0.0.1 login someone password a-password-for-another-tool\n")
    netrc.chmod(0o600)
    clean_environment.setenv("NETRC", str(netrc))
    clean_environment.setenv("HOME", str(tmp_path))
    backend = Backend(shared_server.url, shared_server.token, read_timeout=20)
    try:
        assert backend.me()["name"]  # 401 when requests sent the netrc password instead
    finally:
        backend.close()
