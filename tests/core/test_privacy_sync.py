"""An album's privacy rules reach the real server: its links never show what the album keeps
back, and with "remove location before upload" the server never receives the GPS at all."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from PIL import Image

from albumen.core.model import AlbumPrivacy, Exposure, LinkSettings, PhotoState
from albumen.core.scan import scan
from albumen.core.store import Store
from albumen.core.upload_source import without_location
from albumen_photo.digest import file_sha256
from tests.core.test_sync import _service
from tests.support import ServerProcess, photo_jpeg

GPS_IFD = 0x8825
ARTIST = 0x013B


def _exif(data: bytes) -> tuple[dict[int, object], dict[int, object]]:
    exif = Image.open(io.BytesIO(data)).getexif()
    return dict(exif), dict(exif.get_ifd(GPS_IFD))


def _camera_photo(tmp_path: Path, name: str, seed: int, size: tuple[int, int] = (640, 480)) -> Path:
    """A JPEG with GPS, artist and copyright, as a camera writes them."""
    source = tmp_path / "in" / name
    source.parent.mkdir(exist_ok=True)
    source.write_bytes(photo_jpeg(size, seed=seed))
    return source


def _pixels(data: bytes) -> bytes:
    return Image.open(io.BytesIO(data)).convert("RGB").tobytes()


def test_the_server_never_receives_the_location_when_the_album_removes_it(
    fresh_server: ServerProcess, tmp_path: Path
) -> None:
    source = _camera_photo(tmp_path, "harbour.jpg", 7)
    original_bytes = source.read_bytes()
    assert _exif(original_bytes)[1], "the test photo carries GPS"
    store = Store(tmp_path / "s.sqlite3")
    album = store.create_album("No GPS")
    store.set_privacy(album.id, AlbumPrivacy(strip_location=True))
    store.add_photos(album.id, scan([source]).photos)
    report = _service(store, fresh_server.url, fresh_server.token).sync_once()
    assert (report.uploaded, report.failed) == (1, [])

    photo = store.photos(album.id)[0]
    received = fresh_server.api("GET", f"/api/photos/{photo.id}/original").content
    tags, gps = _exif(received)
    assert gps == {}, "no GPS reached the server"
    assert tags.get(ARTIST) == _exif(original_bytes)[0].get(ARTIST), "the rest is kept"
    assert _pixels(received) == _pixels(original_bytes), "the image itself is untouched"
    assert source.read_bytes() == original_bytes, "the owner's file was not written to"
    assert file_sha256(source) == photo.sha256
    assert not any((tmp_path / "without-location").glob("*")), "the copy is gone once sent"


def test_switching_removal_on_replaces_what_was_already_uploaded(
    fresh_server: ServerProcess, tmp_path: Path
) -> None:
    source = _camera_photo(tmp_path, "ridge.jpg", 8)
    store = Store(tmp_path / "s.sqlite3")
    album = store.create_album("Later private")
    store.add_photos(album.id, scan([source]).photos)
    assert _service(store, fresh_server.url, fresh_server.token).sync_once().uploaded == 1
    photo = store.photos(album.id)[0]
    before = fresh_server.api("GET", f"/api/photos/{photo.id}/original").content
    assert _exif(before)[1], "uploaded with its GPS at first"

    assert store.set_privacy(album.id, AlbumPrivacy(strip_location=True)) == 1
    report = _service(store, fresh_server.url, fresh_server.token).sync_once()
    assert (report.uploaded, report.failed, report.remaining) == (1, [], 0)
    assert store.photo(photo.id).state is PhotoState.UPLOADED
    after = fresh_server.api("GET", f"/api/photos/{photo.id}/original").content
    assert _exif(after)[1] == {}
    remote = fresh_server.api("GET", f"/api/albums/{album.id}/photos").json()["photos"]
    assert [p["id"] for p in remote] == [photo.id]


def test_a_format_that_cannot_lose_its_location_is_not_sent(
    fresh_server: ServerProcess, tmp_path: Path, corpus: Path
) -> None:
    # Canon's CRW (CIFF) is no TIFF and no ISOBMFF: there is no safe way to blank a place in it
    source = tmp_path / "in" / "scan.crw"
    source.parent.mkdir()
    shutil.copyfile(corpus / "CanonRaw.crw", source)
    store = Store(tmp_path / "s.sqlite3")
    album = store.create_album("Scans")
    store.set_privacy(album.id, AlbumPrivacy(strip_location=True))
    added = scan([source])
    assert added.photos, added.problems
    store.add_photos(album.id, added.photos)
    report = _service(store, fresh_server.url, fresh_server.token).sync_once()
    assert report.uploaded == 0 and len(report.failed) == 1
    photo = store.photos(album.id)[0]
    assert photo.state is PhotoState.FAILED
    assert photo.error is not None and "scan.crw" in photo.error and "location" in photo.error
    remote = fresh_server.api("GET", f"/api/albums/{album.id}/photos").json()["photos"]
    assert remote == []


def test_links_never_show_what_the_album_keeps_back(
    fresh_server: ServerProcess, tmp_path: Path
) -> None:
    store = Store(tmp_path / "s.sqlite3")
    album = store.create_album("Rules")
    link = store.create_link(
        album.id, LinkSettings(show_location=True, show_metadata=True), has_password=False
    )
    _service(store, fresh_server.url, fresh_server.token).sync_once()
    served = fresh_server.api("GET", f"/api/links/{link.id}").json()
    assert (served["show_location"], served["show_metadata"]) == (True, True)

    store.set_privacy(album.id, AlbumPrivacy(location=Exposure.NEVER))
    _service(store, fresh_server.url, fresh_server.token).sync_once()
    served = fresh_server.api("GET", f"/api/links/{link.id}").json()
    assert (served["show_location"], served["show_metadata"]) == (False, True)
    assert store.link(link.id).settings.show_location, "the link's own choice is remembered"

    store.set_privacy(album.id, AlbumPrivacy())
    _service(store, fresh_server.url, fresh_server.token).sync_once()
    assert fresh_server.api("GET", f"/api/links/{link.id}").json()["show_location"] is True


def test_copies_of_photos_removed_before_upload_do_not_pile_up(
    fresh_server: ServerProcess, tmp_path: Path
) -> None:
    source = _camera_photo(tmp_path, "gone.jpg", 9, (320, 240))
    store = Store(tmp_path / "s.sqlite3")
    album = store.create_album("Removed")
    store.set_privacy(album.id, AlbumPrivacy(strip_location=True))
    store.add_photos(album.id, scan([source]).photos)
    photo = store.photos(album.id)[0]
    copies = tmp_path / "without-location"
    without_location(photo, copies)  # made, as an interrupted upload would leave it
    assert [p.stem for p in copies.iterdir()] == [photo.id]
    store.remove_photos([photo.id])
    _service(store, fresh_server.url, fresh_server.token).sync_once()
    assert list(copies.iterdir()) == []
