"""Turning a photo file into pixels fit for a small JPEG: the steps the desktop's thumbnails and
the server's derivatives share.

Both make small, upright, RGB JPEGs from the owner's files, and both must refuse a decompression
bomb before a pixel is decoded, open only the photo formats (never every format Pillow knows),
and take a RAW's picture from the preview its camera embedded. Kept here once so that a fix to
one (a colour profile, a 16-bit PNG, a RAW's rotation) is a fix to both.

numpy is imported by the functions that need it (16-bit and float pictures, RAW), not with the
module: importing it took 90 ms of every start of `albumen share` and of the app, and started
OpenBLAS's threads, for JPEGs that never use it.
"""

from __future__ import annotations

import contextlib
import functools
import io
from pathlib import Path
from typing import IO, Any

from PIL import Image, ImageCms, ImageFile

from albumen_photo.formats import MAX_PIXELS, PILLOW_FORMATS

__all__ = [
    "FLIP_TO_ORIENTATION",
    "TooManyPixels",
    "check_pixels",
    "develop_raw",
    "draft_size",
    "eight_bit",
    "fitted_size",
    "jpeg_bytes",
    "libraw_message",
    "load_plugins",
    "open_image",
    "open_raw",
    "orientation_of",
    "raw_preview",
    "resamplable",
    "to_rgb",
    "upright",
]

# Pillow warns above MAX_IMAGE_PIXELS and refuses above twice that. Its default (89 MP) would
# warn on, and at 179 MP refuse, real medium-format photos, so it is raised to our limit, which
# is checked before decoding; never lowered, in case the process already chose something stricter.
if Image.MAX_IMAGE_PIXELS is not None and Image.MAX_IMAGE_PIXELS < MAX_PIXELS:
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS

FLIP_TO_ORIENTATION = {0: 1, 3: 3, 5: 8, 6: 6}
"""LibRaw's "flip" (0, 3 = 180°, 5 = 90° counter-clockwise, 6 = 90° clockwise) as an EXIF
orientation."""

_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


class TooManyPixels(ValueError):
    """A file claims more pixels than :data:`~albumen_photo.formats.MAX_PIXELS`; the message
    follows the file's name ("photo.png claims 20000x20000 pixels...")."""

    def __init__(self, width: int, height: int) -> None:
        super().__init__(
            f"claims {width}x{height} pixels ({width * height / 1e6:.0f} MP), more than the"
            f" {MAX_PIXELS // 1_000_000} MP any camera makes (a decompression bomb?);"
            " it was not decoded"
        )
        self.width, self.height = width, height


def check_pixels(width: int, height: int) -> None:
    """Raise :class:`TooManyPixels` for a size over the limit: call before decoding."""
    if width * height > MAX_PIXELS:
        raise TooManyPixels(width, height)


_PLUGIN_MODULES = {
    "JPEG": "PIL.JpegImagePlugin",
    "PNG": "PIL.PngImagePlugin",
    "WEBP": "PIL.WebPImagePlugin",
    "TIFF": "PIL.TiffImagePlugin",
    "AVIF": "PIL.AvifImagePlugin",
    "GIF": "PIL.GifImagePlugin",
    "BMP": "PIL.BmpImagePlugin",
    "PSD": "PIL.PsdImagePlugin",
}
"""The Pillow module that registers each photo format's opener (HEIF comes from pi-heif)."""


@functools.cache
def load_plugins() -> tuple[str, ...]:
    """Register the openers of the photo formats, and only those; returns their Pillow names.

    Done once per process, and it takes a while: pi-heif and the plugins are imported with the
    GIL held, during which no other thread runs Python (about 60 ms with Pillow's `Image.init()`,
    which imports all of its forty-odd plugins; under 20 ms for these nine). The app
    calls this in the background as its window opens, so the first photos dropped do not stall
    the window while it happens. A plugin this Pillow lacks is left to `Image.init()`."""
    import importlib

    import pi_heif

    pi_heif.register_heif_opener()
    for name in PILLOW_FORMATS:
        module = _PLUGIN_MODULES.get(name)
        if module is not None and name not in Image.OPEN:
            # An older Pillow may lack the format: then `Image.init()` below has its say.
            with contextlib.suppress(ImportError):
                importlib.import_module(module)
    if any(name not in Image.OPEN for name in PILLOW_FORMATS):
        Image.init()
    return tuple(name for name in PILLOW_FORMATS if name in Image.OPEN)


