"""Independent readers for what a server served: exiftool (not our code), the project's own
reader on a temporary file, and pixel decoders, so a test can compare the owner's preview with
the bytes a viewer really gets.

exiftool runs once for a whole batch of files: starting Perl per file would cost more than
everything else these tests do.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import struct
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
        if (group == "GPS" or _PLACE.search(name))
        and name not in _NOT_PLACE
        and not (isinstance(value, str) and not value.strip())  # blanked in place: no place
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


def _pillow(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return f"{image.mode}{image.size}".encode() + image.tobytes()


def _raf(data: bytes) -> bytes:
    """A Fujifilm RAF's own pictures: its embedded JPEG, decoded, and its sensor data bytes (the
    header says where both are), for RAFs LibRaw cannot develop."""
    if not data.startswith(b"FUJIFILMCCD-RAW"):
        raise ValueError("not a RAF")
    jpeg_at, jpeg_size, _head_at, _head_size, cfa_at, cfa_size = struct.unpack_from(">6I", data, 84)
    return _pillow(data[jpeg_at : jpeg_at + jpeg_size]) + data[cfa_at : cfa_at + cfa_size]


def pixels(data: bytes) -> dict[str, bytes]:
    """Every picture a file holds that an independent decoder gets at: Pillow's (HEIC
    included), and a RAF's embedded JPEG and sensor bytes. Two files with the same pictures give
    equal answers; a file none can decode gives {}. (The corpus RAWs have their sensor data cut
    out, so LibRaw hands back memory it never filled: for them, see :func:`image_data`.)"""
    views = {}
    for name, decode in (("pillow", _pillow), ("raf", _raf)):
        with contextlib.suppress(Exception):  # a decoder that cannot read it: the other may
            views[name] = decode(data)
    return views


# Where exiftool says a file keeps its image data: (start tag, length tag).
_DATA_TAGS = (
    ("StripOffsets", "StripByteCounts"),
    ("TileOffsets", "TileByteCounts"),
    ("JpgFromRawStart", "JpgFromRawLength"),
    ("PreviewImageStart", "PreviewImageLength"),
)  # not the EXIF thumbnail: that is metadata, which a link may remove


_FILE_IFD = re.compile(r"^(IFD\d+|SubIFD\d*)$")


def image_data(paths: Iterable[Path]) -> dict[Path, dict[str, bytes]]:
    """The bytes of every image (strips, tiles, embedded previews) that exiftool locates in each
    TIFF-based file, by "IFD:tag", read in one exiftool run. Metadata removal must leave them
    all as they were."""
    files = sorted({Path(path) for path in paths})
    if not files:
        return {}
    tags = [f"-{tag}" for pair in _DATA_TAGS for tag in pair]
    result = subprocess.run(
        [exiftool_path(), "-j", "-G1", "-a", "-n", *tags, *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    found: dict[Path, dict[str, bytes]] = {}
    for record in json.loads(result.stdout or "[]"):
        path = Path(record["SourceFile"])
        data = path.read_bytes()
        ranges = found.setdefault(path, {})
        for key, value in record.items():
            group, _, name = key.partition(":")
            length_key = dict(_DATA_TAGS).get(name)
            if not _FILE_IFD.match(group) or f"{group}:{length_key}" not in record:
                continue  # maker-note previews: offsets within a note, and metadata anyway
            starts = str(value).split()
            lengths = str(record[f"{group}:{length_key}"]).split()
            if not all(part.isdigit() for part in starts + lengths):
                continue  # a maker's binary block, not offsets
            ranges[key] = b"".join(
                data[int(start) : int(start) + int(length)]
                for start, length in zip(starts, lengths, strict=False)
            )
    return found
