"""The sharing server seen from the client: its HTTP contract, and the tus client side.

Written over one `requests.Session` with a timeout on every request: the `tuspy` client has
neither a session nor timeouts, and the client side of tus is a few requests.
"""

from __future__ import annotations

import base64
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from albumen import __version__
from albumen.core.model import LinkSettings, Pick
from albumen.core.throttle import Throttle
from albumen.core.upload_bodies import (
    FileBody,
    Progress,
    Stopped,
    ThrottledBody,
)

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 60.0
# PATCHes carry no per-chunk checksum: the server checks the whole file's SHA-256 before the
# photo exists (nothing wrong can land), and without one it keeps every byte that arrived
# before a connection broke, so a flaky link resends only what was in flight; it also spares
# reading each chunk twice. So a PATCH can be as long as the file: a camera's photo, RAW
# included, goes in one (each PATCH costs a round trip and a flush to disk on the server); the
# cap stays under the 100 MB a request may carry through common reverse proxies.
UPLOAD_CHUNK = 64 * 1024 * 1024
# Read from the file and handed to the socket at a time: big enough that the Python around each
# piece costs nothing beside the copy; under a bandwidth cap, about an eighth of a second's worth.
TUS = {"Tus-Resumable": "1.0.0"}


# The longest `photo_order` the server takes (docs/DESIGN.md, PUT /api/albums/{id}).
MAX_PHOTO_ORDER = 20_000
# A photo whose web size is on the server and whose original is not yet (docs/DESIGN.md).
ARRIVING = "arriving"


class BackendError(Exception):
    """The server answered, and not with what was asked for."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    @property
    def retryable(self) -> bool:
        return (self.status >= 500 and not self.postponed) or self.status in (408, 423, 429)

    @property
    def postponed(self) -> bool:
        """The server kept nothing because its storage is full: all else waits, queued, until
        there is room (retrying at once would only fill its log)."""
        return self.status == 507


class OfflineError(BackendError):
    """The server cannot take anything now (unreachable, or its storage is full): the queue
    waits and is sent later; nothing is lost."""

    def __init__(self, message: str) -> None:
        super().__init__(0, "offline", message)

    @property
    def retryable(self) -> bool:
        return True


class Keep(Enum):
    """Leave a link's password as the server has it."""

    CURRENT = "current"


@dataclass(frozen=True)
class AlbumPhotos:
    """Photo ids an album holds on the server, by state (see `Backend.album_photos`)."""

    complete: set[str]
    arriving: set[str]


@dataclass(frozen=True)
class RemoteLink:
    id: str
    url: str
    revoked_at: datetime | None
    expires_at: datetime | None
    view_count: int
    last_viewed_at: datetime | None


def _parse(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value.replace("Z", "+00:00"))


