"""Turns dropped or named files and folders into photos ready to add, and reasons for the rest.

Every file is checked for what it claims to be: empty, truncated, corrupt, unreadable, oversized
(a decompression bomb) or unsupported files are reported by name with the reason, and the rest
of the batch goes on. Decoding runs at a reduced scale where the format allows it (JPEG's DCT
scaling), so checking a 24-megapixel photo costs a fraction of a full decode.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from PIL import Image

from albumen.core.store import NewPhoto

PHOTO_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".heic", ".heif"})
RAW_SUFFIXES = frozenset({".dng", ".cr2", ".cr3", ".nef", ".arw", ".raf", ".orf"})
MAX_PIXELS = 250_000_000  # above any camera made (150 MP); beyond it a file is a bomb
HASH_CHUNK = 1 << 20

_heif_registered = False


def _register_heif() -> None:
    global _heif_registered
    if not _heif_registered:
        import pi_heif

        pi_heif.register_heif_opener()
        _heif_registered = True


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
    """Files named, and files under folders named (recursively, hidden ones skipped), in order."""
    for path in paths:
        if path.is_dir():
            for root, folders, files in os.walk(path):
                folders[:] = sorted(f for f in folders if not f.startswith("."))
                for name in sorted(files):
                    if not name.startswith("."):
                        yield Path(root) / name
        else:
            yield path


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _check_image(path: Path) -> tuple[int | None, int | None, str | None]:
    """(width, height, problem): decodes the file to prove it is whole."""
    _register_heif()
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(path) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    return (
                        None,
                        None,
                        (
                            f"is {width}x{height} pixels, over the {MAX_PIXELS // 10**6} MP limit"
                            " (a decompression bomb?)"
                        ),
                    )
                if image.format == "JPEG":
                    image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            return None, None, "is too many pixels to open safely (a decompression bomb?)"
        except Image.UnidentifiedImageError:
            return None, None, "is not an image Albumen can read (corrupt, or another format)"
        except (OSError, SyntaxError, ValueError) as error:
            text = str(error)
            if "truncated" in text:
                return None, None, "is truncated (the file ends early): copy it again"
            return None, None, f"is damaged and cannot be decoded ({text})"
    return width, height, None


def _check_raw(path: Path) -> str | None:
    try:
        import rawpy

        with rawpy.imread(str(path)) as raw:
            raw.sizes  # noqa: B018  # reading the header is the check
    except Exception as error:  # LibRaw raises its own hierarchy; any failure means "unreadable"
        return f"is not a RAW file LibRaw can read ({type(error).__name__})"
    return None


def _taken_at(path: Path) -> datetime | None:
    try:
        from albumen_photo.metadata import read_metadata
    except ImportError:  # pragma: no cover - metadata module is part of the package
        return None
    return read_metadata(path).taken_at


def check_file(path: Path) -> NewPhoto | ScanProblem:
    """One file: a photo ready to add, or the reason it cannot be."""
    suffix = path.suffix.lower()
    if suffix not in PHOTO_SUFFIXES and suffix not in RAW_SUFFIXES:
        kind = suffix or "no extension"
        return ScanProblem(path, f"is not a photo format Albumen shares ({kind})")
    try:
        stat = path.stat()
        if stat.st_size == 0:
            return ScanProblem(path, "is empty (0 bytes)")
        with open(path, "rb") as handle:
            handle.read(1)
    except PermissionError:
        return ScanProblem(path, "cannot be read: permission denied")
    except FileNotFoundError:
        return ScanProblem(path, "does not exist (moved or deleted?)")
    except OSError as error:
        return ScanProblem(path, f"cannot be read: {error.strerror or error}")
    width = height = None
    if suffix in RAW_SUFFIXES:
        problem = _check_raw(path)
    else:
        width, height, problem = _check_image(path)
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
