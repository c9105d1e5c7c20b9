"""What a photo says about itself: camera, exposure, date, place, rights, and what a viewer sees.

Why this module exists: before sharing, a photographer wants to check what each photo carries
(above all, where it was taken) and what a viewer of a link will see of it. So everything here
is read without decoding the image: EXIF (with Pillow, for JPEG, PNG, WebP, TIFF and HEIC, and
from the TIFF-like structures inside RAW files), XMP and IPTC (only to learn whether they name a
place, and for the photographer's credit when EXIF lacks it), and the header of RAW files with
LibRaw (rawpy) for their size and rotation.

Metadata written by cameras and editors is often broken: rationals with a zero denominator,
strings padded with NULs, dates of all zeros, directories pointing past the end of the file.
None of that raises: a broken value is left out and described in ``problems``; a file that
cannot be read as a photo at all gets ``error`` with the reason. The owner's file is only ever
opened for reading.

The same rules as the server's stripping (:mod:`albumen_photo.strip`) decide what a viewer sees:
:func:`viewer_sees` applies a :class:`~albumen_photo.policy.KeepPolicy` to what was read.
"""

from __future__ import annotations

import contextlib
import functools
import io
import math
import re
import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from PIL import Image, TiffImagePlugin

from albumen_photo.formats import sniff_format
from albumen_photo.policy import KeepPolicy
from albumen_photo.xmp import is_location_property, xmp_encoding

__all__ = [
    "RAW_TIFF_SUFFIXES",
    "GpsPosition",
    "PhotoMetadata",
    "grouped",
    "inspect_json",
    "read_metadata",
    "viewer_sees",
]


@dataclass(frozen=True)
class GpsPosition:
    """Where a photo was taken: decimal degrees (south and west negative), altitude in metres
    (negative below sea level), so that it can go straight into a map URL."""

    lat: float
    lon: float
    alt: float | None = None


@dataclass(frozen=True)
class PhotoMetadata:
    """Everything a photographer checks before sharing, as found in one file.

    Fields are None when the file does not say. ``problems`` lists broken metadata that was
    skipped; ``error`` is set only when the file could not be read as a photo at all.
    """

    path: Path
    format: str | None = None
    width: int | None = None
    height: int | None = None
    orientation: int | None = None
    camera_make: str | None = None
    camera_model: str | None = None
    lens: str | None = None
    exposure_time: str | None = None
    f_number: float | None = None
    iso: int | None = None
    focal_length: float | None = None
    focal_length_35mm: int | None = None
    taken_at: datetime | None = None
    taken_at_offset: str | None = None
    gps: GpsPosition | None = None
    location_elsewhere: tuple[str, ...] = ()
    artist: str | None = None
    copyright: str | None = None
    software: str | None = None
    serial_number: str | None = None
    file_size: int | None = None
    problems: tuple[str, ...] = ()
    error: str | None = None


# Limits ---------------------------------------------------------------------------------------

_HEAD = 64
_RAW_HEAD = 4 << 20  # metadata of RAW files sits in their first megabytes
_EMBEDDED_JPEG_HEAD = 256 << 10  # enough for the EXIF segment of an embedded preview
_MAX_PNG_CHUNK = 16 << 20
_MAX_TEXT = 16 << 20

# Pillow plugins that may open a file here: the photo formats, not every format Pillow knows
# (some, like EPS, would hand the file to other programs when decoded).
_PILLOW_FORMATS = ("JPEG", "PNG", "WEBP", "TIFF", "HEIF", "AVIF", "GIF", "BMP", "PSD")

# RAW formats told apart by their first bytes (names from strip.sniff_format).
_RAW_SNIFFED = {
    "cr2": "CR2",
    "cr3": "CR3",
    "crw": "CRW",
    "raf": "RAF",
    "rw2": "RW2",
    "orf": "ORF",
    "mrw": "MRW",
    "x3f": "X3F",
}
# RAW formats that are plain TIFF inside, told apart only by their name.
RAW_TIFF_SUFFIXES = frozenset(
    {
        ".3fr",
        ".arw",
        ".dcr",
        ".dng",
        ".erf",
        ".fff",
        ".iiq",
        ".k25",
        ".kdc",
        ".mef",
        ".mos",
        ".nef",
        ".nrw",
        ".pef",
        ".raw",
        ".rwl",
        ".sr2",
        ".srf",
        ".srw",
    }
)
_NOT_PHOTOS = {
    "xmp": "an XMP sidecar (metadata only, no image)",
    "pdf": "a PDF document",
    "mp4": "a video (MP4)",
    "quicktime": "a video (QuickTime)",
    "avi": "a video (AVI)",
    "wav": "a sound file (WAV)",
}
_UNSUPPORTED = {
    "jxl": "JPEG XL",
    "jp2": "JPEG 2000",
}

# EXIF tags ------------------------------------------------------------------------------------

_MAKE, _MODEL, _ORIENTATION, _SOFTWARE = 0x010F, 0x0110, 0x0112, 0x0131
_ARTIST, _COPYRIGHT, _XP_AUTHOR = 0x013B, 0x8298, 0x9C9D
_EXIF_IFD, _GPS_IFD = 0x8769, 0x8825
_DNG_SERIAL = 0xC62F
_TIFF_IPTC = 0x83BB
# GeoTIFF's tie points, pixel scale, transformation and geo keys place the image on Earth.
_GEOTIFF_TAGS = (0x8482, 0x830E, 0x85D8, 0x87AF)
_TIFF_TYPE_SIZES = {
    1: 1,
    2: 1,
    3: 2,
    4: 4,
    5: 8,
    6: 1,
    7: 1,
    8: 2,
    9: 4,
    10: 8,
    11: 4,
    12: 8,
    13: 4,
}
_EXPOSURE_TIME, _F_NUMBER, _ISO, _ISO_SPEED = 0x829A, 0x829D, 0x8827, 0x8833
_DATE_ORIGINAL, _DATE_DIGITIZED = 0x9003, 0x9004
_OFFSET, _OFFSET_ORIGINAL, _OFFSET_DIGITIZED = 0x9010, 0x9011, 0x9012
_SUBSEC_ORIGINAL, _SUBSEC_DIGITIZED = 0x9291, 0x9292
_SHUTTER_APEX, _APERTURE_APEX = 0x9201, 0x9202
_FOCAL_LENGTH, _FOCAL_35MM = 0x920A, 0xA405
_PIXEL_X, _PIXEL_Y = 0xA002, 0xA003
_BODY_SERIAL, _LENS_SPEC, _LENS_MODEL = 0xA431, 0xA432, 0xA434

# LibRaw's "flip" as an EXIF orientation.
_FLIP_TO_ORIENTATION = {0: 1, 3: 3, 5: 8, 6: 6}

