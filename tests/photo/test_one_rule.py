"""One rule on every side: the owner's app and the server read a photo's position, capture date
and camera facts through the same reader, and word them with the same texts."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import piexif
from PIL import Image

from albumen_photo.describe import exposure_text, grouped
from albumen_photo.metadata import read_metadata
from albumen_server.derivatives import probe
from albumen_server.facts import facts_of_file, read_facts
from albumen_server.places import read_position

XMP_GPS_ONLY = b"""<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:exif="http://ns.adobe.com/exif/1.0/"
    exif:GPSLatitude="48,51.396N" exif:GPSLongitude="2,17.646W"/>
 </rdf:RDF>
</x:xmpmeta>"""


def exiftool(path: Path, *tags: str) -> dict[str, object]:
    """An independent reader's numbers (-n: no formatting)."""
    out = subprocess.run(
        ["exiftool", "-j", "-n", *(f"-{tag}" for tag in tags), str(path)],
        check=True,
        capture_output=True,
    ).stdout
    result: dict[str, object] = json.loads(out)[0]
    return result


def test_gps_only_in_xmp_is_one_position_for_every_reader(tmp_path: Path) -> None:
    path = tmp_path / "xmp-gps.jpg"
    Image.new("RGB", (32, 24), "grey").save(path, xmp=XMP_GPS_ONLY)
    assert piexif.load(str(path))["GPS"] == {}  # nothing in EXIF: the place is only in XMP

    gps = read_metadata(path).gps

    assert gps is not None
    other = exiftool(path, "XMP:GPSLatitude", "XMP:GPSLongitude")
    assert abs(gps.lat - float(other["GPSLatitude"])) < 1e-6  # type: ignore[arg-type]
    assert abs(gps.lon - float(other["GPSLongitude"])) < 1e-6  # type: ignore[arg-type]
    assert gps.lon < 0  # west
    assert read_position(path) == (gps.lat, gps.lon)  # the server's place lookup reads the same


def test_a_photo_with_only_datetime_has_one_capture_date(tmp_path: Path) -> None:
    path = tmp_path / "edited.jpg"
    exif = piexif.dump({"0th": {piexif.ImageIFD.DateTime: b"2023:12:31 22:15:00"}})
    Image.new("RGB", (30, 20), "grey").save(path, exif=exif)

    owner = read_metadata(path).taken_at
    server = probe(path).taken_at

    assert owner == datetime(2023, 12, 31, 22, 15)
    assert server == owner.replace(tzinfo=UTC)


def test_the_capture_date_rule_prefers_the_shutter_to_the_last_edit(tmp_path: Path) -> None:
    path = tmp_path / "camera.jpg"
    exif = piexif.dump(
        {
            "0th": {piexif.ImageIFD.DateTime: b"2024:01:02 10:00:00"},
            "Exif": {piexif.ExifIFD.DateTimeDigitized: b"2023:06:07 08:09:10"},
        }
    )
    Image.new("RGB", (30, 20), "grey").save(path, exif=exif)

    assert read_metadata(path).taken_at == datetime(2023, 6, 7, 8, 9, 10)
    assert probe(path).taken_at == datetime(2023, 6, 7, 8, 9, 10, tzinfo=UTC)


def test_cr3_and_raf_have_camera_facts(corpus: Path) -> None:
    cr3 = facts_of_file(corpus / "CanonRaw.cr3")
    assert cr3.camera == "Canon EOS M50"
    assert cr3.lens == "EF-M15-45mm f/3.5-6.3 IS STM"
    assert cr3.exposure is not None and "\u00a0s" in cr3.exposure

    with (corpus / "FujiFilm.raf").open("rb") as stream:
        raf = read_facts(stream)
    model = exiftool(corpus / "FujiFilm.raf", "Model")["Model"]
    assert raf.camera is not None and raf.camera.endswith(str(model))
    assert raf.exposure is not None and "f/" in raf.exposure


def test_an_exposure_of_0_4_s_reads_the_same_for_owner_and_viewer(tmp_path: Path) -> None:
    path = tmp_path / "dusk.jpg"
    exif = piexif.dump(
        {
            "0th": {piexif.ImageIFD.Make: b"Canon", piexif.ImageIFD.Model: b"Canon EOS R5"},
            "Exif": {
                piexif.ExifIFD.ExposureTime: (2, 5),
                piexif.ExifIFD.FNumber: (28, 10),
                piexif.ExifIFD.ISOSpeedRatings: 200,
                piexif.ExifIFD.FocalLength: (50, 1),
            },
        }
    )
    Image.new("RGB", (30, 20), "grey").save(path, exif=exif)

    viewer = facts_of_file(path)
    owner = dict(grouped(read_metadata(path)))

    assert viewer.camera == "Canon EOS R5"
    assert viewer.exposure == "0.4\u00a0s · f/2.8 · ISO\u00a0200 · 50\u00a0mm"
    assert ("Exposure time", "0.4 s") in owner["Exposure"]
    assert exposure_text(0.4) == "0.4 s" and exposure_text(0.4, "\u00a0") == "0.4\u00a0s"
    assert exposure_text(1 / 250) == "1/250 s" and exposure_text(0.5) == "1/2 s"
