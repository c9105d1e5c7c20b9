"""A new album made by a drop is named after its folder, or the days its photos were made."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

from albumen.core.album_naming import new_album_title
from albumen_photo.describe import day_range


def _file(path: Path, day: date) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    stamp = datetime(day.year, day.month, day.day, 12).timestamp()
    os.utime(path, (stamp, stamp))
    return path


def test_a_named_folder_names_the_album(tmp_path: Path) -> None:
    folder = tmp_path / "Lisbon 2026"
    folder.mkdir()
    assert new_album_title([folder]) == "Lisbon 2026"
    files = [_file(folder / f"IMG_{i}.jpg", date(2026, 6, 12)) for i in range(2)]
    assert new_album_title(files) == "Lisbon 2026"


def test_a_folder_that_says_nothing_gives_way_to_the_days(tmp_path: Path) -> None:
    files = [
        _file(tmp_path / "DCIM" / "100CANON" / "IMG_1.JPG", date(2026, 6, 12)),
        _file(tmp_path / "DCIM" / "100CANON" / "IMG_2.JPG", date(2026, 6, 14)),
    ]
    assert new_album_title(files) == "12–14 June 2026"
    assert new_album_title([], today=date(2026, 11, 30)) == "30 November 2026"


def test_day_ranges_read_naturally() -> None:
    assert day_range(date(2026, 6, 12), date(2026, 6, 12)) == "12 June 2026"
    assert day_range(date(2026, 6, 30), date(2026, 7, 2)) == "30 June – 2 July 2026"
    assert day_range(date(2025, 12, 30), date(2026, 1, 2)) == "30 December 2025 – 2 January 2026"