# IPTC IIM datasets that name a place (the same set strip removes without keep.location).
_IIM_LOCATION = frozenset({(2, 26), (2, 27), (2, 90), (2, 92), (2, 95), (2, 100), (2, 101)})
_IIM_BYLINE, _IIM_COPYRIGHT = (2, 80), (2, 116)

# Said to be about GPS, but they place nothing by themselves.
_XMP_NOT_PLACING = frozenset({"gpsversionid", "gpsmapdatum"})
_NS_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_NS_X = "adobe:ns:meta/"
_NS_XML = "http://www.w3.org/XML/1998/namespace"
_NS_DC = "http://purl.org/dc/elements/1.1/"
_NS_EXIF = "http://ns.adobe.com/exif/1.0/"
_NS_STRUCTURE = frozenset({_NS_RDF, _NS_X, _NS_XML})
_XMP_ID = b"http://ns.adobe.com/xap/1.0/\x00"
_XMP_EXT_ID = b"http://ns.adobe.com/xmp/extension/\x00"

_ORIENTATION_TEXT = {
    1: "Normal",
    2: "Mirror horizontal",
    3: "Rotate 180°",
    4: "Mirror vertical",
    5: "Mirror horizontal and rotate 270° CW",
    6: "Rotate 90° CW",
    7: "Mirror horizontal and rotate 90° CW",
    8: "Rotate 270° CW",
}


@functools.cache
def _register_heif() -> None:
    """HEIC support is a Pillow plugin; register it once, the first time it may be needed."""
    import pi_heif

    pi_heif.register_heif_opener()


# Public functions -----------------------------------------------------------------------------


def read_metadata(path: Path) -> PhotoMetadata:
    """Read what ``path`` says about itself, without decoding its image data.

    Never raises for a bad file: an unreadable, empty, unsupported or damaged file gives a
    record with ``error`` naming the reason, and broken values are listed in ``problems``.
    """
    path = Path(path)
    reader = _Reader(path)
    try:
        reader.read()
    except Exception as error:  # a reader bug or a library failure must not stop a batch
        reader.problem(f"metadata reading stopped early ({type(error).__name__}: {error})")
    return reader.result()


def viewer_sees(meta: PhotoMetadata, keep: KeepPolicy) -> PhotoMetadata:
    """What a viewer of a link with ``keep`` gets of this photo's metadata.

    The same rules as the server applies when it strips a file: artist, copyright and
    orientation always stay (and size and format, which the image itself shows); location only
    with ``keep.location``; everything else only with ``keep.metadata``. The file size is
    dropped, as the viewer's copy is not the owner's file byte for byte.
    """
    changes: dict[str, Any] = {"file_size": None}
    if not keep.location:
        changes.update(gps=None, location_elsewhere=())
    if not keep.metadata:
        changes.update(
            camera_make=None,
            camera_model=None,
            lens=None,
            exposure_time=None,
            f_number=None,
            iso=None,
            focal_length=None,
            focal_length_35mm=None,
            taken_at=None,
            taken_at_offset=None,
            software=None,
            serial_number=None,
        )
    return replace(meta, **changes)


def inspect_json(meta: PhotoMetadata) -> dict[str, object]:
    """The object ``albumen inspect --json`` prints for one file (the documented keys first)."""
    gps = meta.gps
    return {
        "path": str(meta.path),
        "camera_make": meta.camera_make,
        "camera_model": meta.camera_model,
        "lens": meta.lens,
        "taken_at": meta.taken_at.isoformat() if meta.taken_at else None,
        "gps": {"lat": gps.lat, "lon": gps.lon, "alt": gps.alt} if gps else None,
        "width": meta.width,
        "height": meta.height,
        "orientation": meta.orientation,
        "error": meta.error,
        "format": meta.format,
        "exposure_time": meta.exposure_time,
        "f_number": meta.f_number,
        "iso": meta.iso,
        "focal_length": meta.focal_length,
        "focal_length_35mm": meta.focal_length_35mm,
        "taken_at_offset": meta.taken_at_offset,
        "location_elsewhere": list(meta.location_elsewhere),
        "artist": meta.artist,
        "copyright": meta.copyright,
        "software": meta.software,
        "serial_number": meta.serial_number,
        "file_size": meta.file_size,
        "problems": list(meta.problems),
    }


def grouped(meta: PhotoMetadata) -> list[tuple[str, list[tuple[str, str]]]]:
    """The metadata as people read it, in groups: (group, [(label, text)]), empty groups left
    out. Labels are stable, so two records (the file's, and a viewer's) can be compared row by
    row, as the metadata panel does."""
    camera = [
        ("Make", meta.camera_make),
        ("Model", meta.camera_model),
        ("Lens", meta.lens),
        ("Serial number", meta.serial_number),
    ]
    exposure = [
        ("Exposure time", meta.exposure_time),
        ("Aperture", f"f/{_number_text(meta.f_number)}" if meta.f_number else None),
        ("ISO", str(meta.iso) if meta.iso else None),
        ("Focal length", f"{_number_text(meta.focal_length)} mm" if meta.focal_length else None),
        (
            "Focal length (35 mm)",
            f"{meta.focal_length_35mm} mm" if meta.focal_length_35mm else None,
        ),
    ]
    date = [("Taken", _date_text(meta))]
    place: list[tuple[str, str | None]] = []
    if meta.gps:
        place.append(("Position", f"{meta.gps.lat:.6f}, {meta.gps.lon:.6f}"))
        place.append(("Altitude", _altitude_text(meta.gps.alt)))
    if meta.location_elsewhere:
        place.append(("Location also in", ", ".join(meta.location_elsewhere)))
    rights = [("Artist", meta.artist), ("Copyright", meta.copyright)]
    file = [
        ("Format", meta.format),
        ("Dimensions", _dimensions_text(meta.width, meta.height)),
        ("Orientation", _orientation_text(meta.orientation)),
        ("Software", meta.software),
        ("File size", _size_text(meta.file_size)),
    ]
    groups = [
        ("Camera", camera),
        ("Exposure", exposure),
        ("Date", date),
        ("Place", place),
        ("Rights", rights),
        ("File", file),
    ]
    out: list[tuple[str, list[tuple[str, str]]]] = []
    for name, rows in groups:
        kept = [(label, text) for label, text in rows if text]
        if kept:
            out.append((name, kept))
    return out


# Display helpers ------------------------------------------------------------------------------


def _number_text(value: float | None) -> str:
    return f"{round(value, 1):g}" if value is not None else ""


def _date_text(meta: PhotoMetadata) -> str | None:
    if meta.taken_at is None:
        return None
    text = meta.taken_at.strftime("%Y-%m-%d %H:%M:%S")
    return f"{text} {meta.taken_at_offset}" if meta.taken_at_offset else text


