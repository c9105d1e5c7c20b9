"""What every request passes before a route sees it: its Host, its size, and the headers every
answer carries.

- Host: with no `--public-url`, the server builds URLs (tus `Location`, link URLs) from the
  request's Host header, so a forged Host would be reflected, and a web page could reach the
  embedded server on 127.0.0.1 through a name it controls (DNS rebinding). Only the public
  URL's host, `localhost` and IP literals are accepted; anything else gets 421.
- Size: a body is read whole before the route can refuse it, so bodies are bounded *before*
  authentication: 1 MiB (JSON), else 413; an arriving photo's preview (`PUT
  /api/photos/{id}/preview`, a web-size JPEG) 8 MiB; tus PATCH bodies stream to disk and are
  bounded by their upload's length instead.
- Headers: `X-Content-Type-Options: nosniff` everywhere, and `Referrer-Policy: no-referrer`
  (link tokens are in viewer URLs).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

from albumen_server.error_answers import error_response

MAX_BODY = 1 << 20
MAX_PREVIEW_BODY = 8 << 20
"""A web-size JPEG (long edge 2048 px) is well under 2 MiB; 8 leaves room for fine detail."""
_STREAMED = "/api/uploads/"  # tus PATCH bodies are written to disk as they arrive
_BYTES = "application/offset+octet-stream"  # the Content-Type of a tus body of file bytes

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def body_limit(method: str, path: str, content_type: str = "") -> int | None:
    """The most bytes a request's body may carry, None for no bound here (the bytes of a tus
    upload, in a PATCH or in the creation that carries the first of them, are bounded by the
    upload's announced length)."""
    if method == "PATCH" and path.startswith(_STREAMED):
        return None
    if method == "POST" and path.rstrip("/") == _STREAMED.rstrip("/") and content_type == _BYTES:
        return None
    if method == "PUT" and path.startswith("/api/photos/") and path.endswith("/preview"):
        return MAX_PREVIEW_BODY
    return MAX_BODY


def _hostname(host_header: str) -> str:
    host = host_header.strip().lower()
    if host.startswith("["):  # [::1]:8080
        return host[1 : host.find("]")]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class Guards:
    """The pure ASGI middleware: cheap checks, nothing buffered."""

    def __init__(self, app: ASGIApp, public_url: str | None) -> None:
        self.app = app
        self.public_host = (urlsplit(public_url).hostname or "").lower() if public_url else None

    def host_allowed(self, host_header: str) -> bool:
        host = _hostname(host_header)
        return host in ("localhost", self.public_host) or _is_ip(host)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {key.decode("latin-1").lower(): value for key, value in scope["headers"]}
        host = headers.get("host", b"").decode("latin-1")
        if host and not self.host_allowed(host):
            await _error(
                scope, send, 421, "untrusted_host", f"this server does not answer for {host!r}"
            )
            return
        content_type = headers.get("content-type", b"").decode("latin-1")
        limit = body_limit(scope["method"], scope["path"], content_type)
        length = headers.get("content-length", b"")
        if limit is not None and length.isdigit() and int(length) > limit:
            await _error(
                scope, send, 413, "too_large", f"this request's body is limited to {limit} bytes"
            )
            return
        received = 0
        started = answered = False

        async def counted_receive() -> Message:
            # Past the limit the 413 is sent from here and the route is told the client left:
            # an exception would surface as the route's own "invalid body" answer instead.
            nonlocal received, answered
            if answered:
                return {"type": "http.disconnect"}
            message = await receive()
            if limit is not None and message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit and not started:
                    answered = True
                    await _error(
                        scope,
                        send,
                        413,
                        "too_large",
                        f"this request's body is limited to {limit} bytes",
                    )
                    return {"type": "http.disconnect"}
            return message

        async def with_headers(message: Message) -> None:
            nonlocal started
            if answered:
                return  # the 413 went out already
            if message["type"] == "http.response.start":
                started = True
                names = {key.lower() for key, _ in message.get("headers", [])}
                extra = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                ]
                message["headers"] = list(message.get("headers", [])) + [
                    (key, value) for key, value in extra if key not in names
                ]
            await send(message)

        await self.app(scope, counted_receive, with_headers)


async def _error(scope: Scope, send: Send, status: int, code: str, message: str) -> None:
    """The error answer every route gives (`error_answers`), sent before a route runs; the
    connection closes after it, since the body refused may still be arriving."""
    answer = error_response(
        status, code, message, headers={"x-content-type-options": "nosniff", "connection": "close"}
    )
    await answer(scope, _nothing_to_receive, send)


async def _nothing_to_receive() -> Message:
    return {"type": "http.disconnect"}  # an answer sends; it never reads the request
