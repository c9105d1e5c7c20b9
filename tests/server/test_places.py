"""Where a photo was taken: GPS from EXIF, and the place name found offline."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from albumen_server.places import (
    coordinates_label,
    gps_position,
    locate,
    place_name,
    read_position,
)
from albumen_server.viewer_model import PhotoView, date_range
from tests.support import photo_jpeg


def _dms(value: float) -> tuple[Fraction, Fraction, Fraction]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = Fraction(round(((value - degrees) * 60 - minutes) * 60 * 1000), 1000)
    return Fraction(degrees), Fraction(minutes), seconds


def test_gps_position_reads_hemispheres() -> None:
    sydney = {1: "S", 2: _dms(33.8568), 3: "E", 4: _dms(151.2153)}
    latitude, longitude = gps_position(sydney) or (0, 0)
    assert latitude == pytest.approx(-33.8568, abs=1e-4)
    assert longitude == pytest.approx(151.2153, abs=1e-4)
    new_york = {1: b"N", 2: _dms(40.78), 3: b"W", 4: _dms(73.96)}
    assert gps_position(new_york) == pytest.approx((40.78, -73.96), abs=1e-4)


@pytest.mark.parametrize(
    "gps",
    [
        {},  # no GPS at all
        {1: "N", 2: _dms(0), 3: "E", 4: _dms(0)},  # a camera without a fix writes zeros
        {1: "N", 2: (Fraction(95), Fraction(0), Fraction(0)), 3: "E", 4: _dms(10)},
        {1: "N", 2: (1, 2), 3: "E", 4: _dms(10)},  # two parts instead of three
        {1: "N", 2: "garbage", 3: "E", 4: _dms(10)},
    ],
)
def test_gps_position_refuses_what_is_not_a_position(gps: dict[int, object]) -> None:
    assert gps_position(gps) is None


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
    assert coordinates_label(30.0, -40.0) == "30.000° N, 40.000° W"


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
