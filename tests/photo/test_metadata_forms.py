"""Reading what photos say about themselves (albumen_photo.metadata): sizes and orientation,
RAW files, what a viewer sees, and the forms the app shows (panel groups, inspect's JSON)."""

from __future__ import annotations

import json
from pathlib import Path

import piexif
import pytest
import rawpy
from PIL import Image

from albumen_photo.describe import grouped, inspect_json
from albumen_photo.metadata import PhotoMetadata, read_metadata
from albumen_photo.policy import KeepPolicy, viewer_sees
from tests.photo.exif_samples import exif_jpeg, text_of
from tests.support import save_heic

# Pillow warns about the corrupt EXIF it skips; that is expected in these files.
pytestmark = pytest.mark.filterwarnings(
    "ignore:(Corrupt EXIF|Possibly corrupt|Tag data larger|Metadata Warning|Truncated File)"
    ":UserWarning"
)


# Size and orientation -------------------------------------------------------------------------


def test_orientation_5_to_8_swaps_the_displayed_size(tmp_path: Path) -> None:
    for orientation, size in ((1, (60, 40)), (3, (60, 40)), (6, (40, 60)), (8, (40, 60))):
        meta = read_metadata(
            exif_jpeg(
                tmp_path / f"o{orientation}.jpg",
                size=(60, 40),
                zeroth={piexif.ImageIFD.Orientation: orientation},
            )
        )
        assert meta.orientation == orientation
        assert (meta.width, meta.height) == size


