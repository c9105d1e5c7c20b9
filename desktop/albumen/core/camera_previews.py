"""The pictures a camera stores in its files beside the photo: EXIF's small thumbnail, a RAW
file's preview, and the large thumbnail appended to a JPEG (MPF).

Why: they cost milliseconds to read where the photo costs a decode, so the grid shows one at once
while the real thumbnail is made (`embedded_preview`), and makes its thumbnails of a camera JPEG
from the large one when it can stand for the photo (`large_thumbnail`). Nothing a viewer is sent
is made from them (docs/DESIGN.md). None of this ever raises for a broken file: a picture that
cannot be read is passed over, and decoding the photo says what is wrong with it.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from albumen_photo import decode, formats, mpf
from albumen_photo.byteio import RandomAccess

__all__ = ["embedded_preview", "is_jpeg", "large_thumbnail"]

_MAX_EMBEDDED = 16 << 20  # an EXIF thumbnail is a few kB; anything this big is not one
_MAX_LARGE_THUMBNAIL = 16 << 20  # a camera's full-HD preview is 0.3 to 1 MB


def embedded_preview(path: Path) -> bytes | None:
    """The small JPEG the camera stored in the file (the EXIF thumbnail, or a RAW file's own
    preview), shown at once while the real thumbnail is being made; None when there is none
    that decodes. Never raises for a bad file."""
    path = Path(path)
    try:
        fmt = formats.identify(path)
    except OSError:
        return None
    data: bytes | None = None
    try:
        if fmt is not None and fmt.is_raw:
            data = _exif_thumbnail(path) if fmt.kind == "raw-tiff" else None
            data = data if is_jpeg(data) else _raw_preview_jpeg(path)
        elif fmt is not None and fmt.pillow is not None:
            data = _exif_thumbnail(path)
    except Exception:  # a broken file has no usable preview; the real thumbnail will say why
        return None
    return data if is_jpeg(data) else None


def _exif_thumbnail(path: Path) -> bytes | None:
    """The JPEG that EXIF's second directory (IFD1) points to."""
    with decode.open_image(path) as image:
        if image.format == "TIFF":
            # The thumbnail's offset is from the start of the file, which is the TIFF block.
            ifd1 = image.getexif().get_ifd(-1)
            source: bytes | None = None
        else:
            raw = image.info.get("exif")
            if not isinstance(raw, bytes) or not raw:
                return None
            source = raw[6:] if raw.startswith(b"Exif\x00\x00") else raw
            exif = Image.Exif()
            exif.load(source)
            ifd1 = exif.get_ifd(-1)
    offset, length = ifd1.get(0x0201), ifd1.get(0x0202)
    if not isinstance(offset, int) or not isinstance(length, int):
        return None
    if length <= 0 or length > _MAX_EMBEDDED:
        return None
    if source is not None:
        return source[offset : offset + length]
    with path.open("rb") as handle:
        handle.seek(offset)
        return handle.read(length)


def _raw_preview_jpeg(path: Path) -> bytes | None:
    import rawpy

    with decode.open_raw(path) as raw:
        thumb = raw.extract_thumb()
        if thumb.format == rawpy.ThumbFormat.JPEG:
            return bytes(thumb.data)
    return None


def is_jpeg(data: bytes | None) -> bool:
    """Whether ``data`` is a JPEG Pillow can read the header of (placeholders such as
    "<Dummy thumbnail image data>" are not)."""
    if not data or not data.startswith(b"\xff\xd8"):
        return False
    try:
        with Image.open(io.BytesIO(data), formats=("JPEG",)) as image:
            width, height = image.size
    except Exception:
        return False
    return width > 0 and height > 0


def large_thumbnail(path: Path, primary: Image.Image, edge: int) -> Image.Image | None:
    """The camera's large thumbnail of a JPEG (`albumen_photo.mpf`), opened, when it can stand
    for the photo at ``edge`` pixels: at least that large, of the photo's proportions within a
    pixel (a preview letterboxed or stored turned is not the photo) and in its colours (the
    same ICC profile, or none in either). Never raises: a preview that cannot be read is
    passed over."""
    if primary.format not in ("JPEG", "MPO"):
        return None
    width, height = primary.size
    profile = primary.info.get("icc_profile")
    try:
        with path.open("rb") as handle:
            for found in mpf.large_thumbnails(RandomAccess(handle)):
                if found.size > _MAX_LARGE_THUMBNAIL:
                    continue  # a "thumbnail" this big is read only to be passed over
                handle.seek(found.offset)
                preview = Image.open(io.BytesIO(handle.read(found.size)), formats=("JPEG",))
                w, h = preview.size
                if (
                    max(w, h) >= edge
                    and abs(w * height - h * width) <= max(width, height)
                    and preview.info.get("icc_profile") == profile
                ):
                    return preview
                preview.close()
    except Exception:  # a broken preview, or an MPF index that lies: the photo is decoded
        return None
    return None
