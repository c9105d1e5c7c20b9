"""Lossless metadata removal from JPEG: location and camera details go, the picture and the
photographer's credit stay, byte for byte where it matters."""

from __future__ import annotations

import hashlib
import io
import random
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, cast

import piexif
import pytest
from PIL import Image, IptcImagePlugin

from albumen_photo.strip import (
    StripError,
    UnsupportedFormat,
    strip_bytes,
    strip_file,
    strip_stream,
)
from tests.photo.strip_helpers import (
    ARTIST,
    CAMERA_TEXTS,
    CITY,
    COPYRIGHT,
    EVERYTHING,
    ICC,
    LOCATION_TEXTS,
    PRIVATE,
    WITH_LOCATION,
    WITH_METADATA,
    XMP_WITH_LOCATION,
    Choppy,
    assert_absent,
    assert_present,
    camera_exif,
    camera_png,
    exif_of,
    gps_leftovers,
    iim,
    insert_before_tables,
    jpeg_segments,
    photoshop_app13,
    photoshop_resources,
    pixels,
    sample_image,
    scan_data,
    segment,
    sos_offset,
)

# Generated JPEG -----------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:Image appears to be a malformed MPO file")
def test_private_jpeg_keeps_credit_orientation_colour_and_the_scan(camera: bytes) -> None:
    out = strip_bytes(camera, PRIVATE)

    exif = exif_of(out)
    assert dict(exif.get_ifd(0x8825)) == {}
    assert exif.get(0x0112) == 6
    assert exif.get(0x013B) == ARTIST
    assert exif.get(0x8298) == COPYRIGHT
    assert 0x010F not in exif  # Make
    assert 0x0110 not in exif  # Model
    assert dict(exif.get_ifd(0x8769)) == {}  # the Exif sub-IFD: lens, serial, dates...
    assert_absent(out, LOCATION_TEXTS + CAMERA_TEXTS)
    for raw in gps_leftovers():
        assert raw not in out

    segments = jpeg_segments(out)
    assert segments[0][0] == 0xE0 and segments[0][1].startswith(b"JFIF\x00")
    assert not any(marker == 0xFE for marker, _ in segments)  # COM
    assert not any(payload.startswith(b"MPF\x00") for _, payload in segments)
    with Image.open(io.BytesIO(out)) as im:
        assert im.info["icc_profile"] == ICC
        xmp = im.info["xmp"]
        iptc = IptcImagePlugin.getiptcinfo(im)
    assert ARTIST.encode() in xmp and COPYRIGHT.encode() in xmp
    assert iptc is not None
    assert iptc[(2, 80)] == ARTIST.encode()
    assert iptc[(2, 116)] == COPYRIGHT.encode()
    assert (2, 90) not in iptc and (2, 101) not in iptc and (2, 25) not in iptc
    resources = photoshop_resources(out)
    assert resources[0x0425] == hashlib.md5(resources[0x0404]).digest()  # digest kept in step

    assert scan_data(out) == scan_data(camera)
    assert out.endswith(b"\xff\xd9")  # the secondary image after the EOI is gone
    assert pixels(out) == pixels(camera)


@pytest.mark.filterwarnings("ignore:Image appears to be a malformed MPO file")
def test_metadata_kept_but_location_removed_everywhere(camera: bytes) -> None:
    out = strip_bytes(camera, WITH_METADATA)

    exif = exif_of(out)
    assert dict(exif.get_ifd(0x8825)) == {}
    assert 0x8825 not in exif
    assert exif.get(0x010F) == "AcmeCam"
    assert exif.get(0x0110) == "Model X1"
    assert exif.get(0x0112) == 6
    assert exif.get_ifd(0x8769).get(piexif.ExifIFD.LensModel) == "Acme 50mm f/1.4"
    assert_absent(out, LOCATION_TEXTS)
    for raw in gps_leftovers():  # the orphaned GPS values are overwritten, not just unlinked
        assert raw not in out
    assert_present(out, [*CAMERA_TEXTS, "hover"])
    with Image.open(io.BytesIO(out)) as im:
        iptc = IptcImagePlugin.getiptcinfo(im)
    assert iptc is not None and (2, 90) not in iptc and iptc[(2, 25)] == b"shot at the beach bar"
    segments = jpeg_segments(out)
    assert any(marker == 0xFE for marker, _ in segments)
    assert not any(payload.startswith((b"MPF\x00", b"FLIR\x00")) for _, payload in segments)
    assert scan_data(out) == scan_data(camera)
    assert pixels(out) == pixels(camera)