JPEG_READ = 32 * 1024 * 1024
"""How much of a JPEG Pillow hands its decoder at once: the whole file of any camera's photo."""


def open_image(source: Path | IO[bytes]) -> Image.Image:
    """Open with Pillow's plugins for the photo formats only (lazily: no pixel is decoded).

    A JPEG is then decoded from one read of the file, not 64 KiB at a time: Pillow lets go of
    the GIL for each piece it decodes and takes it back after, so a 24 MP photo took it back
    150 times, and every time another thread (the app's GUI thread, a server's event loop)
    could be made to wait for it. The decoder itself does the same work either way.

    Raises what Pillow raises: UnidentifiedImageError for anything else.
    """
    image = Image.open(source, formats=load_plugins())
    if image.format == "JPEG" and isinstance(image, ImageFile.ImageFile):
        image.decodermaxblock = JPEG_READ
    return image


def orientation_of(image: Image.Image) -> int:
    """The EXIF orientation (1 to 8) to apply to the decoded pixels; 1 when there is none or
    the decoder turned the image already (pi-heif has libheif do so for HEIC).

    A PNG's EXIF chunk may follow its image data, so Pillow decodes the pixels to look for it;
    that decode happens here, outside the guard for broken EXIF, and raises what the decoder
    raises: damaged pixels would otherwise stay behind as a black picture."""
    if image.format == "HEIF" or "original_orientation" in image.info:
        return 1
    if image.format == "PNG":
        image.load()
    try:
        value = image.getexif().get(0x0112)
    except Exception:  # broken EXIF: show the image as stored
        return 1
    return value if isinstance(value, int) and value in _TRANSPOSE else 1


def upright(image: Image.Image, orientation: int) -> Image.Image:
    """The image turned as its EXIF orientation asks (the same image for 1 or an unknown)."""
    transpose = _TRANSPOSE.get(orientation)
    return image.transpose(transpose) if transpose is not None else image


def fitted_size(width: int, height: int, box: tuple[int, int]) -> tuple[int, int]:
    """``width`` × ``height`` scaled down, proportions kept, to fit in ``box`` (never enlarged)."""
    scale = min(1.0, box[0] / max(width, 1), box[1] / max(height, 1))
    return max(1, round(width * scale)), max(1, round(height * scale))


def draft_size(width: int, height: int, edge: int) -> tuple[int, int]:
    """The size to ask JPEG's DCT scaling for: the image scaled so its long edge is ``edge``.

    Draft keeps both sides at least this big, so asking for (edge, edge) would keep a 3:2 photo
    at twice the needed scale."""
    return fitted_size(width, height, (edge, edge))


def resamplable(image: Image.Image) -> Image.Image:
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
    if mode in ("RGB", "RGBA", "L", "LA", "CMYK", "I", "F", "RGBa", "La"):
        return image
    return image.convert("RGB")


def eight_bit(image: Image.Image) -> Image.Image:
    """16-bit and float greys to 8 bits by scaling: Pillow's own conversion clips to white."""
    import numpy as np

    values = np.nan_to_num(np.asarray(image, dtype=np.float64))
    if image.mode == "F":
        if values.size and values.max() <= 1.0:
            values = values * 255.0
    else:
        values = values / 257.0
    return Image.fromarray(np.clip(np.rint(values), 0, 255).astype(np.uint8))


def _flatten(image: Image.Image) -> Image.Image:
    """Transparent areas become white, as on the viewer's page, instead of JPEG's black."""
    if image.mode in ("P", "PA"):
        image = resamplable(image)
    if image.mode in ("RGBa", "La"):
        image = image.convert(image.mode.upper())
    if image.mode not in ("RGBA", "LA"):
        return image
    base = image.mode[:-1]
    background = Image.new(base, image.size, "white")
    background.paste(image.convert(base), mask=image.getchannel("A"))
    return background


