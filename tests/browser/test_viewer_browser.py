"""What a link's recipient sees, in a real browser: password, grid, lightbox, places, downloads."""

from __future__ import annotations

import io
import re
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import piexif
import pytest
import requests
from PIL import Image

from albumen_server.viewer_model import FIRST_SCREEN
from tests.browser.conftest import PHONE
from tests.browser.looking import PAGE_BOX, assert_loaded, expect, lightbox_shows
from tests.browser.scenes import ALBUM, LISBON, PARIS, TOKYO, SharedAlbum, share_album
from tests.support import ServerProcess, free_port, start_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]


# -- password ----------------------------------------------------------------------------------


def test_password_page_wrong_then_right(shared_server: ServerProcess, watch: Any) -> None:
    album = share_album(shared_server, photos=ALBUM[:2], password="blue heron at dawn")
    watched = watch()
    page = watched.new_page()
    response = page.goto(album.url)
    assert response is not None and response.status == 401
    expect(page.locator("input:not([type=hidden])")).to_have_count(1)
    expect(page.locator("#password")).to_be_focused()
    expect(page.locator("img")).to_have_count(0)
    assert "Summer" not in page.content(), "nothing of the album before unlocking"

    page.fill("#password", "grey heron")
    page.click("button[type=submit]")
    expect(page.locator("[role=alert]")).to_have_text("That password is not right. Try again.")
    expect(page.locator("#password")).to_have_attribute("aria-invalid", "true")
    assert "Summer" not in page.content()

    page.fill("#password", "blue heron at dawn")
    page.click("button[type=submit]")
    expect(page).to_have_url(album.url)
    expect(page.locator("h1")).to_have_text("Summer in three cities")
    for image in page.locator("#photos img").all():
        assert_loaded(image)
    # The password page and its messages load nothing from another host either.
    assert watched.hosts() == {f"127.0.0.1:{shared_server.port}"}, sorted(watched.requests)


def test_too_many_attempts_say_when_to_try_again(shared_server: ServerProcess, watch: Any) -> None:
    album = share_album(shared_server, photos=ALBUM[:1], password="right one")
    for attempt in range(10):
        requests.post(f"{album.url}/unlock", data={"password": f"guess {attempt}"}, timeout=30)
    page = watch().new_page()
    page.goto(album.url)
    page.fill("#password", "right one")
    with page.expect_response(f"{album.url}/unlock") as answer:
        page.click("button[type=submit]")
    assert answer.value.status == 429
    expect(page.locator("[role=alert]")).to_have_text(
        re.compile(r"Too many wrong passwords\. Try again in 1[45] minutes\.")
    )


# -- gallery -----------------------------------------------------------------------------------


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["laptop", "phone"])
def test_every_photo_loads_in_a_justified_grid(
    located: SharedAlbum, watch: Any, viewport: dict[str, int] | None
) -> None:
    page = watch(viewport).new_page()
    page.goto(located.url)
    expect(page.locator("h1")).to_have_text("Summer in three cities")
    expect(page.locator(".photo-count")).to_have_text("8 photos")
    expect(page.locator(".dates")).to_have_text("1–8 June 2026")
    expect(page.locator("#photos ul.grid")).to_have_attribute("data-justified", "yes")
    images = page.locator("#photos img")
    expect(images).to_have_count(len(ALBUM))
    assert len(ALBUM) <= FIRST_SCREEN  # the album is one first screen: all asked for at once
    for index, (name, _size, _city, _taken) in enumerate(ALBUM):
        image = images.nth(index)
        expect(image).to_have_attribute("fetchpriority", "high")
        expect(image).to_have_attribute("alt", Path(name).stem)
        assert_loaded(image)
    # Where each one is on the page, all measured at one scroll position.
    cells = images.evaluate_all(f"images => images.map({PAGE_BOX})")
    for (name, (width, height), _city, _taken), box in zip(ALBUM, cells, strict=True):
        assert box["width"] / box["height"] == pytest.approx(width / height, rel=0.02), name
    # Justified: the photos of a row share one height, and every row but the last is full.
    grid = page.locator("#photos ul.grid").evaluate(PAGE_BOX)
    rows: dict[int, list[dict[str, float]]] = {}
    for box in cells:
        rows.setdefault(round(box["y"]), []).append(box)
    assert len(rows) > 1
    for top in sorted(rows)[:-1]:
        row = rows[top]
        assert max(b["height"] for b in row) - min(b["height"] for b in row) < 1.5
        right = max(b["x"] + b["width"] for b in row)
        assert right == pytest.approx(grid["x"] + grid["width"], abs=2)


