"""Reading what photos say about themselves (albumen_photo.metadata), checked against real camera
files of the ExifTool corpus and against what piexif, rawpy and the raw bytes say independently:
every file, camera and exposure values, broken values, places."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

import piexif
import pytest
from PIL import Image

from albumen_photo.describe import grouped, inspect_json
from albumen_photo.metadata import GpsPosition, PhotoMetadata, read_metadata
from tests.photo.exif_samples import corpus_files, degrees, exif_jpeg, retype_as_text, text_of

# Pillow warns about the corrupt EXIF it skips; that is expected in these files.
pytestmark = pytest.mark.filterwarnings(
    "ignore:(Corrupt EXIF|Possibly corrupt|Tag data larger|Metadata Warning|Truncated File)"
    ":UserWarning"
)

# Files of the corpus that are not photos at all, and the word their error must contain.
NOT_PHOTOS = {".xmp": "XMP sidecar", ".jxl": "JPEG XL"}
# Real camera files with EXIF GPS positions.
WITH_GPS = ["Apple.jpg", "GPS.jpg", "GoPro.jpg", "Google.jpg", "Ricoh2.jpg"]


# Every corpus file ----------------------------------------------------------------------------


def test_every_corpus_file_is_read_without_raising(corpus: Path) -> None:
    files = list(corpus_files(corpus))
    assert len(files) >= 70
    for path in files:
        meta = read_metadata(path)
        assert isinstance(meta, PhotoMetadata)
        assert meta.path == path
        assert meta.file_size == path.stat().st_size
        # A failure inside the reader (rather than in the file) would show up as this problem.
        assert not any("stopped early" in problem for problem in meta.problems), meta.problems
        json.dumps(inspect_json(meta))
        grouped(meta)
        expected = NOT_PHOTOS.get(path.suffix.lower())
        if expected:
            assert meta.error is not None and expected in meta.error, (path.name, meta.error)
        else:
            assert meta.error is None, (path.name, meta.error)
            assert meta.format, path.name


def test_unreadable_files_say_why(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    assert "empty" in (read_metadata(empty).error or "")
    assert "does not exist" in (read_metadata(tmp_path / "gone.jpg").error or "")
    assert "folder" in (read_metadata(tmp_path).error or "")
    noise = tmp_path / "noise.jpg"
    noise.write_bytes(bytes(range(256)) * 4)
    assert "not an image" in (read_metadata(noise).error or "")
    video = tmp_path / "clip.jpg"
    video.write_bytes(b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + bytes(100))
    assert "video" in (read_metadata(video).error or "")


def test_a_truncated_header_is_an_error_not_a_crash(corpus: Path, tmp_path: Path) -> None:
    data = (corpus / "Canon.jpg").read_bytes()
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(data[:300])
    meta = read_metadata(cut)
    assert meta.error is not None and "truncated" in meta.error


def test_damaged_exif_never_raises(corpus: Path, tmp_path: Path) -> None:
    """Random bytes overwritten inside the EXIF block of a real camera file: reading may lose
    values and report problems, but never raises."""
    original = (corpus / "Ricoh2.jpg").read_bytes()
    rng = random.Random(1234)
    damaged = tmp_path / "damaged.jpg"
    for _ in range(150):
        data = bytearray(original)
        for _ in range(rng.randint(1, 12)):
            data[rng.randrange(12, 1200)] = rng.randrange(256)
        damaged.write_bytes(bytes(data))
        meta = read_metadata(damaged)
        assert not any("stopped early" in problem for problem in meta.problems), meta.problems


# Camera, exposure and date against piexif ---------------------------------------------------


def test_camera_fields_match_piexif_on_every_corpus_jpeg(corpus: Path) -> None:
    checked = 0
    for path in corpus_files(corpus):
        if path.suffix.lower() != ".jpg":
            continue
        exif = piexif.load(str(path))
        meta = read_metadata(path)
        zeroth, sub = exif["0th"], exif["Exif"]
        if piexif.ImageIFD.Make in zeroth:
            assert meta.camera_make == (text_of(zeroth[piexif.ImageIFD.Make]) or None), path.name
            checked += 1
        if piexif.ImageIFD.Model in zeroth:
            assert meta.camera_model == (text_of(zeroth[piexif.ImageIFD.Model]) or None)
        number, denominator = sub.get(piexif.ExifIFD.FNumber, (0, 0))
        if denominator and number:
            assert meta.f_number == pytest.approx(number / denominator, abs=0.01), path.name
        iso = sub.get(piexif.ExifIFD.ISOSpeedRatings)
        if isinstance(iso, int) and iso:
            assert meta.iso == iso, path.name
        original = sub.get(piexif.ExifIFD.DateTimeOriginal)
        if original and original.strip(b"\x00 :0"):
            assert meta.taken_at is not None
            assert meta.taken_at.strftime("%Y:%m:%d %H:%M:%S") == text_of(original), path.name
    assert checked >= 30


def test_canon_values_read_by_hand(corpus: Path) -> None:
    """Canon.jpg, as piexif and `strings` show it: EOS DIGITAL REBEL, 4 s at f/14, ISO 100."""
    meta = read_metadata(corpus / "Canon.jpg")
    assert (meta.camera_make, meta.camera_model) == ("Canon", "Canon EOS DIGITAL REBEL")
    assert meta.exposure_time == "4 s"
    assert meta.f_number == 14.0
    assert meta.iso == 100
    assert meta.focal_length == 34.0
    assert meta.taken_at == datetime(2003, 12, 4, 6, 46, 52)  # no zone in the file
    assert meta.taken_at.tzinfo is None


def test_strings_padded_with_nuls_are_cleaned(corpus: Path) -> None:
    # GoPro pads Make and Model with NULs to a fixed length (visible with `strings`).
    exif = piexif.load(str(corpus / "GoPro.jpg"))
    assert exif["0th"][piexif.ImageIFD.Make].startswith(b"GoPro\x00\x00")
    meta = read_metadata(corpus / "GoPro.jpg")
    assert meta.camera_make == "GoPro"
    assert meta.camera_model == "HERO6 Black"
    assert meta.serial_number == text_of(exif["Exif"][piexif.ExifIFD.BodySerialNumber])
    assert meta.serial_number == "C3221324657219"


def test_lens_exposure_and_time_zone_of_a_phone(corpus: Path) -> None:
    exif = piexif.load(str(corpus / "Google.jpg"))["Exif"]
    meta = read_metadata(corpus / "Google.jpg")
    assert meta.lens == text_of(exif[piexif.ExifIFD.LensModel])
    offset = text_of(exif[piexif.ExifIFD.OffsetTimeOriginal])
    assert offset == "+02:00"
    assert meta.taken_at_offset == offset
    assert meta.taken_at is not None
    assert meta.taken_at.utcoffset() == timedelta(hours=2)
    num, den = exif[piexif.ExifIFD.ExposureTime]
    assert meta.exposure_time == f"1/{round(den / num)} s"
    assert meta.focal_length_35mm == exif[piexif.ExifIFD.FocalLengthIn35mmFilm]


def test_naive_date_without_offset_and_aware_with_offset_time(tmp_path: Path) -> None:
    naive = read_metadata(
        exif_jpeg(
            tmp_path / "naive.jpg", exif={piexif.ExifIFD.DateTimeOriginal: b"2021:06:01 10:20:30"}
        )
    )
    assert naive.taken_at == datetime(2021, 6, 1, 10, 20, 30)
    assert naive.taken_at_offset is None
    aware = read_metadata(
        exif_jpeg(
            tmp_path / "aware.jpg",
            exif={
                piexif.ExifIFD.DateTimeOriginal: b"2021:06:01 10:20:30",
                piexif.ExifIFD.OffsetTime: b"-05:30",
            },
        )
    )
    assert aware.taken_at == datetime(
        2021, 6, 1, 10, 20, 30, tzinfo=timezone(-timedelta(hours=5.5))
    )
    assert aware.taken_at_offset == "-05:30"


def test_exposure_texts(tmp_path: Path) -> None:
    cases = {(1, 250): "1/250 s", (10, 2500): "1/250 s", (2, 1): "2 s", (1, 2): "1/2 s"}
    for (num, den), text in cases.items():
        meta = read_metadata(
            exif_jpeg(tmp_path / "e.jpg", exif={piexif.ExifIFD.ExposureTime: (num, den)})
        )
        assert meta.exposure_time == text


# Broken values -------------------------------------------------------------------------------


def test_zero_denominators_and_garbage_are_problems_not_crashes(tmp_path: Path) -> None:
    path = exif_jpeg(
        tmp_path / "broken.jpg",
        patch=retype_as_text(piexif.ExifIFD.FocalLength),
        zeroth={
            piexif.ImageIFD.Make: b"Acme\x00\x00\x00garbage",
            piexif.ImageIFD.Artist: "Zoë Fotografin".encode(),
            piexif.ImageIFD.Orientation: 42,
        },
        exif={
            piexif.ExifIFD.ExposureTime: (1, 0),
            piexif.ExifIFD.FNumber: (28, 10),
            piexif.ExifIFD.FocalLength: (50, 1),
            piexif.ExifIFD.DateTimeOriginal: b"2020:13:45 25:61:00",
        },
    )
    meta = read_metadata(path)
    assert meta.error is None
    assert meta.camera_make == "Acme"
    assert meta.artist == "Zoë Fotografin"  # UTF-8 in an ASCII field, decoded as UTF-8
    assert meta.exposure_time is None
    assert meta.f_number == 2.8
    assert meta.focal_length is None
    assert meta.taken_at is None
    assert meta.orientation is None
    text = " | ".join(meta.problems)
    assert "ExposureTime is 1/0" in text
    assert "FocalLength is not a number" in text
    assert "DateTimeOriginal" in text
    assert "Orientation" in text


def test_unset_clock_is_no_date_and_no_problem(tmp_path: Path) -> None:
    meta = read_metadata(
        exif_jpeg(
            tmp_path / "c.jpg", exif={piexif.ExifIFD.DateTimeOriginal: b"0000:00:00 00:00:00"}
        )
    )
    assert meta.taken_at is None
    assert meta.problems == ()


def test_gps_with_zero_denominators_is_reported(corpus: Path) -> None:
    """InfiRay.jpg has a GPS directory full of 0/0 rationals (piexif shows them)."""
    gps = piexif.load(str(corpus / "InfiRay.jpg"))["GPS"]
    assert all(den == 0 for _, den in gps[piexif.GPSIFD.GPSLatitude])
    meta = read_metadata(corpus / "InfiRay.jpg")
    assert meta.gps is None
    assert any("GPS latitude" in p and "zero denominator" in p for p in meta.problems)


# Place ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", WITH_GPS)
def test_gps_matches_piexif_converted_by_hand(corpus: Path, name: str) -> None:
    gps = piexif.load(str(corpus / name))["GPS"]
    lat = degrees(gps[piexif.GPSIFD.GPSLatitude], gps[piexif.GPSIFD.GPSLatitudeRef], b"S")
    lon = degrees(gps[piexif.GPSIFD.GPSLongitude], gps[piexif.GPSIFD.GPSLongitudeRef], b"W")
    meta = read_metadata(corpus / name)
    assert meta.gps is not None
    assert meta.gps.lat == pytest.approx(lat, abs=1e-9)
    assert meta.gps.lon == pytest.approx(lon, abs=1e-9)
    if piexif.GPSIFD.GPSAltitude in gps:
        num, den = gps[piexif.GPSIFD.GPSAltitude]
        below = gps.get(piexif.GPSIFD.GPSAltitudeRef) in (1, b"\x01")
        assert meta.gps.alt == pytest.approx(-num / den if below else num / den)
    else:
        assert meta.gps.alt is None


def test_known_positions(corpus: Path) -> None:
    # GPS.jpg: 54°59.38' N, 1°54.85' W (Northumberland). GoPro.jpg: below sea level, New York.
    gps = read_metadata(corpus / "GPS.jpg").gps
    assert gps is not None
    assert (round(gps.lat, 4), round(gps.lon, 4), gps.alt) == (54.9897, -1.9142, None)
    gopro = read_metadata(corpus / "GoPro.jpg").gps
    assert gopro is not None and gopro.alt == pytest.approx(-3.983)
    assert gopro.lat > 0 > gopro.lon


def test_a_gps_directory_without_a_position_is_no_position(corpus: Path) -> None:
    for name in ("Canon1DmkIII.jpg", "Motorola.jpg", "NikonD2Hs.jpg"):
        assert piexif.load(str(corpus / name))["GPS"]  # a version or datum only
        meta = read_metadata(corpus / name)
        assert meta.gps is None
        assert meta.location_elsewhere == ()


def test_southern_and_western_hemispheres_are_negative(tmp_path: Path) -> None:
    meta = read_metadata(
        exif_jpeg(
            tmp_path / "sydney.jpg",
            gps={
                piexif.GPSIFD.GPSLatitudeRef: b"S",
                piexif.GPSIFD.GPSLatitude: ((33, 1), (51, 1), (3549, 100)),
                piexif.GPSIFD.GPSLongitudeRef: b"E",
                piexif.GPSIFD.GPSLongitude: ((151, 1), (12, 1), (4, 1)),
                piexif.GPSIFD.GPSAltitudeRef: 1,
                piexif.GPSIFD.GPSAltitude: (12, 1),
            },
        )
    )
    assert meta.gps == GpsPosition(
        pytest.approx(-(33 + 51 / 60 + 35.49 / 3600)),  # type: ignore[arg-type]
        pytest.approx(151 + 12 / 60 + 4 / 3600),  # type: ignore[arg-type]
        -12.0,
    )


def test_location_in_utf16_xmp(corpus: Path) -> None:
    """XMP.jpg has no EXIF GPS, but its XMP (UTF-16) names the city."""
    data = (corpus / "XMP.jpg").read_bytes()
    assert "photoshop:City>Kingston".encode("utf-16-be") in data
    assert piexif.load(str(corpus / "XMP.jpg"))["GPS"] == {}
    meta = read_metadata(corpus / "XMP.jpg")
    assert meta.gps is None
    assert meta.location_elsewhere == ("XMP",)
    assert meta.artist == "Phil Harvey"


def test_location_in_iptc(corpus: Path) -> None:
    data = (corpus / "IPTC.jpg").read_bytes()
    assert b"Kingston" in data and b"Phil Harvey" in data
    meta = read_metadata(corpus / "IPTC.jpg")
    assert meta.location_elsewhere == ("IPTC",)
    assert meta.gps is None
    # No EXIF at all: the credit comes from IPTC's by-line and copyright notice.
    assert meta.artist == "Phil Harvey"
    assert meta.copyright == "Copyright 2004 Phil Harvey"
    assert read_metadata(corpus / "PhotoMechanic.jpg").location_elsewhere == ("XMP", "IPTC")
    assert read_metadata(corpus / "Canon.jpg").location_elsewhere == ()


def test_gps_only_in_xmp(tmp_path: Path) -> None:
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" '
        b'xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="48,51.5N" '
        b'exif:GPSLongitude="2,17.6667E" exif:GPSAltitude="35/1" exif:GPSAltitudeRef="0"/>'
        b"</rdf:RDF></x:xmpmeta>"
    )
    path = tmp_path / "xmp-gps.jpg"
    Image.new("RGB", (30, 20)).save(path, xmp=xmp)
    meta = read_metadata(path)
    assert meta.location_elsewhere == ("XMP",)
    assert meta.gps == GpsPosition(
        pytest.approx(48 + 51.5 / 60),  # type: ignore[arg-type]
        pytest.approx(2 + 17.6667 / 60),  # type: ignore[arg-type]
        35.0,
    )


def test_xmp_without_a_place_is_not_a_location(tmp_path: Path) -> None:
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" '
        b'xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" photoshop:City="" '
        b'photoshop:Headline="Harbour at dawn"/></rdf:RDF></x:xmpmeta>'
    )
    path = tmp_path / "plain.jpg"
    Image.new("RGB", (30, 20)).save(path, xmp=xmp)
    assert read_metadata(path).location_elsewhere == ()


def test_geotiff_is_a_location(corpus: Path) -> None:
    assert read_metadata(corpus / "GeoTiff.tif").location_elsewhere == ("GeoTIFF",)
