"""The tus side of the backend (`Backend` inherits it): creating an upload, asking where the
server's copy ends, and sending the bytes, with the creation itself carrying the first of them
where the server takes that (creation-with-upload): a photo that fits in one body is one request,
not a creation and then a PATCH, which on a link with some latency is a round trip saved per
photo.

Resuming never depends on the client having heard an answer: a creation asked again for a
photo whose upload is unfinished answers that upload and where its bytes end (docs/DESIGN.md),
so a creation whose body was cut, or whose answer was lost, is followed by a plain one that
names the upload, then by PATCHes from where the server's copy ends.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from albumen.core.backend_errors import BackendError, OfflineError
from albumen.core.throttle import Throttle
from albumen.core.upload_bodies import FileBody, Progress, Stopped

# PATCHes carry no per-chunk checksum: the server checks the whole file's SHA-256 before the
# photo exists (nothing wrong can land), and without one it keeps every byte that arrived
# before a connection broke, so a flaky link resends only what was in flight; it also spares
# reading each chunk twice. So a PATCH can be as long as the file: a camera's photo, RAW
# included, goes in one (each PATCH costs a round trip and a flush to disk on the server); the
# cap stays under the 100 MB a request may carry through common reverse proxies.
UPLOAD_CHUNK = 64 * 1024 * 1024
TUS = {"Tus-Resumable": "1.0.0"}
OFFSET_TYPE = "application/offset+octet-stream"
WITH_UPLOAD = "creation-with-upload"


@dataclass(frozen=True)
class Created:
    """An upload the server holds: where to send the rest, and how far its copy goes.
    `complete` only when the creation carried the last byte and the server made the photo."""

    url: str
    offset: int
    complete: bool = False


def _b64(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


class ServerExtensions:
    """What each server answered to OPTIONS, for every backend that shares this book: the sync
    gives each upload thread a backend (and a connection) of its own, and each asking on its
    own cost a request ahead of its first photo (three at the start of every share, one after
    the other). One book lives as long as the client; a server is asked again by a new one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._with_upload: dict[str, bool] = {}

    def with_upload(self, server: str, ask: Callable[[], bool]) -> bool:
        """The server's answer, asked by `ask` once: threads starting together wait for it."""
        answer = self._with_upload.get(server)
        if answer is not None:
            return answer
        with self._lock:
            answer = self._with_upload.get(server)
            if answer is None:
                answer = self._with_upload[server] = ask()
            return answer


class TusUploads:
    """tus 1.0.0 over the backend's session; `_request`, `base_url`, `throttle` and
    `extensions` are the backend's."""

    base_url: str
    throttle: Throttle
    extensions: ServerExtensions

    def _request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        raise NotImplementedError

    def takes_bytes_with_creation(self) -> bool:
        """Asked once per server (OPTIONS): a server without the extension refuses a creation's
        body as too large, often by closing the connection mid-send, which would look like a
        network failure for ever. Offline, nothing is noted: asked again on the next try."""
        return self.extensions.with_upload(self.base_url, self._ask_with_upload)

    def _ask_with_upload(self) -> bool:
        try:
            answer = self._request("OPTIONS", "/api/uploads/", headers=TUS)
        except OfflineError:
            raise  # nothing goes now, nothing is noted
        except BackendError:
            return False  # a server that does not say: plain creations
        extensions = answer.headers.get("Tus-Extension", "").split(",")
        return WITH_UPLOAD in (e.strip() for e in extensions)

    def create_upload(
        self,
        *,
        album_id: str,
        photo_id: str,
        filename: str,
        sha256: str,
        size: int,
        content_type: str | None,
        path: Path | None = None,
        progress: Progress | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> Created:
        """The upload for the photo, made, or the unfinished one the server has for it. With
        `path` (and a server that takes it), the first `UPLOAD_CHUNK` bytes go in the creation;
        raises `Stopped` when `should_stop` cut that body short."""
        metadata = {
            "album_id": album_id,
            "photo_id": photo_id,
            "filename": filename,
            "sha256": sha256,
        }
        if content_type:
            metadata["content_type"] = content_type
        headers = {
            **TUS,
            "Upload-Length": str(size),
            "Upload-Metadata": ",".join(f"{k} {_b64(v)}" for k, v in metadata.items()),
        }
        if path is not None and size > 0 and self.takes_bytes_with_creation():
            created = self._create_with_bytes(headers, path, size, progress, should_stop)
            if created is not None:
                return created
        response = self._request("POST", "/api/uploads/", headers=headers)
        offset = int(response.headers.get("Upload-Offset", "0"))
        return Created(response.headers["Location"], offset)

    def _create_with_bytes(
        self,
        headers: dict[str, str],
        path: Path,
        size: int,
        progress: Progress | None,
        should_stop: Callable[[], bool] | None,
    ) -> Created | None:
        """None when the server holds bytes of this upload already (409): the plain creation
        that follows names it and where its copy ends."""
        length = min(UPLOAD_CHUNK, size)
        with open(path, "rb", buffering=0) as source:
            body = FileBody(source, length, 0, self.throttle, progress, should_stop)
            try:
                response = self._request(
                    "POST",
                    "/api/uploads/",
                    data=body,
                    headers={
                        **headers,
                        "Content-Type": OFFSET_TYPE,
                        "Content-Length": str(length),
                    },
                )
            except BackendError as error:
                if error.status == 409:
                    return None
                raise
        offset = int(response.headers["Upload-Offset"])
        if progress:
            progress(offset)
        return Created(response.headers["Location"], offset, complete=offset >= size)

    def upload_offset(self, url: str) -> int | None:
        """Where the server's copy ends, or None when the upload is gone (expired, unknown)."""
        try:
            response = self._request("HEAD", url, headers=TUS)
        except BackendError as error:
            if error.status in (404, 410):
                return None
            raise
        return int(response.headers["Upload-Offset"])

    def send_file(
        self,
        url: str,
        path: Path,
        offset: int,
        size: int,
        progress: Progress | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> int:
        """PATCH the file from `offset` (one PATCH per `UPLOAD_CHUNK`); returns the end (the
        server's offset), or where the PATCH began when `should_stop` cut it short.

        At least one PATCH is sent, even from the end: when every byte had arrived but the
        server could not make the photo (its disk was full), an empty PATCH at the end asks it
        to try again, and answers only once the photo exists."""
        with open(path, "rb", buffering=0) as source:
            while True:
                if should_stop and should_stop():
                    return offset
                source.seek(offset)
                length = min(UPLOAD_CHUNK, size - offset)
                body = FileBody(source, length, offset, self.throttle, progress, should_stop)
                try:
                    response = self._request(
                        "PATCH",
                        url,
                        data=body if length else b"",
                        headers={
                            **TUS,
                            "Upload-Offset": str(offset),
                            "Content-Type": OFFSET_TYPE,
                            "Content-Length": str(length),
                        },
                    )
                except Stopped:
                    return offset  # the next try asks the server where its copy ends
                offset = int(response.headers["Upload-Offset"])
                if progress:
                    progress(offset)
                if offset >= size:
                    return offset
