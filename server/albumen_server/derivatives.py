"""The pictures a viewer gets (thumbnails, preview, large) and what a header tells of an original.

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

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from PIL import Image, ImageFile, UnidentifiedImageError

from albumen_photo import decode, formats
from albumen_photo.formats import MAX_PIXELS
from albumen_photo.metadata import PhotoMetadata, read_metadata
from albumen_photo.raw import raw_size

__all__ = [
    "LARGE",
    "MAX_PIXELS",
    "PREVIEW",
    "PREVIEW_EDGE",
    "SMALL",
    "THUMB",
    "DerivativeError",
    "ImageInfo",
    "Rendition",
    "probe",
    "render",
    "render_many",
]


@dataclass(frozen=True)
class Rendition:
    """One kind of derivative: the box its pixels fit in once upright, and its JPEG quality."""

    width: int
    height: int
    quality: int

    def __post_init__(self) -> None:
        if self.width < 1 or self.height < 1:
            raise ValueError(f"a rendition needs a box of at least 1 px, not {self}")

    @property
    def name(self) -> str:
        """Unique per box and quality: cached pictures of another rendition are never served."""
        return f"{self.width}x{self.height}q{self.quality}"

    def size_for(self, width: int, height: int) -> tuple[int, int]:
        """The size of this rendition's picture of an upright photo of `width` × `height`
        (what a page can say of a picture before it is made)."""
        return decode.fitted_size(width, height, (self.width, self.height))

    def box(self, orientation: int) -> tuple[int, int]:
        """The box for pixels as stored, before `orientation` turns them (5 to 8: a quarter)."""
        return (
            (self.height, self.width) if orientation in (5, 6, 7, 8) else (self.width, self.height)
        )


THUMB: Final = Rendition(1440, 480, 80)
"""The gallery's thumbnail, bounded by its height. The viewer's justified grid gives every photo
of a row one height (220 CSS px on a laptop, 132 on a phone), so a panorama needs as many rows of
pixels as a portrait: 480 covers a laptop's row on a 2× screen and a phone's on a 3× one. The
400 px long edge before left a 3:2 photo upscaled 1.6× on a 2× laptop and a 3:1 panorama 3.3×,
visibly soft; at 2× and more, quality 80 looks as 85 did. A 3:2 photo's is 720 × 480."""

SMALL: Final = Rendition(960, 320, 85)
"""The gallery's thumbnail on a screen of about one device pixel per CSS pixel (most desktop
monitors; Windows at 125 %), where `THUMB` would be 2.25 times the bytes for nothing: 320 rows
leave room for a row up to 1.45 times the grid's 220 px target (the grid keeps its rows close to
it). At 1× JPEG's artefacts show, so quality 85. A 3:2 photo's is 480 × 320. Made in the same
decode as `THUMB`."""

PREVIEW: Final = Rendition(2048, 2048, 88)
"""The lightbox's picture and the web-size download: 2048 px on the long edge."""

PREVIEW_EDGE: Final = PREVIEW.width

LARGE: Final = Rendition(3840, 3840, 85)
"""The lightbox's picture on a screen with more pixels than the preview has: a 16-inch laptop at
2× shows a 3:2 photo some 2800 pixels wide, a 5K display over 4000. Made when first asked for,
never ahead: most viewers never need it, and it takes a full decode."""

_HEAD_BYTES: Final = 64
"""Enough to tell a format by its content."""

_MIN_USEFUL_PREVIEW: Final = 1024
"""A RAW's embedded preview at least this big (or as big as asked) is used as is; old cameras
embed only 160 px thumbnails, and then the sensor data is developed instead."""

_GENERIC_RAW: Final = formats.by_key("raw").mime


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