def test_location_kept_without_camera_details(camera: bytes) -> None:
    out = strip_bytes(camera, WITH_LOCATION)

    gps = exif_of(out).get_ifd(0x8825)
    assert gps[piexif.GPSIFD.GPSLatitudeRef] == "N"
    assert gps[piexif.GPSIFD.GPSLatitude] == (51.0, 30.0, 123.457)
    assert 0x010F not in exif_of(out)
    assert_present(out, [CITY, "51,30.4159N", "51.5073019"])
    assert_absent(out, ["AcmeCam", "SN-998877", "SECONDARY-IMAGE-GPS"])
    assert scan_data(out) == scan_data(camera)


@pytest.mark.parametrize(
    "options",
    [
        {"progressive": True},
        {"restart_marker_blocks": 2},
        {"progressive": True, "restart_marker_rows": 1},
    ],
    ids=["progressive", "restart-markers", "progressive-restart-markers"],
)
def test_multi_scan_and_restart_marker_jpegs_at_any_chunk_size(options: dict[str, object]) -> None:
    """Tables between progressive scans and RSTn markers are copied as they are, even when a
    read boundary falls between a 0xFF and the byte after it."""
    buf = io.BytesIO()
    sample_image((300, 200)).save(buf, "JPEG", exif=camera_exif(), **options)
    src = buf.getvalue()
    expected = strip_bytes(src, PRIVATE)
    assert expected[sos_offset(expected) :] == src[sos_offset(src) :]
    assert pixels(expected) == pixels(src)
    for chunk_size in (64, 101, 4096):
        pieces = strip_stream(io.BytesIO(src), PRIVATE, chunk_size=chunk_size)
        assert b"".join(pieces) == expected
    assert b"".join(strip_stream(cast(BinaryIO, Choppy(src)), PRIVATE, chunk_size=64)) == expected


def test_png_and_webp_survive_short_reads() -> None:
    webp = io.BytesIO()
    sample_image().save(webp, "WEBP", exif=camera_exif(), xmp=XMP_WITH_LOCATION)
    for src in (camera_png(), webp.getvalue()):
        for keep in (PRIVATE, WITH_METADATA):
            choppy = strip_stream(cast(BinaryIO, Choppy(src)), keep, chunk_size=64)
            assert b"".join(choppy) == strip_bytes(src, keep)


def test_keeping_everything_passes_the_file_through(camera: bytes) -> None:
    assert strip_bytes(camera, EVERYTHING) == camera


def test_exif_that_piexif_cannot_rewrite_is_still_filtered() -> None:
    """A wrongly typed tag (which makes piexif.dump refuse what piexif.load read) is no problem."""
    tiff = bytearray(camera_exif()[6:])
    make = tiff.index(b"\x01\x0f\x00\x02")  # Make, ASCII: turn it into a SHORT of value 5
    tiff[make : make + 12] = b"\x01\x0f\x00\x03\x00\x00\x00\x01\x00\x05\x00\x00"
    buf = io.BytesIO()
    sample_image().save(buf, "JPEG", exif=b"Exif\x00\x00" + bytes(tiff))
    src = buf.getvalue()
    with pytest.raises(ValueError):  # the trap this module must not fall into
        piexif.dump(piexif.load(src))

    for keep in (PRIVATE, WITH_METADATA):
        out = strip_bytes(src, keep)
        exif_out = exif_of(out)
        assert dict(exif_out.get_ifd(0x8825)) == {}
        assert exif_out.get(0x013B) == ARTIST
        assert exif_out.get(0x0112) == 6
        assert (exif_out.get(0x0110) == "Model X1") is keep.metadata
        assert scan_data(out) == scan_data(src)


def test_malformed_exif_is_dropped_cleanly() -> None:
    buf = io.BytesIO()
    sample_image().save(buf, "JPEG")
    good = buf.getvalue()
    for garbage in (b"MM\x00*\xff\xff\xff\xff", b"II*\x00\x08\x00\x00\x00\xff\xff", b"nonsense"):
        src = insert_before_tables(good, segment(0xE1, b"Exif\x00\x00" + garbage + bytes(20)))
        for keep in (PRIVATE, WITH_METADATA, WITH_LOCATION):
            out = strip_bytes(src, keep)
            assert not any(p.startswith(b"Exif") for _, p in jpeg_segments(out))
            assert scan_data(out) == scan_data(good)


