"""What a photo says about itself: camera, exposure, date, place, rights.

Why this module exists: before sharing, a photographer wants to check what each photo carries
(above all, where it was taken) and what a viewer of a link will see of it; the server wants a
photo's size, capture date and camera facts. Both read through :func:`read_metadata`, so both
sides agree on every value. Everything is read without decoding the image: the format from the
registry (:mod:`albumen_photo.formats`); size and orientation from Pillow's header parse, or for
RAW files from LibRaw's (:mod:`albumen_photo.raw`); the EXIF, XMP and IPTC blocks wherever the
format keeps them, with the container readers the stripper uses (:mod:`albumen_photo.blocks`);
their values turned into fields by :mod:`albumen_photo.exif_fields` and
:mod:`albumen_photo.xmp_facts`. The texts people read are :mod:`albumen_photo.describe`'s, what
a link's viewer sees of it :func:`albumen_photo.policy.viewer_sees`.

The capture date follows one rule: EXIF DateTimeOriginal, else CreateDate (DateTimeDigitized),
else the XMP dates (exif:DateTimeOriginal, photoshop:DateCreated, xmp:CreateDate), else, as a
last resort, IFD0 DateTime (when the file was last changed: for a photo no editor touched, when
it was taken).

Metadata written by cameras and editors is often broken. None of that raises: a broken value is
left out and described in ``problems``; a file that cannot be read as a photo at all gets
``error`` with the reason. The owner's file is only ever opened for reading.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image

from albumen_photo import formats
from albumen_photo.blocks import Blocks, find_blocks
from albumen_photo.decode import open_image, orientation_of
from albumen_photo.exif_fields import PIXEL_X, PIXEL_Y, ExifFields, positive_int
from albumen_photo.raw import raw_size
from albumen_photo.records import GpsPosition, PhotoMetadata
from albumen_photo.xmp_facts import read_iim, read_xmp

__all__ = ["GpsPosition", "PhotoMetadata", "read_metadata"]

_HEAD = 64


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
            if fmt is not None and fmt.pillow is not None:
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
            found = self._blocks(image, fmt)
            orientation = self._fill(found)
            if orientation is None and kind == "AVIF":
                # AVIF may say its rotation in irot/imir properties instead of EXIF; Pillow's
                # AVIF reader gives them as an EXIF orientation.
                orientation = orientation_of(image)
                self.fields["orientation"] = orientation if orientation != 1 else None
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

    def _blocks(self, image: Image.Image, fmt: formats.PhotoFormat | None) -> Blocks:
        """The EXIF, XMP and IPTC blocks, found by the container readers; a GIF's XMP, which
        only Pillow's GIF reader finds, from it."""
        with self.path.open("rb") as handle:
            found = find_blocks(handle, fmt, self.problem)
        xmp = image.info.get("xmp")
        if not found.xmp and isinstance(xmp, bytes | str):
            found.xmp.append(xmp.encode() if isinstance(xmp, str) else xmp)
        return found

    # -- RAW ----------------------------------------------------------------------------------

    def _read_raw(self, fmt: formats.PhotoFormat) -> None:
        suffix = self.path.suffix.lower()
        # "NRW" rather than "NEF" when the file says so; a blob without a name by its format.
        self.fields["format"] = (suffix if suffix in fmt.suffixes else fmt.key).lstrip(".").upper()
        try:
            with self.path.open("rb") as handle:
                found = find_blocks(handle, fmt, self.problem)
        except OSError as error:
            self.error = f"the file cannot be read ({error.strerror or error})"
            return
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

    # -- turning blocks into fields -----------------------------------------------------------

    def _fill(self, found: Blocks) -> int | None:
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
