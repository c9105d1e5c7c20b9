"""How the viewer's answers that grow with the album go out: the gallery streamed, both gzipped.

The gallery page and `photos.json` carry every photo of the album, about 600 bytes each (300 kB
for 500 photos), and rendering the page takes some 60 ms per 500 photos. So:

- the gallery is streamed as the template renders it, its head and first screen of thumbnails
  in the first piece: the browser asks for the style sheets and the first thumbnails while the
  rest of the page is still being made;
- both are gzipped (about tenfold smaller) for clients that accept it, the stream flushed piece
  by piece so that compressing never holds the first screen back. Images are never compressed:
  JPEG is already.

Nothing secret rides beside anything a third party could inject (the page shows the owner's
words and the link's own token), so compression cannot leak a secret (BREACH).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final

from fastapi import Request, Response
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask

from albumen_server.viewer_access import templates

FIRST_PIECE: Final = 4096
"""Enough for the head, the album's header and the first rows of thumbnails."""

PIECE: Final = 32768
COMPRESS_FROM: Final = 1400
"""Smaller answers fit in one packet as they are."""

_GZIP: Final = 31  # zlib's window bits for a gzip wrapper (16 + 15)


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether a client sending this Accept-Encoding takes gzip: named, or `*`, with a quality
    above 0 (RFC 9110 12.5.3)."""
    qualities: dict[str, float] = {}
    for item in accept_encoding.split(","):
        name, *parameters = item.split(";")
        quality = 1.0
        for parameter in parameters:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                quality = _quality(value)
        qualities[name.strip().lower()] = quality
    return qualities.get("gzip", qualities.get("*", 0.0)) > 0


def _quality(value: str) -> float:
    try:
        return float(value.strip())
    except ValueError:
        return 0.0


def pieces(parts: Iterable[str]) -> Iterator[bytes]:
    """The rendered text in pieces: a small first one, then PIECE-sized ones."""
    buffer: list[str] = []
    size, limit = 0, FIRST_PIECE
    for part in parts:
        buffer.append(part)
        size += len(part)
        if size >= limit:
            yield "".join(buffer).encode()
            buffer, size, limit = [], 0, PIECE
    if buffer:
        yield "".join(buffer).encode()


def gzipped(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """One gzip stream, flushed after each chunk so the client can show it as it comes."""
    packer = zlib.compressobj(6, zlib.DEFLATED, _GZIP)
    for chunk in chunks:
        yield packer.compress(chunk) + packer.flush(zlib.Z_SYNC_FLUSH)
    yield packer.flush()


def streamed_page(
    request: Request,
    name: str,
    context: Mapping[str, Any],
    headers: Mapping[str, str],
    after: BackgroundTask | None = None,
) -> StreamingResponse:
    """The template `name` rendered as it is sent (gzipped when accepted); `after` runs once
    the whole page is out."""
    body: Iterator[bytes] = pieces(templates.get_template(name).generate(context))
    sent = {**headers, "Vary": "Accept-Encoding"}
    if accepts_gzip(request.headers.get("accept-encoding", "")):
        body = gzipped(body)
        sent["Content-Encoding"] = "gzip"
    return StreamingResponse(
        body, media_type="text/html; charset=utf-8", headers=sent, background=after
    )


def compressed(request: Request, response: Response) -> Response:
    """A whole answer, gzipped when the client accepts it and it is worth it."""
    response.headers["Vary"] = "Accept-Encoding"
    body = bytes(response.body)
    if len(body) < COMPRESS_FROM or not accepts_gzip(request.headers.get("accept-encoding", "")):
        return response
    packer = zlib.compressobj(6, zlib.DEFLATED, _GZIP)
    response.body = packer.compress(body) + packer.flush()
    response.headers["Content-Encoding"] = "gzip"
    response.headers["Content-Length"] = str(len(response.body))
    return response