def test_malformed_xmp_and_iptc_are_dropped() -> None:
    buf = io.BytesIO()
    sample_image().save(buf, "JPEG")
    good = buf.getvalue()
    bad_xmp = segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta><oops " + CITY.encode())
    bomb = segment(
        0xE1,
        b'http://ns.adobe.com/xap/1.0/\x00<!DOCTYPE x [<!ENTITY a "'
        + CITY.encode()
        + b'">]><x>&a;</x>',
    )
    # The City dataset claims more bytes than the block holds.
    bad_iptc = photoshop_app13(
        iim(2, 80, ARTIST.encode()) + b"\x1c\x02\x5a\x7f\xff" + CITY.encode()
    )
    src = insert_before_tables(good, bad_xmp + bomb + bad_iptc)
    for keep in (PRIVATE, WITH_METADATA):
        out = strip_bytes(src, keep)
        assert_absent(out, [CITY])
        assert not any(m in (0xE1, 0xED) for m, _ in jpeg_segments(out))
        assert scan_data(out) == scan_data(good)


# Corrupt input ------------------------------------------------------------------------------


def test_truncated_and_corrupt_files_raise_strip_error(camera: bytes) -> None:
    end_of_image = camera.index(b"\xff\xd9") + 2
    cases = {
        "inside a segment header": camera[:3],
        "inside the APP1 segment": camera[:40],
        "inside the image data": camera[: end_of_image - 20],
        "no image data": b"\xff\xd8\xff\xd9",
        "expected a segment marker": camera[:20] + b"\x00garbage" + camera[20:],
    }
    for message, data in cases.items():
        with pytest.raises(StripError) as info:
            strip_bytes(data, PRIVATE)
        assert not isinstance(info.value, UnsupportedFormat)
        assert message in str(info.value)

    png = camera_png()
    with pytest.raises(StripError, match="PNG ends"):
        strip_bytes(png[: len(png) // 2], PRIVATE)
    with pytest.raises(StripError, match="IEND"):
        strip_bytes(png[:-12], PRIVATE)
    buf = io.BytesIO()
    sample_image().save(buf, "WEBP", exif=camera_exif())
    with pytest.raises(StripError, match="WebP ends"):
        strip_bytes(buf.getvalue()[:-30], PRIVATE)
    with pytest.raises(StripError, match="empty"):
        strip_bytes(b"", PRIVATE)


def test_damaged_files_strip_or_raise_strip_error(camera: bytes) -> None:
    """Random damage anywhere (headers, EXIF, XMP, IPTC, chunks) never escapes as a crash."""
    webp = io.BytesIO()
    sample_image().save(webp, "WEBP", exif=camera_exif(), xmp=XMP_WITH_LOCATION)
    seeds = [camera, camera_png(), webp.getvalue()]
    rng = random.Random(20240501)
    outcomes = {"stripped": 0, "refused": 0}
    for _ in range(600):
        data = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 6)):
            pos = rng.randrange(len(data))
            if rng.random() < 0.6:
                data[pos] = rng.choice([0x00, 0xFF, 0xD9, 0xDA, rng.randrange(256)])
            else:
                del data[pos : pos + rng.randint(1, 40)]
        keep = rng.choice([PRIVATE, WITH_METADATA, WITH_LOCATION])
        try:
            strip_bytes(bytes(data), keep)
            outcomes["stripped"] += 1
        except StripError:
            outcomes["refused"] += 1
    assert min(outcomes.values()) > 50  # both paths were exercised


def test_every_truncation_of_a_jpeg_is_a_strip_error(camera: bytes) -> None:
    primary = camera[: camera.index(b"\xff\xd9") + 2]
    for cut in range(2, len(primary) - 1, 7):
        with pytest.raises(StripError):
            strip_bytes(primary[:cut], PRIVATE)


# Files --------------------------------------------------------------------------------------


