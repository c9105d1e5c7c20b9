"""One place for each kind of photo-file knowledge: no second format list, pixel limit or TIFF
parser outside albumen_photo (the registry is albumen_photo/formats.py)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PHOTO = ROOT / "server" / "albumen_photo"
REGISTRY = PHOTO / "formats.py"

# (what, pattern, where it may appear)
RULES = [
    ("a pixel limit", re.compile(r"\bMAX_PIXELS\s*(?::[^=\n]*)?=[^=]"), {REGISTRY}),
    (
        "a Pillow format list",
        re.compile(r"_(?:PILLOW|WANTED)_FORMATS\s*(?::[^=\n]*)?="),
        {REGISTRY},
    ),
    ("a suffix list", re.compile(r"SUFFIXES\s*(?::[^=\n]*)?=[^=]"), {REGISTRY}),
    ("a content type table", re.compile(r"CONTENT_TYPES\s*(?::[^=\n]*)?=[^=]"), {REGISTRY}),
    (
        "a MIME type of a RAW",
        re.compile(r"[\"']image/x-(?:canon|nikon|sony|fuji|adobe)"),
        {REGISTRY},
    ),
]
# TIFF knowledge outside the photo-file layer: GPS/EXIF directory tags, TIFF headers.
OUTSIDE_PHOTO = [
    ("the GPS directory tag", re.compile(r"0x8825\b")),
    ("the EXIF directory tag", re.compile(r"0x8769\b")),
    ("a TIFF header", re.compile(r"b[\"'](?:II\*|MM\\x00\*)")),
    ("a TIFF byte order check", re.compile(r"\(b[\"']II[\"'],\s*b[\"']MM[\"']\)")),
]


def sources() -> list[Path]:
    return sorted(
        path
        for folder in (ROOT / "desktop", ROOT / "server")
        for path in folder.rglob("*.py")
        if ".venv" not in path.parts
    )


def test_no_second_format_list_pixel_limit_or_tiff_parser() -> None:
    found = []
    files = sources()
    assert len(files) > 40 and REGISTRY in files
    for path in files:
        text = path.read_text(encoding="utf-8")
        for what, pattern, allowed in RULES:
            if path not in allowed and pattern.search(text):
                found.append(f"{path.relative_to(ROOT)}: {what}")
        if PHOTO not in path.parents:
            for what, pattern in OUTSIDE_PHOTO:
                if pattern.search(text):
                    found.append(f"{path.relative_to(ROOT)}: {what}")
    assert found == []


def test_the_rules_find_what_they_look_for() -> None:
    """The patterns match the forms the old copies had, so the test above can fail."""
    samples = {
        "a pixel limit": "MAX_PIXELS: Final = 250_000_000",
        "a Pillow format list": '_PILLOW_FORMATS = ("JPEG",)',
        "a suffix list": 'PHOTO_SUFFIXES = frozenset({".jpg"})',
        "a content type table": "CONTENT_TYPES = {",
    }
    for what, pattern, _allowed in RULES:
        if what in samples:
            assert pattern.search(samples[what]), what
    tiff = dict(OUTSIDE_PHOTO)
    assert tiff["a TIFF header"].search('head[:4] in (b"II*\\x00", b"MM\\x00*")')
    assert tiff["a TIFF byte order check"].search('tiff[:2] not in (b"II", b"MM")')
    assert tiff["the GPS directory tag"].search("GPS_IFD: Final = 0x8825")
