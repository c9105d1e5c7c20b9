"""Photos for the browser tests and screenshots: landscape, portrait, square and panorama JPEGs
that look like something, each with camera EXIF and, for some, GPS in one of three cities."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from typing import Any

import piexif
from PIL import Image, ImageDraw, ImageFilter

from tests.server.uploading import upload_photo
from tests.support import ServerProcess, new_id, new_token


@dataclass(frozen=True)
class City:
    name: str  # as places.place_name gives it
    latitude: float
    longitude: float


PARIS = City("Paris, France", 48.8584, 2.2945)
TOKYO = City("Tokyo, Japan", 35.6586, 139.7454)
LISBON = City("Lisbon, Portugal", 38.7139, -9.1394)


def _rational(value: float) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int]]:
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60 * 100)
    return ((degrees, 1), (minutes, 1), (seconds, 100))


def scene(size: tuple[int, int], seed: int) -> Image.Image:
    """A landscape of sky, sun, hills and water in a palette chosen by `seed`."""
    rng = random.Random(seed)
    width, height = size
    top = (rng.randint(20, 120), rng.randint(60, 160), rng.randint(140, 230))
    bottom = (rng.randint(200, 255), rng.randint(150, 220), rng.randint(90, 180))
    sky = Image.linear_gradient("L").resize(size)
    image = Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), sky)
    draw = ImageDraw.Draw(image)
    sun_x, sun_y, radius = rng.uniform(0.2, 0.8) * width, rng.uniform(0.15, 0.4) * height, 0.06
    r = radius * max(size)
    draw.ellipse((sun_x - r, sun_y - r, sun_x + r, sun_y + r), fill=(255, 236, 190))
    for layer in range(3):
        base = height * (0.55 + 0.12 * layer)
        shade = 40 + 35 * (2 - layer)
        colour = (shade // 2, shade + rng.randint(0, 40), shade // 2 + rng.randint(0, 30))
        points: list[tuple[float, float]] = [(0, height)]
        for step in range(13):
            x = width * step / 12
            points.append((x, base - rng.uniform(0, 0.18) * height))
        points.append((width, height))
        draw.polygon(points, fill=colour)
    return image.filter(ImageFilter.GaussianBlur(max(size) / 600))


def photo(
    size: tuple[int, int],
    seed: int,
    *,
    city: City | None = None,
    taken: str = "2026:06:01 10:20:30",
    orientation: int = 1,
) -> bytes:
    """A JPEG of `scene(size, seed)` with camera EXIF, a capture time and maybe a position."""
    exif: dict[str, Any] = {
        "0th": {
            piexif.ImageIFD.Make: b"Fujifilm",
            piexif.ImageIFD.Model: b"X-T5",
            piexif.ImageIFD.Artist: b"Test Photographer",
            piexif.ImageIFD.Copyright: b"(c) 2026 Test Photographer",
            piexif.ImageIFD.Orientation: orientation,
        },
        "Exif": {
            piexif.ExifIFD.DateTimeOriginal: taken.encode(),
            piexif.ExifIFD.ExposureTime: (1, 500),
            piexif.ExifIFD.FNumber: (56, 10),
            piexif.ExifIFD.ISOSpeedRatings: 200,
            piexif.ExifIFD.FocalLength: (23, 1),
            piexif.ExifIFD.LensModel: b"XF23mmF1.4 R LM WR",
        },
        "GPS": {},
        "1st": {},
    }
    if city is not None:
        exif["GPS"] = {
            piexif.GPSIFD.GPSLatitudeRef: b"N" if city.latitude >= 0 else b"S",
            piexif.GPSIFD.GPSLatitude: _rational(city.latitude),
            piexif.GPSIFD.GPSLongitudeRef: b"E" if city.longitude >= 0 else b"W",
            piexif.GPSIFD.GPSLongitude: _rational(city.longitude),
        }
    out = io.BytesIO()
    scene(size, seed).save(out, "JPEG", quality=85, exif=piexif.dump(exif))
    return out.getvalue()


# Sizes as cameras and phones make them (scaled down to keep the tests quick), in one album.
ALBUM: list[tuple[str, tuple[int, int], City | None, str]] = [
    ("DSCF0101.JPG", (1500, 1000), PARIS, "2026:06:01 09:12:00"),
    ("DSCF0102.JPG", (1000, 1500), PARIS, "2026:06:01 09:40:00"),
    ("DSCF0107.JPG", (1200, 1200), PARIS, "2026:06:01 18:02:00"),
    ("DSCF0140.JPG", (2400, 800), LISBON, "2026:06:03 11:30:00"),
    ("DSCF0152.JPG", (1500, 1000), LISBON, "2026:06:03 16:45:00"),
    ("DSCF0171.JPG", (1125, 1500), TOKYO, "2026:06:07 07:05:00"),
    ("DSCF0188.JPG", (1600, 900), TOKYO, "2026:06:07 12:20:00"),
    ("DSCF0190.JPG", (1500, 1000), None, "2026:06:08 20:15:00"),
]


@dataclass
class SharedAlbum:
    """An album on a server, with one link to it."""

    server: ServerProcess
    album_id: str
    link_id: str
    token: str
    photo_ids: list[str]  # in the album's order (by capture time)

    @property
    def url(self) -> str:
        return f"{self.server.url}/s/{self.token}"

    def add_link(self, **link: object) -> SharedAlbum:
        """Another link to the same album, with these rights."""
        link_id, token = new_id(), new_token()
        response = self.server.api(
            "PUT",
            f"/api/links/{link_id}",
            json={"album_id": self.album_id, "token": token, **link},
        )
        assert response.status_code == 201, response.text
        return SharedAlbum(self.server, self.album_id, link_id, token, self.photo_ids)

    def revoke(self) -> None:
        assert self.server.api("DELETE", f"/api/links/{self.link_id}").status_code == 204


def share_album(
    server: ServerProcess,
    *,
    title: str = "Summer in three cities",
    description: str | None = "A week of walking, three cities, one camera.",
    photos: list[tuple[str, tuple[int, int], City | None, str]] | None = None,
    **link: object,
) -> SharedAlbum:
    album_id = new_id()
    body: dict[str, object] = {"title": title}
    if description:
        body["description"] = description
    server.api("PUT", f"/api/albums/{album_id}", json=body).raise_for_status()
    ids = []
    for seed, (name, size, city, taken) in enumerate(photos if photos is not None else ALBUM):
        ids.append(upload_photo(server, album_id, photo(size, seed, city=city, taken=taken), name))
    link_id, token = new_id(), new_token()
    response = server.api(
        "PUT", f"/api/links/{link_id}", json={"album_id": album_id, "token": token, **link}
    )
    assert response.status_code == 201, response.text
    return SharedAlbum(server, album_id, link_id, token, ids)
