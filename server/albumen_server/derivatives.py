"""The pictures a viewer gets (thumb, preview) and the facts a header tells about an original.

The owner's original stays byte-exact in the blob store; viewers only ever see JPEGs rendered
from it here. A derivative carries no metadata of its own (the cache layer adds back what a link
allows), so a viewer can never learn more from the pixels' file than the owner chose to show.
The colour profile is the one exception: it is part of how the picture looks, not a fact about
the owner.

Uploads come from anyone holding a token and the files are arbitrary bytes, so every entry point
turns every failure into a `DerivativeError` with a specific message and code, and refuses huge
images from their header before any pixel is decoded.
"""

from __future__ import annotations

import io
import re
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

import numpy as np
import pi_heif
import rawpy
from PIL import Image, ImageCms, ImageFile, UnidentifiedImageError

THUMB_EDGE: Final = 400
PREVIEW_EDGE: Final = 2048
MAX_PIXELS: Final = 250_000_000
"""Bigger than any camera (Phase One: 150 MP); beyond it a file counts as a decompression bomb."""

# Pillow's own guard warns above MAX_IMAGE_PIXELS and refuses above twice that. Its default
# (89 MP) would warn on, and at 179 MP refuse, real medium-format photos, so it is raised to our
# limit once, here; never lowered, in case the process already chose something stricter.
if Image.MAX_IMAGE_PIXELS is not None and Image.MAX_IMAGE_PIXELS < MAX_PIXELS:
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS

pi_heif.register_heif_opener()
Image.init()

# Only formats a photographer uploads are opened. Pillow knows many more, some of them risky on
# untrusted input (EPS hands the file to Ghostscript), so the list is closed.
_WANTED_FORMATS = ("JPEG", "PNG", "TIFF", "WEBP", "HEIF", "AVIF", "GIF", "BMP", "PSD")
_FORMATS: Final = tuple(name for name in _WANTED_FORMATS if name in Image.OPEN)

_CONTENT_TYPES: Final = {
    "JPEG": "image/jpeg",
    "MPO": "image/jpeg",  # a camera JPEG with a second picture appended; a JPEG to everyone
    "PNG": "image/png",
    "TIFF": "image/tiff",
    "WEBP": "image/webp",
    "AVIF": "image/avif",
    "GIF": "image/gif",
    "BMP": "image/bmp",
    "PSD": "image/vnd.adobe.photoshop",
}
_HEIC_BRANDS: Final = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"}

_HEAD_BYTES: Final = 1 << 20
"""What a header-only look reads: RAW makers keep their EXIF well inside the first MiB."""

_MIN_USEFUL_PREVIEW: Final = 1024
"""A RAW's embedded preview at least this big (or as big as asked) is used as is; old cameras
embed only 160 px thumbnails, and then the sensor data is developed instead."""

_ORIENTATION: Final = 0x0112
_EXIF_IFD: Final = 0x8769
_TRANSPOSE: Final = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
# LibRaw's `flip` (0, 3 = 180°, 5 = 90° counter-clockwise, 6 = 90° clockwise) as EXIF orientation.
_FLIP_TO_ORIENTATION: Final = {3: 3, 5: 8, 6: 6}

# TIFF-structured RAWs whose first IFD alone tells them from an ordinary TIFF.
_DNG_VERSION: Final = 0xC612
# Sony, Nikon/Epson packed, Samsung, Nikon compressed, lossy DNG, Kodak, Pentax.
_RAW_COMPRESSIONS: Final = {32767, 32769, 32770, 34713, 34892, 65000, 65535}
_RAW_PHOTOMETRICS: Final = {32803, 34892}  # CFA, LinearRaw
_TIFF_RAW_TYPES: Final = (
    ("NIKON", "image/x-nikon-nef"),
    ("SONY", "image/x-sony-arw"),
    ("PENTAX", "image/x-pentax-pef"),
    ("RICOH", "image/x-pentax-pef"),
    ("SAMSUNG", "image/x-samsung-srw"),
    ("HASSELBLAD", "image/x-hasselblad-3fr"),
    ("KODAK", "image/x-kodak-dcr"),
    ("EASTMAN KODAK", "image/x-kodak-dcr"),
    ("EPSON", "image/x-epson-erf"),
    ("MAMIYA", "image/x-mamiya-mef"),
    ("LEAF", "image/x-phaseone-iiq"),
    ("PHASE ONE", "image/x-phaseone-iiq"),
)
_GENERIC_RAW: Final = "image/x-dcraw"  # shared-mime-info's parent type of every camera RAW


