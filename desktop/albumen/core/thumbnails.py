"""Small JPEG previews of the owner's photos, made fast and kept on disk by content.

Why this module exists: an album grid shows thousands of photos of 20 to 100 megapixels. Decoding
each in full would take seconds, so a thumbnail is made the cheapest way the format allows (a
JPEG is decoded at 1/2, 1/4 or 1/8 scale by the DCT itself; a RAW file gives up the preview its
camera embedded) and is written once to a cache folder under the photo's SHA-256, so a second
look costs one file lookup, and a renamed or moved photo keeps its thumbnail.

The owner's files are only ever opened for reading. Broken input (empty, truncated, corrupt,
unsupported, or a decompression bomb) raises :class:`ThumbnailError` with a message that names
the file and the reason.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import re
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from albumen.core import camera_previews
from albumen_photo import decode, formats

__all__ = [
    "DEFAULT_EDGE",
    "ThumbnailCache",
    "ThumbnailError",
    "UprightPicture",
    "grid_edge_for",
    "make_grid_thumbnail",
    "make_thumbnail",
    "make_thumbnails",
    "upright_picture",
]

DEFAULT_EDGE = 320
"""The grid's thumbnails on an ordinary screen, in pixels on the long edge."""
_MOST_PIXEL_RATIO = 3  # phones' densest; no desktop screen goes further
_QUALITY = 85
_HEAD = 64
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def grid_edge_for(pixel_ratio: float) -> int:
    """The long edge of the grid's thumbnails for screens of this pixel ratio (device pixels
    per logical one): DEFAULT_EDGE for each started unit, so 320 on an ordinary screen, 640 on
    a Retina display or a laptop scaled to 125-200 %, 960 at 3×. A few sizes rather than the
    exact ratio: each is a file in the cache, shared by every screen that rounds to it."""
    units = math.ceil(round(pixel_ratio, 2))
    return DEFAULT_EDGE * min(_MOST_PIXEL_RATIO, max(1, units))


class ThumbnailError(Exception):
    """No thumbnail can be made; the message names the file and the reason, fit for a person."""


def why_no_thumbnail(path: Path, error: BaseException | None) -> str:
    """The reason alone, for a place that names the file already (the grid's cell)."""
    said = str(error) if error is not None else "the thumbnail could not be read"
    return said.removeprefix(f"{path}: ")


# Thumbnails -----------------------------------------------------------------------------------


def make_thumbnail(path: Path, edge: int) -> bytes:
    """A JPEG of ``path`` whose long edge is at most ``edge`` pixels, turned upright.

    Raises :class:`ThumbnailError` naming the file and the reason when the file is empty,
    unreadable, truncated, corrupt, not a photo, or has more than 250 megapixels.
    """
    return make_thumbnails(path, (edge,))[edge]


def make_grid_thumbnail(path: Path, edge: int) -> bytes:
    """The grid's thumbnail of ``path``: as :func:`make_thumbnail`, from the camera's large
    thumbnail of a JPEG where it can stand for the photo (see :func:`make_thumbnails`)."""
    return make_thumbnails(path, (edge,), camera_preview=True)[edge]


