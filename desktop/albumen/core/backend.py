"""The sharing server seen from the client: its HTTP contract, and the tus client side.

Written over one `requests.Session` with a timeout on every request: the `tuspy` client has
neither a session nor timeouts, and the client side of tus is a few requests.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any
from urllib.parse import urlsplit

import requests

from albumen import __version__
from albumen.core.backend_errors import AccessRefused as AccessRefused
from albumen.core.backend_errors import BackendError as BackendError
from albumen.core.backend_errors import OfflineError as OfflineError
from albumen.core.backend_errors import ServerFull as ServerFull
from albumen.core.link_state import works_only_here
from albumen.core.model import LinkSettings, Pick
from albumen.core.sections import Section
from albumen.core.throttle import Throttle
from albumen.core.tus_client import ServerExtensions, TusUploads
from albumen.core.upload_bodies import ThrottledBody

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 60.0


# The longest `photo_order` the server takes (docs/DESIGN.md, PUT /api/albums/{id}).
MAX_PHOTO_ORDER = 20_000
# A photo whose web size is on the server and whose original is not yet (docs/DESIGN.md).
ARRIVING = "arriving"


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
    download_count: int = 0  # a server from before download counts says nothing: 0
    last_downloaded_at: datetime | None = None


def _parse(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value.replace("Z", "+00:00"))


def _utc(value: str) -> datetime:
    """A time the server sent; one without a zone is UTC, the zone the contract speaks in."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def environment_session() -> requests.Session:
    """A session that takes from the environment only what the app means it to: the CA bundle
    it names here, and the proxies it names per request (`direct_or_environ_proxies`), read by
    the caller. With requests' own `trust_env` it also took a password for the host from
    ~/.netrc, which replaced the owner token (every request then answered 401), and its lookup
    of the proxy variables on every request was a tenth of the sending threads' Python time."""
    session = requests.Session()
    session.trust_env = False
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        session.verify = bundle
    return session


def direct_or_environ_proxies(url: str) -> dict[str, str]:
    """The proxies the environment names for `url`, and none for a loopback address (the
    embedded server's): a proxy elsewhere cannot reach this computer's loopback, so with
    `HTTP_PROXY` set and `NO_PROXY` silent the embedded server was never reached (as Go's
    net/http does, and unlike curl and requests)."""
    if works_only_here(url):
        return {}
    return requests.utils.get_environ_proxies(url)


class Backend(TusUploads):
    """One server, one owner token."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        read_timeout: float = READ_TIMEOUT,
        throttle: Throttle | None = None,
        extensions: ServerExtensions | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.throttle = throttle or Throttle()
        self.extensions = extensions or ServerExtensions()
        self.timeout = (CONNECT_TIMEOUT, read_timeout)
        self.session = environment_session()
        self.session.headers.update(
            {"Authorization": f"Bearer {token}", "User-Agent": f"Albumen/{__version__}"}
        )
        self._proxies: dict[tuple[str, str], dict[str, str]] = {}

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
        if response.status_code == 401:
            raise AccessRefused(self.base_url)
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
            proxies = self._proxies[host] = direct_or_environ_proxies(url)
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
        sections: list[Section] | None = None,
    ) -> bool:
        """The album as the owner arranged it; ids the server has no photo for yet are
        skipped there, so the order is sent again once uploads have landed. `sections` None
        leaves the field out (the server keeps what it has: a server from before sections,
        which refuses fields it does not know, still takes the album), `[]` clears them.
        Whether this request created the album (201): then it holds no photo."""
        body: dict[str, Any] = {"title": title, "description": description}
        if photo_order is not None:
            body["photo_order"] = photo_order
            body["cover_photo_id"] = cover_photo_id
        if sections is not None:
            body["sections"] = [
                {"title": section.title, "photo_ids": list(section.photo_ids)}
                for section in sections
            ]
        return self._request("PUT", f"/api/albums/{album_id}", json=body).status_code == 201

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
            "pick_limit": settings.pick_limit if settings.allow_picks else None,
            "expires_at": settings.expires_at.isoformat() if settings.expires_at else None,
            "label": settings.label,
        }
        if settings.watermark is not None:
            # Left out, a link has none (the contract's default): a server from before
            # watermarks, which refuses fields it does not know, still takes every other link.
            body["watermark"] = settings.watermark
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
                    # A server before notes on photos sends none.
                    photo_notes={
                        str(photo_id): str(note)
                        for photo_id, note in (item.get("photo_notes") or {}).items()
                    },
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
            download_count=int(item.get("download_count") or 0),
            last_downloaded_at=_parse(item.get("last_downloaded_at")),
        )


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