def _altitude_text(alt: float | None) -> str | None:
    if alt is None:
        return None
    if alt < 0:
        return f"{-alt:.0f} m below sea level"
    return f"{alt:.0f} m"


def _dimensions_text(width: int | None, height: int | None) -> str | None:
    if not width or not height:
        return None
    megapixels = width * height / 1e6
    if megapixels >= 0.1:
        return f"{width} × {height} ({megapixels:.1f} MP)"
    return f"{width} × {height}"


def _orientation_text(orientation: int | None) -> str | None:
    if orientation is None:
        return None
    return f"{_ORIENTATION_TEXT.get(orientation, 'Unknown')} ({orientation})"


def _size_text(size: int | None) -> str | None:
    if size is None:
        return None
    if size < 1000:
        return f"{size} bytes"
    for unit in ("kB", "MB", "GB"):
        size_in = size / 1000
        if size_in < 1000 or unit == "GB":
            return f"{size_in:.1f} {unit}"
        size = int(size_in)
    return None  # pragma: no cover - the loop always returns


# Value decoding -------------------------------------------------------------------------------


def _decode_bytes(data: bytes) -> str:
    """Bytes as text: UTF-8 when they are valid UTF-8, else Latin-1 (which never fails)."""
    if data.startswith((b"\xfe\xff", b"\xff\xfe")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _clean(text: str) -> str | None:
    """Drop control characters and surrounding blanks; an empty result means "not set"."""
    text = "".join(ch for ch in text if ch.isprintable() or ch == " ")
    return " ".join(text.split()) or None


def _text(value: object) -> str | None:
    """An EXIF string as a person should read it.

    Pillow decodes EXIF ASCII as Latin-1, while cameras and editors mostly write UTF-8: such
    text is decoded again. Anything after the first NUL is padding or garbage.
    """
    if value is None:
        return None
    if isinstance(value, bytes):
        text = _decode_bytes(value.split(b"\x00", 1)[0])
    elif isinstance(value, str):
        text = value.split("\x00", 1)[0]
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            text = text.encode("latin-1").decode("utf-8")
    elif isinstance(value, tuple) and value and all(isinstance(v, str | bytes) for v in value):
        return _text(value[0])
    else:
        return None
    return _clean(text)


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


_DATE = re.compile(
    r"^\s*(\d{4})[:\-/.](\d{1,2})[:\-/.](\d{1,2})[ T]+(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?"
)
_OFFSET_FORMAT = re.compile(r"^([+-])(\d{2}):(\d{2})$")
_XMP_COORDINATE = re.compile(
    r"^\s*(\d+(?:\.\d+)?)(?:,(\d+(?:\.\d+)?))?(?:,(\d+(?:\.\d+)?))?\s*([NSEWnsew])\s*$"
)


# The reader -----------------------------------------------------------------------------------


@dataclass
class _Exif:
    """The three EXIF directories that matter here, as tag -> value."""

    ifd0: dict[int, Any] = field(default_factory=dict)
    exif: dict[int, Any] = field(default_factory=dict)
    gps: dict[int, Any] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.ifd0 or self.exif or self.gps)

    def get(self, tag: int) -> Any:
        value = self.exif.get(tag)
        return self.ifd0.get(tag) if value is None else value


@dataclass
class _Found:
    """Everything gathered from one file before it becomes a PhotoMetadata."""

    exif: _Exif = field(default_factory=_Exif)
    xmp: list[bytes] = field(default_factory=list)
    iptc: list[bytes] = field(default_factory=list)
    geotiff: bool = False