def test_strip_file_never_touches_the_original(tmp_path: Path, corpus: Path) -> None:
    src = corpus / "GPS.jpg"
    before = hashlib.sha256(src.read_bytes()).hexdigest()
    dst = tmp_path / "out" / "GPS.jpg"
    dst.parent.mkdir()

    strip_file(src, dst, PRIVATE)

    assert hashlib.sha256(src.read_bytes()).hexdigest() == before
    assert dict(exif_of(dst.read_bytes()).get_ifd(0x8825)) == {}
    assert [p.name for p in dst.parent.iterdir()] == ["GPS.jpg"]  # no temporary file left

    with pytest.raises(StripError, match="original"):
        strip_file(src, src, PRIVATE)
    with pytest.raises(StripError, match="original"):
        strip_file(src, corpus / ".." / corpus.name / "GPS.jpg", PRIVATE)
    link = tmp_path / "hardlink.jpg"
    link.hardlink_to(src)
    with pytest.raises(StripError, match="original"):
        strip_file(src, link, PRIVATE)
    assert hashlib.sha256(src.read_bytes()).hexdigest() == before


def test_strip_file_leaves_nothing_behind_on_error(tmp_path: Path, camera: bytes) -> None:
    src = tmp_path / "broken.jpg"
    src.write_bytes(camera[:500])
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(StripError):
        strip_file(src, out / "stripped.jpg", PRIVATE)
    assert list(out.iterdir()) == []


# Streaming ----------------------------------------------------------------------------------


class SyntheticJpeg(io.RawIOBase):
    """A JPEG of a real header and ``size`` bytes of scan data, generated as it is read."""

    BLOCK = bytes(range(255)) + b"\xff\x00" + bytes(range(1, 200)) + b"\xff\xd3"

    def __init__(self, header: bytes, size: int, trailer: bytes) -> None:
        self.header, self.size, self.trailer = header, size, trailer
        self.block = self.BLOCK * ((1 << 20) // len(self.BLOCK))
        self.read_so_far = 0
        self.total = len(header) + size + 2 + len(trailer)

    def readable(self) -> bool:
        return True

    def scan_pieces(self) -> Iterator[bytes]:
        left = self.size
        while left > 0:
            piece = self.block[:left]
            yield piece
            left -= len(piece)

    def _bytes_at(self, start: int, n: int) -> bytes:
        out = bytearray()
        tail = b"\xff\xd9" + self.trailer
        pos = start
        while len(out) < n and pos < self.total:
            if pos < len(self.header):
                piece = self.header[pos : pos + n - len(out)]
            elif pos < len(self.header) + self.size:
                offset = (pos - len(self.header)) % len(self.block)
                left = len(self.header) + self.size - pos
                piece = self.block[offset : offset + min(n - len(out), left)]
            else:
                at = pos - len(self.header) - self.size
                piece = tail[at : at + n - len(out)]
            out += piece
            pos += len(piece)
        return bytes(out)

    def readinto(self, b: bytearray) -> int:  # type: ignore[override]
        data = self._bytes_at(self.read_so_far, len(b))
        b[: len(data)] = data
        self.read_so_far += len(data)
        return len(data)


def test_strip_stream_is_streaming_over_a_large_jpeg(camera: bytes) -> None:
    sos = sos_offset(camera)
    header = camera[: sos + 2 + int.from_bytes(camera[sos + 2 : sos + 4], "big")]
    size = 50 << 20
    chunk = 1 << 20
    src = SyntheticJpeg(header, size, trailer=b"SECONDARY-IMAGE-GPS" * 10)
    small_out = strip_bytes(camera, PRIVATE)
    stripped_header = small_out[: sos_offset(small_out)]

    expected = hashlib.sha256(stripped_header + header[sos:])
    for piece in src.scan_pieces():
        expected.update(piece)
    expected.update(b"\xff\xd9")

    got = hashlib.sha256()
    largest = 0
    read_at_first_scan_piece = None
    total = 0
    for piece in strip_stream(cast(BinaryIO, src), PRIVATE, chunk_size=chunk):
        largest = max(largest, len(piece))
        total += len(piece)
        if read_at_first_scan_piece is None and total > len(header):
            read_at_first_scan_piece = src.read_so_far
        got.update(piece)

    assert got.hexdigest() == expected.hexdigest()
    assert largest <= 2 * chunk
    assert read_at_first_scan_piece is not None and read_at_first_scan_piece <= 3 * chunk