class DerivativeError(Exception):
    """A file that cannot become a derivative; `code` is for machines, `str()` for people.

    Codes: ``not_an_image`` (not a format Albumen reads, or empty), ``decompression_bomb`` (more
    pixels than MAX_PIXELS, refused before decoding) and ``unreadable`` (recognised but corrupt,
    truncated or unreadable from disk).
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code

    def __reduce__(self) -> tuple[type[DerivativeError], tuple[str, str]]:
        # Keeps the code when the error crosses a process boundary (a worker pool).
        return (type(self), (self.code, str(self)))


@dataclass(frozen=True)
class ImageInfo:
    """What a header says about a photo, for the photo list: any field may be unknown.

    `width` and `height` are as displayed (after EXIF orientation). `taken_at` is always
    timezone-aware UTC: when the camera recorded its UTC offset (OffsetTimeOriginal) the exact
    instant, otherwise the camera's wall-clock time read as if it were UTC, because EXIF does not
    say where it was taken and the database keeps only aware times. Displayed in UTC it then
    shows the time the camera showed.
    """

    width: int | None
    height: int | None
    taken_at: datetime | None
    content_type: str | None


_NOTHING: Final = ImageInfo(None, None, None, None)


class _RawFailed(Exception):
    """The RAW path gave up; `opened` says whether LibRaw recognised the file at all."""

    def __init__(self, message: str, *, opened: bool) -> None:
        super().__init__(message)
        self.opened = opened


# ---------------------------------------------------------------------------------------------
# Public API


def probe(path: Path) -> ImageInfo:
    """Size, capture time and type from the header alone, for the photo list at upload time.

    Never raises: a photo the server cannot look into is still a photo the owner uploaded and
    may download byte-exact, so unknown facts are None rather than an error.
    """
    try:
        return _probe(path)
    except Exception:  # any odd file: the upload still goes through, just without these facts
        return _NOTHING


def render(path: Path, long_edge: int) -> bytes:
    """A JPEG of the photo, upright, at most `long_edge` px on its long side, metadata-free.

    Raises DerivativeError for anything that is not a decodable image of sane size, so the
    caller can answer one clear message per file and keep serving the rest of the album.
    """
    if long_edge < 1:
        raise ValueError(f"long_edge must be positive, not {long_edge}")
    name = path.name
    head = _read_head(path, name)
    if _raw_type(head) is not None:
        try:
            return _render_raw(path, name, long_edge)
        except _RawFailed as failure:
            raw_problem = str(failure)
        # Some RAW containers (CR2, NEF, DNG) are TIFFs whose first image Pillow can read.
        try:
            return _render_pillow(path, name, long_edge)
        except DerivativeError as error:
            if error.code == "decompression_bomb":
                raise
            raise DerivativeError(
                "unreadable", f"{name} could not be decoded: {raw_problem}"
            ) from error
    try:
        return _render_pillow(path, name, long_edge)
    except DerivativeError as error:
        if error.code != "not_an_image":
            raise
        # A RAW format not recognised above may still be one LibRaw knows.
        try:
            return _render_raw(path, name, long_edge)
        except _RawFailed as failure:
            if failure.opened:
                raise DerivativeError(
                    "unreadable", f"{name} could not be decoded: {failure}"
                ) from None
            raise error from None


# ---------------------------------------------------------------------------------------------
# Rendering


def _read_head(path: Path, name: str) -> bytes:
    try:
        with path.open("rb") as handle:
            head = handle.read(_HEAD_BYTES)
    except OSError as error:
        raise DerivativeError(
            "unreadable", f"{name} could not be read: {error.strerror or error}"
        ) from None
    if not head:
        raise DerivativeError("not_an_image", f"{name} is empty (0 bytes)")
    return head


def _too_big(name: str, width: int, height: int) -> DerivativeError:
    return DerivativeError(
        "decompression_bomb",
        f"{name} claims {width}x{height} pixels ({width * height / 1e6:.0f} MP), more than the"
        f" {MAX_PIXELS / 1e6:.0f} MP any camera makes; it was not decoded",
    )


def _check_pixels(name: str, width: int, height: int) -> None:
    if width * height > MAX_PIXELS:
        raise _too_big(name, width, height)


def _detail(error: BaseException, path: Path) -> str:
    """The library's reason, without the server's own paths (the message reaches viewers)."""
    text = str(error) or type(error).__name__
    return text.replace(str(path), path.name)


def _render_pillow(source: Path, name: str, long_edge: int) -> bytes:
    try:
        with Image.open(source, formats=_FORMATS) as image:
            return _encode(image, name, long_edge, orientation=None)
    except DerivativeError:
        raise
    except UnidentifiedImageError:
        raise DerivativeError(
            "not_an_image",
            f"{name} is not an image Albumen can read (JPEG, PNG, TIFF, WebP, HEIC, AVIF, GIF,"
            " BMP, PSD or a camera RAW): cannot identify image file",
        ) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise DerivativeError(
            "decompression_bomb",
            f"{name} has more pixels than the {MAX_PIXELS / 1e6:.0f} MP any camera makes;"
            f" it was not decoded ({_detail(error, source)})",
        ) from None
    except Exception as error:  # corrupt, truncated, unsupported variant: all just unreadable
        raise DerivativeError(
            "unreadable", f"{name} could not be decoded: {_detail(error, source)}"
        ) from None


def _encode(image: Image.Image, name: str, long_edge: int, orientation: int | None) -> bytes:
    """Shrink first and turn after: transposing the small image costs next to nothing."""
    width, height = image.size
    _check_pixels(name, width, height)
    if orientation is None:
        orientation = _orientation(image.getexif())
    icc = image.info.get("icc_profile")
    scale = min(1.0, long_edge / max(width, height))
    target = (max(1, round(width * scale)), max(1, round(height * scale)))
    # JPEG decodes straight at 1/2, 1/4 or 1/8 scale (HEIC picks an embedded thumbnail); both
    # only work before the first pixel access, so this must come before anything below.
    image.draft("RGB", target)
    work = _resamplable(image)
    work.thumbnail((long_edge, long_edge), Image.Resampling.LANCZOS)
    if transpose := _TRANSPOSE.get(orientation):
        work = work.transpose(transpose)
    out, keep_icc = _to_rgb(_flatten(work), icc if isinstance(icc, bytes) else None)
    if out is image or isinstance(out, ImageFile.ImageFile):
        out = out.copy()
    out.info = {}  # JPEG's writer would carry the source's comment (COM) over otherwise
    buffer = io.BytesIO()
    out.save(
        buffer,
        format="JPEG",
        quality=85 if long_edge <= THUMB_EDGE else 88,
        optimize=True,
        progressive=True,
        icc_profile=keep_icc,
    )
    return buffer.getvalue()


def _resamplable(image: Image.Image) -> Image.Image:
    """A mode Pillow resamples well: palette and 1-bit images would fall back to nearest."""
    mode = image.mode
    if mode == "P":
        return image.convert("RGBA" if "transparency" in image.info else "RGB")
    if mode == "PA":
        return image.convert("RGBA")
    if mode == "1":
        return image.convert("L")
    if mode.startswith("I;16"):
        return image.convert("I")  # lossless; scaled to 8 bits after shrinking
    if mode in ("RGB", "RGBA", "L", "LA", "CMYK", "I", "F"):
        return image
    return image.convert("RGB")


def _flatten(image: Image.Image) -> Image.Image:
    """Transparent areas become white, as on the viewer's page, instead of JPEG's black."""
    if image.mode in ("RGBa", "La"):
        image = image.convert(image.mode.upper())
    if image.mode not in ("RGBA", "LA"):
        return image
    base = image.mode[:-1]
    background = Image.new(base, image.size, "white")
    background.paste(image.convert(base), mask=image.getchannel("A"))
    return background


def _eight_bit(image: Image.Image) -> Image.Image:
    """16-bit and float greys to 8 bits by scaling: Pillow's own conversion clips to white."""
    values = np.asarray(image, dtype=np.float64)
    if image.mode == "F":
        values = np.nan_to_num(values)
        if values.size and values.max() <= 1.0:
            values = values * 255.0
    else:
        values = values / 257.0
    return Image.fromarray(np.clip(np.rint(values), 0, 255).astype(np.uint8))


