"""EXIF values turned into the fields a photographer reads: text, numbers, exposure, dates, GPS.

Cameras and editors write broken values often: rationals with a zero denominator, strings padded
with NULs or in the wrong encoding, dates of all zeros, coordinates beyond the poles. Each such
value is left out and described through the ``problem`` callback, never raised, so one bad tag
costs that tag only. Where the values come from (which container, which directory) is the
readers' business; this module only interprets them.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from albumen_photo.byteio import RandomAccess
from albumen_photo.errors import Malformed
from albumen_photo.records import GpsPosition
from albumen_photo.tiff import Ifd, Tiff

__all__ = [
    "ExifDirectories",
    "ExifFields",
    "Ratio",
    "clean",
    "decode_bytes",
    "exif_from_bytes",
    "exif_from_tiff",
    "text",
]

Problem = Callable[[str], None]

MAKE, MODEL, ORIENTATION, SOFTWARE, DATE_TIME = 0x010F, 0x0110, 0x0112, 0x0131, 0x0132
ARTIST, COPYRIGHT, XP_AUTHOR = 0x013B, 0x8298, 0x9C9D
EXIF_IFD, GPS_IFD = 0x8769, 0x8825
DNG_SERIAL = 0xC62F
EXPOSURE_TIME, F_NUMBER, ISO, ISO_SPEED = 0x829A, 0x829D, 0x8827, 0x8833
DATE_ORIGINAL, DATE_DIGITIZED = 0x9003, 0x9004
OFFSET, OFFSET_ORIGINAL, OFFSET_DIGITIZED = 0x9010, 0x9011, 0x9012
SUBSEC, SUBSEC_ORIGINAL, SUBSEC_DIGITIZED = 0x9290, 0x9291, 0x9292
SHUTTER_APEX, APERTURE_APEX = 0x9201, 0x9202
FOCAL_LENGTH, FOCAL_35MM = 0x920A, 0xA405
PIXEL_X, PIXEL_Y = 0xA002, 0xA003
BODY_SERIAL, LENS_SPEC, LENS_MODEL = 0xA431, 0xA432, 0xA434

_DATE = re.compile(
    r"^\s*(\d{4})[:\-/.](\d{1,2})[:\-/.](\d{1,2})[ T]+(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?"
)
_MAX_VALUE = 1 << 20
_OFFSET_FORMAT = re.compile(r"^([+-])(\d{2}):(\d{2})$")


@dataclass
class ExifDirectories:
    """The three EXIF directories that matter here, as tag -> value."""

    ifd0: dict[int, Any] = field(default_factory=dict)
    exif: dict[int, Any] = field(default_factory=dict)
    gps: dict[int, Any] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.ifd0 or self.exif or self.gps)


# Text -----------------------------------------------------------------------------------------


def decode_bytes(data: bytes) -> str:
    """Bytes as text: UTF-16 with a byte-order mark, UTF-8 when valid, else Latin-1 (which
    never fails)."""
    if data.startswith((b"\xfe\xff", b"\xff\xfe")):
        with contextlib.suppress(UnicodeDecodeError):
            return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def clean(value: str) -> str | None:
    """Drop control characters and surrounding blanks; an empty result means "not set"."""
    value = "".join(ch for ch in value if ch.isprintable() or ch == " ")
    return " ".join(value.split()) or None


def text(value: object) -> str | None:
    """An EXIF string as a person should read it.

    Pillow decodes EXIF ASCII as Latin-1, while cameras and editors mostly write UTF-8: such
    text is decoded again. Anything after the first NUL is padding or garbage.
    """
    if value is None:
        return None
    if isinstance(value, bytes):
        result = decode_bytes(value.split(b"\x00", 1)[0])
    elif isinstance(value, str):
        result = value.split("\x00", 1)[0]
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            result = result.encode("latin-1").decode("utf-8")
    elif isinstance(value, tuple) and value and all(isinstance(v, str | bytes) for v in value):
        return text(value[0])
    else:
        return None
    return clean(result)


def _short(value: object) -> str:
    shown = repr(value)
    return shown if len(shown) <= 40 else shown[:37] + "..."


def _copyright(value: object) -> str | None:
    """EXIF Copyright may hold the photographer's and the editor's notices, NUL-separated."""
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if not isinstance(value, str):
        return None
    parts = [text(part) for part in value.split("\x00")]
    return "; ".join(part for part in parts if part) or None


def _xp_text(value: object) -> str | None:
    """Windows' XP* tags: UTF-16LE in a BYTE array."""
    if isinstance(value, tuple) and all(isinstance(v, int) for v in value):
        value = bytes(v & 0xFF for v in value)
    if not isinstance(value, bytes):
        return None
    try:
        return clean(value.decode("utf-16-le").split("\x00", 1)[0])
    except UnicodeDecodeError:
        return None


