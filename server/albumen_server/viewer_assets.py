"""Assets the viewer pages load besides `static/`: all served by this server, none from a CDN.

Built from installed packages rather than copied into the repository: Leaflet from the
xstatic-leaflet release, the country outlines of the Places map from countryinfo's data, and the
aspect-ratio classes of the gallery grid from the range `viewer_model.PhotoView` uses. They are
the same for every link, so they may be cached publicly for a day.
"""

from __future__ import annotations

import functools
import gzip
import json
from pathlib import Path

from anyio import to_thread
from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse

from albumen_server.errors import ApiError
from albumen_server.viewer_model import MAX_RATIO, MIN_RATIO

router = APIRouter(prefix="/static/vendor", tags=["viewer"], include_in_schema=False)
ASSET_CACHE = "public, max-age=86400"
_LEAFLET_FILES = frozenset(
    {
        "leaflet.js",
        "leaflet.css",
        "images/layers.png",
        "images/layers-2x.png",
        "images/marker-icon.png",
        "images/marker-icon-2x.png",
        "images/marker-shadow.png",
    }
)


def _leaflet_dir() -> Path:
    import xstatic.pkg.leaflet  # type: ignore[import-untyped]  # the Leaflet release, from PyPI

    return Path(xstatic.pkg.leaflet.BASE_DIR)


@router.get("/leaflet/{name:path}")
def leaflet_file(name: str) -> Response:
    """Leaflet as the xstatic-leaflet package ships it; only the files the map uses."""
    if name not in _LEAFLET_FILES:
        raise ApiError(404, "not_found", "no such asset")
    return FileResponse(_leaflet_dir() / name, headers={"Cache-Control": ASSET_CACHE})


def _rounded(coordinates: object) -> object:
    if isinstance(coordinates, list) and coordinates and isinstance(coordinates[0], int | float):
        return [round(float(value), 2) for value in coordinates]
    if isinstance(coordinates, list):
        return [_rounded(part) for part in coordinates]
    return coordinates


@functools.cache
def world_outlines() -> tuple[bytes, bytes]:
    """Country outlines as GeoJSON (plain and gzipped), from the countryinfo package's data.

    The base layer of the Places map when no tile server is configured: about 170 kB, 55 kB
    compressed, rounded to a hundredth of a degree (a kilometre), which is finer than a map of
    countries can show.
    """
    from countryinfo import all_countries

    features = []
    for country in all_countries():
        for feature in country.geo_json().get("features", []):
            geometry = feature.get("geometry") or {}
            if geometry.get("type") in ("Polygon", "MultiPolygon"):
                features.append(
                    {
                        "type": "Feature",
                        "properties": {"name": country.name()},
                        "geometry": {
                            "type": geometry["type"],
                            "coordinates": _rounded(geometry["coordinates"]),
                        },
                    }
                )
    data = json.dumps(
        {"type": "FeatureCollection", "features": features}, separators=(",", ":")
    ).encode()
    return data, gzip.compress(data, mtime=0)


@router.get("/world.json")
async def world_json(request: Request) -> Response:
    plain, packed = await to_thread.run_sync(world_outlines)
    headers = {"Cache-Control": ASSET_CACHE, "Vary": "Accept-Encoding"}
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(packed, media_type="application/geo+json", headers=headers)
    return Response(plain, media_type="application/geo+json", headers=headers)


@functools.cache
def _ratio_css() -> str:
    rules = (f".r{n}{{--r:{n / 100:g}}}" for n in range(MIN_RATIO, MAX_RATIO + 1))
    return (
        "/* Aspect-ratio classes for the gallery grid (viewer_model.PhotoView.ratio_class),\n"
        "   so the justified layout is exact without JavaScript and without inline styles (CSP).\n"
        "*/\n" + "\n".join(rules) + "\n"
    )


@router.get("/ratios.css")
def ratios_css() -> Response:
    return Response(_ratio_css(), media_type="text/css", headers={"Cache-Control": ASSET_CACHE})
