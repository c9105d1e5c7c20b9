"""Web sizes (albumen.core.web_size): the JPEG a link shows before the original lands. Long edge
2048 px, upright, nothing of the original's metadata, made in the thumbnail's decode and kept
so that a resumed sync sends it without decoding the photo again."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from PIL import Image

from albumen.core.thumbnails import DEFAULT_EDGE, ThumbnailCache, grid_edge_for, make_thumbnails
from albumen.core.web_size import WEB_EDGE, WebSizes
from albumen_photo.metadata import read_metadata
from tests.photo.strip_helpers import (
    ICC,
    XMP_WITH_LOCATION,
    camera_exif,
    exiftool,
    insert_before_tables,
    iptc_block,
    photoshop_app13,
)

RED, BLUE = (220, 20, 20), (20, 20, 220)


@pytest.fixture(scope="module")
def sideways(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 6000x4000 camera JPEG stored sideways (orientation 6: turned upright it is a 4000x6000
    portrait) whose stored top rows are red, carrying EXIF (camera, date, GPS, serial), XMP
    with a place, IPTC and a comment."""
    image = Image.new("RGB", (6000, 4000), BLUE)
    image.paste(RED, (0, 0, 6000, 1000))
    out = io.BytesIO()
    image.save(
        out,
        "JPEG",
        quality=80,
        exif=camera_exif(),  # orientation 6
        icc_profile=ICC,
        comment=b"shot at the beach bar",
        xmp=XMP_WITH_LOCATION,
    )
    path = tmp_path_factory.mktemp("web") / "IMG_0001.JPG"
    path.write_bytes(insert_before_tables(out.getvalue(), photoshop_app13(iptc_block())))
    return path


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_web_size_is_2048_upright_and_carries_no_metadata(
    sideways: Path, tmp_path: Path
) -> None:
    before = _sha256(sideways)
    web = WebSizes(ThumbnailCache(tmp_path / "cache")).render(sideways, before)
    assert (web.width, web.height) == (1365, 2048)  # the portrait, long edge 2048
    with Image.open(web.path) as image:
        assert image.format == "JPEG" and image.size == (1365, 2048)
        rgb = image.convert("RGB")
        # The stored top (red) is on the right once turned upright (orientation 6: 90° cw).
        assert rgb.getpixel((1300, 1024))[0] > 180 and rgb.getpixel((60, 1024))[2] > 180
        assert not image.getexif() and "xmp" not in image.info and "comment" not in image.info
    meta = read_metadata(web.path)
    assert meta.error is None
    assert (meta.camera_make, meta.camera_model, meta.serial_number) == (None, None, None)
    assert (meta.taken_at, meta.gps, meta.location_elsewhere) == (None, None, ())
    assert (meta.artist, meta.copyright, meta.software, meta.orientation) == (None,) * 4
    # exiftool, an independent reader, finds the file, its JFIF header and its colour profile:
    # no EXIF, GPS, XMP, IPTC or Photoshop block (the original has each of them).
    groups = {key.split(":")[0] for key in exiftool(web.path)}
    assert groups <= {"SourceFile", "ExifTool", "System", "File", "JFIF", "Composite"} | {
        "ICC_Profile",
        "ICC-header",
        "ICC-chrm",
    }, groups
    assert {"IFD0", "GPS", "XMP-dc", "IPTC"} <= {k.split(":")[0] for k in exiftool(sideways)}
    assert _sha256(sideways) == before, "the owner's file is only read"


def test_one_decode_makes_the_web_size_and_the_grid_thumbnail(
    sideways: Path, tmp_path: Path
) -> None:
    cache = ThumbnailCache(tmp_path / "cache")
    sha = _sha256(sideways)
    WebSizes(cache).render(sideways, sha)
    thumb = cache.path_for(sha, DEFAULT_EDGE)
    assert thumb.is_file(), "the grid's thumbnail came out of the same decode"
    with Image.open(thumb) as image:
        assert image.size == (213, 320)
    made = make_thumbnails(sideways, (DEFAULT_EDGE, WEB_EDGE))
    assert set(made) == {DEFAULT_EDGE, WEB_EDGE}
    with Image.open(io.BytesIO(made[DEFAULT_EDGE])) as small:
        assert small.size == (213, 320)


def test_on_a_sharp_screen_the_web_size_comes_with_the_sharper_grid_thumbnail(
    sideways: Path, tmp_path: Path
) -> None:
    cache = ThumbnailCache(tmp_path / "cache", grid_edge=grid_edge_for(2.0))
    sha = _sha256(sideways)
    WebSizes(cache).render(sideways, sha)
    with Image.open(cache.path_for(sha, 640)) as image:
        assert image.size == (427, 640)
    assert not cache.path_for(sha, DEFAULT_EDGE).exists(), "no thumbnail the grid will not show"


@pytest.mark.parametrize(
    ("pixel_ratio", "edge"),
    [
        (1.0, 320),
        (0.75, 320),
        (1.25, 640),
        (1.5, 640),
        (2.0, 640),
        (2.0000001, 640),
        (3.0, 960),
        (4.0, 960),
    ],
)
def test_the_grid_edge_follows_the_screen(pixel_ratio: float, edge: int) -> None:
    assert grid_edge_for(pixel_ratio) == edge


def test_a_resumed_sync_finds_the_web_size_made_before(sideways: Path, tmp_path: Path) -> None:
    cache = ThumbnailCache(tmp_path / "cache")
    sha = _sha256(sideways)
    first = WebSizes(cache).render(sideways, sha)
    data = first.path.read_bytes()
    moved = tmp_path / "gone.jpg"
    sideways.rename(moved)  # the file cannot be decoded again: only the cache can answer
    try:
        again = WebSizes(ThumbnailCache(tmp_path / "cache")).render(sideways, sha)
    finally:
        moved.rename(sideways)
    assert again.path.read_bytes() == data and again.size == len(data)
    WebSizes(cache).discard(sha)  # the original landed
    assert not first.path.exists()
    assert cache.path_for(sha, DEFAULT_EDGE).is_file(), "the grid keeps its thumbnail"


def test_a_small_photo_keeps_its_size(tmp_path: Path) -> None:
    path = tmp_path / "small.jpg"
    Image.new("RGB", (800, 600), RED).save(path, quality=90)
    web = WebSizes(ThumbnailCache(tmp_path / "cache")).render(path, _sha256(path))
    assert (web.width, web.height) == (800, 600)
