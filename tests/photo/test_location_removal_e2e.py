"""Location removal for HEIC and TIFF, end to end against a real server, checked by exiftool.

Two ways a photo's position must not reach a viewer: the owner removes it before upload
(`albumen share --remove-location`: the server never receives it), or uploads the file as it is
and shares through a link that hides location (the server strips the original on the way out).
Either way the picture itself must arrive unchanged.
"""

from __future__ import annotations

from pathlib import Path

import piexif
import pytest
import requests
from PIL import Image

from tests.e2e.test_share import _albumen, _use_server
from tests.photo.readers import exiftool, pixels, place_tags
from tests.server.uploading import upload_photo
from tests.support import ServerProcess, new_id, new_token, save_heic

FORMATS = ("heic", "tif")


def _picture(seed: int) -> Image.Image:
    """A small picture with detail, so that any re-encoding would change pixels."""
    image = Image.new("RGB", (96, 64), (20 + seed, 120, 200))
    for x in range(96):
        for y in range(0, 64, 3):
            image.putpixel((x, y), ((x * 7 + seed) % 256, (y * 11) % 256, (x * y) % 256))
    return image


def _exif() -> bytes:
    return piexif.dump(
        {
            "0th": {
                piexif.ImageIFD.Make: b"Canon",
                piexif.ImageIFD.Model: b"Canon EOS R5",
                piexif.ImageIFD.Artist: b"Ansel Adams",
                piexif.ImageIFD.Copyright: b"(c) 2026 Ansel Adams",
            },
            "Exif": {piexif.ExifIFD.DateTimeOriginal: b"2026:06:01 10:20:30"},
            "GPS": {
                piexif.GPSIFD.GPSLatitudeRef: b"N",
                piexif.GPSIFD.GPSLatitude: ((48, 1), (51, 1), (30, 1)),
                piexif.GPSIFD.GPSLongitudeRef: b"E",
                piexif.GPSIFD.GPSLongitude: ((2, 1), (17, 1), (40, 1)),
            },
            "1st": {},
        }
    )


# The place again in XMP, as Lightroom writes it: a position and a city name.
XMP = (
    b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF'
    b' xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about=""'
    b' xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"'
    b' xmlns:exif="http://ns.adobe.com/exif/1.0/" photoshop:City="Paris"'
    b' exif:GPSLatitude="48,51.5N" exif:GPSLongitude="2,17.6667E"/>'
    b'</rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
)


def located_photo(folder: Path, kind: str, seed: int = 0) -> Path:
    """A HEIC or TIFF with GPS (and camera, date and rights) in its EXIF; the TIFF also names
    the place in XMP (tests.support.save_heic writes no XMP)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"located-{seed}.{kind}"
    if kind == "heic":
        save_heic(_picture(seed), path, exif=_exif())
    else:
        tags = Image.Exif()
        tags.load(_exif())
        tags[0x02BC] = XMP  # TIFF's XMP tag: Pillow drops its xmp= when exif= is given
        _picture(seed).save(path, exif=tags)
    places = place_tags(exiftool([path])[path])
    assert places.get("EXIF:GPSLatitude"), f"the test photo {path.name} has no GPS: {places}"
    assert kind == "heic" or places.get("XMP:City") == "Paris", places
    return path


RIGHTS = {"EXIF:Artist": "Ansel Adams", "EXIF:Copyright": "(c) 2026 Ansel Adams"}
CAMERA = {"EXIF:Make": "Canon", "EXIF:Model": "Canon EOS R5"}


def _problems(
    source: Path, received: bytes, where: str, folder: Path, *, camera: bool
) -> list[str]:
    """What differs from the contract: no place in `received`, the photographer's credit still
    there, the camera only when it is to be kept, and the same pixels as `source`."""
    copy = folder / f"received-{where.replace(' ', '-')}{source.suffix}"
    copy.write_bytes(received)
    found = []
    tags = exiftool([copy])[copy]
    places = place_tags(tags)
    if places:
        found.append(f"{source.name} {where}: exiftool finds {places}")
    wanted = {**RIGHTS, **(CAMERA if camera else {})}
    got = {tag: tags.get(tag) for tag in {**RIGHTS, **CAMERA}}
    if got != {tag: wanted.get(tag) for tag in got}:
        found.append(f"{source.name} {where}: exiftool finds {got}, wanted {wanted}")
    before, after = pixels(source.read_bytes()), pixels(received)
    if not before or before != after:
        found.append(f"{source.name} {where}: pixels {'differ' if before else 'not decoded'}")
    return found


def test_removed_before_upload_the_server_never_gets_the_location(
    shared_server: ServerProcess, tmp_path: Path
) -> None:
    folder = tmp_path / "private"
    sources = [located_photo(folder, kind, seed) for seed, kind in enumerate(FORMATS)]
    hashes = {path: path.read_bytes() for path in sources}
    data = tmp_path / "client"
    _use_server(data, shared_server.url)
    result = _albumen(
        data, "share", str(folder), "--album", "No place", "--remove-location",
        server=shared_server,
    )  # fmt: skip
    problems = (
        [] if result.returncode == 0 else [f"share exit {result.returncode}: {result.stderr}"]
    )
    assert result.stdout.strip(), f"share printed no link: {result.stderr}"
    url = result.stdout.strip().splitlines()[-1]
    listing = requests.get(url + "/photos.json", timeout=30).json()
    by_name = {photo["filename"]: photo["id"] for photo in listing.get("photos", [])}
    for source in sources:
        if source.name not in by_name:
            problems.append(f"{source.name}: not on the server")
            continue
        response = shared_server.api("GET", f"/api/photos/{by_name[source.name]}/original")
        assert response.status_code == 200, response.text
        problems += _problems(
            source, response.content, "as the server stored it", tmp_path, camera=True
        )
    assert {path: path.read_bytes() for path in sources} == hashes, "the owner's files changed"
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("show_metadata", [False, True])
def test_link_that_hides_location_serves_originals_without_it(
    shared_server: ServerProcess, tmp_path: Path, show_metadata: bool
) -> None:
    sources = [located_photo(tmp_path / "shoot", kind, seed) for seed, kind in enumerate(FORMATS)]
    album_id, token = new_id(), new_token()
    shared_server.api("PUT", f"/api/albums/{album_id}", json={"title": "Hidden"}).raise_for_status()
    ids = {
        path: upload_photo(shared_server, album_id, path.read_bytes(), path.name)
        for path in sources
    }
    shared_server.api(
        "PUT",
        f"/api/links/{new_id()}",
        json={
            "album_id": album_id,
            "token": token,
            "download": "original",
            "show_location": False,
            "show_metadata": show_metadata,
        },
    ).raise_for_status()
    problems = []
    for source, photo_id in ids.items():
        response = requests.get(
            f"{shared_server.url}/s/{token}/photos/{photo_id}/original", timeout=30
        )
        where = f"original through a link (show_metadata={show_metadata})"
        if response.status_code != 200:
            problems.append(f"{source.name} {where}: {response.status_code} {response.text}")
            continue
        problems += _problems(source, response.content, where, tmp_path, camera=show_metadata)
    assert not problems, "\n".join(problems)
