"""Independent readers for what a server served: exiftool (not our code), the project's own
reader on a temporary file, and pixel decoders, so a test can compare the owner's preview with
the bytes a viewer really gets.

exiftool runs once for a whole batch of files: starting Perl per file would cost more than
everything else these tests do.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pi_heif
from PIL import Image

from albumen_photo.metadata import PhotoMetadata, read_metadata

pi_heif.register_heif_opener()

# Groups exiftool reports about the file on disk, not about what the file carries.
_NOT_CONTENT = frozenset({"SourceFile", "File", "ExifTool", "System"})

# A tag names a place when its name (after the group) says so. "State" alone, not as part of a
# word: WebStatement (a rights URL) and BatteryState are no places.
_PLACE = re.compile(
    r"^GPS|Location|City|Country|Sub-?location|Province|Landmark|^State$", re.IGNORECASE
)
# A place tag that is no place at all: an XMP licence URL.
_NOT_PLACE = frozenset({"WebStatement"})

# Camera and capture facts that must be gone when a link hides metadata.
CAMERA_TAGS = frozenset(
    {"Make", "Model", "SerialNumber", "LensModel", "DateTimeOriginal", "ExposureTime"}
)

Record = dict[str, Any]

_EXIFTOOL_ARGS = ("-j", "-G", "-a", "-n", "-ee", "-charset", "filename=utf8")


def exiftool_path() -> str:
    found = shutil.which("exiftool")
    assert found, "exiftool is needed as an independent reader (Debian: libimage-exiftool-perl)"
    return found


def exiftool(paths: Iterable[Path]) -> dict[Path, Record]:
    """`exiftool -j -G -a -n -ee` over all `paths` in one run: each file's tags as
    "Group:Tag" -> value."""
    files = sorted({Path(path) for path in paths})
    if not files:
        return {}
    # The file list goes through an argument file: a long batch would pass the argv limit.
    listing = files[0].parent / ".exiftool-args"
    listing.write_text("\n".join(str(path) for path in files) + "\n", encoding="utf-8")
    result = subprocess.run(
        [exiftool_path(), *_EXIFTOOL_ARGS, "-@", str(listing)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.stdout.strip(), f"exiftool said nothing: {result.stderr}"
    records = json.loads(result.stdout)
    return {Path(record["SourceFile"]): record for record in records}


def _content_tags(record: Record) -> Iterable[tuple[str, str, Any]]:
    for key, value in record.items():
        group, _, name = key.rpartition(":")
        if group and group not in _NOT_CONTENT:
            yield group, name, value


def place_tags(record: Record) -> dict[str, Any]:
    """Every tag that tells where: GPS of any group, XMP/IPTC/maker-note place names."""
    return {
        f"{group}:{name}": value
        for group, name, value in _content_tags(record)
        if (group == "GPS" or _PLACE.search(name)) and name not in _NOT_PLACE
    }


def camera_tags(record: Record) -> dict[str, Any]:
    """The camera, lens, serial, date and exposure tags in a record, from any group."""
    return {
        f"{group}:{name}": value
        for group, name, value in _content_tags(record)
        if name in CAMERA_TAGS
    }


def metadata_of(data: bytes, folder: Path, name: str) -> PhotoMetadata:
    """The project's own reader on served bytes (it reads files, so they go to one first)."""
    path = folder / name
    path.write_bytes(data)
    return read_metadata(path)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def pixels(data: bytes) -> tuple[str, bytes] | None:
    """The decoded image, to compare two files' pixels: ("pillow", RGBA-or-native bytes) when
    Pillow (with HEIC) can decode it, ("raw", sensor data) for a RAW LibRaw reads, else None."""
    # Not for Pillow: then try it as a RAW.
    with contextlib.suppress(Exception), Image.open(io.BytesIO(data)) as image:
        image.load()
        return "pillow", f"{image.mode}{image.size}".encode() + image.tobytes()
    import rawpy

    try:
        with rawpy.imread(io.BytesIO(data)) as raw:
            return "raw", raw.raw_image.tobytes()
    except Exception:  # neither: the caller reports the file as not comparable
        return None
