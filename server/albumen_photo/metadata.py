"""What a photo says about itself: camera, exposure, date, place, rights.

Why this module exists: before sharing, a photographer wants to check what each photo carries
(above all, where it was taken) and what a viewer of a link will see of it; the server wants a
photo's size, capture date and camera facts. Both read through :func:`read_metadata`, so both
sides agree on every value. Everything is read without decoding the image: EXIF (with Pillow,
for JPEG, PNG, WebP, TIFF and HEIC, and from the TIFF-like structures inside RAW files), XMP and
IPTC (whether they name a place; the photographer's credit, a position or a date when EXIF lacks
it), and the header of RAW files with LibRaw (rawpy) for their size and rotation.

The capture date follows one rule: EXIF DateTimeOriginal, else CreateDate (DateTimeDigitized),
else the XMP dates (exif:DateTimeOriginal, photoshop:DateCreated, xmp:CreateDate), else, as a
last resort, IFD0 DateTime (when the file was last changed: for a photo no editor touched, when
it was taken).

Metadata written by cameras and editors is often broken. None of that raises: a broken value is
left out and described in ``problems``; a file that cannot be read as a photo at all gets
``error`` with the reason. The owner's file is only ever opened for reading.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from albumen_photo import formats
from albumen_photo.blocks import jpeg_xmp, png_metadata_chunks, tiff_ifd0_bytes, xmp_packets_in
from albumen_photo.decode import open_image
from albumen_photo.exif_fields import (
    PIXEL_X,
    PIXEL_Y,
    ExifDirectories,
    ExifFields,
    exif_from,
    exif_from_bytes,
    positive_int,
)
from albumen_photo.raw import raw_size, vendor_exif
from albumen_photo.records import GpsPosition, PhotoMetadata
from albumen_photo.xmp_facts import read_iim, read_xmp

__all__ = ["GpsPosition", "PhotoMetadata", "read_metadata"]

_HEAD = 64
_RAW_HEAD = 4 << 20  # metadata of RAW files sits in their first megabytes
_TIFF_IPTC = 0x83BB
# GeoTIFF's tie points, pixel scale, transformation and geo keys place the image on Earth.
_GEOTIFF_TAGS = (0x8482, 0x830E, 0x85D8, 0x87AF)


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


@dataclass
class _Found:
    """Every metadata block found in one file before it becomes a PhotoMetadata."""

    exif: ExifDirectories = field(default_factory=ExifDirectories)
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
        self.values = ExifFields(self.problem)

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
            fmt = formats.identify(path, head) if head else None
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
        refused = formats.refusal(fmt)
        if fmt is not None and refused is not None:
            if fmt.kind == "unsupported":
                self.fields["format"] = fmt.key.upper()
            self.error = refused
            return
        if fmt is not None and fmt.is_raw:
            self._read_raw(fmt)
        else:
            self._read_image(fmt)

    # -- formats Pillow reads -------------------------------------------------------------------

    def _read_image(self, fmt: formats.PhotoFormat | None) -> None:
        try:
            image = open_image(self.path)
        except Image.UnidentifiedImageError:
            if fmt is not None and fmt.key in ("jpeg", "png", "webp", "tiff", "heic", "heif"):
                self.fields["format"] = fmt.key.upper()
                self.error = f"the file looks like {fmt.key.upper()} but is damaged or truncated"
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
            kind = "JPEG" if image.format == "MPO" else image.format
            self.fields["format"] = kind
            width, height = image.size
            found = self._blocks(image, kind)
            orientation = self._fill(found)
            if kind == "HEIF" or "original_orientation" in image.info:
                # pi-heif has libheif turn the image: its size is the displayed size, and the
                # rotation the file asks for is kept aside. (Pillow's own AVIF plugin does not:
                # there the EXIF orientation applies as for JPEG.)
                original = image.info.get("original_orientation")
                if isinstance(original, int) and 1 <= original <= 8:
                    self.fields["orientation"] = original
            elif orientation in (5, 6, 7, 8):
                width, height = height, width
            self.fields["width"], self.fields["height"] = width, height

    def _blocks(self, image: Image.Image, kind: str | None) -> _Found:
        """The EXIF, XMP and IPTC blocks of a file Pillow opened, wherever its format keeps
        them."""
        found = _Found()
        if kind == "PNG":
            self._png_chunks(found)
        elif kind in ("TIFF", "PSD", "GIF", "BMP"):
            found.exif = exif_from(image.getexif, self.problem)
            self._info_xmp(image, found)
            if kind == "TIFF":
                self._tiff_iptc(found)
                tags = getattr(image, "tag_v2", {})
                found.geotiff = any(tag in tags for tag in _GEOTIFF_TAGS)
        else:
            raw = image.info.get("exif")
            if isinstance(raw, bytes) and raw:
                found.exif = exif_from_bytes(raw, self.problem)
            if kind == "JPEG":
                found.xmp.extend(jpeg_xmp(getattr(image, "applist", [])))
                resources = image.info.get("photoshop")
                if isinstance(resources, dict):
                    # Photoshop image resources: 0x0404 is IPTC, 0x0424 is XMP.
                    if isinstance(resources.get(0x0404), bytes):
                        found.iptc.append(resources[0x0404])
                    if isinstance(resources.get(0x0424), bytes):
                        found.xmp.append(resources[0x0424])
            else:
                self._info_xmp(image, found)
        return found

    @staticmethod
    def _info_xmp(image: Image.Image, found: _Found) -> None:
        xmp = image.info.get("xmp")
        if isinstance(xmp, bytes | str):
            found.xmp.append(xmp.encode() if isinstance(xmp, str) else xmp)

    def _png_chunks(self, found: _Found) -> None:
        """EXIF and XMP of a PNG, wherever their chunks are (eXIf may follow the image data,
        which Pillow would only find by decoding the whole image)."""
        try:
            for kind, data in png_metadata_chunks(self.path):
                if kind == "exif":
                    found.exif = exif_from_bytes(data, self.problem)
                elif kind == "xmp":
                    found.xmp.append(data)
                elif kind == "iptc":
                    found.iptc.append(data)
        except (OSError, ValueError, zlib.error) as error:
            self.problem(f"PNG metadata chunks are damaged ({error})")

    def _tiff_iptc(self, found: _Found) -> None:
        """IPTC of a TIFF file (tag 33723). Pillow reads that tag as a single number, so its
        bytes are read here from the first directory."""
        try:
            data = tiff_ifd0_bytes(self.path, _TIFF_IPTC)
        except (OSError, struct.error) as error:
            self.problem(f"the IPTC tag of this TIFF file is unreadable ({error})")
            return
        if data:
            found.iptc.append(data)

    # -- RAW ----------------------------------------------------------------------------------

    def _read_raw(self, fmt: formats.PhotoFormat) -> None:
        key = fmt.key
        suffix = self.path.suffix.lower()
        # "NRW" rather than "NEF" when the file says so; a blob without a name by its format.
        self.fields["format"] = (suffix if suffix in fmt.suffixes else key).lstrip(".").upper()
        found = _Found()
        try:
            with self.path.open("rb") as handle:
                head = handle.read(_RAW_HEAD)
        except OSError as error:
            self.error = f"the file cannot be read ({error.strerror or error})"
            return
        if fmt.kind == "raw-tiff":
            self._raw_tiff(found)
        else:
            found.exif = vendor_exif(key, self.path, head, self.problem)
        if not found.xmp:
            found.xmp.extend(xmp_packets_in(head))
        orientation = self._fill(found)
        size, reason = raw_size(self.path)
        if size is not None:
            width, height = size.width, size.height
            if orientation is None and size.orientation is not None:
                self.fields["orientation"] = size.orientation
            if size.orientation in (5, 6, 7, 8):
                width, height = height, width
            self.fields["width"], self.fields["height"] = width, height
            return
        # The size the camera recorded; the TIFF structure's own first image is a preview.
        pixel_x = positive_int(found.exif.exif.get(PIXEL_X))
        pixel_y = positive_int(found.exif.exif.get(PIXEL_Y))
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
            found.exif = exif_from(image.getexif, self.problem)
            self._info_xmp(image, found)
        self._tiff_iptc(found)

    # -- turning blocks into fields -----------------------------------------------------------

    def _fill(self, found: _Found) -> int | None:
        """Set every field the EXIF, XMP and IPTC blocks give; returns the orientation."""
        f = self.fields
        orientation = self.values.fill(found.exif, f)
        xmp = read_xmp(found.xmp, self.problem)
        iim = read_iim(found.iptc, self.problem)
        elsewhere = [
            name for name, present in (("XMP", xmp.location), ("IPTC", iim.location)) if present
        ]
        if found.geotiff:
            elsewhere.append("GeoTIFF")
        f["location_elsewhere"] = tuple(elsewhere)
        if f.get("gps") is None and xmp.gps is not None:
            f["gps"] = xmp.gps
        f["artist"] = f["artist"] or xmp.creator or iim.byline
        f["copyright"] = f["copyright"] or xmp.rights or iim.copyright
        # The capture date rule (see the module's docstring).
        taken = (
            self.values.capture_date(found.exif)
            or xmp.taken_at
            or self.values.modify_date(found.exif)
        )
        if taken is not None:
            f["taken_at"], f["taken_at_offset"] = taken
        return orientation
