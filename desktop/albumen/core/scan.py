"""Turns dropped or named files and folders into photos ready to add, and reasons for the rest.

Every file is checked for what it claims to be: empty, truncated, corrupt, unreadable, oversized
(a decompression bomb) or unsupported files are reported by name with the reason, and the rest
of the batch goes on: whatever goes wrong checking one file, even an error no one foresaw, is
that file's problem, never the batch's.

A file is proved whole by its structure (:mod:`albumen_photo.integrity`: segments, chunks,
boxes and strips within the file, the end marker there), which takes a millisecond where a
decode of a 24-megapixel photo takes a hundred, so the first upload starts at once; its size
comes from the header. The pixels are decoded once, later, for the thumbnail. Formats the
structural check does not cover (BMP, PSD) are decoded here instead, at a reduced scale where
the format allows it; RAW files are read by LibRaw's header parse.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from PIL import Image

from albumen.core.store import NewPhoto
from albumen_photo import decode, formats, integrity
from albumen_photo.digest import file_sha256
from albumen_photo.metadata import read_metadata
from albumen_photo.raw import raw_size

_HEAD = 64


@dataclass(frozen=True)
class ScanProblem:
    path: Path
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass
class ScanReport:
    photos: list[NewPhoto] = field(default_factory=list)
    problems: list[ScanProblem] = field(default_factory=list)
    duplicates: list[Path] = field(default_factory=list)  # same content twice in this batch


def expand(paths: Iterable[Path]) -> Iterator[Path]:
    """Files named, and files under folders named (recursively; hidden files and sidecars such as
    XMP skipped), in order."""
    for path in paths:
        if path.is_dir():
            for root, folders, files in os.walk(path):
                folders[:] = sorted(f for f in folders if not f.startswith("."))
                for name in sorted(files):
                    # Hidden files and editors' sidecars (XMP…) are not photos: passed over.
                    if not name.startswith(".") and not formats.is_sidecar(Path(name)):
                        yield Path(root) / name
        else:
            yield path


def _check_image(
    path: Path, fmt: formats.PhotoFormat | None
) -> tuple[int | None, int | None, str | None]:
    """(width, height, problem): the structure proves the file whole where
    :mod:`albumen_photo.integrity` covers its format, and the header gives the size; other
    formats are decoded (JPEG's at 1/8 scale) to prove them whole."""
    covered = integrity.covers(fmt)
    if covered:
        problem = integrity.check_structure(path, fmt)
        if problem is not None:
            return None, None, problem
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with decode.open_image(path) as image:
                width, height = image.size
                try:
                    decode.check_pixels(width, height)
                except decode.TooManyPixels as error:
                    return None, None, str(error)
                if not covered:
                    if image.format == "JPEG":
                        image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                    image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            return None, None, "is too many pixels to open safely (a decompression bomb?)"
        except Image.UnidentifiedImageError:
            return None, None, "is not an image Albumen can read (corrupt, or another format)"
        except (OSError, SyntaxError, ValueError, EOFError) as error:
            return None, None, _decode_problem(error)
    return width, height, None


def _decode_problem(error: BaseException) -> str:
    """A decoder's failure (or any other that escaped a check) as a reason for a person."""
    text = str(error) or type(error).__name__
    if isinstance(error, EOFError) or "truncated" in text.lower():
        return integrity.TRUNCATED
    if isinstance(error, OSError | SyntaxError | ValueError):
        return f"is damaged and cannot be decoded ({text})"
    return f"could not be checked ({type(error).__name__}: {text})"


def _check_raw(
    path: Path, fmt: formats.PhotoFormat | None
) -> tuple[int | None, int | None, str | None]:
    """(width, height, problem): a RAW whose structure is cut short is refused (where
    :mod:`albumen_photo.integrity` covers its format), and so is one LibRaw's header parse
    cannot read, which gives the size."""
    problem = integrity.check_structure(path, fmt)
    if problem is not None:
        return None, None, problem
    size, reason = raw_size(path)
    if size is None:
        return None, None, f"is not a RAW file LibRaw can read ({reason})"
    if size.orientation in (5, 6, 7, 8):
        return size.height, size.width, None
    return size.width, size.height, None


def _taken_at(path: Path) -> datetime | None:
    """When the photo was taken, by the one rule of :func:`read_metadata` (which the server's
    probe follows too)."""
    return read_metadata(path).taken_at


def check_file(path: Path) -> NewPhoto | ScanProblem:
    """One file: a photo ready to add, or the reason it cannot be. Never raises: an error no
    check foresaw (a decoder's EOFError, a reader's bug) is this file's problem, with its name.

    The format is told by the file's content (:func:`albumen_photo.formats.identify`); a file
    whose content is unknown is still checked when its name claims a photo format, so that a
    damaged photo is reported as damaged rather than as "not a photo"."""
    try:
        return _check_file(path)
    except Exception as error:
        return ScanProblem(path, _decode_problem(error))


def _check_file(path: Path) -> NewPhoto | ScanProblem:
    claimed = formats.by_suffix(path)
    try:
        stat = path.stat()
        if stat.st_size == 0:
            if claimed is None or not claimed.is_photo:
                return ScanProblem(path, _not_shared(path))
            return ScanProblem(path, "is empty (0 bytes)")
        with open(path, "rb") as handle:
            head = handle.read(_HEAD)
        fmt = formats.identify(path, head)
    except PermissionError:
        return ScanProblem(path, "cannot be read: permission denied")
    except FileNotFoundError:
        return ScanProblem(path, "does not exist (moved or deleted?)")
    except OSError as error:
        return ScanProblem(path, f"cannot be read: {error.strerror or error}")
    refused = formats.refusal(fmt)
    if fmt is not None and refused is not None:
        # Said of the file: "is not a photo: the file is a PDF document", "cannot be added:
        # JPEG XL files are not supported".
        said = f"is {refused}" if fmt.kind == "not-a-photo" else f"cannot be added: {refused}"
        return ScanProblem(path, said)
    if fmt is None and (claimed is None or not claimed.is_photo):
        return ScanProblem(path, _not_shared(path))
    if formats.is_raw(fmt or claimed):
        width, height, problem = _check_raw(path, fmt)
    else:
        width, height, problem = _check_image(path, fmt)
    if problem:
        return ScanProblem(path, problem)
    try:
        digest = file_sha256(path)
    except OSError as error:
        return ScanProblem(path, f"cannot be read: {error.strerror or error}")
    return NewPhoto(
        path=path.resolve(),
        size=stat.st_size,
        mtime_ns=stat.st_mtime_ns,
        sha256=digest,
        width=width,
        height=height,
        taken_at=_taken_at(path),
    )


def _not_shared(path: Path) -> str:
    return f"is not a photo format Albumen shares ({path.suffix.lower() or 'no extension'})"


def scan(
    paths: Iterable[Path], progress: Callable[[int, int, Path], None] | None = None
) -> ScanReport:
    """Check every file; the report keeps the good ones in order and says why for the rest."""
    files = list(expand(paths))
    report = ScanReport()
    seen: set[str] = set()
    for index, path in enumerate(files):
        if progress:
            progress(index, len(files), path)
        result = check_file(path)
        if isinstance(result, ScanProblem):
            report.problems.append(result)
        elif result.sha256 in seen:
            report.duplicates.append(path)
        else:
            seen.add(result.sha256)
            report.photos.append(result)
    if progress and files:
        progress(len(files), len(files), files[-1])
    return report