def _to_rgb(image: Image.Image, icc: bytes | None) -> tuple[Image.Image, bytes | None]:
    """RGB pixels and the profile that describes them (None means sRGB to every browser)."""
    if image.mode in ("I", "F"):
        image = _eight_bit(image)
    space = icc[16:20] if icc and len(icc) >= 128 else None
    if icc and space != b"RGB ":
        # A CMYK or grey profile cannot describe RGB pixels: convert through it to sRGB instead.
        try:
            converted = ImageCms.profileToProfile(
                image,
                ImageCms.ImageCmsProfile(io.BytesIO(icc)),
                ImageCms.createProfile("sRGB"),  # per call: lcms profiles are not thread-safe
                outputMode="RGB",
            )
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            converted = None
        if converted is not None:
            return converted, None
    if image.mode != "RGB":
        image = image.convert("RGB")
    return image, icc if space == b"RGB " else None


def _render_raw(path: Path, name: str, long_edge: int) -> bytes:
    """From the camera's own embedded preview: fast, and looks as the photographer saw it."""
    try:
        raw = rawpy.imread(str(path))
    except Exception as error:  # LibRaw does not know this file
        raise _RawFailed(_libraw_message(error), opened=False) from None
    with raw:
        try:
            sizes = raw.sizes
            _check_pixels(name, sizes.raw_width, sizes.raw_height)
            sensor_long = max(sizes.width, sizes.height)
            flip_orientation = _FLIP_TO_ORIENTATION.get(sizes.flip, 1)
        except DerivativeError:
            raise
        except Exception as error:
            raise _RawFailed(_libraw_message(error), opened=True) from None
        preview = _embedded_preview(raw)
        try:
            wanted = min(long_edge, sensor_long, _MIN_USEFUL_PREVIEW)
            if preview is not None and max(preview.size) >= wanted:
                return _encode_preview(preview, name, long_edge, flip_orientation)
            try:
                developed = _develop(raw, long_edge, sensor_long)
            except Exception as error:
                if preview is not None:
                    return _encode_preview(preview, name, long_edge, flip_orientation)
                raise _RawFailed(
                    f"no embedded preview, and the sensor data could not be developed"
                    f" ({_libraw_message(error)})",
                    opened=True,
                ) from None
            with developed:
                return _encode(developed, name, long_edge, orientation=1)
        finally:
            if preview is not None:
                preview.close()


