"""Viewer derivatives: upright, small, metadata-free JPEGs, and clear refusals of bad files."""

from __future__ import annotations

import hashlib
import shutil
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, JpegImagePlugin

from albumen_server.derivatives import (
    PREVIEW,
    SMALL,
    THUMB,
    DerivativeError,
    ImageInfo,
    Rendition,
    probe,
    render,
    render_many,
)
from tests.server.derivative_samples import (
    BLUE,
    MARKER,
    RED,
    SRGB_ICC,
    bright_top_left_sensor,
    camera_exif,
    decoded,
    dng_bytes,
    grey_alpha_png,
    near,
    palette_gif,
    quadrant_image,
    rgba_png,
    save_jpeg,
    sha256,
)
from tests.support import save_heic

LONG_EDGE_400 = Rendition(400, 400, 85)
"""A square box: the tests of formats read their pictures at a size independent of THUMB's."""

# --- JPEG ------------------------------------------------------------------------------------


def test_thumb_is_upright_small_and_carries_no_metadata_but_the_colour_profile(
    tmp_path: Path,
) -> None:
    source = save_jpeg(
        tmp_path / "photo.jpg",
        quadrant_image(3000, 2000),
        exif=camera_exif(orientation=6),
        icc_profile=SRGB_ICC,
        comment=b"comment " + MARKER,
        xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/">' + MARKER + b"</x:xmpmeta>",
    )
    before = sha256(source)

    data = render(source, THUMB)

    thumb = decoded(data)
    assert thumb.size == (320, 480)  # turned a quarter clockwise, 480 px high
    assert thumb.mode == "RGB"
    assert near(thumb.getpixel((thumb.width - 20, 20)), RED)  # top-left went top-right
    assert near(thumb.getpixel((20, 20)), BLUE)
    assert near(thumb.getpixel((thumb.width - 20, thumb.height - 20)), BLUE)
    assert len(thumb.getexif()) == 0
    assert b"Exif\x00\x00" not in data
    assert MARKER not in data  # neither make, comment nor XMP
    assert b"SERIAL-123456" not in data
    assert b"http://ns.adobe.com/xap/1.0/" not in data
    assert thumb.info.get("icc_profile") == SRGB_ICC
    assert thumb.info.get("progressive")
    assert sha256(source) == before  # the original is never written to


@pytest.mark.parametrize(
    ("size", "orientation", "thumb_size"),
    [
        ((3000, 2000), 1, (720, 480)),
        ((2000, 3000), 1, (320, 480)),
        ((3000, 2000), 6, (320, 480)),  # a portrait taken with the camera turned
        ((6000, 2000), 1, (1440, 480)),  # a 3:1 panorama keeps every row the grid shows
        ((6000, 2000), 8, (160, 480)),
        ((8000, 1000), 1, (1440, 180)),  # wider than 3:1: bounded by its width
    ],
    ids=["3:2", "2:3", "3:2-turned", "3:1-panorama", "3:1-turned", "8:1-panorama"],
)
def test_a_thumb_is_as_high_as_the_grid_shows_it_on_a_sharp_screen(
    size: tuple[int, int], orientation: int, thumb_size: tuple[int, int], tmp_path: Path
) -> None:
    # The gallery's justified rows are 220 CSS px high on a laptop and 132 on a phone: 480
    # pixel rows keep a 2x laptop's and a 3x phone's thumbnails sharp, whatever the proportions.
    source = save_jpeg(
        tmp_path / "photo.jpg", quadrant_image(*size), exif=camera_exif(orientation=orientation)
    )

    assert decoded(render(source, THUMB)).size == thumb_size


def test_preview_has_a_2048_long_edge(tmp_path: Path) -> None:
    source = save_jpeg(tmp_path / "photo.jpg", quadrant_image(3000, 2000))

    preview = decoded(render(source, PREVIEW))

    assert preview.size == (2048, 1365)
    assert near(preview.getpixel((10, 10)), RED)
    assert near(preview.getpixel((2040, 10)), BLUE)


def test_a_small_photo_is_never_upscaled(tmp_path: Path) -> None:
    source = save_jpeg(tmp_path / "small.jpg", quadrant_image(300, 200))

    assert decoded(render(source, LONG_EDGE_400)).size == (300, 200)
    assert decoded(render(source, PREVIEW)).size == (300, 200)


def test_a_jpeg_is_decoded_at_a_reduced_scale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = save_jpeg(tmp_path / "photo.jpg", quadrant_image(3000, 2000))
    sizes_at_decode: list[tuple[int, int]] = []
    load = JpegImagePlugin.JpegImageFile.load

    def spying_load(self: JpegImagePlugin.JpegImageFile) -> Any:
        sizes_at_decode.append(self.size)
        return load(self)

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "load", spying_load)

    render(source, THUMB)
    thumb_decode = sizes_at_decode[0]
    sizes_at_decode.clear()
    render(source, PREVIEW)

    # DCT scaling: a quarter of each side for the thumb (then resampled to 720x480); none for
    # the preview, as half of 2000 would be less than its 1365 rows.
    assert thumb_decode == (750, 500)
    assert sizes_at_decode[0] == (3000, 2000)