class _Reader:
    """Reads one file into fields and problems; every step may fail on its own."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fields: dict[str, Any] = {}
        self.problems: list[str] = []
        self.error: str | None = None

    def problem(self, text: str) -> None:
        if text not in self.problems:
            self.problems.append(text)

    def result(self) -> PhotoMetadata:
        return PhotoMetadata(
            path=self.path, problems=tuple(self.problems), error=self.error, **self.fields
        )

    # -- the file as a whole ------------------------------------------------------------------

    def read(self) -> None:
        path = self.path
        try:
            if path.is_dir():
                self.error = "is a folder, not a photo"
                return
            size = path.stat().st_size
            with path.open("rb") as handle:
                head = handle.read(_HEAD)
        except FileNotFoundError:
            self.error = "the file does not exist (moved or deleted?)"
            return
        except PermissionError:
            self.error = "the file cannot be read: permission denied"
            return
        except OSError as error:
            self.error = f"the file cannot be read ({error.strerror or error})"
            return
        self.fields["file_size"] = size
        if size == 0:
            self.error = "the file is empty (0 bytes)"
            return
        kind = sniff_format(head)
        suffix = path.suffix.lower()
        if kind in _NOT_PHOTOS:
            self.error = f"not a photo: the file is {_NOT_PHOTOS[kind]}"
            return
        if kind in _UNSUPPORTED:
            self.fields["format"] = kind.upper()
            self.error = f"{_UNSUPPORTED[kind]} files are not supported"
            return
        if kind in _RAW_SNIFFED or (kind in ("tiff", None) and suffix in RAW_TIFF_SUFFIXES):
            self._read_raw(kind, suffix)
        else:
            self._read_image(kind)

    # -- formats Pillow reads -------------------------------------------------------------------

    def _read_image(self, kind: str | None) -> None:
        _register_heif()
        try:
            image = Image.open(self.path, formats=_PILLOW_FORMATS)
        except Image.UnidentifiedImageError:
            if kind in ("jpeg", "png", "webp", "tiff", "heif"):
                self.fields["format"] = kind.upper()
                self.error = f"the file looks like {kind.upper()} but is damaged or truncated"
            else:
                self.error = "not an image format Albumen can read"
            return
        except Image.DecompressionBombError as error:
            self.error = f"too many pixels to open safely ({error})"
            return
        except Exception as error:  # any plugin may fail in its own way on a broken header
            if isinstance(error, EOFError) or "truncat" in str(error).lower():
                self.error = "the file is truncated (it ends early)"
            else:
                self.error = f"the file is damaged and cannot be read ({error})"
            return
        with image:
            fmt = "JPEG" if image.format == "MPO" else image.format
            self.fields["format"] = fmt
            width, height = image.size
            found = _Found()
            if fmt == "PNG":
                self._png_chunks(found)
            elif fmt in ("TIFF", "PSD", "GIF", "BMP"):
                found.exif = self._exif_from(lambda: image.getexif())
                xmp = image.info.get("xmp")
                if isinstance(xmp, bytes | str):
                    found.xmp.append(xmp.encode() if isinstance(xmp, str) else xmp)
                if fmt == "TIFF":
                    self._tiff_iptc(found)
                    tags = getattr(image, "tag_v2", {})
                    found.geotiff = any(tag in tags for tag in _GEOTIFF_TAGS)
            else:
                raw = image.info.get("exif")
                if isinstance(raw, bytes) and raw:
                    found.exif = self._exif_from_bytes(raw)
                if fmt == "JPEG":
                    found.xmp.extend(_jpeg_xmp(getattr(image, "applist", [])))
                    resources = image.info.get("photoshop")
                    if isinstance(resources, dict):
                        # Photoshop image resources: 0x0404 is IPTC, 0x0424 is XMP.
                        if isinstance(resources.get(0x0404), bytes):
                            found.iptc.append(resources[0x0404])
                        if isinstance(resources.get(0x0424), bytes):
                            found.xmp.append(resources[0x0424])
                else:
                    xmp = image.info.get("xmp")
                    if isinstance(xmp, bytes | str):
                        found.xmp.append(xmp.encode() if isinstance(xmp, str) else xmp)
            orientation = self._fill(found)
            if fmt == "HEIF" or "original_orientation" in image.info:
                # pillow-heif has libheif turn the image: its size is the displayed size, and
                # the rotation the file asks for is kept aside. (Pillow's own AVIF plugin does
                # not: there the EXIF orientation applies as for JPEG.)
                original = image.info.get("original_orientation")
                if isinstance(original, int) and 1 <= original <= 8:
                    self.fields["orientation"] = original
            elif orientation in (5, 6, 7, 8):
                width, height = height, width
            self.fields["width"], self.fields["height"] = width, height

    def _png_chunks(self, found: _Found) -> None:
        """EXIF and XMP of a PNG, wherever their chunks are (eXIf may follow the image data,
        which Pillow would only find by decoding the whole image)."""
        try:
            for kind, data in _png_metadata_chunks(self.path):
                if kind == "exif":
                    found.exif = self._exif_from_bytes(data)
                elif kind == "xmp":
                    found.xmp.append(data)
                elif kind == "iptc":
                    found.iptc.append(data)
        except (OSError, ValueError, zlib.error) as error:
            self.problem(f"PNG metadata chunks are damaged ({error})")

    # -- RAW ----------------------------------------------------------------------------------

    def _read_raw(self, kind: str | None, suffix: str) -> None:
        fmt = _RAW_SNIFFED.get(kind or "") or suffix.lstrip(".").upper()
        self.fields["format"] = fmt
        found = _Found()
        try:
            with self.path.open("rb") as handle:
                head = handle.read(_RAW_HEAD)
        except OSError as error:
            self.error = f"the file cannot be read ({error.strerror or error})"
            return
        if kind in ("tiff", "cr2", None):
            self._raw_tiff(found)
        elif kind in ("rw2", "orf"):
            # TIFF with a vendor's magic number: the directories are plain TIFF.
            found.exif = self._exif_from_bytes(head[:2] + b"\x2a\x00" + head[4:])
        elif kind == "cr3":
            found.exif = self._cr3_exif(head)
        elif kind == "raf":
            found.exif = self._raf_exif(head)
        elif kind == "mrw":
            found.exif = self._mrw_exif(head)
        if not found.xmp:
            found.xmp.extend(_xmp_packets_in(head))
        orientation = self._fill(found)
        sizes, reason = _raw_sizes(self.path)
        if sizes is not None:
            width, height, flip = sizes
            if orientation is None and flip in _FLIP_TO_ORIENTATION:
                orientation = _FLIP_TO_ORIENTATION[flip]
                self.fields["orientation"] = orientation
            if flip in (5, 6):
                width, height = height, width
            self.fields["width"], self.fields["height"] = width, height
        else:
            # The size the camera recorded; the TIFF structure's own first image is a preview.
            pixel_x = _positive_int(found.exif.exif.get(_PIXEL_X))
            pixel_y = _positive_int(found.exif.exif.get(_PIXEL_Y))
            if pixel_x and pixel_y:
                if orientation in (5, 6, 7, 8):
                    pixel_x, pixel_y = pixel_y, pixel_x
                self.fields["width"], self.fields["height"] = pixel_x, pixel_y
            if found.exif:
                self.problem(f"LibRaw cannot read the RAW data ({reason})")
            else:
                self.error = f"not a RAW file LibRaw can read ({reason})"

    def _raw_tiff(self, found: _Found) -> None:
        try:
            image = Image.open(self.path, formats=("TIFF",))
        except Exception as error:  # not even a TIFF header: LibRaw may still know it
            self.problem(f"the TIFF structure of this RAW file is unreadable ({error})")
            return
        with image:
            found.exif = self._exif_from(lambda: image.getexif())
            xmp = image.info.get("xmp")
            if isinstance(xmp, bytes):
                found.xmp.append(xmp)
        self._tiff_iptc(found)

    def _tiff_iptc(self, found: _Found) -> None:
        """IPTC of a TIFF file (tag 33723). Pillow reads that tag as a single number, so its
        bytes are read here from the first directory."""
        try:
            data = _tiff_ifd0_bytes(self.path, _TIFF_IPTC)
        except (OSError, struct.error) as error:
            self.problem(f"the IPTC tag of this TIFF file is unreadable ({error})")
            return
        if data:
            found.iptc.append(data)

    def _cr3_exif(self, head: bytes) -> _Exif:
        """Canon CR3 keeps IFD0, the EXIF directory and GPS as three TIFF blocks in its
        movie-style boxes: CMT1, CMT2 and CMT4."""
        blocks: dict[bytes, dict[int, Any]] = {}
        for name in (b"CMT1", b"CMT2", b"CMT4"):
            at = head.find(name)
            if at < 4:
                continue
            (size,) = struct.unpack(">I", head[at - 4 : at])
            payload = head[at + 4 : at - 4 + size]
            exif = self._exif_from_bytes(payload)
            blocks[name] = exif.ifd0
        return _Exif(blocks.get(b"CMT1", {}), blocks.get(b"CMT2", {}), blocks.get(b"CMT4", {}))

    def _raf_exif(self, head: bytes) -> _Exif:
        """Fujifilm RAF carries a JPEG preview whose EXIF is the camera's."""
        if len(head) < 92:
            return _Exif()
        offset, length = struct.unpack(">II", head[84:92])
        try:
            with self.path.open("rb") as handle:
                handle.seek(offset)
                jpeg = handle.read(min(length, _EMBEDDED_JPEG_HEAD))
            with Image.open(io.BytesIO(jpeg), formats=("JPEG",)) as preview:
                raw = preview.info.get("exif")
        except Exception:  # no usable preview: the RAW header still gives size and rotation
            return _Exif()
        return self._exif_from_bytes(raw) if isinstance(raw, bytes) else _Exif()

    def _mrw_exif(self, head: bytes) -> _Exif:
        """Minolta MRW: a chain of blocks after an 8-byte header; the TTW block is TIFF."""
        pos = 8
        while pos + 8 <= len(head):
            name = head[pos : pos + 4]
            (length,) = struct.unpack(">I", head[pos + 4 : pos + 8])
            if name == b"\x00TTW":
                return self._exif_from_bytes(head[pos + 8 : pos + 8 + length])
            pos += 8 + length
        return _Exif()

    # -- EXIF ---------------------------------------------------------------------------------

    def _exif_from_bytes(self, data: bytes) -> _Exif:
        def load() -> Image.Exif:
            exif = Image.Exif()
            exif.load(data)
            return exif

        return self._exif_from(load)

    def _exif_from(self, load: Callable[[], Image.Exif]) -> _Exif:
        """The directories of an EXIF block; an unreadable part becomes a problem."""
        try:
            exif = load()
            ifd0 = dict(exif)
        except Exception as error:  # Pillow raises many kinds on a malformed block
            self.problem(f"the EXIF block is unreadable ({type(error).__name__}: {error})")
            return _Exif()
        out = _Exif(ifd0=ifd0)
        for tag, name in ((_EXIF_IFD, "EXIF"), (_GPS_IFD, "GPS")):
            if tag not in ifd0 and tag not in getattr(exif, "_hidden_data", {}):
                continue
            try:
                directory = dict(exif.get_ifd(tag))
            except Exception as error:
                self.problem(f"the {name} directory is unreadable ({type(error).__name__})")
                continue
            if tag == _EXIF_IFD:
                out.exif = directory
            else:
                out.gps = directory
        return out

    # -- turning values into fields -----------------------------------------------------------

    def _fill(self, found: _Found) -> int | None:
        """Set every field the EXIF, XMP and IPTC blocks give; returns the orientation."""
        exif = found.exif
        f = self.fields
        f["camera_make"] = _text(exif.ifd0.get(_MAKE))
        f["camera_model"] = _text(exif.ifd0.get(_MODEL))
        f["software"] = _text(exif.ifd0.get(_SOFTWARE))
        f["serial_number"] = _text(exif.exif.get(_BODY_SERIAL)) or _text(exif.ifd0.get(_DNG_SERIAL))
        f["lens"] = _text(exif.exif.get(_LENS_MODEL)) or self._lens_spec(exif.exif.get(_LENS_SPEC))
        f["artist"] = _text(exif.ifd0.get(_ARTIST)) or _xp_text(exif.ifd0.get(_XP_AUTHOR))
        f["copyright"] = _copyright(exif.ifd0.get(_COPYRIGHT))
        orientation = self._orientation(exif.ifd0.get(_ORIENTATION))
        f["orientation"] = orientation
        self._exposure(exif)
        self._date(exif)
        if exif.gps:
            f["gps"] = self._gps(exif.gps)
        elsewhere: list[str] = []
        xmp = _XmpFacts()
        for packet in found.xmp:
            xmp.merge(self._xmp(packet))
        if xmp.location:
            elsewhere.append("XMP")
        iim = _Iim()
        for block in found.iptc:
            iim.merge(self._iim(block))
        if iim.location:
            elsewhere.append("IPTC")
        if found.geotiff:
            elsewhere.append("GeoTIFF")
        f["location_elsewhere"] = tuple(elsewhere)
        if f.get("gps") is None and xmp.gps is not None:
            f["gps"] = xmp.gps
        f["artist"] = f["artist"] or xmp.creator or iim.byline
        f["copyright"] = f["copyright"] or xmp.rights or iim.copyright
        if f.get("taken_at") is None and xmp.taken_at is not None:
            f["taken_at"], f["taken_at_offset"] = xmp.taken_at
        return orientation

    def _number(self, value: object, what: str, *, positive: bool = True) -> float | None:
        """A rational or number as a float; zero denominators and garbage become problems."""
        if isinstance(value, tuple):
            if not value:
                return None
            value = value[0]
        if isinstance(value, TiffImagePlugin.IFDRational):
            numerator, denominator = value.numerator, value.denominator
            if denominator == 0:
                self.problem(f"{what} is {numerator}/0 (a zero denominator)")
                return None
            number = float(numerator) / float(denominator)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value)
        else:
            self.problem(f"{what} is not a number ({_short(value)})")
            return None
        if not math.isfinite(number):
            self.problem(f"{what} is not a finite number ({_short(value)})")
            return None
        if positive and number <= 0:
            if number < 0:  # zero is how many cameras say "unknown"
                self.problem(f"{what} is {number:g}, which cannot be right")
            return None
        return number

    def _integer(self, value: object, what: str) -> int | None:
        if isinstance(value, tuple):
            value = value[0] if value else None
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value if value > 0 else None
        number = self._number(value, what)
        return round(number) if number else None

    def _orientation(self, value: object) -> int | None:
        if value is None:
            return None
        if isinstance(value, tuple):
            value = value[0] if value else None
        if isinstance(value, int) and 1 <= value <= 8:
            return value
        self.problem(f"Orientation is {_short(value)}, not one of 1 to 8; ignored")
        return None

    def _lens_spec(self, value: object) -> str | None:
        """LensSpecification (min and max focal length, min f-number at each) as a lens name,
        for files that do not name their lens."""
        if not isinstance(value, tuple) or len(value) != 4:
            return None
        numbers: list[float | None] = []
        for item in value:
            if isinstance(item, TiffImagePlugin.IFDRational) and item.denominator == 0:
                numbers.append(None)  # 0/0 means "unknown" in this tag
            else:
                numbers.append(self._number(item, "LensSpecification"))
        short, long, f_short, f_long = numbers
        if not short:
            return None
        focal = f"{short:g}" if not long or long == short else f"{short:g}-{long:g}"
        text = f"{focal} mm"
        if f_short:
            aperture = (
                f"{f_short:g}" if not f_long or f_long == f_short else f"{f_short:g}-{f_long:g}"
            )
            text += f" f/{aperture}"
        return text

    def _exposure(self, exif: _Exif) -> None:
        e, f = exif.exif, self.fields
        seconds: float | None = None
        if e.get(_EXPOSURE_TIME) is not None:
            seconds = self._number(e[_EXPOSURE_TIME], "ExposureTime")
        elif e.get(_SHUTTER_APEX) is not None:
            apex = self._number(e[_SHUTTER_APEX], "ShutterSpeedValue", positive=False)
            if apex is not None and -20 < apex < 40:
                seconds = 2.0**-apex
            elif apex is not None:
                self.problem(f"ShutterSpeedValue is {apex:g}, which cannot be right")
        f["exposure_time"] = _exposure_text(seconds) if seconds else None
        f_number: float | None = None
        if e.get(_F_NUMBER) is not None:
            f_number = self._number(e[_F_NUMBER], "FNumber")
        elif e.get(_APERTURE_APEX) is not None:
            apex = self._number(e[_APERTURE_APEX], "ApertureValue", positive=False)
            if apex is not None and 0 <= apex < 30:
                f_number = math.sqrt(2.0) ** apex
        f["f_number"] = round(f_number, 2) if f_number else None
        iso = self._integer(e.get(_ISO), "ISO")
        if iso == 65535 and e.get(_ISO_SPEED) is not None:  # too high for a SHORT
            iso = self._integer(e[_ISO_SPEED], "ISOSpeed") or iso
        f["iso"] = iso
        focal = e.get(_FOCAL_LENGTH)
        f["focal_length"] = self._number(focal, "FocalLength") if focal is not None else None
        f["focal_length_35mm"] = self._integer(e.get(_FOCAL_35MM), "FocalLengthIn35mmFilm")

    def _date(self, exif: _Exif) -> None:
        for date_tag, subsec_tag, offset_tags, name in (
            (_DATE_ORIGINAL, _SUBSEC_ORIGINAL, (_OFFSET_ORIGINAL, _OFFSET), "DateTimeOriginal"),
            (_DATE_DIGITIZED, _SUBSEC_DIGITIZED, (_OFFSET_DIGITIZED, _OFFSET), "CreateDate"),
        ):
            value = _text(exif.exif.get(date_tag)) or (
                _text(exif.ifd0.get(date_tag)) if date_tag == _DATE_ORIGINAL else None
            )
            if not value:
                continue
            taken = self._parse_date(value, name)
            if taken is None:
                continue
            subsec = _text(exif.exif.get(subsec_tag))
            if subsec and subsec.isdigit():
                taken = taken.replace(microsecond=int(subsec[:6].ljust(6, "0")))
            offset_text: str | None = None
            for tag in offset_tags:
                offset_text = _text(exif.exif.get(tag))
                if offset_text:
                    break
            if offset_text:
                tz = self._parse_offset(offset_text)
                if tz is not None:
                    taken = taken.replace(tzinfo=tz)
                    self.fields["taken_at_offset"] = offset_text
            self.fields["taken_at"] = taken
            return

    def _parse_date(self, value: str, name: str) -> datetime | None:
        if not value.strip(" :0-"):
            return None  # "0000:00:00 00:00:00" or blanks: the camera's clock was not set
        match = _DATE.match(value)
        if match is None:
            self.problem(f"{name} {value!r} is not a date")
            return None
        year, month, day, hour, minute, second = (int(g) if g else 0 for g in match.groups())
        try:
            return datetime(year, month, day, hour, minute, second)  # local time, no zone
        except ValueError:
            self.problem(f"{name} {value!r} is not a valid date")
            return None

    def _parse_offset(self, value: str) -> timezone | None:
        match = _OFFSET_FORMAT.match(value)
        if match is None:
            self.problem(f"time zone offset {value!r} is not of the form +HH:MM")
            return None
        sign, hours, minutes = match.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes))
        if delta >= timedelta(hours=24):
            self.problem(f"time zone offset {value!r} is out of range")
            return None
        return timezone(-delta if sign == "-" else delta)

    def _gps(self, gps: dict[int, Any]) -> GpsPosition | None:
        if gps.get(2) is None and gps.get(4) is None:
            return None  # a version or a datum, but no position
        lat = self._coordinate(gps.get(2), gps.get(1), "GPS latitude", "NS", 90.0)
        lon = self._coordinate(gps.get(4), gps.get(3), "GPS longitude", "EW", 180.0)
        if lat is None or lon is None:
            return None
        alt: float | None = None
        if gps.get(6) is not None:
            alt = self._number(gps[6], "GPS altitude", positive=False)
            ref = gps.get(5)
            if isinstance(ref, bytes):
                ref = ref[0] if ref else 0
            if alt is not None and ref in (1, 3):  # below sea level / below the ellipsoid
                alt = -abs(alt)
        return GpsPosition(lat, lon, alt)

    def _coordinate(
        self, value: object, ref: object, what: str, refs: str, limit: float
    ) -> float | None:
        if value is None:
            self.problem(f"{what} is missing")
            return None
        parts = value if isinstance(value, tuple) else (value,)
        if not 1 <= len(parts) <= 3:
            self.problem(f"{what} has {len(parts)} parts instead of 3")
            return None
        numbers = [self._number(part, what, positive=False) for part in parts]
        if any(n is None for n in numbers):
            return None
        degrees = 0.0
        for number, scale in zip(numbers, (1.0, 60.0, 3600.0), strict=False):
            degrees += abs(number or 0.0) / scale
        negative = (numbers[0] or 0.0) < 0
        letter = (_text(ref) or "").upper()[:1]
        if letter == refs[1]:
            negative = True
        elif letter != refs[0]:
            self.problem(f"{what} has no {refs[0]}/{refs[1]} reference; read as {refs[0]}")
        if degrees > limit:
            self.problem(f"{what} {degrees:g} is beyond ±{limit:g}°")
            return None
        return -degrees if negative else degrees

    # -- XMP and IPTC ---------------------------------------------------------------------

    def _xmp(self, packet: bytes) -> _XmpFacts:
        facts = _XmpFacts()
        text = _xmp_text(packet)
        if text is None:
            self.problem("an XMP block is not valid Unicode; checked for place names only")
            facts.location = _looks_located(packet.decode("latin-1"))
            return facts
        if "<!DOCTYPE" in text or "<!ENTITY" in text:
            self.problem("an XMP block declares a DTD, which XMP forbids; it was not parsed")
            facts.location = _looks_located(text)
            return facts
        try:
            # Untrusted input, but without a DTD no entity can expand.
            root = ElementTree.fromstring(text)  # noqa: S314
        except (ElementTree.ParseError, ValueError) as error:
            self.problem(f"an XMP block is not well-formed XML ({error})")
            facts.location = _looks_located(text)
            return facts
        for element in root.iter():
            ns, local = _split_name(element.tag)
            if ns not in _NS_STRUCTURE and _places(ns, local) and _has_content(element):
                facts.location = True
            for name, value in element.attrib.items():
                ans, alocal = _split_name(name)
                if ans and ans not in _NS_STRUCTURE and _places(ans, alocal) and value.strip():
                    facts.location = True
        facts.creator = _xmp_property(root, _NS_DC, "creator")
        facts.rights = _xmp_property(root, _NS_DC, "rights")
        lat = _xmp_property(root, _NS_EXIF, "GPSLatitude")
        lon = _xmp_property(root, _NS_EXIF, "GPSLongitude")
        if lat and lon:
            facts.gps = self._xmp_gps(lat, lon, root)
        original = _xmp_property(root, _NS_EXIF, "DateTimeOriginal")
        if original:
            facts.taken_at = self._xmp_date(original, "XMP DateTimeOriginal")
        return facts

    def _xmp_gps(
        self, lat_text: str, lon_text: str, root: ElementTree.Element
    ) -> GpsPosition | None:
        lat = self._xmp_coordinate(lat_text, "XMP GPS latitude", 90.0)
        lon = self._xmp_coordinate(lon_text, "XMP GPS longitude", 180.0)
        if lat is None or lon is None:
            return None
        alt: float | None = None
        alt_text = _xmp_property(root, _NS_EXIF, "GPSAltitude")
        if alt_text:
            try:
                num, _, den = alt_text.partition("/")
                alt = float(num) / float(den or 1)
            except (ValueError, ZeroDivisionError):
                self.problem(f"XMP GPS altitude {alt_text!r} is not a number")
            if alt is not None and (_xmp_property(root, _NS_EXIF, "GPSAltitudeRef") or "0") == "1":
                alt = -abs(alt)
        return GpsPosition(lat, lon, alt)

    def _xmp_coordinate(self, text: str, what: str, limit: float) -> float | None:
        match = _XMP_COORDINATE.match(text)
        value: float | None = None
        if match:
            deg, minutes, seconds, ref = match.groups()
            value = float(deg) + float(minutes or 0) / 60 + float(seconds or 0) / 3600
            if ref.upper() in "SW":
                value = -value
        else:
            try:
                value = float(text)
            except ValueError:
                self.problem(f"{what} {text!r} is not a coordinate")
                return None
        if not math.isfinite(value) or abs(value) > limit:
            self.problem(f"{what} {text!r} is out of range")
            return None
        return value

    def _xmp_date(self, text: str, what: str) -> tuple[datetime, str | None] | None:
        if "T" not in text:
            return None  # a day without a time is not when a photo was taken
        try:
            taken = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        except ValueError:
            self.problem(f"{what} {text!r} is not a date")
            return None
        offset = None
        if taken.utcoffset() is not None:
            match = re.search(r"([+-]\d{2}:\d{2}|Z)$", text.strip())
            offset = (
                "+00:00" if match and match.group(1) == "Z" else (match.group(1) if match else None)
            )
        return taken, offset

    def _iim(self, data: bytes) -> _Iim:
        facts = _Iim()
        pos = 0
        while pos + 5 <= len(data):
            if data[pos] != 0x1C:
                if data[pos:].strip(b"\x00"):
                    self.problem("the IPTC block is damaged after its first datasets")
                break
            record, dataset = data[pos + 1], data[pos + 2]
            (length,) = struct.unpack(">H", data[pos + 3 : pos + 5])
            pos += 5
            if length & 0x8000:
                count = length & 0x7FFF
                if count > 4 or pos + count > len(data):
                    self.problem("the IPTC block has an impossible dataset length")
                    break
                length = int.from_bytes(data[pos : pos + count], "big")
                pos += count
            value = data[pos : pos + length]
            pos += length
            text = _clean(_decode_bytes(value)) if value else None
            if not text:
                continue
            key = (record, dataset)
            if key in _IIM_LOCATION:
                facts.location = True
            elif key == _IIM_BYLINE:
                facts.byline = facts.byline or text
            elif key == _IIM_COPYRIGHT:
                facts.copyright = facts.copyright or text
        return facts


