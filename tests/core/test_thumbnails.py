"""Thumbnails (albumen.core.thumbnails): small, upright, made the cheap way, cached by content,
and never at the cost of the owner's files."""

from __future__ import annotations

import hashlib
import io
import shutil
import struct
import threading
import time
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import piexif
import pytest
from PIL import Image, JpegImagePlugin

from albumen.core import thumbnails
from albumen.core.camera_previews import embedded_preview
from albumen.core.thumbnails import (
    ThumbnailCache,
    ThumbnailError,
    make_thumbnail,
)
from albumen_photo.formats import MAX_PIXELS
from tests.support import save_heic

pytestmark = pytest.mark.filterwarnings(
    "ignore:(Corrupt EXIF|Possibly corrupt|Tag data larger|Metadata Warning|Truncated File)"
    ":UserWarning"
)

RED, BLUE = (220, 20, 20), (20, 20, 220)


@pytest.fixture(scope="module")
def big_portrait(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 6000x4000 camera-sized JPEG stored sideways (orientation 6): its stored top rows are
    red, so once turned upright the red must be on the right."""
    image = Image.new("RGB", (6000, 4000), BLUE)
    image.paste(RED, (0, 0, 6000, 1000))
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path_factory.mktemp("big") / "portrait.jpg"
    image.save(path, quality=75, exif=exif.tobytes())
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    image.load()
    return image


def corpus_files(corpus: Path) -> Iterator[Path]:
    return (path for path in sorted(corpus.iterdir()) if path.is_file())


def near(colour: tuple[int, ...], expected: tuple[int, int, int]) -> bool:
    return all(abs(a - b) < 40 for a, b in zip(colour, expected, strict=False))


# Making one -----------------------------------------------------------------------------------


def test_sideways_camera_jpeg_gives_an_upright_portrait_thumbnail(big_portrait: Path) -> None:
    image = decode(make_thumbnail(big_portrait, 320))
    assert image.size == (213, 320)
    width, height = image.size
    # Orientation 6 means "turn 90° clockwise": the stored top is now the right-hand side.
    assert near(image.getpixel((width - 5, height // 2)), RED)  # type: ignore[arg-type]
    assert near(image.getpixel((5, height // 2)), BLUE)  # type: ignore[arg-type]


def test_jpeg_is_decoded_at_a_reduced_scale(
    big_portrait: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """draft() must run before any pixel access, or it silently does nothing."""
    calls: list[tuple[Any, tuple[int, int]]] = []
    original = JpegImagePlugin.JpegImageFile.draft

    def spy(self: JpegImagePlugin.JpegImageFile, mode: str | None, size: Any) -> Any:
        result = original(self, mode, size)
        calls.append((result, self.size))
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)
    make_thumbnail(big_portrait, 320)
    assert calls, "draft was never asked for"
    result, size_after = calls[0]
    assert result is not None, "draft came too late: the pixels had already been decoded"
    assert size_after == (750, 500)  # DCT scaling at 1/8: far less than 24 MP decoded


def test_small_edges_and_no_upscaling(corpus: Path) -> None:
    image = decode(make_thumbnail(corpus / "NikonD70.jpg", 32))
    assert max(image.size) == 32
    tiny = decode(make_thumbnail(corpus / "NikonD70.jpg", 1000))
    assert tiny.size == (71, 47)
    with pytest.raises(ValueError):
        make_thumbnail(corpus / "NikonD70.jpg", 0)


def test_heic_thumbnail_is_upright(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6
    path = save_heic(
        Image.new("RGB", (640, 320), "red"), tmp_path / "phone.heic", exif=exif.tobytes()
    )
    image = decode(make_thumbnail(path, 100))
    assert image.size == (50, 100)
    # Pillow's own AVIF plugin leaves the turning to the EXIF orientation.
    avif = tmp_path / "photo.avif"
    Image.new("RGB", (640, 320), "red").save(avif, exif=exif.tobytes())
    assert decode(make_thumbnail(avif, 100)).size == (50, 100)


def test_transparent_and_sixteen_bit_images_become_rgb(tmp_path: Path) -> None:
    clear = tmp_path / "clear.png"
    Image.new("RGBA", (40, 20), (0, 0, 0, 0)).save(clear)
    image = decode(make_thumbnail(clear, 40))
    assert image.mode == "RGB"
    assert near(image.getpixel((10, 10)), (255, 255, 255))  # type: ignore[arg-type]
    deep = tmp_path / "deep.png"
    Image.new("I;16", (40, 20), 32768).save(deep)
    grey = decode(make_thumbnail(deep, 40)).getpixel((10, 10))
    assert isinstance(grey, tuple) and abs(grey[0] - 128) < 6  # scaled, not clipped to white


def test_raw_thumbnails_come_from_the_embedded_preview(corpus: Path) -> None:
    for name in ("FujiFilm.raf", "Panasonic.rw2"):
        image = decode(make_thumbnail(corpus / name, 320))
        assert 0 < max(image.size) <= 320


# Broken input -----------------------------------------------------------------------------------


def test_zero_byte_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty-one.jpg"
    empty.write_bytes(b"")
    with pytest.raises(ThumbnailError, match="empty") as caught:
        make_thumbnail(empty, 320)
    assert "empty-one.jpg" in str(caught.value)


def test_truncated_camera_jpeg(big_portrait: Path, corpus: Path, tmp_path: Path) -> None:
    data = big_portrait.read_bytes()
    cut = tmp_path / "cut-short.jpg"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ThumbnailError, match="truncated") as caught:
        make_thumbnail(cut, 320)
    assert "cut-short.jpg" in str(caught.value)
    # A real camera file cut inside its image data.
    camera = (corpus / "NikonD70.jpg").read_bytes()
    cut_camera = tmp_path / "nikon-cut.jpg"
    cut_camera.write_bytes(camera[: len(camera) - 600])
    with pytest.raises(ThumbnailError, match="truncated") as caught:
        make_thumbnail(cut_camera, 320)
    assert "nikon-cut.jpg" in str(caught.value)


def test_missing_and_unsupported_files(corpus: Path, tmp_path: Path) -> None:
    with pytest.raises(ThumbnailError, match="does not exist"):
        make_thumbnail(tmp_path / "gone.jpg", 320)
    with pytest.raises(ThumbnailError, match="XMP sidecar") as caught:
        make_thumbnail(corpus / "XMP.xmp", 320)
    assert "XMP.xmp" in str(caught.value)
    noise = tmp_path / "noise.jpg"
    noise.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(ThumbnailError, match=r"noise\.jpg"):
        make_thumbnail(noise, 320)


def test_a_file_whole_in_structure_whose_pixels_fail_names_itself(
    corpus: Path, tmp_path: Path
) -> None:
    """The scan proves files whole by their structure only (albumen_photo.integrity); pixels
    broken inside a whole structure show when the thumbnail decodes them, and that error names
    the file and says why."""
    from albumen_photo import formats
    from albumen_photo.integrity import check_structure

    heic = shutil.copyfile(corpus / "QuickTime.heic", tmp_path / "cut-stream.heic")
    # Each of its images holds 18 bytes of HEVC data: the boxes are whole, the stream is not.
    png = tmp_path / "bad-deflate.png"
    idat = zlib.compress(bytes(range(256)) * 64)
    idat = idat[:20] + bytes(len(idat) - 40) + idat[-20:]  # valid chunk, broken zlib stream
    png.write_bytes(_png(64, 64, 0, idat))
    for path in (heic, png):
        assert check_structure(path, formats.identify(path)) is None, path.name
        with pytest.raises(ThumbnailError) as caught:
            make_thumbnail(path, 64)
        message = str(caught.value)
        assert message.startswith(f"{path}: the "), message
        assert "truncated" in message or "damaged" in message, message


def _png(width: int, height: int, colour_type: int, idat: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` pixels, with almost no data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(1000)))
        + chunk(b"IEND", b"")
    )


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_decompression_bomb_is_refused_before_decoding(tmp_path: Path) -> None:
    assert MAX_PIXELS < 20_000 * 20_000
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_claiming(20_000, 20_000))
    with pytest.raises(ThumbnailError, match="decompression bomb") as caught:
        make_thumbnail(bomb, 320)
    assert "bomb.png" in str(caught.value)
    huge = tmp_path / "huge.png"
    huge.write_bytes(png_claiming(40_000, 40_000))  # past where Pillow itself refuses
    with pytest.raises(ThumbnailError, match=r"huge\.png"):
        make_thumbnail(huge, 320)


def test_every_corpus_file_thumbnails_or_says_why_and_stays_unchanged(corpus: Path) -> None:
    before = {path.name: sha256(path) for path in corpus_files(corpus)}
    mtimes = {path.name: path.stat().st_mtime_ns for path in corpus_files(corpus)}
    made = failed = 0
    for path in corpus_files(corpus):
        try:
            image = decode(make_thumbnail(path, 64))
        except ThumbnailError as error:
            assert path.name in str(error), str(error)
            assert path.suffix.lower() not in (".jpg", ".png", ".webp"), str(error)
            failed += 1
        else:
            assert 0 < max(image.size) <= 64
            made += 1
        preview = embedded_preview(path)
        assert preview is None or preview.startswith(b"\xff\xd8")
    assert made >= 55 and failed >= 10
    from albumen_photo.metadata import read_metadata

    for path in corpus_files(corpus):
        read_metadata(path)
    assert {path.name: sha256(path) for path in corpus_files(corpus)} == before
    assert {path.name: path.stat().st_mtime_ns for path in corpus_files(corpus)} == mtimes


# Embedded previews ------------------------------------------------------------------------------


def test_embedded_preview_of_a_camera_file(corpus: Path) -> None:
    """FLIR.jpg carries an 80x80 EXIF thumbnail; piexif extracts the same bytes."""
    expected = piexif.load(str(corpus / "FLIR.jpg"))["thumbnail"]
    preview = embedded_preview(corpus / "FLIR.jpg")
    assert preview is not None and preview == expected
    assert decode(preview).size == (80, 80)


def test_embedded_preview_skips_placeholders_and_absences(corpus: Path, tmp_path: Path) -> None:
    # Casio.jpg's EXIF thumbnail is the text "<Dummy thumbnail image data>", not a JPEG.
    assert piexif.load(str(corpus / "Casio.jpg"))["thumbnail"].startswith(b"<Dummy")
    assert embedded_preview(corpus / "Casio.jpg") is None
    assert embedded_preview(corpus / "AFCP.jpg") is None  # no EXIF at all
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    assert embedded_preview(empty) is None
    assert embedded_preview(tmp_path / "gone.jpg") is None


def test_embedded_preview_of_raw_and_of_a_generated_jpeg(corpus: Path, tmp_path: Path) -> None:
    raf = embedded_preview(corpus / "FujiFilm.raf")
    assert raf is not None and decode(raf).size == (160, 120)
    small = io.BytesIO()
    Image.new("RGB", (16, 12), RED).save(small, format="JPEG")
    path = tmp_path / "with-thumb.jpg"
    exif = piexif.dump({"0th": {}, "Exif": {}, "1st": {}, "thumbnail": small.getvalue()})
    Image.new("RGB", (300, 200), BLUE).save(path, exif=exif)
    preview = embedded_preview(path)
    assert preview is not None and preview == piexif.load(str(path))["thumbnail"]
    assert decode(preview).size == (16, 12)


# The cache --------------------------------------------------------------------------------------


def test_second_get_costs_nothing(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Path] = []
    real = thumbnails.make_grid_thumbnail

    def counting(path: Path, edge: int) -> bytes:
        calls.append(path)
        return real(path, edge)

    monkeypatch.setattr(thumbnails, "make_grid_thumbnail", counting)
    cache = ThumbnailCache(tmp_path / "cache")
    photo = corpus / "NikonD70.jpg"
    digest = sha256(photo)
    first = cache.get(photo, digest)
    assert first == cache.path_for(digest, 320)
    assert decode(first.read_bytes()).size == (71, 47)
    stamp = first.stat().st_mtime_ns
    second = cache.get(photo, digest)
    assert second == first
    assert calls == [photo]
    assert first.stat().st_mtime_ns == stamp
    # Keyed by content: a copy elsewhere, under another name, shares the thumbnail.
    moved = tmp_path / "renamed.jpg"
    shutil.copy(photo, moved)
    assert cache.get(moved, digest) == first and calls == [photo]
    # Another size is another file.
    assert cache.get(photo, digest, 32) != first and len(calls) == 2


def test_cache_paths(tmp_path: Path) -> None:
    cache = ThumbnailCache(tmp_path)
    digest = "ab" + "0" * 62
    assert cache.path_for(digest, 320).parent.parent == tmp_path
    assert cache.path_for(digest, 320) != cache.path_for(digest, 640)
    assert cache.path_for(digest.upper(), 320) == cache.path_for(digest, 320)
    for bad in ("../../etc/passwd", "ab", "g" * 64):
        with pytest.raises(ValueError):
            cache.path_for(bad, 320)


def test_failures_leave_nothing_behind(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = ThumbnailCache(tmp_path / "cache")
    broken = tmp_path / "empty.jpg"
    broken.write_bytes(b"")
    with pytest.raises(ThumbnailError, match=r"empty\.jpg"):
        cache.get(broken, "cd" * 32)
    assert not cache.path_for("cd" * 32, 320).exists()

    def fail(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(thumbnails.os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        cache.get(corpus / "NikonD70.jpg", "ef" * 32)
    assert not cache.path_for("ef" * 32, 320).exists()
    leftovers = [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    assert leftovers == []


def test_threads_share_one_render_per_key(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = thumbnails.make_grid_thumbnail
    lock = threading.Lock()
    counts: dict[Path, int] = {}

    def slow(path: Path, edge: int) -> bytes:
        with lock:
            counts[path] = counts.get(path, 0) + 1
        time.sleep(0.05)  # long enough for the other threads to pile up on the same key
        return real(path, edge)

    monkeypatch.setattr(thumbnails, "make_grid_thumbnail", slow)
    cache = ThumbnailCache(tmp_path / "cache")
    names = ["Canon.jpg", "Nikon.jpg", "Sony.jpg", "GPS.jpg", "Pentax.jpg", "Apple.jpg"]
    jobs = [(corpus / name, sha256(corpus / name)) for name in names] * 4
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda job: cache.get(*job), jobs))
    for (_path, digest), result in zip(jobs, results, strict=True):
        assert result == cache.path_for(digest, 320)
        assert decode(result.read_bytes()).size[0] > 0
    assert counts == {corpus / name: 1 for name in names}
    assert not [p for p in (tmp_path / "cache").rglob("*.part")]
