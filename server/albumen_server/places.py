"""Where a photo was taken: its GPS position, and a place name for it found offline.

Read once, when an upload completes, and kept on the photo row, so the viewer never has to open
an original to group photos by place. The position is what the photo-file layer reads
(`albumen_photo.metadata`: EXIF, or XMP when EXIF has none, in every format it knows). Names
come from the GeoNames list of every locality of 1,000 people or more that the server ships
(`albumen_server.geonames`): no request leaves the server, so a viewer's photos are never sent
to a geocoding service.

Nearest-point lookup alone names the wrong thing in cities (a photo of the Eiffel Tower is
"Vanves", the suburb whose centre happens to be closest), so a big city that is almost as near
wins over its suburbs, and a village is named only when no town is near. All distances are true
distances on the Earth.

Positions are facts the owner shows per link: the viewer reveals them (and these names) only on
links with `show_location`.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from albumen_photo.metadata import PhotoMetadata, read_metadata
from albumen_server import geonames

log = logging.getLogger(__name__)

# (smallest population, largest distance in km): the first tier with a place that near names
# the photo. A city of a million within 10 km is what people call the place they were; a
# village is the answer only where nothing bigger is close.
_TIERS: Final = ((1_000_000, 10.0), (100_000, 5.0), (15_000, 3.0), (0, 50.0))


@dataclass(frozen=True)
class Location:
    """A photo's position in decimal degrees, and the name of the place (None when unknown)."""

    latitude: float
    longitude: float
    place: str | None


def read_position(path: Path, metadata: PhotoMetadata | None = None) -> tuple[float, float] | None:
    """The GPS position the file carries (EXIF, else XMP), or None for none or a bogus one;
    `metadata` is the file's when the caller read it already.

    (0, 0) is refused: it is what a camera writes when it had no fix, not a photo taken in the
    Gulf of Guinea. Never raises: a photo whose metadata cannot be read is still a photo the
    owner uploaded.
    """
    gps = (metadata if metadata is not None else read_metadata(path)).gps
    if gps is None:
        return None
    latitude, longitude = gps.lat, gps.lon
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    if latitude == 0 and longitude == 0:
        return None
    return latitude, longitude


def coordinates_label(latitude: float, longitude: float) -> str:
    """A position as people read it, for places with no name (at sea, in the wilderness)."""
    ns = "N" if latitude >= 0 else "S"
    ew = "E" if longitude >= 0 else "W"
    return f"{abs(latitude):.3f}° {ns}, {abs(longitude):.3f}° {ew}"


def place_name(latitude: float, longitude: float) -> str | None:
    """ "City, Country" for a position, or None when no known place is within 50 km."""
    for min_population, radius_km in _TIERS:
        found = geonames.nearest(
            latitude, longitude, within_km=radius_km, min_population=min_population
        )
        if found is not None:
            return ", ".join(part for part in (found.name, found.country) if part) or None
    return None


def locate(path: Path, metadata: PhotoMetadata | None = None) -> Location | None:
    """Position and place name of the photo at `path`, or None when it carries no GPS;
    `metadata` is the file's when the caller read it already."""
    position = read_position(path, metadata)
    if position is None:
        return None
    try:
        place = place_name(*position)
    except Exception as error:  # the name is a nicety: a broken lookup must not fail an upload
        # The error, never the position: where a photo was taken is the owner's to share, not
        # the server log's (geonames' messages name files, not coordinates).
        log.error(
            "could not name the place of an uploaded photo: %s: %s", type(error).__name__, error
        )
        place = None
    return Location(latitude=position[0], longitude=position[1], place=place)