def make_thumbnails(
    path: Path, edges: Iterable[int], *, camera_preview: bool = False
) -> dict[int, bytes]:
    """A JPEG of ``path`` for each of ``edges`` (long edge at most that many pixels), turned
    upright, all from one decode: the file is decoded once at the scale the largest needs, and
    each smaller one is resampled from the one above it. The web size a link's viewers see
    first and the grid's thumbnail cost one decode together (see `web_size`).

    With ``camera_preview``, a JPEG's large thumbnail that its camera appended (MPF) is decoded
    instead of the photo when it can stand for it (`camera_previews.large_thumbnail`): a few
    milliseconds instead of 150 for 24 MP. The grid asks for that; the loupe, the web sizes and
    all a viewer sees are made from the photo itself.

    Raises :class:`ThumbnailError` as :func:`make_thumbnail` does.
    """
    sizes = tuple(sorted(set(edges), reverse=True))
    if not sizes or sizes[-1] < 1:
        raise ValueError(f"edges must be at least 1 pixel, not {sizes}")
    picture = upright_picture(path, sizes[0], camera_preview=camera_preview)
    made: dict[int, bytes] = {}
    try:
        with picture.image as rgb:
            for edge in sizes:
                if max(rgb.size) > edge:
                    rgb = rgb.copy()  # the one before may be the decoder's own image
                    rgb.thumbnail((edge, edge), Image.Resampling.LANCZOS)
                made[edge] = decode.jpeg_bytes(rgb, _QUALITY, picture.profile)
    except Exception as error:
        raise _decode_error(Path(path), error) from None
    return made


@dataclass(frozen=True)
class UprightPicture:
    """A photo's pixels as the owner sees them: upright, 8-bit RGB, with the colour profile
    that describes them (None: sRGB)."""

    image: Image.Image
    profile: bytes | None


def upright_picture(path: Path, edge: int, *, camera_preview: bool = False) -> UprightPicture:
    """The photo decoded the cheapest way that gives ``edge`` pixels on its long side (its own
    size when it has fewer), turned upright, in 8-bit RGB. The thumbnails are encoded from it;
    the loupe's 100 % view shows it as it is, since encoding it again would add to the photo
    what a look at its focus must not see.

    Raises :class:`ThumbnailError` as :func:`make_thumbnail` does.
    """
    path = Path(path)
    if edge < 1:
        raise ValueError(f"edge must be at least 1 pixel, not {edge}")
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(_HEAD)
        fmt = formats.identify(path, head) if head else None
    except FileNotFoundError:
        raise ThumbnailError(f"{path}: the file does not exist (moved or deleted?)") from None
    except PermissionError:
        raise ThumbnailError(f"{path}: the file cannot be read (permission denied)") from None
    except OSError as error:
        raise ThumbnailError(f"{path}: the file cannot be read ({error.strerror})") from None
    if size == 0:
        raise ThumbnailError(f"{path}: the file is empty (0 bytes)")
    refused = formats.refusal(fmt)
    if refused is not None:
        raise ThumbnailError(f"{path}: no thumbnail, {refused}")
    if fmt is not None and fmt.is_raw:
        return _raw_picture(path, edge, tiff_based=fmt.kind == "raw-tiff")
    image = _open(path)
    if camera_preview:
        made = _from_camera_preview(path, image, edge)
        if made is not None:
            image.close()
            return made
    image, orientation = _reduce(path, image, edge)
    return _upright(path, image, orientation, edge)


def _check_pixels(path: Path, width: int, height: int) -> None:
    try:
        decode.check_pixels(width, height)
    except decode.TooManyPixels as error:
        raise ThumbnailError(f"{path} {error}") from None


def _decode_error(path: Path, error: BaseException) -> ThumbnailError:
    """A decoder's failure as a reason a person can act on."""
    text = str(error) or type(error).__name__
    if isinstance(error, EOFError) or "truncated" in text or "end of file" in text.lower():
        return ThumbnailError(f"{path}: the file is truncated (it ends early): copy it again")
    return ThumbnailError(f"{path}: the image data is damaged and cannot be decoded ({text})")


def _open_reduced(path: Path, edge: int) -> tuple[Image.Image, int]:
    """The image decoded at the smallest scale that still gives ``edge`` pixels, and the EXIF
    orientation read from its header before any pixel was decoded."""
    return _reduce(path, _open(path), edge)


def _open(path: Path) -> Image.Image:
    """The image opened: its header read, no pixel decoded yet."""
    try:
        return decode.open_image(path)
    except Image.DecompressionBombError:
        raise ThumbnailError(
            f"{path}: too many pixels to decode safely (a decompression bomb?)"
        ) from None
    except Image.UnidentifiedImageError:
        raise ThumbnailError(
            f"{path}: not an image Albumen can read (corrupt, truncated, or another format)"
        ) from None
    except Exception as error:  # a plugin failing on a broken header
        raise _decode_error(path, error) from None


