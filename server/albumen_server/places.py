"""Where a photo was taken: its EXIF GPS position, and a place name for it found offline.

Read once, when an upload completes, and kept on the photo row, so the viewer never has to open
an original to group photos by place. Names come from `reverse_geocode`, which bundles the
GeoNames list of every locality of 1,000 people or more: no request leaves the server, so a
viewer's photos are never sent to a geocoding service.

Nearest-point lookup alone names the wrong thing in cities (a photo of the Eiffel Tower is
"Vanves", the suburb whose centre happens to be closest), so a big city that is almost as near
wins over its suburbs, and a village is named only when no town is near.

Positions are facts the owner shows per link: the viewer reveals them (and these names) only on
links with `show_location`.
"""

from __future__ import annotations

import logging
import math
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from PIL import Image

log = logging.getLogger(__name__)

GPS_IFD: Final = 0x8825
_LATITUDE_REF, _LATITUDE, _LONGITUDE_REF, _LONGITUDE = 1, 2, 3, 4

# (smallest population, largest distance in km): the first tier with a place that near names
# the photo. A city of a million within 10 km is what people call the place they were; a
# village is the answer only where nothing bigger is close.
_TIERS: Final = ((1_000_000, 10.0), (100_000, 5.0), (15_000, 3.0), (0, 50.0))
_EARTH_RADIUS_KM: Final = 6371.0

_lookup_lock = threading.Lock()


@dataclass(frozen=True)
class Location:
    """A photo's position in decimal degrees, and the name of the place (None when unknown)."""

    latitude: float
    longitude: float
    place: str | None


def _degrees(value: Any) -> float:
    """EXIF degrees, minutes, seconds (three rationals) as one number."""
    degrees, minutes, seconds = (float(part) for part in value)
    return degrees + minutes / 60 + seconds / 3600


def gps_position(gps: Any) -> tuple[float, float] | None:
    """The position in a GPS IFD (a mapping of tag to value), or None if it holds no sane one.

    (0, 0) is refused too: it is what a camera writes when it had no fix, not a photo taken in
    the Gulf of Guinea.
    """
    try:
        latitude = _degrees(gps[_LATITUDE])
        longitude = _degrees(gps[_LONGITUDE])
        lat_ref = gps.get(_LATITUDE_REF, "N")
        lon_ref = gps.get(_LONGITUDE_REF, "E")
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    if isinstance(lat_ref, bytes):
        lat_ref = lat_ref.decode("ascii", "replace")
    if isinstance(lon_ref, bytes):
        lon_ref = lon_ref.decode("ascii", "replace")
    if str(lat_ref).strip().upper().startswith("S"):
        latitude = -latitude
    if str(lon_ref).strip().upper().startswith("W"):
        longitude = -longitude
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    if latitude == 0 and longitude == 0:
        return None
    return latitude, longitude


def read_position(path: Path) -> tuple[float, float] | None:
    """The GPS position in the file's EXIF, read from its header; None for anything odd.

    Never raises: a photo whose EXIF cannot be read is still a photo the owner uploaded.
    """
    try:
        with Image.open(path) as image:
            return gps_position(image.getexif().get_ifd(GPS_IFD))
    except Exception:  # any odd file (not an image, a RAW Pillow cannot open, a bomb): no place
        return None


def _distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * _EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))


def _nearest(position: tuple[float, float], min_population: int) -> dict[str, Any]:
    import reverse_geocode  # type: ignore[import-untyped]  # loads its data (about half a second) on first use only

    # The package builds its index lazily and without a lock; one thread at a time builds it.
    with _lookup_lock:
        return dict(reverse_geocode.get(position, min_population=min_population))


def coordinates_label(latitude: float, longitude: float) -> str:
    """A position as people read it, for places with no name (at sea, in the wilderness)."""
    ns = "N" if latitude >= 0 else "S"
    ew = "E" if longitude >= 0 else "W"
    return f"{abs(latitude):.3f}° {ns}, {abs(longitude):.3f}° {ew}"


def place_name(latitude: float, longitude: float) -> str | None:
    """ "City, Country" for a position, or None when no known place is within 50 km."""
    position = (latitude, longitude)
    for min_population, radius_km in _TIERS:
        found = _nearest(position, min_population)
        distance = _distance_km(position, (found["latitude"], found["longitude"]))
        if distance <= radius_km:
            parts = [found.get("city"), found.get("country")]
            return ", ".join(str(part) for part in parts if part) or None
    return None


def locate(path: Path) -> Location | None:
    """Position and place name of the photo at `path`, or None when it carries no GPS."""
    position = read_position(path)
    if position is None:
        return None
    try:
        place = place_name(*position)
    except Exception:  # the name is a nicety: a broken lookup must not fail an upload
        log.exception("could not name the place at %s", position)
        place = None
    return Location(latitude=position[0], longitude=position[1], place=place)