def test_grid_and_photo_pages_work_without_javascript(located: SharedAlbum, watch: Any) -> None:
    page = watch(javascript=False).new_page()
    page.goto(located.url)
    for image in page.locator("#photos img").all():
        assert_loaded(image)
    page.locator("#photos a").nth(1).click()
    expect(page).to_have_url(f"{located.url}/photos/{located.photo_ids[1]}")
    assert_loaded(page.locator("figure img"))
    expect(page.locator(".facts")).to_contain_text("Fujifilm X-T5")
    expect(page.locator(".facts")).to_contain_text("Paris, France")
    page.click("a[rel=next]")
    expect(page).to_have_url(f"{located.url}/photos/{located.photo_ids[2]}")
    page.click("a.back")
    expect(page.locator("h1")).to_have_text("Summer in three cities")


# -- lightbox ----------------------------------------------------------------------------------


def test_lightbox_keys_url_reload_and_preloading(located: SharedAlbum, watch: Any) -> None:
    page = watch().new_page()
    page.goto(located.url)
    ids = located.photo_ids
    with page.expect_request(f"{located.url}/photos/{ids[2]}/preview"):  # the next one, early
        page.locator("#photos a.photo").nth(1).click()
    lightbox_shows(page, located, 1)
    expect(page.locator(".lb-close")).to_be_focused()
    info = page.locator(".lb-info")
    expect(info).to_contain_text("Fujifilm X-T5")
    expect(info).to_contain_text("1/500 s · f/5.6 · ISO 200 · 23 mm")
    expect(info).to_contain_text("Paris, France")

    page.keyboard.press("ArrowRight")
    lightbox_shows(page, located, 2)
    page.keyboard.press("ArrowRight")
    lightbox_shows(page, located, 3)
    expect(info).to_contain_text("Lisbon, Portugal")
    page.keyboard.press("ArrowLeft")
    lightbox_shows(page, located, 2)

    page.reload()
    lightbox_shows(page, located, 2)

    page.keyboard.press("Escape")
    expect(page.locator("#lightbox")).to_be_hidden()
    expect(page).to_have_url(located.url)
    expect(page.locator(f"#p-{ids[2]} a")).to_be_focused()

    # A shared URL with a photo in it opens that photo.
    other = watch().new_page()
    other.goto(f"{located.url}#photo={ids[5]}")
    lightbox_shows(other, located, 5)


def test_lightbox_swipes_and_stops_at_the_ends(located: SharedAlbum, watch: Any) -> None:
    page = watch(PHONE).new_page()
    page.goto(f"{located.url}#photo={located.photo_ids[0]}")
    lightbox_shows(page, located, 0)
    expect(page.locator(".lb-prev")).to_be_disabled()
    page.keyboard.press("ArrowLeft")
    lightbox_shows(page, located, 0)
    stage = page.locator(".lb-stage").bounding_box()
    assert stage is not None
    y = stage["y"] + stage["height"] / 2
    page.mouse.move(stage["x"] + stage["width"] * 0.8, y)
    page.mouse.down()
    page.mouse.move(stage["x"] + stage["width"] * 0.2, y, steps=5)
    page.mouse.up()
    lightbox_shows(page, located, 1)
    page.mouse.move(stage["x"] + stage["width"] * 0.2, y)
    page.mouse.down()
    page.mouse.move(stage["x"] + stage["width"] * 0.8, y, steps=5)
    page.mouse.up()
    lightbox_shows(page, located, 0)
    page.goto(f"{located.url}#photo={located.photo_ids[-1]}")
    lightbox_shows(page, located, len(located.photo_ids) - 1)
    expect(page.locator(".lb-next")).to_be_disabled()