def positive_int(value: object) -> int | None:
    if isinstance(value, tuple):
        value = value[0] if value else None
    return value if isinstance(value, int) and value > 0 else None


# Loading --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ratio:
    """A TIFF rational as stored: the denominator may be zero, which :meth:`ExifFields.number`
    reports."""

    num: int
    den: int


def _directory(tiff: Tiff, ifd: Ifd) -> dict[int, Any]:
    """A directory's values: text as its raw bytes (decoded by :func:`text`, which knows the
    encodings cameras use), rationals as :class:`Ratio`, the rest as the TIFF reader gives."""
    out: dict[int, Any] = {}
    for entry in ifd.entries:
        if entry.size is None or entry.size > _MAX_VALUE:
            continue  # image data, a maker note gone wild: nothing a field is made of
        value: Any
        if entry.type == 2:
            value = tiff.value_bytes(entry)
        else:
            value = tiff.value(entry)
            if entry.type in (5, 10) and value is not None:
                pairs = value if entry.count > 1 else (value,)
                ratios = tuple(Ratio(num, den) for num, den in pairs)
                value = ratios if entry.count > 1 else ratios[0]
        if value is not None:
            out[entry.tag] = value
    return out


def exif_from_tiff(
    source: bytes | RandomAccess, problem: Problem, *, directory: Ifd | None = None
) -> ExifDirectories:
    """IFD0 and its EXIF and GPS directories of a TIFF structure (an EXIF block, a TIFF file,
    a TIFF-based RAW), read with the one TIFF reader; an unreadable part is a problem."""
    try:
        tiff = Tiff(source)
        ifd0 = directory or tiff.read_ifd(tiff.ifd0)
    except Malformed as error:
        problem(f"the EXIF block is unreadable ({error})")
        return ExifDirectories()
    out = ExifDirectories(ifd0=_directory(tiff, ifd0))
    for tag, name in ((EXIF_IFD, "EXIF"), (GPS_IFD, "GPS")):
        if ifd0.get(tag) is None:
            continue
        sub = tiff.sub_ifd(ifd0, tag)
        if sub is None:
            problem(f"the {name} directory is unreadable")
        elif tag == EXIF_IFD:
            out.exif = _directory(tiff, sub)
        else:
            out.gps = _directory(tiff, sub)
    return out


def exif_from_bytes(data: bytes, problem: Problem) -> ExifDirectories:
    """The directories of an EXIF block, with or without its "Exif" header."""
    if data.startswith(b"Exif\x00"):
        data = data[6:]
    return exif_from_tiff(data, problem)


# Values into fields ---------------------------------------------------------------------------