def _embedded_preview(raw: Any) -> Image.Image | None:
    try:
        thumb = raw.extract_thumb()
        if thumb.format == rawpy.ThumbFormat.JPEG:
            return Image.open(io.BytesIO(thumb.data), formats=("JPEG",))
        if thumb.format == rawpy.ThumbFormat.BITMAP:
            return Image.fromarray(np.ascontiguousarray(thumb.data, dtype=np.uint8))
    except Exception:  # no preview, or one that is not a picture: develop the sensor data
        return None
    return None


def _encode_preview(preview: Image.Image, name: str, long_edge: int, flip: int) -> bytes:
    try:
        own = _orientation(preview.getexif())
        # The RAW's own flip, unless the preview says how to turn itself.
        return _encode(preview, name, long_edge, orientation=own if own != 1 else flip)
    except DerivativeError:
        raise
    except Exception as error:
        raise _RawFailed(f"its embedded preview is broken ({error})", opened=True) from None


def _develop(raw: Any, long_edge: int, sensor_long: int) -> Image.Image:
    """Demosaic at half size when that is still big enough: four times less work."""
    pixels = raw.postprocess(
        half_size=sensor_long // 2 >= long_edge, use_camera_wb=True, output_bps=8
    )
    return Image.fromarray(np.ascontiguousarray(pixels, dtype=np.uint8))  # LibRaw applied flip


