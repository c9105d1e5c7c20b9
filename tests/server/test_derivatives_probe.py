"""Viewer derivatives: clear refusals of bad files, and what probe reads from a header."""

from __future__ import annotations

import io
import pickle
import struct
import time
from datetime import UTC, datetime
from pathlib import Path

import piexif
import pytest
from PIL import Image

from albumen_server.derivatives import (
    MAX_PIXELS,
    THUMB,
    DerivativeError,
    ImageInfo,
    Rendition,
    probe,
    render,
)
from tests.server.derivative_samples import (
    RED,
    camera_exif,
    png_bytes,
    quadrant_image,
    rgba_png,
    save_jpeg,
)

# --- bad files -------------------------------------------------------------------------------


def test_a_text_file_is_not_an_image(tmp_path: Path) -> None:
    source = tmp_path / "notes.jpg"
    source.write_text("Shopping list: film, fixer, albumen paper\n")

    with pytest.raises(DerivativeError) as caught:
        render(source, THUMB)

    assert caught.value.code == "not_an_image"
    assert str(caught.value).startswith("notes.jpg ")
    assert probe(source) == ImageInfo(None, None, None, None)


def test_an_empty_file_says_so(tmp_path: Path) -> None:
    source = tmp_path / "empty.jpg"
    source.write_bytes(b"")

    with pytest.raises(DerivativeError) as caught:
        render(source, THUMB)

    assert caught.value.code == "not_an_image"
    assert "empty.jpg is empty (0 bytes)" in str(caught.value)
    assert probe(source) == ImageInfo(None, None, None, None)


def test_a_missing_file_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(DerivativeError) as caught:
        render(tmp_path / "gone.jpg", THUMB)

    assert caught.value.code == "unreadable"
    assert probe(tmp_path / "gone.jpg") == ImageInfo(None, None, None, None)


def test_a_truncated_jpeg_is_unreadable_but_its_header_still_probes(tmp_path: Path) -> None:
    whole = save_jpeg(tmp_path / "whole.jpg", quadrant_image(1200, 800), exif=camera_exif())
    source = tmp_path / "cut.jpg"
    source.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])

    with pytest.raises(DerivativeError) as caught:
        render(source, THUMB)

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
        render(source, THUMB)
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
        render(source, THUMB)

    assert caught.value.code == "decompression_bomb"
    assert "20000x20000" in str(caught.value)


def test_a_rendition_needs_a_box() -> None:
    with pytest.raises(ValueError, match="at least 1 px"):
        Rendition(0, 480, 80)


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