class ExifFields:
    """Turns EXIF directories into PhotoMetadata fields, reporting broken values."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem

    def fill(self, exif: ExifDirectories, fields: dict[str, Any]) -> int | None:
        """Set the fields EXIF gives (taken_at only from the capture dates: see
        :meth:`taken_at`); returns the orientation."""
        ifd0, sub = exif.ifd0, exif.exif
        fields["camera_make"] = text(ifd0.get(MAKE))
        fields["camera_model"] = text(ifd0.get(MODEL))
        fields["software"] = text(ifd0.get(SOFTWARE))
        fields["serial_number"] = text(sub.get(BODY_SERIAL)) or text(ifd0.get(DNG_SERIAL))
        fields["lens"] = text(sub.get(LENS_MODEL)) or self._lens_spec(sub.get(LENS_SPEC))
        fields["artist"] = text(ifd0.get(ARTIST)) or _xp_text(ifd0.get(XP_AUTHOR))
        fields["copyright"] = _copyright(ifd0.get(COPYRIGHT))
        orientation = self.orientation(ifd0.get(ORIENTATION))
        fields["orientation"] = orientation
        self._exposure(sub, fields)
        if exif.gps:
            fields["gps"] = self._gps(exif.gps)
        return orientation

    def number(self, value: object, what: str, *, positive: bool = True) -> float | None:
        """A rational or number as a float; zero denominators and garbage become problems."""
        if isinstance(value, tuple):
            if not value:
                return None
            value = value[0]
        if isinstance(value, Ratio):
            numerator, denominator = value.num, value.den
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
        number = self.number(value, what)
        return round(number) if number else None

    def orientation(self, value: object) -> int | None:
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
            if isinstance(item, Ratio) and item.den == 0:
                numbers.append(None)  # 0/0 means "unknown" in this tag
            else:
                numbers.append(self.number(item, "LensSpecification"))
        short, long, f_short, f_long = numbers
        if not short:
            return None
        focal = f"{short:g}" if not long or long == short else f"{short:g}-{long:g}"
        lens = f"{focal} mm"
        if f_short:
            aperture = (
                f"{f_short:g}" if not f_long or f_long == f_short else f"{f_short:g}-{f_long:g}"
            )
            lens += f" f/{aperture}"
        return lens

    def _exposure(self, e: dict[int, Any], f: dict[str, Any]) -> None:
        seconds: float | None = None
        if e.get(EXPOSURE_TIME) is not None:
            seconds = self.number(e[EXPOSURE_TIME], "ExposureTime")
        elif e.get(SHUTTER_APEX) is not None:
            apex = self.number(e[SHUTTER_APEX], "ShutterSpeedValue", positive=False)
            if apex is not None and -20 < apex < 40:
                seconds = 2.0**-apex
            elif apex is not None:
                self.problem(f"ShutterSpeedValue is {apex:g}, which cannot be right")
        f["exposure_seconds"] = seconds or None
        f_number: float | None = None
        if e.get(F_NUMBER) is not None:
            f_number = self.number(e[F_NUMBER], "FNumber")
        elif e.get(APERTURE_APEX) is not None:
            apex = self.number(e[APERTURE_APEX], "ApertureValue", positive=False)
            if apex is not None and 0 <= apex < 30:
                f_number = math.sqrt(2.0) ** apex
        f["f_number"] = round(f_number, 2) if f_number else None
        iso = self._integer(e.get(ISO), "ISO")
        if iso == 65535 and e.get(ISO_SPEED) is not None:  # too high for a SHORT
            iso = self._integer(e[ISO_SPEED], "ISOSpeed") or iso
        f["iso"] = iso
        focal = e.get(FOCAL_LENGTH)
        f["focal_length"] = self.number(focal, "FocalLength") if focal is not None else None
        f["focal_length_35mm"] = self._integer(e.get(FOCAL_35MM), "FocalLengthIn35mmFilm")

    # -- dates ----------------------------------------------------------------------------------

    def capture_date(self, exif: ExifDirectories) -> tuple[datetime, str | None] | None:
        """When the shutter fired, by EXIF: DateTimeOriginal, else CreateDate
        (DateTimeDigitized); with their sub-seconds and time zone offsets."""
        return self._stamp(
            exif, DATE_ORIGINAL, SUBSEC_ORIGINAL, OFFSET_ORIGINAL, "DateTimeOriginal"
        ) or self._stamp(exif, DATE_DIGITIZED, SUBSEC_DIGITIZED, OFFSET_DIGITIZED, "CreateDate")

    def modify_date(self, exif: ExifDirectories) -> tuple[datetime, str | None] | None:
        """IFD0 DateTime: when the file was last changed, which for a photo no editor touched is
        when it was taken; the last resort of the capture date rule."""
        return self._stamp(exif, DATE_TIME, SUBSEC, OFFSET, "DateTime")

    def _stamp(
        self, exif: ExifDirectories, tag: int, subsec_tag: int, offset_tag: int, name: str
    ) -> tuple[datetime, str | None] | None:
        value = text(exif.exif.get(tag)) or text(exif.ifd0.get(tag))
        if not value:
            return None
        taken = self._parse_date(value, name)
        if taken is None:
            return None
        subsec = text(exif.exif.get(subsec_tag))
        if subsec and subsec.isdigit():
            taken = taken.replace(microsecond=int(subsec[:6].ljust(6, "0")))
        offset_text = text(exif.exif.get(offset_tag)) or text(exif.exif.get(OFFSET))
        if offset_text:
            zone = self._parse_offset(offset_text)
            if zone is not None:
                return taken.replace(tzinfo=zone), offset_text
        return taken, None

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
        if delta >= timedelta(hours=24) or int(minutes) >= 60:
            self.problem(f"time zone offset {value!r} is out of range")
            return None
        return timezone(-delta if sign == "-" else delta)

    # -- GPS ------------------------------------------------------------------------------------

    def _gps(self, gps: dict[int, Any]) -> GpsPosition | None:
        if gps.get(2) is None and gps.get(4) is None:
            return None  # a version or a datum, but no position
        lat = self._coordinate(gps.get(2), gps.get(1), "GPS latitude", "NS", 90.0)
        lon = self._coordinate(gps.get(4), gps.get(3), "GPS longitude", "EW", 180.0)
        if lat is None or lon is None:
            return None
        alt: float | None = None
        if gps.get(6) is not None:
            alt = self.number(gps[6], "GPS altitude", positive=False)
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
        numbers = [self.number(part, what, positive=False) for part in parts]
        if any(n is None for n in numbers):
            return None
        degrees = 0.0
        for number, scale in zip(numbers, (1.0, 60.0, 3600.0), strict=False):
            degrees += abs(number or 0.0) / scale
        negative = (numbers[0] or 0.0) < 0
        letter = (text(ref) or "").upper()[:1]
        if letter == refs[1]:
            negative = True
        elif letter != refs[0]:
            self.problem(f"{what} has no {refs[0]}/{refs[1]} reference; read as {refs[0]}")
        if degrees > limit:
            self.problem(f"{what} {degrees:g} is beyond ±{limit:g}°")
            return None
        return -degrees if negative else degrees