def _libraw_message(error: BaseException) -> str:
    """LibRaw's reasons arrive as bytes reprs (b'...'); people should read plain text."""
    reason = error.args[0] if error.args else type(error).__name__
    if isinstance(reason, bytes):
        reason = reason.decode("utf-8", "replace")
    return str(reason)


# ---------------------------------------------------------------------------------------------
# Probing


def _probe(path: Path) -> ImageInfo:
    with path.open("rb") as handle:
        head = handle.read(_HEAD_BYTES)
    if not head:
        return _NOTHING
    raw_type = _raw_type(head)
    if raw_type is not None:
        ifd0, exif = _raw_exif(head)
        size = _raw_size(path) or _pillow_size(path)
        return ImageInfo(
            size[0] if size else None, size[1] if size else None, _taken_at(ifd0, exif), raw_type
        )
    try:
        with Image.open(path, formats=_FORMATS) as image:
            tags = _header_exif(image)
            width, height = image.size
            if _orientation(tags) in (5, 6, 7, 8):
                width, height = height, width
            return ImageInfo(
                width,
                height,
                _taken_at(tags, tags.get_ifd(_EXIF_IFD)),
                _content_type(image.format, head),
            )
    except UnidentifiedImageError:
        size = _raw_size(path)  # a RAW format not recognised from its header
        if size is None:
            return _NOTHING
        ifd0, exif = _raw_exif(head)
        return ImageInfo(size[0], size[1], _taken_at(ifd0, exif), _GENERIC_RAW)


def _header_exif(image: Image.Image) -> Image.Exif:
    """EXIF without decoding: Pillow's PNG getexif() decodes the whole image to look after it."""
    if image.format != "PNG" or "exif" in image.info:
        return image.getexif()
    tags = Image.Exif()
    xmp = image.info.get("XML:com.adobe.xmp") or image.info.get("xmp")
    if isinstance(xmp, bytes):
        xmp = xmp.decode("utf-8", "replace")
    if isinstance(xmp, str) and (match := re.search(r'tiff:Orientation(?:="|>)([0-9])', xmp)):
        tags[_ORIENTATION] = int(match[1])
    return tags


def _orientation(tags: Mapping[int, Any]) -> int:
    value = tags.get(_ORIENTATION)
    return value if isinstance(value, int) and value in _TRANSPOSE else 1


def _content_type(image_format: str | None, head: bytes) -> str | None:
    if image_format == "HEIF":
        brands = {head[8:12]} | {
            head[index : index + 4] for index in range(16, min(len(head), 64), 4)
        }
        return "image/heic" if brands & _HEIC_BRANDS else "image/heif"
    return _CONTENT_TYPES.get(image_format or "")


def _pillow_size(path: Path) -> tuple[int, int] | None:
    try:
        with Image.open(path, formats=_FORMATS) as image:
            width, height = image.size
            if _orientation(_header_exif(image)) in (5, 6, 7, 8):
                width, height = height, width
            return width, height
    except Exception:  # probe never raises; an unknown size is just unknown
        return None