def probe(path: Path, metadata: PhotoMetadata | None = None) -> ImageInfo:
    """Size, capture time and type from the header alone, for the photo list at upload time;
    `metadata` is the file's when the caller read it already (reading it is most of the work).

    Read with :func:`albumen_photo.metadata.read_metadata`, so the server and the owner's app
    agree on every value (the capture date follows its one rule). Never raises: a photo the
    server cannot look into is still a photo the owner uploaded and may download byte-exact, so
    unknown facts are None rather than an error.
    """
    try:
        return _probe(path, metadata)
    except Exception:  # any odd file: the upload still goes through, just without these facts
        return _NOTHING


def render(path: Path, rendition: Rendition) -> bytes:
    """A JPEG of the photo, upright, fitting the rendition's box, metadata-free.

    Raises DerivativeError for anything that is not a decodable image of sane size, so the
    caller can answer one clear message per file and keep serving the rest of the album.
    """
    return render_many(path, (rendition,))[0]


def render_many(path: Path, renditions: Sequence[Rendition]) -> list[bytes]:
    """`render` for several renditions from one decode (a thumbnail and its small one cost one
    decode of the original, not two); the JPEGs in the order asked."""
    if not renditions:
        raise ValueError("render_many needs at least one rendition")
    name = path.name
    fmt = formats.identify(path, _read_head(path, name))
    refused = formats.refusal(fmt)
    if refused is not None:
        raise DerivativeError("not_an_image", f"{name}: {refused}")
    if formats.is_raw(fmt):
        try:
            return _render_raw(path, name, renditions)
        except _RawFailed as failure:
            raw_problem = str(failure)
        # Some RAW containers (CR2, NEF, DNG) are TIFFs whose first image Pillow can read.
        try:
            return _render_pillow(path, name, renditions)
        except DerivativeError as error:
            if error.code == "decompression_bomb":
                raise
            raise DerivativeError(
                "unreadable", f"{name} could not be decoded: {raw_problem}"
            ) from error
    try:
        return _render_pillow(path, name, renditions)
    except DerivativeError as error:
        if error.code != "not_an_image":
            raise
        # A RAW format not recognised above may still be one LibRaw knows.
        try:
            return _render_raw(path, name, renditions)
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


def _check_pixels(name: str, width: int, height: int) -> None:
    try:
        decode.check_pixels(width, height)
    except decode.TooManyPixels as error:
        raise DerivativeError("decompression_bomb", f"{name} {error}") from None


def _detail(error: BaseException, path: Path) -> str:
    """The library's reason, without the server's own paths (the message reaches viewers)."""
    text = str(error) or type(error).__name__
    return text.replace(str(path), path.name)