@dataclass
class _XmpFacts:
    location: bool = False
    gps: GpsPosition | None = None
    creator: str | None = None
    rights: str | None = None
    taken_at: tuple[datetime, str | None] | None = None

    def merge(self, other: _XmpFacts) -> None:
        self.location = self.location or other.location
        self.gps = self.gps or other.gps
        self.creator = self.creator or other.creator
        self.rights = self.rights or other.rights
        self.taken_at = self.taken_at or other.taken_at


@dataclass
class _Iim:
    location: bool = False
    byline: str | None = None
    copyright: str | None = None

    def merge(self, other: _Iim) -> None:
        self.location = self.location or other.location
        self.byline = self.byline or other.byline
        self.copyright = self.copyright or other.copyright


# Helpers without state ------------------------------------------------------------------------


def _exposure_text(seconds: float) -> str:
    """Exposure time as photographers write it: "1/250 s" below a quarter second, else "2 s"
    or "0.5 s"."""
    if seconds < 0.25 or (seconds < 1 and abs(1 / seconds - round(1 / seconds)) < 0.01):
        return f"1/{round(1 / seconds)} s"
    return f"{round(seconds, 1):g} s"


def _positive_int(value: object) -> int | None:
    if isinstance(value, tuple):
        value = value[0] if value else None
    return value if isinstance(value, int) and value > 0 else None