def _reduce(path: Path, image: Image.Image, edge: int) -> tuple[Image.Image, int]:
    try:
        width, height = image.size
        _check_pixels(path, width, height)
        orientation = decode.orientation_of(image)
        if image.format in ("JPEG", "MPO"):
            # Must come before anything touches the pixels: after a load, draft does nothing.
            image.draft("RGB", decode.draft_size(width, height, edge))
        image.thumbnail((edge, edge), Image.Resampling.LANCZOS, reducing_gap=2.0)
    except ThumbnailError:
        image.close()
        raise
    except Exception as error:  # decoders raise OSError, EOFError, ValueError, SyntaxError...
        image.close()
        raise _decode_error(path, error) from None
    return image, orientation


def _from_camera_preview(path: Path, primary: Image.Image, edge: int) -> UprightPicture | None:
    """The picture made from the camera's large thumbnail, turned as the photo says; None when
    there is none that can stand for the photo, or it does not decode (then the photo is
    decoded, and says what is wrong with it)."""
    preview = camera_previews.large_thumbnail(path, primary, edge)
    if preview is None:
        return None
    try:
        image, _own = _reduce(path, preview, edge)
        return _upright(path, image, decode.orientation_of(primary), edge)
    except ThumbnailError:
        return None


def _upright(path: Path, image: Image.Image, orientation: int, edge: int) -> UprightPicture:
    """The reduced image brought to ``edge``, turned upright and made 8-bit RGB."""
    try:
        if max(image.size) > edge:
            image.thumbnail((edge, edge), Image.Resampling.LANCZOS)
        icc = image.info.get("icc_profile")
        rgb, profile = decode.to_rgb(decode.upright(image, orientation), icc)
        rgb.load()
    except Exception as error:
        image.close()
        raise _decode_error(path, error) from None
    if rgb is not image:
        image.close()
    return UprightPicture(rgb, profile)


def _raw_picture(path: Path, edge: int, *, tiff_based: bool) -> UprightPicture:
    """From the preview the camera embedded (fast, and as the photographer saw it on the
    camera); else from the sensor data at half size; else, for TIFF-based RAW, from whatever
    image Pillow finds in the TIFF structure."""
    reason: str
    try:
        raw = decode.open_raw(path)
    except Exception as error:  # LibRaw's own exception hierarchy
        reason = f"LibRaw cannot read it ({decode.libraw_message(error)})"
    else:
        with raw:
            try:
                sizes = raw.sizes
                _check_pixels(path, int(sizes.raw_width), int(sizes.raw_height))
                flip = decode.FLIP_TO_ORIENTATION.get(int(sizes.flip), 1)
            except ThumbnailError:
                raise
            except Exception as error:
                reason = f"LibRaw cannot read it ({decode.libraw_message(error)})"
            else:
                made = _from_libraw(path, raw, edge, flip)
                if isinstance(made, UprightPicture):
                    return made
                reason = made
    if tiff_based:
        try:
            image, orientation = _open_reduced(path, edge)
            return _upright(path, image, orientation, edge)
        except ThumbnailError:
            pass
    preview = camera_previews.embedded_preview(path)
    if preview is not None:
        # A broken one falls through to the LibRaw reason, the one that matters.
        with contextlib.suppress(Exception):
            image, orientation = _reduce(
                path, Image.open(io.BytesIO(preview), formats=("JPEG",)), edge
            )
            return _upright(path, image, orientation, edge)
    raise ThumbnailError(f"{path}: cannot show this RAW file: {reason}")