def test_the_small_thumbnail_is_made_in_the_thumbnails_decode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = save_jpeg(
        tmp_path / "photo.jpg", quadrant_image(3000, 2000), exif=camera_exif(orientation=6)
    )
    sizes_at_decode: list[tuple[int, int]] = []
    load = JpegImagePlugin.JpegImageFile.load

    def spying_load(self: JpegImagePlugin.JpegImageFile) -> Any:
        if self.tile:  # pixels still to decode; `load` is called again on decoded ones too
            sizes_at_decode.append(self.size)
        return load(self)

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "load", spying_load)

    made = render_many(source, (SMALL, THUMB))

    assert sizes_at_decode == [(750, 500)]  # one decode, at the thumbnail's scale
    small, thumb = (decoded(data) for data in made)
    assert small.size == (213, 320)  # both upright, each as high as its box
    assert thumb.size == (320, 480)
    # The same picture: the thumbnail brought down to the small one's size differs by little.
    shrunk = np.asarray(thumb.resize(small.size, Image.Resampling.LANCZOS), dtype=np.int16)
    assert np.abs(shrunk - np.asarray(small, dtype=np.int16)).mean() < 3


def test_cmyk_jpeg_becomes_rgb(tmp_path: Path) -> None:
    source = save_jpeg(tmp_path / "print.jpg", Image.new("CMYK", (500, 300), (0, 255, 255, 0)))

    thumb = decoded(render(source, LONG_EDGE_400))

    assert thumb.mode == "RGB"
    assert thumb.size == (400, 240)
    assert near(thumb.getpixel((200, 120)), RED, tolerance=60)


def test_renders_from_several_threads_match_one_at_a_time(tmp_path: Path) -> None:
    sources = [
        save_jpeg(
            tmp_path / f"photo{index}.jpg",
            quadrant_image(600 + 40 * index, 400),
            exif=camera_exif(orientation=orientation),
        )
        for index, orientation in enumerate((1, 3, 6, 8, 5, 2))
    ]
    boxes = (Rendition(100, 100, 85), Rendition(300, 300, 85))
    expected = {(path, box): render(path, box) for path in sources for box in boxes}

    with ThreadPoolExecutor(max_workers=6) as pool:
        jobs = {key: pool.submit(render, *key) for key in list(expected) * 3}
        results = {key: job.result() for key, job in jobs.items()}

    assert results == expected
    assert decoded(expected[(sources[2], boxes[1])]).size == (176, 300)  # 680x400, turned


# --- other formats ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "left"),
    [(rgba_png, RED), (palette_gif, RED), (grey_alpha_png, (0, 0, 0))],
    ids=["png-rgba", "gif-palette", "png-grey-alpha"],
)
def test_transparency_becomes_white(make: Any, left: tuple[int, int, int], tmp_path: Path) -> None:
    thumb = decoded(render(make(tmp_path / "picture"), LONG_EDGE_400))

    assert thumb.mode == "RGB"
    assert thumb.size == (400, 200)
    assert near(thumb.getpixel((50, 100)), left)
    assert near(thumb.getpixel((350, 100)), (255, 255, 255), tolerance=8)


def test_sixteen_bit_grey_keeps_its_tones(tmp_path: Path) -> None:
    source = tmp_path / "scan.png"
    Image.fromarray(np.full((200, 300), 40000, dtype=np.uint16)).save(source)

    thumb = decoded(render(source, LONG_EDGE_400))

    # 40000 of 65535 is 156 of 255; a plain conversion clips it to white.
    assert near(thumb.getpixel((150, 100)), (156, 156, 156), tolerance=4)


def test_heic_is_rendered_upright(tmp_path: Path) -> None:
    source = tmp_path / "IMG_0001.HEIC"
    exif = Image.Exif()
    exif[0x0112] = 6
    save_heic(quadrant_image(600, 400), source, quality=90, exif=exif.tobytes())

    thumb = decoded(render(source, LONG_EDGE_400))

    assert thumb.size == (267, 400)
    assert near(thumb.getpixel((thumb.width - 20, 20)), RED, tolerance=60)
    assert near(thumb.getpixel((20, 20)), BLUE, tolerance=60)
    info = probe(source)
    assert (info.width, info.height, info.content_type) == (400, 600, "image/heic")


# --- RAW -------------------------------------------------------------------------------------