def _copyright(value: object) -> str | None:
    """EXIF Copyright may hold the photographer's and the editor's notices, NUL-separated."""
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if not isinstance(value, str):
        return None
    parts = [_text(part) for part in value.split("\x00")]
    text = "; ".join(part for part in parts if part)
    return text or None


def _xp_text(value: object) -> str | None:
    """Windows' XP* tags: UTF-16LE in a BYTE array."""
    if isinstance(value, tuple) and all(isinstance(v, int) for v in value):
        value = bytes(v & 0xFF for v in value)
    if not isinstance(value, bytes):
        return None
    try:
        return _clean(value.decode("utf-16-le").split("\x00", 1)[0])
    except UnicodeDecodeError:
        return None


def _raw_sizes(path: Path) -> tuple[tuple[int, int, int] | None, str]:
    """(width, height, flip) of the RAW image from LibRaw's header parse, or None and why."""
    try:
        import rawpy

        with rawpy.imread(str(path)) as raw:
            sizes = raw.sizes
            return (int(sizes.width), int(sizes.height), int(sizes.flip)), ""
    except Exception as error:  # LibRaw has its own exception hierarchy
        reason = error.args[0] if error.args else type(error).__name__
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        return None, str(reason)


def _tiff_ifd0_bytes(path: Path, wanted: int) -> bytes | None:
    """The raw value bytes of one tag of a TIFF file's first directory (classic TIFF only)."""
    with path.open("rb") as handle:
        head = handle.read(8)
        if head[:4] not in (b"II*\x00", b"MM\x00*"):
            return None
        order = "<" if head[:2] == b"II" else ">"
        (offset,) = struct.unpack(order + "I", head[4:8])
        handle.seek(offset)
        (count,) = struct.unpack(order + "H", handle.read(2))
        entries = handle.read(12 * min(count, 4096))
        for pos in range(0, len(entries) - 11, 12):
            tag, kind, n, value = struct.unpack(order + "HHI4s", entries[pos : pos + 12])
            if tag != wanted:
                continue
            size = n * _TIFF_TYPE_SIZES.get(kind, 0)
            if size <= 4:
                return value[:size] or None
            if size > _MAX_TEXT:
                return None
            handle.seek(struct.unpack(order + "I", value)[0])
            return handle.read(size)
    return None