def _raw_size(path: Path) -> tuple[int, int] | None:
    """The photo's size as the camera states it (its default crop), from LibRaw's header parse."""
    try:
        with rawpy.imread(str(path)) as raw:
            sizes = raw.sizes
            width = getattr(sizes, "crop_width", 0) or sizes.width
            height = getattr(sizes, "crop_height", 0) or sizes.height
            if sizes.flip in (5, 6):
                width, height = height, width
            return (int(width), int(height)) if width and height else None
    except Exception:  # LibRaw does not know it: size unknown
        return None


def _raw_type(head: bytes) -> str | None:
    """The RAW's content type from its first bytes (blobs have no file name to go by)."""
    if head[4:12] == b"ftypcrx ":
        return "image/x-canon-cr3"
    if head[:2] == b"II" and head[6:14] == b"HEAPCCDR":
        return "image/x-canon-crw"
    if head.startswith(b"FUJIFILMCCD-RAW"):
        return "image/x-fuji-raf"
    if head[:4] in (b"IIRO", b"IIRS", b"MMOR"):
        return "image/x-olympus-orf"
    if head[:4] == b"IIU\x00":
        return "image/x-panasonic-rw2"
    if head[:4] == b"\x00MRM":
        return "image/x-minolta-mrw"
    if head[:4] == b"FOVb":
        return "image/x-sigma-x3f"
    if head[:4] not in (b"II*\x00", b"MM\x00*"):
        return None
    if head[8:11] == b"CR\x02":
        return "image/x-canon-cr2"
    if head[8:12] == b"IIII":
        return "image/x-phaseone-iiq"
    ifd0, _ = _tiff_tags(head)
    if _DNG_VERSION in ifd0:
        return "image/x-adobe-dng"
    make = ifd0.get(0x010F)
    if not isinstance(make, str) or not make:
        return None
    # A camera's TIFF-based RAW: its first IFD is a reduced preview, points to sub-IFDs, or is
    # itself sensor data. An ordinary TIFF (even one that names the camera) is none of these.
    if not (
        ifd0.get(0x00FE) == 1
        or 0x014A in ifd0
        or ifd0.get(0x0103) in _RAW_COMPRESSIONS
        or ifd0.get(0x0106) in _RAW_PHOTOMETRICS
    ):
        return None
    upper = make.upper()
    return next((kind for brand, kind in _TIFF_RAW_TYPES if upper.startswith(brand)), _GENERIC_RAW)


def _raw_exif(head: bytes) -> tuple[dict[int, Any], dict[int, Any]]:
    """IFD0 and the EXIF IFD of a RAW, wherever its format keeps them."""
    if head[4:12] == b"ftypcrx ":  # CR3: IFD0 in the CMT1 box, the EXIF IFD in CMT2
        cmt1, cmt2 = head.find(b"CMT1"), head.find(b"CMT2")
        ifd0 = _tiff_tags(head[cmt1 + 4 :])[0] if cmt1 >= 0 else {}
        exif = _tiff_tags(head[cmt2 + 4 :])[0] if cmt2 >= 0 else {}
        return ifd0, exif
    if head[:2] in (b"II", b"MM") and head[6:14] != b"HEAPCCDR":  # TIFF-like: CR2, NEF, ORF…
        return _tiff_tags(head)
    if head[:4] == b"\x00MRM" and (ttw := head.find(b"\x00TTW")) >= 0:
        return _tiff_tags(head[ttw + 8 :])
    if (exif_start := head.find(b"Exif\x00\x00")) >= 0:  # RAF, X3F: inside the embedded JPEG
        return _tiff_tags(head[exif_start + 6 :])
    return {}, {}


_TYPE_SIZES: Final = {1: 1, 2: 1, 3: 2, 4: 4, 7: 1, 9: 4, 13: 4}