def test_raw_is_rendered_from_its_embedded_preview_turned_by_the_raw(tmp_path: Path) -> None:
    source = tmp_path / "blob-without-extension"
    preview = quadrant_image(600, 400)
    source.write_bytes(dng_bytes(np.full((400, 600), 150, np.uint16), 6, preview))

    thumb = decoded(render(source, LONG_EDGE_400))

    assert thumb.size == (267, 400)
    # The sensor data is flat grey: red proves the preview was used, its place the turn.
    assert near(thumb.getpixel((thumb.width - 20, 20)), RED)
    assert near(thumb.getpixel((20, 20)), BLUE)
    assert probe(source) == ImageInfo(400, 600, None, "image/x-adobe-dng")


def test_raw_without_a_preview_is_developed(tmp_path: Path) -> None:
    source = tmp_path / "sensor.dng"
    source.write_bytes(dng_bytes(bright_top_left_sensor(600, 400), 6, preview=None))

    thumb = decoded(render(source, LONG_EDGE_400)).convert("L")

    assert thumb.size == (267, 400)
    top_right, top_left = thumb.getpixel((thumb.width - 20, 20)), thumb.getpixel((20, 20))
    assert isinstance(top_right, int)
    assert isinstance(top_left, int)
    assert top_right > top_left + 60  # the bright corner turned with the photo


def test_an_ordinary_tiff_naming_a_camera_is_not_taken_for_a_raw(tmp_path: Path) -> None:
    # LibRaw accepts a 16-bit grey TIFF with a camera make as "raw" and develops it into noise.
    source = tmp_path / "scan.tif"
    exif = Image.Exif()
    exif[0x010F] = "NIKON CORPORATION"
    Image.fromarray(np.full((200, 300), 40000, dtype=np.uint16)).save(source, exif=exif)

    thumb = decoded(render(source, LONG_EDGE_400))

    assert near(thumb.getpixel((150, 100)), (156, 156, 156), tolerance=4)
    assert probe(source).content_type == "image/tiff"


CORPUS_RAW_TYPES = {
    "CanonRaw.cr2": "image/x-canon-cr2",
    "CanonRaw.cr3": "image/x-canon-cr3",
    "CanonRaw.crw": "image/x-canon-crw",
    "DNG.dng": "image/x-adobe-dng",
    "FujiFilm.raf": "image/x-fuji-raf",
    "Minolta.mrw": "image/x-minolta-mrw",
    "Nikon.nef": "image/x-nikon-nef",
    "Panasonic.rw2": "image/x-panasonic-rw2",
    "PhaseOne.iiq": "image/x-phaseone-iiq",
    "Sigma.x3f": "image/x-sigma-x3f",
}
CORPUS_RAWS_WITH_DATES = {"cr2", "cr3", "dng", "raf", "mrw", "nef", "rw2", "iiq"}


def test_every_corpus_file_renders_or_fails_cleanly(corpus: Path, tmp_path: Path) -> None:
    """Real camera files, many only 8x8 or with their RAW data stripped: never a crash."""
    outcomes: dict[str, str] = {}
    for original in sorted(corpus.iterdir()):
        if not original.is_file():
            continue
        path = tmp_path / original.name
        shutil.copyfile(original, path)
        before = sha256(path)
        info = probe(path)
        assert isinstance(info, ImageInfo), path.name
        try:
            data = render(path, THUMB)
        except DerivativeError as error:
            assert error.code in {"not_an_image", "unreadable", "decompression_bomb"}, path.name
            assert path.name in str(error)
            outcomes[path.name] = error.code
        else:
            thumb = decoded(data)
            assert thumb.mode == "RGB", path.name
            assert thumb.height <= THUMB.height and thumb.width <= THUMB.width, path.name
            assert b"Exif\x00\x00" not in data, path.name
            outcomes[path.name] = "rendered"
        assert sha256(path) == before, path.name

    assert outcomes, f"no files in {corpus}"
    jpegs = {name: outcome for name, outcome in outcomes.items() if name.endswith(".jpg")}
    assert set(jpegs.values()) == {"rendered"}, jpegs
    assert outcomes.get("PNG.png") == "rendered"
    assert outcomes.get("Panasonic.rw2") == "rendered"
    assert outcomes.get("XMP.xmp") == "not_an_image"


def test_corpus_raws_are_recognised_with_their_capture_time(corpus: Path, tmp_path: Path) -> None:
    for name, content_type in CORPUS_RAW_TYPES.items():
        # Blobs are stored under their hash: the type must come from the bytes, not the name.
        path = tmp_path / hashlib.sha256(name.encode()).hexdigest()
        shutil.copyfile(corpus / name, path)
        info = probe(path)
        assert info.content_type == content_type, name
        if name.rsplit(".", 1)[1] in CORPUS_RAWS_WITH_DATES:
            assert info.taken_at is not None, name
            assert info.taken_at.tzinfo is UTC, name

    cr3 = tmp_path / "cr3"
    shutil.copyfile(corpus / "CanonRaw.cr3", cr3)
    assert probe(cr3) == ImageInfo(
        6000, 4000, datetime(2018, 2, 21, 12, 8, 56, 210000, tzinfo=UTC), "image/x-canon-cr3"
    )