def _utc(value: str) -> datetime:
    """A time the server sent; one without a zone is UTC, the zone the contract speaks in."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _b64(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


class Backend:
    """One server, one owner token."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        read_timeout: float = READ_TIMEOUT,
        throttle: Throttle | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.throttle = throttle or Throttle()
        self.timeout = (CONNECT_TIMEOUT, read_timeout)
        self.session = requests.Session()
        self.session.headers.update(
            {"Authorization": f"Bearer {token}", "User-Agent": f"Albumen/{__version__}"}
        )
        # The environment is read here, once per server, not by requests on every request:
        # with `trust_env` it also takes a password for the host from ~/.netrc, which replaced
        # the owner token (every request then answered 401), and its lookup of the proxy
        # variables was a tenth of the sending threads' Python time. Proxies and a CA bundle
        # from the environment still apply.
        self.session.trust_env = False
        self._proxies: dict[tuple[str, str], dict[str, str]] = {}
        bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
        if bundle:
            self.session.verify = bundle

    def close(self) -> None:
        self.session.close()

    def _request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        url = path if path.startswith("http") else self.base_url + path
        try:
            response = self.session.request(
                method, url, timeout=self.timeout, proxies=self._proxies_for(url), **kwargs
            )
        except (requests.ConnectionError, requests.Timeout) as error:
            raise OfflineError(
                f"{self.base_url} cannot be reached ({type(error).__name__})"
            ) from None
        if response.status_code >= 400:
            code, message = "http_error", f"{method} {path}: HTTP {response.status_code}"
            try:
                detail = response.json()["error"]
                code, message = detail["code"], detail["message"]
            except (ValueError, KeyError, TypeError):
                pass
            raise BackendError(response.status_code, code, message)
        return response

    def _proxies_for(self, url: str) -> dict[str, str]:
        """The proxies the environment names for the URL's host (none when NO_PROXY says so),
        looked up once per host: upload URLs may name another host than the server's."""
        host = urlsplit(url)[:2]
        proxies = self._proxies.get(host)
        if proxies is None:
            proxies = self._proxies[host] = requests.utils.get_environ_proxies(url)
        return proxies

    # -- owner API -----------------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        result: dict[str, Any] = self._request("GET", "/api/health").json()
        return result

    def me(self) -> dict[str, Any]:
        result: dict[str, Any] = self._request("GET", "/api/me").json()
        return result

    def put_album(
        self,
        album_id: str,
        title: str,
        description: str | None,
        *,
        photo_order: list[str] | None = None,
        cover_photo_id: str | None = None,
    ) -> None:
        """The album as the owner arranged it; ids the server has no photo for yet are
        skipped there, so the order is sent again once uploads have landed."""
        body: dict[str, Any] = {"title": title, "description": description}
        if photo_order is not None:
            body["photo_order"] = photo_order
            body["cover_photo_id"] = cover_photo_id
        self._request("PUT", f"/api/albums/{album_id}", json=body)

    def delete_album(self, album_id: str) -> None:
        try:
            self._request("DELETE", f"/api/albums/{album_id}")
        except BackendError as error:
            if error.status != 404:  # already gone: what we wanted
                raise

    def delete_photo(self, photo_id: str) -> None:
        try:
            self._request("DELETE", f"/api/photos/{photo_id}")
        except BackendError as error:
            if error.status != 404:
                raise

    def present(self, hashes: list[str]) -> set[str]:
        if not hashes:
            return set()
        body = self._request("POST", "/api/photos/check", json={"sha256": hashes}).json()
        return set(body["present"])

    def reuse_photo(
        self, photo_id: str, album_id: str, filename: str, sha256: str, content_type: str | None
    ) -> bool:
        """Add a photo from bytes the server already holds; False when it does not have them."""
        body = {
            "album_id": album_id,
            "filename": filename,
            "sha256": sha256,
            "content_type": content_type,
        }
        try:
            self._request("PUT", f"/api/photos/{photo_id}", json=body)
        except BackendError as error:
            if error.code == "not_present":
                return False
            raise
        return True

    def put_preview(self, photo_id: str, preview: bytes, facts: PreviewFacts) -> str | None:
        """Send a photo's web size ahead of its original: the photo exists on the server from
        then on. Throttled like every upload. Returns the photo's state there: "arriving"
        (its original is still to send), or "complete" (the server held the original's bytes
        already); None when the server does not know the route (a server older than the
        instant gallery): the original alone will show the photo."""
        params = {
            "album_id": facts.album_id,
            "filename": facts.filename,
            "sha256": facts.sha256,
            "size": str(facts.size),
        }
        if facts.width and facts.height:
            params["width"], params["height"] = str(facts.width), str(facts.height)
        if facts.taken_at is not None:
            params["taken_at"] = facts.taken_at.isoformat()
        if facts.content_type:
            params["content_type"] = facts.content_type
        try:
            response = self._request(
                "PUT",
                f"/api/photos/{photo_id}/preview",
                params=params,
                data=ThrottledBody(preview, self.throttle),
                headers={"Content-Type": "image/jpeg", "Content-Length": str(len(preview))},
            )
        except BackendError as error:
            if error.status == 405 or (error.status == 404 and error.message == "Not Found"):
                return None  # no such route (the server's own 404s name what is missing)
            raise
        return str(response.json().get("state") or ARRIVING)

    def album_photos(self, album_id: str) -> AlbumPhotos:
        """The album's photos on the server: those complete, and those whose original is still
        arriving (their web size came first)."""
        body = self._request("GET", f"/api/albums/{album_id}/photos").json()
        complete: set[str] = set()
        arriving: set[str] = set()
        for photo in body["photos"]:
            (arriving if photo.get("state") == ARRIVING else complete).add(photo["id"])
        return AlbumPhotos(complete, arriving)

    def put_link(
        self,
        link_id: str,
        album_id: str,
        token: str,
        settings: LinkSettings,
        password: str | Keep | None = Keep.CURRENT,
    ) -> RemoteLink:
        """`Keep.CURRENT` keeps the server's current password; None removes it."""
        body: dict[str, Any] = {
            "album_id": album_id,
            "token": token,
            "download": settings.download.value,
            "show_metadata": settings.show_metadata,
            "show_location": settings.show_location,
            "allow_picks": settings.allow_picks,
            "expires_at": settings.expires_at.isoformat() if settings.expires_at else None,
            "label": settings.label,
        }
        if not isinstance(password, Keep):
            body["password"] = password
        return self._remote_link(self._request("PUT", f"/api/links/{link_id}", json=body).json())

    def revoke_link(self, link_id: str) -> None:
        try:
            self._request("DELETE", f"/api/links/{link_id}")
        except BackendError as error:
            if error.status != 404:  # never reached the server: nothing to revoke there
                raise

    def links(self, album_id: str | None = None) -> list[RemoteLink]:
        params = {"album_id": album_id} if album_id else None
        body = self._request("GET", "/api/links", params=params).json()
        return [self._remote_link(item) for item in body["links"]]

    def album_picks(self, album_id: str) -> list[Pick]:
        """The lists of favourites viewers sent through the album's links."""
        body = self._request("GET", f"/api/albums/{album_id}/picks").json()
        try:
            return [
                Pick(
                    id=str(item["id"]),
                    link_id=str(item["link_id"]),
                    album_id=album_id,
                    name=str(item["name"]),
                    note=None if item.get("note") is None else str(item["note"]),
                    photo_ids=tuple(str(i) for i in item["photo_ids"]),
                    submitted_at=_utc(str(item["submitted_at"])),
                )
                for item in body["picks"]
            ]
        except (KeyError, TypeError, ValueError) as error:
            raise BackendError(
                200, "bad_answer", f"GET /api/albums/{album_id}/picks: unexpected answer ({error})"
            ) from None

    @staticmethod
    def _remote_link(item: dict[str, Any]) -> RemoteLink:
        return RemoteLink(
            id=item["id"],
            url=item["url"],
            revoked_at=_parse(item.get("revoked_at")),
            expires_at=_parse(item.get("expires_at")),
            view_count=int(item.get("view_count") or 0),
            last_viewed_at=_parse(item.get("last_viewed_at")),
        )

    # -- tus -----------------------------------------------------------------------------------

    def create_upload(
        self,
        *,
        album_id: str,
        photo_id: str,
        filename: str,
        sha256: str,
        size: int,
        content_type: str | None,
    ) -> str:
        metadata = {
            "album_id": album_id,
            "photo_id": photo_id,
            "filename": filename,
            "sha256": sha256,
        }
        if content_type:
            metadata["content_type"] = content_type
        response = self._request(
            "POST",
            "/api/uploads/",
            headers={
                **TUS,
                "Upload-Length": str(size),
                "Upload-Metadata": ",".join(f"{k} {_b64(v)}" for k, v in metadata.items()),
            },
        )
        return response.headers["Location"]

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
                            "Content-Type": "application/offset+octet-stream",
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


@dataclass(frozen=True)
class PreviewFacts:
    """What `PUT /api/photos/{id}/preview` says of the original that will follow."""

    album_id: str
    filename: str
    sha256: str  # of the bytes the tus upload will send
    size: int
    width: int | None  # the original's, upright
    height: int | None
    taken_at: datetime | None
    content_type: str | None
