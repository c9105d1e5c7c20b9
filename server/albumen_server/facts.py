"""The camera facts a viewer may read beside a photo: camera, lens, exposure.

Shown only on links with `show_metadata`; the viewer module decides that, this one only reads.
They are read with :func:`albumen_photo.metadata.read_metadata` and worded by
:mod:`albumen_photo.describe`, the reader and the texts of the owner's metadata panel, so that a
viewer reads what the owner previewed, for every format the owner's app reads (CR3, RAF, NEF and
HEIC included). Read from the original when a viewer first asks and remembered per blob (a blob
never changes), rather than stored on the photo row, because no other part needs them.
"""

from __future__ import annotations

import functools
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from albumen_photo.describe import camera_text, exposure_summary
from albumen_photo.metadata import read_metadata


@dataclass(frozen=True)
class CameraFacts:
    """What a photographer's peers like to know; any part may be missing."""

    camera: str | None = None
    lens: str | None = None
    exposure: str | None = None


def facts_of_file(path: Path) -> CameraFacts:
    """Camera facts of a photo file; empty when it tells none (or is no photo at all)."""
    meta = read_metadata(path)
    return CameraFacts(
        camera=camera_text(meta.camera_make, meta.camera_model),
        lens=meta.lens,
        exposure=exposure_summary(meta),
    )


def read_facts(source: IO[bytes]) -> CameraFacts:
    """Camera facts of an opened photo: read in place when it is a file on disk, else from a
    private temporary copy (a blob store may hand out streams that are not files)."""
    name = getattr(source, "name", None)
    if isinstance(name, str) and Path(name).is_file():
        return facts_of_file(Path(name))
    with tempfile.NamedTemporaryFile(prefix="albumen-facts-") as copy:
        shutil.copyfileobj(source, copy)
        copy.flush()
        return facts_of_file(Path(copy.name))


@functools.lru_cache(maxsize=4096)
def _cached(sha256: str, opener: Any) -> CameraFacts:
    with opener(sha256) as source:
        return read_facts(source)


def facts_of_blob(open_blob: Any, sha256: str) -> CameraFacts:
    """Facts of the blob `sha256`, opened with `open_blob` (a BlobStore's `open`), cached."""
    return _cached(sha256, open_blob)
