"""Helpers of the metadata tests: EXIF written by piexif, values as the tests expect them."""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import piexif
from PIL import Image


def corpus_files(corpus: Path) -> Iterator[Path]:
    return (path for path in sorted(corpus.iterdir()) if path.is_file())


def text_of(raw: bytes) -> str:
    """An EXIF string as the test expects it: up to the first NUL, blanks collapsed."""
    return " ".join(raw.split(b"\x00", 1)[0].decode("latin-1").split())


def degrees(dms: tuple[tuple[int, int], ...], ref: bytes, negative: bytes) -> float:
    value = sum(num / den / scale for (num, den), scale in zip(dms, (1, 60, 3600), strict=True))
    return -value if ref == negative else value


def exif_jpeg(
    path: Path,
    *,
    zeroth: dict[int, Any] | None = None,
    exif: dict[int, Any] | None = None,
    gps: dict[int, Any] | None = None,
    patch: Callable[[bytes], bytes] | None = None,
    size: tuple[int, int] = (60, 40),
) -> Path:
    """A JPEG with EXIF written by piexif (an independent writer, which also lets rationals
    have a zero denominator); ``patch`` may then damage the EXIF bytes."""
    ifds = {"0th": zeroth or {}, "Exif": exif or {}, "GPS": gps or {}, "1st": {}}
    data = piexif.dump(ifds)
    if patch is not None:
        data = patch(data)
    Image.new("RGB", size, (90, 120, 150)).save(path, quality=80, exif=data)
    return path


def retype_as_text(tag: int) -> Callable[[bytes], bytes]:
    """Turn a RATIONAL entry (piexif writes big-endian) into 4 bytes of ASCII garbage."""

    def patch(exif: bytes) -> bytes:
        entry = struct.pack(">HHI", tag, 5, 1)
        assert entry in exif
        return exif.replace(entry, struct.pack(">HHI", tag, 2, 4))

    return patch