def test_lightbox_hides_facts_the_link_does_not_allow(discreet: SharedAlbum, watch: Any) -> None:
    page = watch().new_page()
    page.goto(f"{discreet.url}#photo={discreet.photo_ids[1]}")
    lightbox_shows(page, discreet, 1)
    expect(page.locator(".lb-info")).to_be_hidden()
    expect(page.locator(".lb-info-toggle")).to_be_hidden()
    expect(page.locator(".lb-original")).to_be_hidden()
    expect(page.locator(".lb-download")).to_be_visible()
    facts = requests.get(f"{discreet.url}/photos/{discreet.photo_ids[1]}.json", timeout=30).json()
    assert facts["facts"] == []
    assert "latitude" not in facts


# -- places ------------------------------------------------------------------------------------


def test_places_and_map_when_the_link_shows_location(located: SharedAlbum, watch: Any) -> None:
    watched = watch()
    page = watched.new_page()
    page.goto(located.url)
    places = page.locator("section.place")
    expect(places).to_have_count(3)
    for index, (city, count) in enumerate(((PARIS, 3), (LISBON, 2), (TOKYO, 2))):
        expect(places.nth(index).locator("h3")).to_contain_text(city.name)
        expect(places.nth(index).locator("img")).to_have_count(count)
    expect(page.locator(".summary")).to_contain_text("3 places")

    page.locator("#map").scroll_into_view_if_needed()
    expect(page.locator("#map")).to_have_attribute("data-markers", "3")
    expect(page.locator("#map")).to_have_attribute("data-outlines", "loaded")
    expect(page.locator("#map .place-marker")).to_have_count(3)
    for city in (PARIS, LISBON, TOKYO):
        expect(page.locator("#map .leaflet-tooltip", has_text=city.name)).to_be_visible()
    expect(page.locator("#map .leaflet-tile")).to_have_count(0)  # no tile server configured

    # A marker leads to its place's photos, which open in the lightbox.
    page.locator("#map .place-marker").nth(2).click()
    expect(places.nth(2)).to_be_in_viewport()
    places.nth(2).locator("a").first.click()
    lightbox_shows(page, located, 5)


def test_no_places_and_no_map_when_the_link_hides_location(
    discreet: SharedAlbum, watch: Any
) -> None:
    watched = watch()
    page = watched.new_page()
    page.goto(discreet.url)
    for image in page.locator("#photos img").all():
        assert_loaded(image)
    expect(page.locator("#places")).to_have_count(0)
    expect(page.locator("#map")).to_have_count(0)
    expect(page.locator(".dates")).to_have_count(0)  # capture dates are metadata
    html = page.content()
    for hint in ("Paris", "Lisbon", "Tokyo", "latitude", "place-"):
        assert hint not in html, hint
    assert not [url for url in watched.requests if "leaflet" in url or "world.json" in url]
    listing = requests.get(f"{discreet.url}/photos.json", timeout=30).json()
    assert "places" not in listing
    for photo in listing["photos"]:
        assert not {"latitude", "longitude", "place", "taken_at"} & set(photo)


class _TileServer(ThreadingHTTPServer):
    referers: list[str | None]
    tile: bytes


class _TileHandler(BaseHTTPRequestHandler):
    server: _TileServer

    def do_GET(self) -> None:
        self.server.referers.append(self.headers.get("Referer"))
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(self.server.tile)))
        self.end_headers()
        self.wfile.write(self.server.tile)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def tile_server() -> Iterator[_TileServer]:
    server = _TileServer(("127.0.0.1", free_port()), _TileHandler)
    server.referers = []
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), (200, 220, 200)).save(buffer, "PNG")
    server.tile = buffer.getvalue()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_street_tiles_only_from_the_configured_server(
    tmp_path: Path, tile_server: _TileServer, watch: Any
) -> None:
    # "localhost" is another host than the viewer's 127.0.0.1, as a tile provider would be.
    tiles = f"http://localhost:{tile_server.server_address[1]}"
    server = start_server(
        tmp_path / "data",
        "--tile-url",
        f"{tiles}/{{z}}/{{x}}/{{y}}.png",
        "--tile-attribution",
        "Test tiles",
    )
    try:
        album = share_album(server, photos=ALBUM[:2], show_location=True)
        watched = watch()
        page = watched.new_page()
        response = page.goto(album.url)
        assert response is not None
        assert f"img-src 'self' {tiles};" in response.headers["content-security-policy"]
        page.locator("#map").scroll_into_view_if_needed()
        expect(page.locator("#map .leaflet-tile-loaded").first).to_be_visible()
        expect(page.locator("#map .leaflet-control-attribution")).to_have_text("Test tiles")
        assert tile_server.referers
        for referer in tile_server.referers:  # the link token never reaches the tile server
            assert referer in (None, f"{server.url}/"), referer
        assert watched.hosts() == {f"127.0.0.1:{server.port}", tiles.removeprefix("http://")}
        assert not [url for url in watched.requests if "world.json" in url]
    finally:
        server.stop()