def to_rgb(image: Image.Image, icc: object) -> tuple[Image.Image, bytes | None]:
    """RGB pixels for a JPEG, and the colour profile that describes them (None: sRGB to every
    browser). 16-bit and float greys are scaled, transparency becomes white, and pixels whose
    profile cannot describe RGB (CMYK, grey) are converted through it to sRGB."""
    profile = icc if isinstance(icc, bytes) and icc else None
    if image.mode in ("I", "F") or image.mode.startswith("I;16"):
        image = eight_bit(image)
    image = _flatten(image)
    space = profile[16:20] if profile and len(profile) >= 128 else None
    if profile and space != b"RGB ":
        try:
            converted = ImageCms.profileToProfile(
                image,
                ImageCms.ImageCmsProfile(io.BytesIO(profile)),
                ImageCms.createProfile("sRGB"),  # per call: lcms profiles are not thread-safe
                outputMode="RGB",
            )
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            converted = None
        if isinstance(converted, Image.Image):
            return converted, None
    if image.mode != "RGB":
        image = image.convert("RGB")
    return image, profile if space == b"RGB " else None


def jpeg_bytes(image: Image.Image, quality: int, icc: bytes | None, **options: Any) -> bytes:
    """Encode as JPEG with nothing of the source's info carried over but the given profile."""
    if isinstance(image, Image.Image) and image.info:
        image = image.copy()
        image.info = {}  # JPEG's writer would carry the source's comment (COM) over otherwise
    out = io.BytesIO()
    if icc:
        options["icc_profile"] = icc
    image.save(out, format="JPEG", quality=quality, **options)
    return out.getvalue()


# RAW ------------------------------------------------------------------------------------------


# LibRaw's errors often come with no text but their class name, which means nothing to a
# photographer ("LibRawFileUnsupportedError"): said in words instead.
_LIBRAW_WORDS = {
    "LibRawFileUnsupportedError": "its camera or format is not supported",
    "LibRawIOError": "it could not be read to the end",
    "LibRawDataError": "its image data is damaged",
    "LibRawTooBigError": "it is too big to open",
    "LibRawRequestForNonexistentImageError": "it holds no image",
    "LibRawInsufficientMemoryError": "there was not enough memory to open it",
    "LibRawUnspecifiedError": "LibRaw could not open it",
}


def libraw_message(error: BaseException) -> str:
    """LibRaw's reason in words a person reads: its bytes reprs (b'...') decoded, its bare
    exception names replaced."""
    reason = error.args[0] if error.args else ""
    if isinstance(reason, bytes):
        reason = reason.decode("utf-8", "replace")
    text = str(reason).strip()
    name = type(error).__name__
    if not text or text == name:
        return _LIBRAW_WORDS.get(name, "LibRaw could not open it")
    return text


def open_raw(path: Path) -> Any:
    """LibRaw's handle on a RAW file (a context manager); raises LibRaw's errors."""
    import rawpy

    return rawpy.imread(str(path))


def raw_preview(raw: Any) -> Image.Image | None:
    """The preview the camera embedded in the RAW, opened lazily; None when there is none that
    is a picture. Its own EXIF orientation, if any, overrides the RAW's flip."""
    import numpy as np
    import rawpy

    try:
        thumb = raw.extract_thumb()
        if thumb.format == rawpy.ThumbFormat.JPEG:
            return Image.open(io.BytesIO(bytes(thumb.data)), formats=("JPEG",))
        if thumb.format == rawpy.ThumbFormat.BITMAP:
            return Image.fromarray(np.ascontiguousarray(thumb.data, dtype=np.uint8))
    except Exception:  # no preview, or one that is not a picture
        return None
    return None


def develop_raw(raw: Any, half_size: bool) -> Image.Image:
    """The sensor data demosaicked (at half size: four times less work), flip applied."""
    import numpy as np

    pixels = raw.postprocess(half_size=half_size, use_camera_wb=True, output_bps=8)
    return Image.fromarray(np.ascontiguousarray(pixels, dtype=np.uint8))