def test_heic_is_read_with_its_displayed_size(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "HeicCam"
    image = Image.new("RGB", (64, 32), "red")
    path = save_heic(image, tmp_path / "phone.heic", exif=exif.tobytes())
    meta = read_metadata(path)
    assert meta.error is None
    assert meta.format == "HEIF"
    assert meta.camera_make == "HeicCam"
    assert meta.orientation == 6
    assert (meta.width, meta.height) == (32, 64)


def test_avif_keeps_its_orientation_in_exif(tmp_path: Path) -> None:
    """Pillow's own AVIF plugin does not turn the image: the EXIF orientation applies."""
    exif = Image.Exif()
    exif[0x0112] = 8
    path = tmp_path / "photo.avif"
    Image.new("RGB", (64, 32), "red").save(path, exif=exif.tobytes())
    meta = read_metadata(path)
    assert (meta.format, meta.orientation, meta.width, meta.height) == ("AVIF", 8, 32, 64)


def test_corpus_heic_png_webp_tiff(corpus: Path) -> None:
    heic = read_metadata(corpus / "QuickTime.heic")
    assert (heic.format, heic.width, heic.height, heic.error) == ("HEIF", 1596, 1064, None)
    png = read_metadata(corpus / "PNG.png")
    assert (png.format, png.width, png.height) == ("PNG", 16, 16)
    webp = read_metadata(corpus / "RIFF.webp")
    assert webp.format == "WEBP"
    tiff = read_metadata(corpus / "ExifTool.tif")
    assert (tiff.format, tiff.camera_make, tiff.width, tiff.height) == ("TIFF", "Canon", 160, 120)


def test_png_exif_after_the_image_data(tmp_path: Path) -> None:
    """eXIf may follow IDAT; it is found without decoding the image."""
    exif = Image.Exif()
    exif[0x010F] = "PngCam"
    path = tmp_path / "late.png"
    Image.new("RGB", (20, 10)).save(path, exif=exif.tobytes())
    data = path.read_bytes()
    assert data.index(b"eXIf") < data.index(b"IDAT")
    # Move the eXIf chunk after IDAT, as some writers do.
    start = data.index(b"eXIf") - 4
    length = int.from_bytes(data[start : start + 4], "big")
    chunk = data[start : start + 12 + length]
    rest = data[:start] + data[start + 12 + length :]
    end = rest.index(b"IEND") - 4
    path.write_bytes(rest[:end] + chunk + rest[end:])
    assert read_metadata(path).camera_make == "PngCam"


# RAW -------------------------------------------------------------------------------------------


def test_raw_files_read_with_rawpy_and_their_tiff_structures(corpus: Path) -> None:
    cr3 = read_metadata(corpus / "CanonRaw.cr3")
    data = (corpus / "CanonRaw.cr3").read_bytes()
    assert b"Canon EOS M50" in data and b"EF-M15-45mm f/3.5-6.3 IS STM" in data
    assert (cr3.format, cr3.camera_make, cr3.camera_model) == ("CR3", "Canon", "Canon EOS M50")
    assert cr3.lens == "EF-M15-45mm f/3.5-6.3 IS STM"
    with rawpy.imread(str(corpus / "CanonRaw.cr3")) as raw:
        # The size the camera states (LibRaw's default crop), as ExifTool's ImageSize says.
        assert (cr3.width, cr3.height) == (raw.sizes.crop_width, raw.sizes.crop_height)
    assert (cr3.width, cr3.height) == (6000, 4000)

    nef = read_metadata(corpus / "Nikon.nef")
    zeroth = piexif.load(str(corpus / "Nikon.nef"))["0th"]
    assert nef.format == "NEF"
    assert nef.camera_make == text_of(zeroth[piexif.ImageIFD.Make])
    assert nef.camera_model == text_of(zeroth[piexif.ImageIFD.Model])
    assert nef.location_elsewhere == ("IPTC",)

    rw2 = read_metadata(corpus / "Panasonic.rw2")
    zeroth = piexif.load(str(corpus / "Panasonic.rw2"))["0th"]
    assert (rw2.format, rw2.camera_model) == ("RW2", text_of(zeroth[piexif.ImageIFD.Model]))

    raf = read_metadata(corpus / "FujiFilm.raf")
    assert (raf.format, raf.camera_model) == ("RAF", "FinePix S5Pro")
    assert b"S5Pro" in (corpus / "FujiFilm.raf").read_bytes()


def test_raw_rotation_from_libraw_swaps_the_size(corpus: Path) -> None:
    with rawpy.imread(str(corpus / "Sigma.x3f")) as raw:
        assert raw.sizes.flip == 6
        width, height = raw.sizes.width, raw.sizes.height
    meta = read_metadata(corpus / "Sigma.x3f")
    assert meta.orientation == 6
    assert (meta.width, meta.height) == (height, width)


def test_raw_libraw_cannot_read_is_a_problem_when_exif_was_read(corpus: Path) -> None:
    meta = read_metadata(corpus / "CanonRaw.cr2")
    assert meta.error is None
    assert meta.camera_model == "Canon EOS 350D DIGITAL"
    assert any("LibRaw" in problem for problem in meta.problems)
    # The size the camera recorded, not that of the preview in the first TIFF directory.
    assert (meta.width, meta.height) == (3456, 2304)


def test_raw_that_nothing_can_read_is_an_error(tmp_path: Path) -> None:
    fake = tmp_path / "fake.nef"
    fake.write_bytes(b"II*\x00" + bytes(200))
    meta = read_metadata(fake)
    assert meta.error is not None and "LibRaw" in meta.error


# What a viewer sees ---------------------------------------------------------------------------


def test_viewer_sees_follows_the_policy(corpus: Path) -> None:
    meta = read_metadata(corpus / "GPS.jpg")
    assert meta.gps is not None and meta.camera_make and meta.artist and meta.copyright
    assert meta.location_elsewhere == ("IPTC",)

    private = viewer_sees(meta, KeepPolicy())
    assert private.gps is None and private.location_elsewhere == ()
    for name in (
        "camera_make",
        "camera_model",
        "exposure_time",
        "f_number",
        "taken_at",
        "software",
    ):
        assert getattr(private, name) is None, name
    assert (private.artist, private.copyright) == (meta.artist, meta.copyright)
    assert (private.orientation, private.width, private.height, private.format) == (
        meta.orientation,
        meta.width,
        meta.height,
        meta.format,
    )
    assert [group for group, _ in grouped(private)] == ["Rights", "File"]

    located = viewer_sees(meta, KeepPolicy(location=True))
    assert located.gps == meta.gps and located.location_elsewhere == ("IPTC",)
    assert located.camera_make is None and located.taken_at is None

    detailed = viewer_sees(meta, KeepPolicy(metadata=True))
    assert detailed.gps is None and detailed.location_elsewhere == ()
    assert detailed.camera_make == meta.camera_make and detailed.taken_at == meta.taken_at

    everything = viewer_sees(meta, KeepPolicy(location=True, metadata=True))
    assert everything == PhotoMetadata(**{**meta.__dict__, "file_size": None})


# Output forms ---------------------------------------------------------------------------------


def test_inspect_json_has_the_documented_keys_first(corpus: Path) -> None:
    meta = read_metadata(corpus / "Google.jpg")
    obj = inspect_json(meta)
    assert list(obj)[:10] == [
        "path",
        "camera_make",
        "camera_model",
        "lens",
        "taken_at",
        "gps",
        "width",
        "height",
        "orientation",
        "error",
    ]
    assert obj["path"] == str(corpus / "Google.jpg")
    assert obj["taken_at"] == "2023-10-06T22:53:51.724000+02:00"
    assert obj["gps"] == {"lat": meta.gps.lat, "lon": meta.gps.lon, "alt": 634.0}  # type: ignore[union-attr]
    assert obj["error"] is None
    assert json.loads(json.dumps(obj)) == obj
    broken = inspect_json(read_metadata(corpus / "XMP.xmp"))
    assert broken["gps"] is None and broken["taken_at"] is None and broken["error"]


def test_grouped_for_people(corpus: Path) -> None:
    groups = dict(grouped(read_metadata(corpus / "Google.jpg")))
    assert list(groups) == ["Camera", "Exposure", "Date", "Place", "File"]
    assert ("Model", "Pixel 8 Pro") in groups["Camera"]
    assert ("Aperture", "f/1.7") in groups["Exposure"]
    assert ("Exposure time", "1/33 s") in groups["Exposure"]
    assert ("Taken", "2023-10-06 22:53:51 +02:00") in groups["Date"]
    assert ("Position", "40.400069, -3.714647") in groups["Place"]
    assert ("Altitude", "634 m") in groups["Place"]
    gopro = dict(grouped(read_metadata(corpus / "GoPro.jpg")))
    assert ("Altitude", "4 m below sea level") in gopro["Place"]
    plain = grouped(read_metadata(corpus / "AFCP.jpg"))
    assert [group for group, _ in plain] == ["File"]
    iptc = dict(grouped(read_metadata(corpus / "IPTC.jpg")))
    assert ("Location also in", "IPTC") in iptc["Place"]
    assert ("Copyright", "Copyright 2004 Phil Harvey") in iptc["Rights"]
