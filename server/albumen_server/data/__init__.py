"""Data files the server ships, and the credit their licences ask for.

`geonames-cities.npz` is made by `packaging/geonames_cities.py`; README.md here says from what,
when and under which licence. The credit lives here, beside the data it belongs to, so the
viewer's Places section and the desktop's About dialog show the same words.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

GEONAMES_CITIES: Final = Path(__file__).with_name("geonames-cities.npz")

# CC BY 4.0 asks for the source and the licence wherever the names are shown.
GEONAMES_CREDIT: Final = "Place names: GeoNames, CC BY 4.0"
GEONAMES_URL: Final = "https://www.geonames.org/"
GEONAMES_LICENCE_URL: Final = "https://creativecommons.org/licenses/by/4.0/"