# -- downloads, revocation, other hosts --------------------------------------------------------


def test_downloads_of_one_photo_and_of_the_album(
    located: SharedAlbum, discreet: SharedAlbum, watch: Any
) -> None:
    page = watch(downloads=True).new_page()
    page.goto(f"{discreet.url}#photo={discreet.photo_ids[0]}")
    lightbox_shows(page, discreet, 0)
    with page.expect_download() as one:
        page.click(".lb-download")
    assert one.value.suggested_filename == "DSCF0101.jpg"
    data = Path(one.value.path()).read_bytes()
    assert Image.open(io.BytesIO(data)).format == "JPEG"
    exif = piexif.load(data)
    assert not exif["GPS"], "this link hides the location"
    assert piexif.ImageIFD.Make not in exif["0th"]

    page.keyboard.press("Escape")
    with page.expect_download() as whole:
        page.click("text=Download all (zip)")
    archive = zipfile.ZipFile(whole.value.path())
    assert sorted(archive.namelist()) == sorted(f"{Path(n).stem}.jpg" for n, *_ in ALBUM)

    page.goto(f"{located.url}/photos/{located.photo_ids[3]}")
    with page.expect_download() as original:
        page.click("text=Download original")
    assert original.value.suggested_filename == "DSCF0140.JPG"
    kept = piexif.load(Path(original.value.path()).read_bytes())
    assert kept["GPS"], "this link shows the location"


def test_a_revoked_link_shows_not_available(located: SharedAlbum, watch: Any) -> None:
    link = located.add_link()
    page = watch().new_page()
    page.goto(link.url)
    thumb = page.locator("#photos img").first
    assert_loaded(thumb)
    link.revoke()
    response = page.reload()
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("This link is not available")
    expect(page.locator("img")).to_have_count(0)
    image = page.request.get(f"{link.url}/photos/{located.photo_ids[0]}/thumb")
    assert image.status == 404
    page.goto(f"{link.url}/photos/{located.photo_ids[0]}")
    expect(page.locator("h1")).to_have_text("This link is not available")


def test_no_request_goes_to_another_host(located: SharedAlbum, watch: Any) -> None:
    watched = watch(PHONE)
    page = watched.new_page()
    page.goto(located.url)
    for image in page.locator("main img:not(.lb-image)").all():
        assert_loaded(image)
    page.locator("#map").scroll_into_view_if_needed()
    expect(page.locator("#map")).to_have_attribute("data-outlines", "loaded")
    page.locator("#photos a.photo").first.click()
    lightbox_shows(page, located, 0)
    page.keyboard.press("ArrowRight")
    lightbox_shows(page, located, 1)
    expect(page.locator(".lb-info-toggle")).to_be_visible()
    page.keyboard.press("Escape")
    page.goto(f"{located.url}/photos/{located.photo_ids[1]}")
    assert_loaded(page.locator("figure img"))
    page.keyboard.press("ArrowRight")
    expect(page).to_have_url(f"{located.url}/photos/{located.photo_ids[2]}")
    page.keyboard.press("Escape")
    expect(page).to_have_url(f"{located.url}#p-{located.photo_ids[2]}")
    assert any("leaflet.js" in url for url in watched.requests), "the map did load"
    assert watched.hosts() == {f"127.0.0.1:{located.server.port}"}, sorted(watched.requests)