def _jpeg_xmp(applist: list[tuple[str, bytes]]) -> list[bytes]:
    """The main XMP packet of a JPEG and its extension (which holds what did not fit in one
    segment), from the APP1 segments Pillow kept."""
    main: list[bytes] = []
    parts: dict[bytes, dict[int, bytes]] = {}
    for marker, payload in applist:
        if marker != "APP1" or not isinstance(payload, bytes):
            continue
        if payload.startswith(_XMP_ID):
            main.append(payload[len(_XMP_ID) :])
        elif payload.startswith(_XMP_EXT_ID):
            body = payload[len(_XMP_EXT_ID) :]
            if len(body) < 40:
                continue
            guid, offset = body[:32], int.from_bytes(body[36:40], "big")
            parts.setdefault(guid, {})[offset] = body[40:]
    for chunks in parts.values():
        main.append(b"".join(chunks[offset] for offset in sorted(chunks)))
    return main


def _png_metadata_chunks(path: Path) -> Iterator[tuple[str, bytes]]:
    """("exif" | "xmp" | "iptc", data) for each metadata chunk of a PNG; image data is skipped
    with seeks, so this costs a few reads whatever the image size."""
    with path.open("rb") as handle:
        if handle.read(8) != b"\x89PNG\r\n\x1a\n":
            return
        while True:
            header = handle.read(8)
            if len(header) < 8:
                return
            length, kind = struct.unpack(">I4s", header)
            if kind in (b"IDAT", b"fdAT") or length > _MAX_PNG_CHUNK:
                handle.seek(length + 4, io.SEEK_CUR)
                continue
            data = handle.read(length)
            handle.seek(4, io.SEEK_CUR)  # CRC
            if kind == b"IEND":
                return
            if kind == b"eXIf":
                yield "exif", data
            elif kind in (b"iTXt", b"tEXt", b"zTXt"):
                keyword, text = _png_text(kind, data)
                if keyword == "XML:com.adobe.xmp":
                    yield "xmp", text
                elif keyword.startswith("Raw profile type "):
                    blob = _imagemagick_profile(text)
                    name = keyword.removeprefix("Raw profile type ").lower()
                    if blob and name in ("exif", "app1"):
                        yield "exif", blob
                    elif blob and name == "iptc":
                        yield "iptc", blob
                    elif blob and name == "xmp":
                        yield "xmp", blob


