"""A photo's thumbnail and preview are made in the background as soon as the photo is, so that
its first viewer finds them: here no viewer asks for them before they are in the cache."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from albumen_server.derivative_cache import Kind, pixels_file
from tests.server.arriving import share
from tests.server.uploading import upload_photo
from tests.support import ServerProcess, new_id, photo_jpeg, sha256, wait_until


def _unique(data: bytes) -> bytes:
    """The same picture as other tests', other bytes (after the JPEG's end): its own cache."""
    return data + new_id().encode()


def _cached(server: ServerProcess, data: bytes, kind: Kind) -> Path:
    return pixels_file(server.data / "cache", sha256(data), kind)


def _album(server: ServerProcess) -> str:
    album_id = new_id()
    server.api("PUT", f"/api/albums/{album_id}", json={"title": "Made ahead"}).raise_for_status()
    return album_id


def test_an_uploaded_photo_has_its_thumbnails_and_preview_before_anyone_views_it(
    shared_server: ServerProcess,
) -> None:
    album_id = _album(shared_server)
    data = _unique(photo_jpeg((1600, 1200), orientation=6))
    photo_id = upload_photo(shared_server, album_id, data, "IMG_0001.JPG")
    thumb, preview = _cached(shared_server, data, "thumb"), _cached(shared_server, data, "preview")
    small = _cached(shared_server, data, "small")
    wait_until(lambda: thumb.exists() and preview.exists(), 60, "the background renderer")
    with Image.open(thumb) as image:
        assert image.size == (360, 480)  # turned upright, then shrunk to the thumb's 480 rows
    with Image.open(small) as image:  # made with it, for screens of 1×
        assert image.size == (240, 320)
    with Image.open(preview) as image:
        assert image.size == (1200, 1600)  # never enlarged past the original

    # The first viewer gets the picture made ahead: it is not made again.
    made = thumb.stat().st_mtime_ns
    response = share(shared_server, album_id).get(f"/photos/{photo_id}/thumb")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/jpeg"
    assert thumb.stat().st_mtime_ns == made


def test_a_file_that_is_no_picture_does_not_stop_the_renderer(
    shared_server: ServerProcess,
) -> None:
    album_id = _album(shared_server)
    broken = b"these are notes, not a photo " + new_id().encode()
    upload_photo(shared_server, album_id, broken, "notes.txt")
    good = _unique(photo_jpeg((800, 600)))
    upload_photo(shared_server, album_id, good, "IMG_0002.JPG")
    # Queued after the broken file: made only if the renderer outlived it.
    wait_until(lambda: _cached(shared_server, good, "thumb").exists(), 60, "the good thumbnail")
    assert not _cached(shared_server, broken, "thumb").exists()


def test_a_thumbnail_of_an_earlier_size_is_made_again_and_dropped(
    shared_server: ServerProcess,
) -> None:
    # A server upgraded to other thumbnail sizes finds the old ones in its cache: served, they
    # would stay small for ever, and kept, they would fill the disk.
    album_id = _album(shared_server)
    data = _unique(photo_jpeg((1600, 1200)))
    photo_id = upload_photo(shared_server, album_id, data, "IMG_0003.JPG")
    thumb, preview = _cached(shared_server, data, "thumb"), _cached(shared_server, data, "preview")
    wait_until(lambda: thumb.exists() and preview.exists(), 60, "the background renderer")
    thumb.unlink()  # as if this server had made only the pictures of the version before
    earlier = [thumb.with_name(name) for name in ("thumb.jpg", "thumb-ml.jpg", ".thumb.jpg.lock")]
    for path in earlier:
        path.write_bytes(photo_jpeg((400, 300)))

    response = share(shared_server, album_id).get(f"/photos/{photo_id}/thumb")

    assert response.status_code == 200
    with Image.open(io.BytesIO(response.content)) as image:
        assert image.size == (640, 480)
    assert thumb.exists()
    assert [path.name for path in earlier if path.exists()] == []
    assert preview.exists()  # other kinds are left alone
