"""The nearest named place to a position, by true distance on the Earth, from GeoNames' cities.

Why this module exists: naming where a photo was taken needs only "which of 155,000 known places
is nearest", and that is small enough to search directly with NumPy. Degrees of longitude shrink
towards the poles, so nearness is measured as great-circle distance (haversine), never in raw
degrees. The places are sorted by latitude (see packaging/geonames_cities.py), so a search only
looks at the band of latitudes a radius can reach: a few thousand rows, well under a
millisecond.

The data file is read once, by whichever thread gets there first: the server reads it in the
background as it starts (`load_in_background`), since reading it (about 60 ms, mostly with the
GIL held) on the first photo with a position stalled every upload under way at that moment
(`bench/client_upload.py --wire 1gbit` showed the wire idle for 100 ms then). The arrays are
read-only afterwards, so searches from many threads need no lock.
"""

from __future__ import annotations

import contextlib
import math
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np

from albumen_server.data import GEONAMES_CITIES

EARTH_RADIUS_KM: Final = 6371.0
_SCALE: Final = 100_000  # coordinates are stored in 1e-5 degrees
_ARRAYS: Final = ("latitude", "longitude", "population", "country", "names", "country_names")

_Array = np.ndarray[Any, Any]


@dataclass(frozen=True)
class Place:
    """A named place and how far it is from the position searched for."""

    name: str
    country: str
    latitude: float
    longitude: float
    population: int
    distance_km: float


def _offsets(blob: _Array) -> _Array:
    """Where each newline-ended name of `blob` starts, and one past the end."""
    ends = np.flatnonzero(blob == ord("\n"))
    return np.concatenate(([0], ends + 1)).astype(np.int64)


class Gazetteer:
    """The places of one data file, searchable by distance."""

    def __init__(self, path: Path) -> None:
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {name: data[name] for name in _ARRAYS}
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as error:
            raise ValueError(f"{path}: not a GeoNames places file ({error})") from error
        count = len(arrays["latitude"])
        if any(len(arrays[name]) != count for name in ("longitude", "population", "country")):
            raise ValueError(f"{path}: the place columns differ in length")
        self._latitude_e5 = arrays["latitude"]
        self._longitude_e5 = arrays["longitude"]
        if count and np.any(np.diff(self._latitude_e5) < 0):
            raise ValueError(f"{path}: places are not sorted by latitude")
        self._latitude = np.radians(self._latitude_e5 / _SCALE)
        self._longitude = np.radians(self._longitude_e5 / _SCALE)
        self._cos_latitude = np.cos(self._latitude)
        self._population = arrays["population"]
        self._country = arrays["country"]
        self._names = arrays["names"].tobytes()
        self._name_starts = _offsets(arrays["names"])
        country_blob = arrays["country_names"]
        self._country_names = country_blob.tobytes().decode("utf-8").split("\n")[:-1]
        if len(self._name_starts) != count + 1:
            raise ValueError(f"{path}: {count} places but {len(self._name_starts) - 1} names")
        if count and int(self._country.max()) >= len(self._country_names):
            raise ValueError(f"{path}: a place names a country the file does not list")
        for array in (
            self._latitude_e5,
            self._longitude_e5,
            self._latitude,
            self._longitude,
            self._cos_latitude,
            self._population,
            self._country,
            self._name_starts,
        ):
            array.flags.writeable = False
        self.count = count

    def nearest(
        self, latitude: float, longitude: float, *, within_km: float, min_population: int = 0
    ) -> Place | None:
        """The nearest place of at least `min_population` people within `within_km`, or None."""
        if not (math.isfinite(latitude) and math.isfinite(longitude) and within_km >= 0):
            # no coordinates in the message: it may end up in a log
            raise ValueError("a search needs a finite position and a radius of 0 km or more")
        # Every place within the radius is at most this many degrees of latitude away.
        reach = math.degrees(within_km / EARTH_RADIUS_KM)
        low = np.searchsorted(self._latitude_e5, math.floor((latitude - reach) * _SCALE), "left")
        high = np.searchsorted(self._latitude_e5, math.ceil((latitude + reach) * _SCALE), "right")
        rows = np.arange(low, high)
        if min_population > 0:
            rows = rows[self._population[low:high] >= min_population]
        if not len(rows):
            return None
        phi, lam = math.radians(latitude), math.radians(longitude)
        half_dphi = np.sin((self._latitude[rows] - phi) / 2)
        half_dlam = np.sin((self._longitude[rows] - lam) / 2)
        h = half_dphi**2 + math.cos(phi) * self._cos_latitude[rows] * half_dlam**2
        best = int(np.argmin(h))  # the smallest haversine is the smallest distance
        distance = 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, float(h[best]))))
        if distance > within_km:
            return None
        return self._place(int(rows[best]), distance)

    def _place(self, row: int, distance_km: float) -> Place:
        start, end = self._name_starts[row], self._name_starts[row + 1] - 1
        return Place(
            name=self._names[start:end].decode("utf-8"),
            country=self._country_names[int(self._country[row])],
            latitude=int(self._latitude_e5[row]) / _SCALE,
            longitude=int(self._longitude_e5[row]) / _SCALE,
            population=int(self._population[row]),
            distance_km=distance_km,
        )


_loaded: Gazetteer | None = None
_load_lock = threading.Lock()


def gazetteer() -> Gazetteer:
    """The shipped places, read from the data file on first use (about 0.1 s) and kept."""
    global _loaded
    if _loaded is None:
        with _load_lock:
            if _loaded is None:
                _loaded = Gazetteer(GEONAMES_CITIES)
    return _loaded


def load_in_background() -> threading.Thread:
    """Start reading the shipped places on a thread of their own; a search before it is done
    waits for it (see `gazetteer`). A file that cannot be read is reported by the first search,
    which tries again, as without this."""

    def load() -> None:
        with contextlib.suppress(ValueError):
            gazetteer()

    thread = threading.Thread(target=load, name="places-load", daemon=True)
    thread.start()
    return thread


def nearest(
    latitude: float, longitude: float, *, within_km: float, min_population: int = 0
) -> Place | None:
    """The nearest shipped place of at least `min_population` people within `within_km`."""
    return gazetteer().nearest(
        latitude, longitude, within_km=within_km, min_population=min_population
    )
