"""A photo's thumbnail and preview are made in the background as soon as the photo is, so that
its first viewer finds them: here no viewer asks for them before they are in the cache."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from albumen_server.config import ServerConfig
from albumen_server.deployment import build_context
from albumen_server.derivative_cache import Kind, pixels_file
from albumen_server.ingest import FileFacts, add_photo
from albumen_server.models import Album, Owner, utcnow
from albumen_server.prerender import Prerenderer
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


def test_an_albums_cover_has_its_preview_made_with_the_thumbnails(tmp_path: Path) -> None:
    """The gallery opens on its cover: its preview is made right after its own thumbnails, not
    after every thumbnail of the album (a minute later for 500 photos); a cover the owner picks
    later comes next too. In the server's process, on its real database and session events; the
    renderer is not started, so what it would make is seen in order."""
    context = build_context(ServerConfig(data_dir=tmp_path))
    prerenderer = Prerenderer(context)
    prerenderer.watch()
    blobs = [f"{index:064x}" for index in range(4)]
    photo_ids = [new_id() for _ in blobs]
    now = utcnow()
    with context.db.session() as session:
        owner = Owner(name="Ansel")
        session.add(owner)
        session.flush()
        # The app names the cover (its first photo, or the owner's pick) before it uploads it.
        album = Album(id=new_id(), owner_id=owner.id, title="Covers", cover_photo_id=photo_ids[2])
        session.add(album)
    for photo_id, sha in zip(photo_ids, blobs, strict=True):
        with context.db.session() as session:
            found = session.get(Album, album.id)
            assert found is not None
            facts = FileFacts(size=1)
            add_photo(
                session,
                found,
                photo_id=photo_id,
                owner_id=owner.id,
                filename="a.jpg",
                sha256=sha,
                content_type=None,
                facts=facts,
                now=now,
            )

    thumbs, previews = ("small", "thumb"), ("preview",)
    expected = [(blobs[0], thumbs), (blobs[1], thumbs), (blobs[2], thumbs), (blobs[2], previews)]
    expected += [(blobs[3], thumbs)] + [(sha, previews) for sha in blobs]
    assert prerenderer.queued() == expected

    with context.db.session() as session:
        found = session.get(Album, album.id)
        assert found is not None
        found.cover_photo_id = photo_ids[1]  # the owner picks another
    assert prerenderer.queued()[5] == (blobs[1], previews)
    context.db.engine.dispose()
