"""A photo the server cannot make pictures of, as its viewers see it in a real browser.

A RAW file from a camera newer than the server's decoder (here the corpus's CR3, whose sensor
data is not there to develop) is kept byte-exact and listed, but its thumbnail and preview
answer 422. The browser then drew its broken-image sign with the photo's name in a corner, and
the lightbox an empty stage. Now its place says "No preview", keeping the photo's link.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.looking import assert_loaded, expect
from tests.browser.scenes import photo
from tests.server.uploading import upload_photo
from tests.support import CORPUS, ServerProcess, new_id, new_token

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_photo_without_pictures_says_so_in_grid_lightbox_and_page(
    shared_server: ServerProcess, watch: Any
) -> None:
    server = shared_server
    album_id = new_id()
    server.api("PUT", f"/api/albums/{album_id}", json={"title": "New camera"}).raise_for_status()
    raw = upload_photo(server, album_id, (CORPUS / "CanonRaw.cr3").read_bytes(), "IMG_0001.CR3")
    first = upload_photo(server, album_id, photo((1500, 1000), 1), "DSCF0001.JPG")
    second = upload_photo(server, album_id, photo((1000, 1500), 2), "DSCF0002.JPG")
    order = [raw, first, second]
    server.api(
        "PUT",
        f"/api/albums/{album_id}",
        json={"title": "New camera", "photo_order": order, "cover_photo_id": raw},
    ).raise_for_status()
    assert server.http.get(f"{server.url}/api/health").status_code == 200
    link_id, token = new_id(), new_token()
    server.api(
        "PUT", f"/api/links/{link_id}", json={"album_id": album_id, "token": token}
    ).raise_for_status()
    url = f"{server.url}/s/{token}"
    thumb = server.http.get(f"{url}/photos/{raw}/thumb")
    assert thumb.status_code == 422, "the premise: the server cannot render this file"

    watched = watch()
    page = watched.new_page()
    page.goto(url)
    cells = page.locator("#photos a.photo")
    expect(cells).to_have_count(3)
    # The photo that has no pictures: its place in the grid says so, in the photo's shape.
    missing = cells.nth(0)
    expect(missing).to_have_class("photo no-picture")
    expect(missing.locator(".no-picture-label")).to_be_visible()
    expect(missing.locator(".no-picture-label")).to_contain_text("No preview")
    expect(missing.locator(".no-picture-label")).to_contain_text("IMG_0001")
    expect(missing.locator("img")).to_be_hidden()  # no broken-image sign
    box = missing.bounding_box()
    assert box is not None and box["width"] > 50 and box["height"] > 50
    # The others are as ever, and the album does not open on a cover it cannot show.
    for index in (1, 2):
        assert_loaded(cells.nth(index).locator("img"))
        expect(cells.nth(index)).not_to_have_class("photo no-picture")
    expect(page.locator(".cover")).to_be_hidden()

    # The lightbox on it: a sentence instead of an empty stage; the next photo shows again.
    missing.click()
    expect(page.locator("#lightbox")).to_be_visible()
    expect(page.locator(".lb-no-picture")).to_be_visible()
    expect(page.locator(".lb-image")).to_be_hidden()
    expect(page.locator(".lb-name")).to_have_text("IMG_0001")
    expect(page.locator(".lb-zoom")).to_be_hidden()  # nothing to zoom into
    page.keyboard.press("ArrowRight")
    expect(page.locator(".lb-no-picture")).to_be_hidden()
    expect(page.locator(".lb-zoom")).to_be_visible()
    expect(page.locator(".lb-image")).to_be_visible()
    assert_loaded(page.locator(".lb-image"))
    page.keyboard.press("ArrowLeft")
    expect(page.locator(".lb-no-picture")).to_be_visible()
    page.keyboard.press("Escape")

    # Its own page says it too, in a frame where the photo would be, above its caption.
    page.goto(f"{url}/photos/{raw}")
    label = page.locator("figure.single .no-picture-label")
    expect(label).to_contain_text("No preview")
    frame, caption = label.bounding_box(), page.locator("figure.single figcaption").bounding_box()
    assert frame is not None and caption is not None
    assert frame["height"] > 100 and frame["y"] + frame["height"] <= caption["y"] + 1

    # Each failed picture is a failed load the browser logs; those, and only those, expected.
    expected = [error for error in watched.errors if "422" in error]
    assert expected, "the pictures' 422s were logged"
    watched.errors[:] = [error for error in watched.errors if error not in expected]