def _from_libraw(path: Path, raw: Any, edge: int, flip: int) -> UprightPicture | str:
    """The thumbnail made by LibRaw's means, or the reason it could not be made."""
    preview = decode.raw_preview(raw)
    if preview is None:
        reason = "it has no usable embedded preview"
    else:
        try:
            image, own = _reduce(path, preview, edge)
            # The RAW's own flip, unless the preview says how to turn itself.
            return _upright(path, image, own if own != 1 else flip, edge)
        except ThumbnailError as error:
            if "decompression bomb" in str(error):
                raise
            reason = f"its embedded preview is broken ({error})"
    try:
        developed = decode.develop_raw(raw, half_size=True)
    except Exception as error:
        return f"{reason}, and its sensor data cannot be developed ({decode.libraw_message(error)})"
    developed.thumbnail((edge, edge), Image.Resampling.LANCZOS)
    return _upright(path, developed, 1, edge)  # LibRaw has applied the flip


# The cache ------------------------------------------------------------------------------------


class ThumbnailCache:
    """Thumbnails on disk under ``root``, one file per (content, size).

    Keyed by the photo's SHA-256, which the caller already has from scanning, so the same
    photo in two albums, or renamed, or moved, shares one thumbnail. Files are written under a
    temporary name and renamed into place, so a reader never sees half a thumbnail and a crash
    leaves nothing broken behind. Safe to use from several threads: two requests for one key
    make it once, requests for different keys run in parallel.
    """

    def __init__(self, root: Path, grid_edge: int = DEFAULT_EDGE) -> None:
        self.root = Path(root)
        self.grid_edge = grid_edge
        """The long edge of the grid's thumbnails: the app sets it from its screens
        (`grid_edge_for`) before the first is asked for; web sizes are made with one."""
        self._guard = threading.Lock()
        self._locks: dict[str, tuple[threading.Lock, int]] = {}

    def path_for(self, sha256: str, edge: int) -> Path:
        """Where the thumbnail of this content at this size lives (whether made yet or not)."""
        digest = sha256.lower()
        if not _SHA256.match(digest):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        if edge < 1:
            raise ValueError(f"edge must be at least 1 pixel, not {edge}")
        return self.root / digest[:2] / f"{digest}-{edge}.jpg"

    def get(self, path: Path, sha256: str, edge: int = DEFAULT_EDGE) -> Path:
        """The cached thumbnail's path, made from ``path`` first if missing.

        Raises :class:`ThumbnailError` (naming the file and the reason) when it cannot be made.
        """
        target = self.path_for(sha256, edge)
        if target.is_file():
            return target
        key = target.name
        lock = self._acquire(key)
        try:
            with lock:
                if target.is_file():  # made by another thread while this one waited
                    return target
                data = make_grid_thumbnail(Path(path), edge)
                self._write(target, data)
            return target
        finally:
            self._release(key)

    def get_sizes(self, path: Path, sha256: str, edges: Iterable[int]) -> dict[int, Path]:
        """The cached JPEGs of this content at each of ``edges``; those missing are made from
        one decode of ``path`` (:func:`make_thumbnails`), those cached already are kept.

        Raises :class:`ThumbnailError` (naming the file and the reason) when they cannot be
        made."""
        targets = {edge: self.path_for(sha256, edge) for edge in sorted(set(edges))}
        if all(target.is_file() for target in targets.values()):
            return targets
        key = targets[max(targets)].name
        lock = self._acquire(key)
        try:
            with lock:
                missing = [edge for edge, target in targets.items() if not target.is_file()]
                if missing:
                    for edge, data in make_thumbnails(Path(path), missing).items():
                        self._write(targets[edge], data)
            return targets
        finally:
            self._release(key)

    def _acquire(self, key: str) -> threading.Lock:
        with self._guard:
            lock, users = self._locks.get(key, (threading.Lock(), 0))
            self._locks[key] = (lock, users + 1)
            return lock

    def _release(self, key: str) -> None:
        with self._guard:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    @staticmethod
    def _write(target: Path, data: bytes) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
        temporary = Path(name)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temporary, target)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
