"""Everything a real server serves of the camera corpus, through every kind of link, gathered
once for the preview tests: one album, one upload per corpus file, twelve links, and per link
and photo the JSON answers and the thumb, preview and original bytes, read back by exiftool and
by the project's reader.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from albumen_photo.metadata import PhotoMetadata, read_metadata
from albumen_photo.policy import KeepPolicy, viewer_sees
from tests.photo.readers import Record, exiftool, metadata_of
from tests.server.uploading import upload_photo
from tests.support import ServerProcess, new_id, new_token, sha256

DOWNLOADS = ("none", "web", "original")


@dataclass(frozen=True)
class Setting:
    location: bool
    metadata: bool
    download: str

    @property
    def keep(self) -> KeepPolicy:
        return KeepPolicy(location=self.location, metadata=self.metadata)

    def __str__(self) -> str:
        return (
            f"location={'shown' if self.location else 'hidden'}"
            f" metadata={'shown' if self.metadata else 'hidden'} download={self.download}"
        )


SETTINGS = tuple(
    Setting(location, metadata, download)
    for location, metadata, download in itertools.product((False, True), (False, True), DOWNLOADS)
)


@dataclass
class Served:
    """One response: its status, its bytes, and (for images) what the readers found in them."""

    status: int
    content: bytes
    code: str | None = None  # the error code of a 4xx answer
    path: Path | None = None  # where the bytes were written for the readers
    tags: Record = field(default_factory=dict)  # exiftool's record
    meta: PhotoMetadata | None = None  # read_metadata's record


@dataclass
class Seen:
    """One photo through one link."""

    setting: Setting
    name: str  # the corpus file
    photo_id: str
    listed: dict[str, Any]  # its item in photos.json
    detail: dict[str, Any]  # /photos/{id}.json
    images: dict[str, Served]  # "small", "thumb", "preview", "large", "original"


@dataclass
class Corpus:
    """The gathered answers, and the owner's side of each file."""

    sources: dict[str, Path]  # corpus file name -> the uploaded file
    owner: dict[str, PhotoMetadata]  # name -> read_metadata of the upload
    listings: dict[Setting, dict[str, Any]]  # photos.json per link
    seen: list[Seen]
    refused: dict[str, str]  # name -> "code: message" of the server's refusal
    zips: dict[Setting, Served]  # the album download, on links that allow one

    def preview(self, name: str, setting: Setting) -> PhotoMetadata:
        """The owner's "a viewer sees" for this file under this link."""
        return viewer_sees(self.owner[name], setting.keep)

    def accepted(self) -> Iterator[Seen]:
        return (seen for seen in self.seen if seen.name not in self.refused)


_local = threading.local()


def _get(url: str) -> requests.Response:
    """GET as a viewer would, keeping one connection per fetching thread."""
    if not hasattr(_local, "session"):
        _local.session = requests.Session()
    return _local.session.get(url, timeout=60, allow_redirects=False)


def _served(response: requests.Response) -> Served:
    code = None
    if response.status_code >= 400:
        try:
            code = response.json()["error"]["code"]
        except (ValueError, KeyError, TypeError):
            code = None
    return Served(response.status_code, response.content, code)


def _whole(url: str) -> Served:
    """A streamed answer, or what broke it: a stream cut short is an answer a viewer gets too."""
    try:
        return _served(_get(url))
    except requests.RequestException as error:
        return Served(0, b"", f"{type(error).__name__}: {error}")


def gather(server: ServerProcess, corpus: Path, folder: Path) -> Corpus:
    """Upload every corpus file to one album, open it through every setting, read it all."""
    sources = {path.name: path for path in sorted(corpus.iterdir()) if path.is_file()}
    album_id = new_id()
    server.api("PUT", f"/api/albums/{album_id}", json={"title": "Preview"}).raise_for_status()
    ids: dict[str, str] = {}
    for name, path in sources.items():
        ids[name] = upload_photo(server, album_id, path.read_bytes(), name)
    names = {photo_id: name for name, photo_id in ids.items()}

    tokens: dict[Setting, str] = {}
    for setting in SETTINGS:
        token = new_token()
        response = server.api(
            "PUT",
            f"/api/links/{new_id()}",
            json={
                "album_id": album_id,
                "token": token,
                "show_location": setting.location,
                "show_metadata": setting.metadata,
                "download": setting.download,
            },
        )
        assert response.status_code == 201, response.text
        tokens[setting] = token

    listings = {
        setting: _get(f"{server.url}/s/{token}/photos.json").json()
        for setting, token in tokens.items()
    }

    def fetch(job: tuple[Setting, str]) -> Seen:
        setting, photo_id = job
        base = f"{server.url}/s/{tokens[setting]}/photos/{photo_id}"
        kinds = ("small", "thumb", "preview", "large")
        if setting.download == "original":
            kinds += ("original",)
        listed = next(p for p in listings[setting]["photos"] if p["id"] == photo_id)
        return Seen(
            setting=setting,
            name=names[photo_id],
            photo_id=photo_id,
            listed=listed,
            detail=_get(f"{base}.json").json(),
            images={kind: _served(_get(f"{base}/{kind}")) for kind in kinds},
        )

    jobs = [(setting, photo_id) for setting in SETTINGS for photo_id in names]
    with ThreadPoolExecutor(4) as pool:
        seen = list(pool.map(fetch, jobs))

    refused: dict[str, str] = {}
    for item in seen:
        thumb = item.images["thumb"]
        if thumb.status != 200:
            message = thumb.content.decode("utf-8", "replace")
            refused.setdefault(item.name, f"{thumb.status} {thumb.code}: {message[:200]}")
    zips = {
        setting: _whole(f"{server.url}/s/{token}/download")
        for setting, token in tokens.items()
        if setting.download != "none"
    }
    _read_back(seen, folder)
    owner = {name: read_metadata(path) for name, path in sources.items()}
    return Corpus(sources, owner, listings, seen, refused, zips)


def _read_back(seen: list[Seen], folder: Path) -> None:
    """Write each distinct served body once, then read them all: exiftool in one run, and the
    project's reader on each."""
    folder.mkdir(parents=True, exist_ok=True)
    by_hash: dict[str, list[Served]] = {}
    suffixes: dict[str, str] = {}
    for item in seen:
        for kind, served in item.images.items():
            if served.status != 200:
                continue
            digest = sha256(served.content)
            by_hash.setdefault(digest, []).append(served)
            suffix = Path(item.name).suffix if kind == "original" else ".jpg"
            suffixes.setdefault(digest, suffix)
    paths: dict[str, Path] = {}
    for digest, group in by_hash.items():
        name = f"{digest[:20]}{suffixes[digest]}"
        meta = metadata_of(group[0].content, folder, name)
        paths[digest] = folder / name
        for served in group:
            served.path, served.meta = folder / name, meta
    records = exiftool(paths.values())
    for digest, group in by_hash.items():
        record = records.get(paths[digest])
        assert record is not None, f"exiftool did not report {paths[digest]}"
        for served in group:
            served.tags = record
