"""A photo's web size: the JPEG a link's viewers see while its original is still on its way.

On a slow uplink an album of originals takes long; a web size (long edge 2048 px, upright, no
metadata) is a twentieth of a camera's file, so every photo of an album can be seen through its
link after a fraction of the time (docs/DESIGN.md, "Instant gallery"). It is made by the same
code as the grid's thumbnails (`thumbnails.make_thumbnails`), in the same decode as the
thumbnail (the JPEG is decoded once, by its DCT at the smallest scale that still gives 2048
pixels), and kept in the same cache by content, so a sync that resumes after a crash sends the
very bytes it had made and does not decode the photo again; it is dropped once the original has
landed (the server renders its own from then on). The JPEG carries nothing of the original's
EXIF, XMP or IPTC (no camera, no date, no GPS): only the colour profile that describes its
pixels, as the server's own derivatives do.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from albumen.core.thumbnails import ThumbnailCache

WEB_EDGE = 2048


@dataclass(frozen=True)
class WebSize:
    """A rendered web size: the JPEG on disk, its pixel size and its length in bytes."""

    path: Path
    width: int
    height: int
    size: int


class WebSizes:
    """Web sizes kept in the thumbnail cache (`ThumbnailCache`), beside the grid's thumbnails
    made in the same decode."""

    def __init__(self, cache: ThumbnailCache) -> None:
        self.cache = cache

    def render(self, path: Path, sha256: str) -> WebSize:
        """The web size of the photo at `path` (its content `sha256`), made now unless cached.

        Raises `thumbnails.ThumbnailError` (naming the file and the reason) when the photo
        cannot be decoded."""
        made = self.cache.get_sizes(path, sha256, (WEB_EDGE, self.cache.grid_edge))[WEB_EDGE]
        with Image.open(made, formats=("JPEG",)) as image:
            width, height = image.size
        return WebSize(made, width, height, made.stat().st_size)

    def discard(self, sha256: str) -> None:
        """The original has landed: its web size is of no further use here (the grid's
        thumbnail stays)."""
        self.cache.path_for(sha256, WEB_EDGE).unlink(missing_ok=True)
