"""What the metadata reader returns: a photo's facts as one immutable record.

Kept apart from the reader so that the modules reading parts of a file (EXIF values, XMP, RAW
headers), the texts for people and the viewer policy can all name these types without importing
one another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from albumen_photo.describe import exposure_text

__all__ = ["GpsPosition", "PhotoMetadata"]


@dataclass(frozen=True)
class GpsPosition:
    """Where a photo was taken: decimal degrees (south and west negative), altitude in metres
    (negative below sea level), so that it can go straight into a map URL."""

    lat: float
    lon: float
    alt: float | None = None


@dataclass(frozen=True)
class PhotoMetadata:
    """Everything a photographer checks before sharing, as found in one file.

    Fields are None when the file does not say. ``problems`` lists broken metadata that was
    skipped; ``error`` is set only when the file could not be read as a photo at all.
    """

    path: Path
    format: str | None = None
    width: int | None = None
    height: int | None = None
    orientation: int | None = None
    camera_make: str | None = None
    camera_model: str | None = None
    lens: str | None = None
    exposure_seconds: float | None = None
    f_number: float | None = None
    iso: int | None = None
    focal_length: float | None = None
    focal_length_35mm: int | None = None
    taken_at: datetime | None = None
    """Local time as the camera's clock showed it; aware when the file gives its offset."""
    taken_at_offset: str | None = None
    gps: GpsPosition | None = None
    location_elsewhere: tuple[str, ...] = ()
    artist: str | None = None
    copyright: str | None = None
    software: str | None = None
    serial_number: str | None = None
    file_size: int | None = None
    problems: tuple[str, ...] = ()
    error: str | None = None
    original_withheld: str | None = None
    """Only in what a viewer sees (`policy.viewer_sees`): why such a link cannot offer this
    photo's original (its format cannot lose what the link hides without re-encoding)."""

    @property
    def exposure_time(self) -> str | None:
        """The exposure time as photographers write it ("1/250 s", "0.4 s")."""
        return exposure_text(self.exposure_seconds) if self.exposure_seconds else None