def _tiff_tags(data: bytes) -> tuple[dict[int, Any], dict[int, Any]]:
    """IFD0 and the EXIF IFD of TIFF-structured bytes, read leniently.

    A few plain tags are all that is needed, and RAW makers vary the magic number (ORF, RW2),
    which Pillow's TIFF reader refuses; it also warns about every tag pointing past the bytes
    read, which cannot be silenced per call without touching global state.
    """
    if len(data) < 8 or data[:2] not in (b"II", b"MM"):
        return {}, {}
    endian = "<" if data[:2] == b"II" else ">"
    (first,) = struct.unpack_from(endian + "I", data, 4)
    ifd0 = _ifd(data, first, endian)
    pointer = ifd0.get(_EXIF_IFD)
    exif = _ifd(data, pointer, endian) if isinstance(pointer, int) else {}
    return ifd0, exif


def _ifd(data: bytes, offset: int, endian: str) -> dict[int, Any]:
    if offset < 8 or offset + 2 > len(data):
        return {}
    (count,) = struct.unpack_from(endian + "H", data, offset)
    tags: dict[int, Any] = {}
    for index in range(min(count, 1000)):
        entry = offset + 2 + 12 * index
        if entry + 12 > len(data):
            break
        tag, kind, number = struct.unpack_from(endian + "HHI", data, entry)
        size = _TYPE_SIZES.get(kind)
        if size is None or number == 0:
            continue
        length = size * number
        start = entry + 8 if length <= 4 else struct.unpack_from(endian + "I", data, entry + 8)[0]
        if start + (length if kind == 2 else size) > len(data):
            continue
        if kind == 2:
            tags[tag] = data[start : start + length].split(b"\x00", 1)[0].decode("latin-1").strip()
        elif kind == 3:
            tags[tag] = struct.unpack_from(endian + "H", data, start)[0]
        elif kind in (4, 13):
            tags[tag] = struct.unpack_from(endian + "I", data, start)[0]
        elif kind == 9:
            tags[tag] = struct.unpack_from(endian + "i", data, start)[0]
        else:
            tags[tag] = data[start]
    return tags


_STAMP: Final = re.compile(r"(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_OFFSET: Final = re.compile(r"([+-])(\d{2}):?(\d{2})")
# (timestamp tag, the IFD holding it, its OffsetTime tag, its SubSecTime tag); the offset and
# sub-second tags always live in the EXIF IFD.
_STAMPS: Final = (
    (0x9003, "exif", 0x9011, 0x9291),  # DateTimeOriginal: when the shutter fired
    (0x9004, "exif", 0x9012, 0x9292),  # DateTimeDigitized: the same for a camera, else a scan
    (0x0132, "ifd0", 0x9010, 0x9290),  # DateTime: last change, better than nothing
)


def _taken_at(ifd0: Mapping[int, Any], exif: Mapping[int, Any]) -> datetime | None:
    """When the photo was taken, aware UTC (see ImageInfo for a missing offset)."""
    for stamp_tag, where, offset_tag, subsec_tag in _STAMPS:
        stamp = _parse_stamp((exif if where == "exif" else ifd0).get(stamp_tag))
        if stamp is None:
            continue
        subsec = _text(exif.get(subsec_tag))
        digits = re.match(r"\d+", subsec or "")
        if digits:
            stamp = stamp.replace(microsecond=int(digits[0][:6].ljust(6, "0")))
        offset = _parse_offset(exif.get(offset_tag))
        return (stamp - offset if offset is not None else stamp).replace(tzinfo=UTC)
    return None


def _text(value: Any) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    return value.strip("\x00 ") if isinstance(value, str) else None


def _parse_stamp(value: Any) -> datetime | None:
    text = _text(value)
    match = _STAMP.fullmatch(text) if text else None
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(part) for part in match.groups())
    try:
        return datetime(year, month, day, hour, minute, second)  # zone applied by the caller
    except ValueError:  # 0000:00:00 00:00:00 and other placeholders
        return None


def _parse_offset(value: Any) -> timedelta | None:
    text = _text(value)
    match = _OFFSET.fullmatch(text) if text else None
    if match is None:
        return None
    sign, hours, minutes = match.groups()
    offset = timedelta(hours=int(hours), minutes=int(minutes))
    if offset > timedelta(hours=14) or int(minutes) >= 60:
        return None
    return -offset if sign == "-" else offset
