"""Viewer derivatives: upright, small, metadata-free JPEGs, and clear refusals of bad files."""

from __future__ import annotations

import hashlib
import io
import pickle
import shutil
import struct
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import piexif
import pytest
from PIL import Image, ImageCms, JpegImagePlugin

from albumen_server.derivatives import (
    MAX_PIXELS,
    PREVIEW_EDGE,
    THUMB_EDGE,
    DerivativeError,
    ImageInfo,
    probe,
    render,
)
from tests.support import save_heic

RED = (255, 0, 0)
BLUE = (0, 0, 255)
MARKER = b"AlbumenMarkerCam"
SRGB_ICC = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def quadrant_image(width: int, height: int) -> Image.Image:
    """Blue with a red top-left quadrant: where the red lands shows how the picture turned."""
    image = Image.new("RGB", (width, height), BLUE)
    image.paste(RED, (0, 0, width // 2, height // 2))
    return image


def camera_exif(orientation: int = 1, **exif_ifd: bytes) -> bytes:
    """EXIF as a camera writes it: make, orientation, GPS position and capture time."""
    return piexif.dump(
        {
            "0th": {
                piexif.ImageIFD.Make: MARKER,
                piexif.ImageIFD.Model: b"Model X",
                piexif.ImageIFD.Orientation: orientation,
            },
            "Exif": {
                piexif.ExifIFD.DateTimeOriginal: b"2024:05:06 14:30:00",
                piexif.ExifIFD.BodySerialNumber: b"SERIAL-123456",
                **{getattr(piexif.ExifIFD, key): value for key, value in exif_ifd.items()},
            },
            "GPS": {
                piexif.GPSIFD.GPSLatitudeRef: b"N",
                piexif.GPSIFD.GPSLatitude: ((52, 1), (31, 1), (1234, 100)),
                piexif.GPSIFD.GPSLongitudeRef: b"E",
                piexif.GPSIFD.GPSLongitude: ((13, 1), (24, 1), (5678, 100)),
            },
        }
    )


def save_jpeg(path: Path, image: Image.Image, **options: Any) -> Path:
    image.save(path, format="JPEG", quality=90, **options)
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    image.load()
    return image


def near(pixel: Any, colour: tuple[int, ...], tolerance: int = 40) -> bool:
    return all(abs(int(a) - int(b)) <= tolerance for a, b in zip(pixel, colour, strict=True))


def png_bytes(width: int, height: int) -> bytes:
    """A complete, valid 1-bit PNG of zeros: tiny on disk, `width*height` pixels when decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    row = b"\x00" * (1 + (width + 7) // 8)
    compressor = zlib.compressobj(1)
    block = row * 1000
    body = b"".join(compressor.compress(block) for _ in range(height // 1000))
    body += compressor.compress(row * (height % 1000)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )


# --- a tiny DNG, written by hand: the corpus RAWs have their sensor data stripped -------------


def tiff_bytes(ifds: list[tuple[list[tuple[int, int, Any]], bytes]]) -> bytes:
    """A little-endian TIFF of chained sub-IFDs: IFD n+1 is IFD n's SubIFD when it asks ("SUB").

    Entries are (tag, type, value); the value "DATA" points at that IFD's pixel bytes.
    """
    formats = {1: "B", 3: "H", 4: "I", 10: "ii"}
    out = bytearray(b"II*\x00\x00\x00\x00\x00")
    starts: list[int] = []
    sub_pointers: list[int] = []
    for entries, data in ifds:
        start = len(out)
        starts.append(start)
        extra = bytearray()
        extra_base = start + 2 + 12 * len(entries) + 4
        table = bytearray(struct.pack("<H", len(entries)))
        data_pointers: list[int] = []
        for tag, kind, value in sorted(entries, key=lambda entry: entry[0]):
            if value in ("DATA", "SUB"):
                (data_pointers if value == "DATA" else sub_pointers).append(start + len(table) + 8)
                raw, count = b"\x00" * 4, 1
            elif isinstance(value, str):
                raw = value.encode() + b"\x00"
                count = len(raw)
            else:
                values = value if isinstance(value, list) else [value]
                flat = [part for item in values for part in (item if kind == 10 else (item,))]
                raw = struct.pack(f"<{len(flat)}{formats[kind][0]}", *flat)
                count = len(values)
            if len(raw) <= 4:
                table += struct.pack("<HHI", tag, kind, count) + raw.ljust(4, b"\x00")
            else:
                table += struct.pack("<HHII", tag, kind, count, extra_base + len(extra))
                extra += raw + b"\x00" * (len(raw) % 2)
        out += table + b"\x00\x00\x00\x00" + extra
        for pointer in data_pointers:
            struct.pack_into("<I", out, pointer, len(out))
        out += data
        out += b"\x00" * (len(out) % 2)
    for pointer, target in zip(sub_pointers, starts[1:], strict=True):
        struct.pack_into("<I", out, pointer, target)
    struct.pack_into("<I", out, 4, starts[0])
    return bytes(out)


def dng_bytes(sensor: np.ndarray, orientation: int, preview: Image.Image | None) -> bytes:
    """A Bayer DNG with an optional uncompressed RGB preview as its first IFD, as cameras do."""
    height, width = sensor.shape
    cfa = sensor.astype("<u2").tobytes()
    raw_ifd = [
        (254, 4, 0),
        (256, 4, width),
        (257, 4, height),
        (258, 3, 16),
        (259, 3, 1),
        (262, 3, 32803),  # colour filter array
        (273, 4, "DATA"),
        (277, 3, 1),
        (278, 4, height),
        (279, 4, len(cfa)),
        (33421, 3, [2, 2]),
        (33422, 1, [0, 1, 1, 2]),  # RGGB
        (50717, 4, 4095),
    ]
    identity = [(1, 1), (0, 1), (0, 1), (0, 1), (1, 1), (0, 1), (0, 1), (0, 1), (1, 1)]
    camera = [
        (271, 2, "Albumen"),
        (272, 2, "Test Camera"),
        (274, 3, orientation),
        (50706, 1, [1, 4, 0, 0]),  # DNGVersion
        (50708, 2, "Albumen Test Camera"),
        (50721, 10, identity),  # ColorMatrix1
        (50778, 3, 21),
    ]
    if preview is None:
        return tiff_bytes([(raw_ifd + camera, cfa)])
    pixels = preview.convert("RGB").tobytes()
    first = [
        (254, 4, 1),  # a reduced-resolution copy
        (256, 4, preview.width),
        (257, 4, preview.height),
        (258, 3, [8, 8, 8]),
        (259, 3, 1),
        (262, 3, 2),
        (273, 4, "DATA"),
        (277, 3, 3),
        (278, 4, preview.height),
        (279, 4, len(pixels)),
        (330, 4, "SUB"),
    ]
    return tiff_bytes([(first + camera, pixels), (raw_ifd, cfa)])


def bright_top_left_sensor(width: int, height: int) -> np.ndarray:
    sensor = np.full((height, width), 150, dtype=np.uint16)
    sensor[: height // 2, : width // 2] = 4000
    return sensor


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

    data = render(source, THUMB_EDGE)

    thumb = decoded(data)
    assert thumb.size == (267, 400)  # turned a quarter clockwise, long edge 400
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


def test_preview_has_a_2048_long_edge(tmp_path: Path) -> None:
    source = save_jpeg(tmp_path / "photo.jpg", quadrant_image(3000, 2000))

    preview = decoded(render(source, PREVIEW_EDGE))

    assert preview.size == (2048, 1365)
    assert near(preview.getpixel((10, 10)), RED)
    assert near(preview.getpixel((2040, 10)), BLUE)


def test_a_small_photo_is_never_upscaled(tmp_path: Path) -> None:
    source = save_jpeg(tmp_path / "small.jpg", quadrant_image(300, 200))

    assert decoded(render(source, THUMB_EDGE)).size == (300, 200)
    assert decoded(render(source, PREVIEW_EDGE)).size == (300, 200)


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

    render(source, THUMB_EDGE)
    thumb_decode = sizes_at_decode[0]
    sizes_at_decode.clear()
    render(source, PREVIEW_EDGE)

    # DCT scaling: a quarter of each side for the thumb (then resampled to 400x267); none for
    # the preview, as half of 2000 would be less than its 1365 rows.
    assert thumb_decode == (750, 500)
    assert sizes_at_decode[0] == (3000, 2000)


def test_cmyk_jpeg_becomes_rgb(tmp_path: Path) -> None:
    source = save_jpeg(tmp_path / "print.jpg", Image.new("CMYK", (500, 300), (0, 255, 255, 0)))

    thumb = decoded(render(source, THUMB_EDGE))

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
    expected = {(path, edge): render(path, edge) for path in sources for edge in (100, 300)}

    with ThreadPoolExecutor(max_workers=6) as pool:
        jobs = {key: pool.submit(render, *key) for key in list(expected) * 3}
        results = {key: job.result() for key, job in jobs.items()}

    assert results == expected
    assert decoded(expected[(sources[2], 300)]).size == (176, 300)  # 680x400, turned


# --- other formats ---------------------------------------------------------------------------


def rgba_png(path: Path) -> Path:
    image = Image.new("RGBA", (400, 200), (0, 255, 0, 0))  # transparent, but green underneath
    image.paste((255, 0, 0, 255), (0, 0, 200, 200))
    image.save(path, format="PNG")
    return path


def palette_gif(path: Path) -> Path:
    image = Image.new("P", (400, 200), 1)
    image.putpalette([255, 0, 0, 0, 255, 0] + [0] * 762)
    image.paste(0, (0, 0, 200, 200))
    image.save(path, format="GIF", transparency=1)
    return path


def grey_alpha_png(path: Path) -> Path:
    image = Image.new("LA", (400, 200), (0, 0))  # transparent black
    image.paste((0, 255), (0, 0, 200, 200))  # opaque black on the left
    image.save(path, format="PNG")
    return path


@pytest.mark.parametrize(
    ("make", "left"),
    [(rgba_png, RED), (palette_gif, RED), (grey_alpha_png, (0, 0, 0))],
    ids=["png-rgba", "gif-palette", "png-grey-alpha"],
)
def test_transparency_becomes_white(make: Any, left: tuple[int, int, int], tmp_path: Path) -> None:
    thumb = decoded(render(make(tmp_path / "picture"), THUMB_EDGE))

    assert thumb.mode == "RGB"
    assert thumb.size == (400, 200)
    assert near(thumb.getpixel((50, 100)), left)
    assert near(thumb.getpixel((350, 100)), (255, 255, 255), tolerance=8)


def test_sixteen_bit_grey_keeps_its_tones(tmp_path: Path) -> None:
    source = tmp_path / "scan.png"
    Image.fromarray(np.full((200, 300), 40000, dtype=np.uint16)).save(source)

    thumb = decoded(render(source, THUMB_EDGE))

    # 40000 of 65535 is 156 of 255; a plain conversion clips it to white.
    assert near(thumb.getpixel((150, 100)), (156, 156, 156), tolerance=4)


def test_heic_is_rendered_upright(tmp_path: Path) -> None:
    source = tmp_path / "IMG_0001.HEIC"
    exif = Image.Exif()
    exif[0x0112] = 6
    save_heic(quadrant_image(600, 400), source, quality=90, exif=exif.tobytes())

    thumb = decoded(render(source, THUMB_EDGE))

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

    thumb = decoded(render(source, THUMB_EDGE))

    assert thumb.size == (267, 400)
    # The sensor data is flat grey: red proves the preview was used, its place the turn.
    assert near(thumb.getpixel((thumb.width - 20, 20)), RED)
    assert near(thumb.getpixel((20, 20)), BLUE)
    assert probe(source) == ImageInfo(400, 600, None, "image/x-adobe-dng")


def test_raw_without_a_preview_is_developed(tmp_path: Path) -> None:
    source = tmp_path / "sensor.dng"
    source.write_bytes(dng_bytes(bright_top_left_sensor(600, 400), 6, preview=None))

    thumb = decoded(render(source, THUMB_EDGE)).convert("L")

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

    thumb = decoded(render(source, THUMB_EDGE))

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
            data = render(path, THUMB_EDGE)
        except DerivativeError as error:
            assert error.code in {"not_an_image", "unreadable", "decompression_bomb"}, path.name
            assert path.name in str(error)
            outcomes[path.name] = error.code
        else:
            thumb = decoded(data)
            assert thumb.mode == "RGB", path.name
            assert max(thumb.size) <= THUMB_EDGE, path.name
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


# --- bad files -------------------------------------------------------------------------------


def test_a_text_file_is_not_an_image(tmp_path: Path) -> None:
    source = tmp_path / "notes.jpg"
    source.write_text("Shopping list: film, fixer, albumen paper\n")

    with pytest.raises(DerivativeError) as caught:
        render(source, THUMB_EDGE)

    assert caught.value.code == "not_an_image"
    assert str(caught.value).startswith("notes.jpg ")
    assert probe(source) == ImageInfo(None, None, None, None)


def test_an_empty_file_says_so(tmp_path: Path) -> None:
    source = tmp_path / "empty.jpg"
    source.write_bytes(b"")

    with pytest.raises(DerivativeError) as caught:
        render(source, THUMB_EDGE)

    assert caught.value.code == "not_an_image"
    assert "empty.jpg is empty (0 bytes)" in str(caught.value)
    assert probe(source) == ImageInfo(None, None, None, None)


def test_a_missing_file_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(DerivativeError) as caught:
        render(tmp_path / "gone.jpg", THUMB_EDGE)

    assert caught.value.code == "unreadable"
    assert probe(tmp_path / "gone.jpg") == ImageInfo(None, None, None, None)


def test_a_truncated_jpeg_is_unreadable_but_its_header_still_probes(tmp_path: Path) -> None:
    whole = save_jpeg(tmp_path / "whole.jpg", quadrant_image(1200, 800), exif=camera_exif())
    source = tmp_path / "cut.jpg"
    source.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])

    with pytest.raises(DerivativeError) as caught:
        render(source, THUMB_EDGE)

    assert caught.value.code == "unreadable"
    message = str(caught.value)
    assert message.startswith("cut.jpg could not be decoded: ")
    assert "truncated" in message
    assert str(tmp_path) not in message  # the server's paths do not reach viewers
    info = probe(source)  # header-only: the missing pixels are never needed
    assert (info.width, info.height, info.content_type) == (1200, 800, "image/jpeg")


def test_a_png_bomb_is_refused_without_decoding(tmp_path: Path) -> None:
    source = tmp_path / "bomb.png"
    source.write_bytes(png_bytes(30_000, 30_000))  # 900 MP in about 100 KB
    assert source.stat().st_size < 1_000_000

    started = time.perf_counter()
    with pytest.raises(DerivativeError) as caught:
        render(source, THUMB_EDGE)
    elapsed = time.perf_counter() - started

    assert caught.value.code == "decompression_bomb"
    assert str(caught.value).startswith("bomb.png ")
    assert elapsed < 1.0
    probe(source)  # never raises


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_a_bomb_just_over_the_limit_is_refused_from_the_header(tmp_path: Path) -> None:
    # 20000x20000 is 400 MP: over MAX_PIXELS, yet below the point where Pillow itself refuses,
    # so only the module's own check stands between it and a 1.2 GB decode. The pixel data is
    # that of an 8x8 JPEG: decoding would fail as truncated, not as a bomb.
    small = io.BytesIO()
    Image.new("RGB", (8, 8), RED).save(small, format="JPEG")
    data = bytearray(small.getvalue())
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, 20_000, 20_000)
    source = tmp_path / "huge.jpg"
    source.write_bytes(bytes(data))
    assert MAX_PIXELS < 20_000 * 20_000

    with pytest.raises(DerivativeError) as caught:
        render(source, THUMB_EDGE)

    assert caught.value.code == "decompression_bomb"
    assert "20000x20000" in str(caught.value)


def test_long_edge_must_be_positive(tmp_path: Path) -> None:
    source = save_jpeg(tmp_path / "photo.jpg", quadrant_image(30, 20))

    with pytest.raises(ValueError, match="long_edge"):
        render(source, 0)


def test_the_error_keeps_its_code_across_processes() -> None:
    copy = pickle.loads(pickle.dumps(DerivativeError("unreadable", "x.jpg could not be read")))  # noqa: S301

    assert (copy.code, str(copy)) == ("unreadable", "x.jpg could not be read")


# --- probe -----------------------------------------------------------------------------------


def test_probe_reports_displayed_size_and_the_exact_capture_instant(tmp_path: Path) -> None:
    source = save_jpeg(
        tmp_path / "photo.jpg",
        quadrant_image(300, 200),
        exif=camera_exif(orientation=6, OffsetTimeOriginal=b"+02:00", SubSecTimeOriginal=b"25"),
    )

    assert probe(source) == ImageInfo(
        200, 300, datetime(2024, 5, 6, 12, 30, 0, 250000, tzinfo=UTC), "image/jpeg"
    )


def test_probe_reads_a_capture_time_without_offset_as_utc(tmp_path: Path) -> None:
    source = save_jpeg(tmp_path / "photo.jpg", quadrant_image(300, 200), exif=camera_exif())

    info = probe(source)

    assert info.taken_at == datetime(2024, 5, 6, 14, 30, tzinfo=UTC)
    assert (info.width, info.height) == (300, 200)


def test_probe_falls_back_to_datetime_with_its_own_offset(tmp_path: Path) -> None:
    exif = piexif.dump(
        {
            "0th": {piexif.ImageIFD.DateTime: b"2023:12:31 22:15:00"},
            "Exif": {piexif.ExifIFD.OffsetTime: b"-05:00"},
        }
    )
    source = save_jpeg(tmp_path / "edited.jpg", quadrant_image(30, 20), exif=exif)

    assert probe(source).taken_at == datetime(2024, 1, 1, 3, 15, tzinfo=UTC)


def test_probe_of_a_png_with_alpha(tmp_path: Path) -> None:
    assert probe(rgba_png(tmp_path / "logo.png")) == ImageInfo(400, 200, None, "image/png")