def _png_text(kind: bytes, data: bytes) -> tuple[str, bytes]:
    keyword, _, rest = data.partition(b"\x00")
    name = keyword.decode("latin-1")
    if kind == b"tEXt":
        return name, rest
    if kind == b"zTXt":
        return name, _inflate(rest[1:])
    if len(rest) < 2:
        return name, b""
    compressed, body = rest[0], rest[2:]
    _language, _, body = body.partition(b"\x00")
    _translated, _, body = body.partition(b"\x00")
    return name, _inflate(body) if compressed else body


def _inflate(data: bytes) -> bytes:
    inflater = zlib.decompressobj()
    out = inflater.decompress(data, _MAX_TEXT)
    if inflater.unconsumed_tail:
        raise ValueError("a compressed text chunk is larger than 16 MB")
    return out


def _imagemagick_profile(text: bytes) -> bytes | None:
    """ImageMagick's "Raw profile type ..." text: a name, a length, then hex digits."""
    lines = text.decode("latin-1").strip().split("\n", 2)
    if len(lines) < 3:
        return None
    try:
        blob = bytes.fromhex("".join(lines[2].split()))
    except ValueError:
        return None
    return blob


def _xmp_packets_in(data: bytes) -> list[bytes]:
    """XMP packets found anywhere in ``data``: RAW formats keep them in boxes of their own."""
    packets = []
    start = data.find(b"<x:xmpmeta")
    while start >= 0:
        end = data.find(b"</x:xmpmeta>", start)
        if end < 0:
            break
        packets.append(data[start : end + len(b"</x:xmpmeta>")])
        start = data.find(b"<x:xmpmeta", end)
    return packets


def _xmp_text(data: bytes) -> str | None:
    """The packet as text in whatever Unicode encoding it uses, without padding or the XML
    declaration (ElementTree refuses an encoding declaration on text it was given decoded)."""
    try:
        text = data.decode(xmp_encoding(data))
    except UnicodeDecodeError:
        return None
    text = text.lstrip("\ufeff").rstrip("\x00 \t\r\n")
    return re.sub(r"^\s*<\?xml[^>]*\?>", "", text, count=1)


def _split_name(name: str) -> tuple[str | None, str]:
    if name.startswith("{"):
        ns, _, local = name[1:].partition("}")
        return ns, local
    return None, name


def _places(ns: str | None, local: str) -> bool:
    # The rule strip applies, so that "the XMP carries a location" here means exactly
    # "stripping for a link without location changes the XMP"; minus two GPS fields that
    # place nothing by themselves.
    return local.lower() not in _XMP_NOT_PLACING and is_location_property(ns, local)


def _has_content(element: ElementTree.Element) -> bool:
    if element.text and element.text.strip():
        return True
    for child in element.iter():
        if child is element:
            continue
        if child.text and child.text.strip():
            return True
        if any(
            value.strip()
            for name, value in child.attrib.items()
            if _split_name(name)[0] not in _NS_STRUCTURE
        ):
            return True
    return False


_LOCATED = re.compile(
    r"(?i)[\w.-]+:(?:city|state|country\w*|provincestate|sublocation|worldregion|location\w*"
    r"|shotlocation|\w*gps(?!versionid|mapdatum)\w*|\w*latitude|\w*longi?t?tude|\w*altitude"
    r"|\w*geotag\w*)\s*(?:=\s*[\"'][^\"'\s]|>\s*[^<\s])"
)


def _looks_located(text: str) -> bool:
    """For XMP that cannot be parsed: whether any place property seems to hold a value."""
    return _LOCATED.search(text) is not None


def _xmp_property(root: ElementTree.Element, ns: str, local: str) -> str | None:
    """A simple XMP property's text (element or attribute form); for lists (rdf:Seq, rdf:Alt,
    rdf:Bag), the items joined with "; ", the x-default language first."""
    tag = f"{{{ns}}}{local}"
    for description in root.iter(f"{{{_NS_RDF}}}Description"):
        attribute = description.attrib.get(tag)
        if attribute and attribute.strip():
            return _clean(attribute)
        for element in description.iter(tag):
            items = list(element.iter(f"{{{_NS_RDF}}}li"))
            if items:
                default = [li for li in items if li.attrib.get(f"{{{_NS_XML}}}lang") == "x-default"]
                texts = [_clean(li.text or "") for li in (default or items)]
                joined = "; ".join(t for t in texts if t)
                if joined:
                    return joined
            elif element.text and element.text.strip():
                return _clean(element.text)
    return None