def _render_pillow(source: Path, name: str, renditions: Sequence[Rendition]) -> list[bytes]:
    try:
        with decode.open_image(source) as image:
            return _encode(image, name, renditions, orientation=None)
    except DerivativeError:
        raise
    except UnidentifiedImageError:
        raise DerivativeError(
            "not_an_image",
            f"{name} is not an image Albumen can read ({formats.photo_names()} or a camera RAW):"
            " cannot identify image file",
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


def _encode(
    image: Image.Image, name: str, renditions: Sequence[Rendition], orientation: int | None
) -> list[bytes]:
    """Shrink first and turn after: transposing the small image costs next to nothing."""
    width, height = image.size
    _check_pixels(name, width, height)
    if orientation is None:
        orientation = decode.orientation_of(image)
    icc = image.info.get("icc_profile")
    boxes = [rendition.box(orientation) for rendition in renditions]
    largest = max(boxes, key=lambda box: decode.fitted_size(width, height, box)[0])
    # JPEG decodes straight at 1/2, 1/4 or 1/8 scale (HEIC picks an embedded thumbnail); both
    # only work before the first pixel access, so this must come before anything below. The
    # scale is the largest rendition's; each smaller one is resampled from the same pixels.
    image.draft("RGB", decode.fitted_size(width, height, largest))
    decoded = decode.resamplable(image)
    made = []
    for index, (rendition, box) in enumerate(zip(renditions, boxes, strict=True)):
        last = index == len(renditions) - 1
        work = decoded if last else decoded.copy()  # `thumbnail` shrinks in place
        work.thumbnail(box, Image.Resampling.LANCZOS)
        out, keep_icc = decode.to_rgb(decode.upright(work, orientation), icc)
        if out is image or isinstance(out, ImageFile.ImageFile):
            out = out.copy()
        made.append(
            decode.jpeg_bytes(out, rendition.quality, keep_icc, optimize=True, progressive=True)
        )
    return made


def _render_raw(path: Path, name: str, renditions: Sequence[Rendition]) -> list[bytes]:
    """From the camera's own embedded preview: fast, and looks as the photographer saw it."""
    try:
        raw = decode.open_raw(path)
    except Exception as error:  # LibRaw does not know this file
        raise _RawFailed(decode.libraw_message(error), opened=False) from None
    with raw:
        try:
            sizes = raw.sizes
            _check_pixels(name, sizes.raw_width, sizes.raw_height)
            sensor_long = max(sizes.width, sizes.height)
            flip_orientation = decode.FLIP_TO_ORIENTATION.get(sizes.flip, 1)
            # The long edge the largest picture will have, from the sensor's own proportions.
            long_edge = max(
                max(decode.fitted_size(sizes.width, sizes.height, r.box(flip_orientation)))
                for r in renditions
            )
        except DerivativeError:
            raise
        except Exception as error:
            raise _RawFailed(decode.libraw_message(error), opened=True) from None
        preview = decode.raw_preview(raw)
        try:
            wanted = min(long_edge, _MIN_USEFUL_PREVIEW)
            if preview is not None and max(preview.size) >= wanted:
                return _encode_preview(preview, name, renditions, flip_orientation)
            try:
                developed = decode.develop_raw(raw, half_size=sensor_long // 2 >= long_edge)
            except Exception as error:
                if preview is not None:
                    return _encode_preview(preview, name, renditions, flip_orientation)
                raise _RawFailed(
                    f"no embedded preview, and the sensor data could not be developed"
                    f" ({decode.libraw_message(error)})",
                    opened=True,
                ) from None
            with developed:
                return _encode(developed, name, renditions, orientation=1)  # LibRaw turned it
        finally:
            if preview is not None:
                preview.close()


def _encode_preview(
    preview: Image.Image, name: str, renditions: Sequence[Rendition], flip: int
) -> list[bytes]:
    try:
        own = decode.orientation_of(preview)
        # The RAW's own flip, unless the preview says how to turn itself.
        return _encode(preview, name, renditions, orientation=own if own != 1 else flip)
    except DerivativeError:
        raise
    except Exception as error:
        raise _RawFailed(f"its embedded preview is broken ({error})", opened=True) from None


# ---------------------------------------------------------------------------------------------
# Probing


def _probe(path: Path, metadata: PhotoMetadata | None) -> ImageInfo:
    with path.open("rb") as handle:
        head = handle.read(_HEAD_BYTES)
    if not head:
        return _NOTHING
    fmt = formats.identify(path, head)
    if fmt is None:
        # A RAW format not recognised from its first bytes may still be one LibRaw knows.
        size, _reason = raw_size(path)
        if size is None:
            return _NOTHING
        turned = size.orientation in (5, 6, 7, 8)
        width, height = (size.height, size.width) if turned else (size.width, size.height)
        return ImageInfo(width, height, None, _GENERIC_RAW)
    if not fmt.is_photo:
        return _NOTHING
    meta = metadata if metadata is not None else read_metadata(path)
    return ImageInfo(meta.width, meta.height, _utc(meta.taken_at), fmt.mime)


def _utc(taken: datetime | None) -> datetime | None:
    """Aware UTC (see ImageInfo for a capture time without an offset)."""
    if taken is None:
        return None
    return taken.astimezone(UTC) if taken.tzinfo is not None else taken.replace(tzinfo=UTC)
