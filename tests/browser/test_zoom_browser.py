"""The lightbox's zoom, in a real browser: a photo's own pixels one on one screen pixel (at 1×
and 2×), the clicked point kept under the pointer, a drag that moves the photo and swipes to no
other, Esc that fits it back before closing, the large picture on a link of originals, nothing
to zoom on a photo the screen shows whole already, and no button on a phone."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser.conftest import PHONE
from tests.browser.looking import expect, lightbox_shows
from tests.browser.scenes import ALBUM, SharedAlbum, share_album
from tests.support import ServerProcess

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

WIDE = 3  # DSCF0140.JPG, 2400 × 800: more pixels than its preview (2048) has


def on_photo(page: Page, album: SharedAlbum, index: int) -> None:
    """The lightbox is on that photo, its picture loaded (whichever picture: zooming may have
    taken the large one)."""
    expect(page).to_have_url(f"{album.url}#photo={album.photo_ids[index]}")
    expect(page.locator(".lb-position")).to_have_text(f"{index + 1} / {len(album.photo_ids)}")
    expect(page.locator(".lb-image")).to_have_js_property("complete", True)


def picture_box(page: Page) -> dict[str, float]:
    box = page.locator(".lb-image").bounding_box()
    assert box is not None
    return box


def fitted(page: Page, ratio: float) -> dict[str, float]:
    """The fitted picture's own rectangle (the element's box less `object-fit`'s bands)."""
    box = picture_box(page)
    width = min(box["width"], box["height"] * ratio)
    height = width / ratio
    x = box["x"] + (box["width"] - width) / 2
    return {"x": x, "y": box["y"] + (box["height"] - height) / 2, "width": width, "height": height}


@pytest.mark.parametrize("pixel_ratio", [1, 2])
def test_a_click_shows_the_photos_own_pixels_around_that_point(
    located: SharedAlbum, watch: Any, pixel_ratio: int
) -> None:
    page = watch(pixel_ratio=pixel_ratio).new_page()
    page.goto(f"{located.url}#photo={located.photo_ids[WIDE]}")
    on_photo(page, located, WIDE)
    shown = fitted(page, 3)
    x, y = shown["x"] + shown["width"] / 4, shown["y"] + shown["height"] / 2
    page.mouse.click(x, y)
    image = page.locator(".lb-image")
    expect(page.locator(".lb-zoom")).to_have_attribute("aria-pressed", "true")
    expect(image).to_have_attribute(
        "src", f"/s/{located.token}/photos/{located.photo_ids[WIDE]}/large"
    )
    box = picture_box(page)
    assert (box["width"], box["height"]) == (2400 / pixel_ratio, 800 / pixel_ratio)
    assert abs((x - box["x"]) / box["width"] - 0.25) < 0.01, "the clicked point, still there"
    expect(image).to_have_js_property("naturalWidth", 2400)  # the large picture, 1:1

    page.mouse.move(700, 400)
    page.mouse.down()
    page.mouse.move(600, 380, steps=5)
    page.mouse.up()
    moved = picture_box(page)
    stage = page.locator(".lb-stage").bounding_box()
    assert stage is not None
    # 100 px to the left, as far as the photo's right edge lets it go (no empty band shows).
    lowest = stage["x"] + stage["width"] - box["width"]
    assert moved["x"] == pytest.approx(min(stage["x"], max(lowest, box["x"] - 100)))
    assert moved["x"] < box["x"] and moved["y"] == box["y"]
    on_photo(page, located, WIDE)  # a drag at 1:1 moves the photo, it swipes to no other

    page.keyboard.press("Escape")
    expect(page.locator(".lb-zoom")).to_have_attribute("aria-pressed", "false")
    on_photo(page, located, WIDE)
    assert picture_box(page)["width"] < 2400 / pixel_ratio
    page.keyboard.press("z")
    expect(page.locator(".lb-zoom")).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("ArrowRight")  # another photo comes fitted
    expect(page.locator(".lb-zoom")).to_have_attribute("aria-pressed", "false")
    expect(page.locator(".lb-image")).not_to_have_class(re.compile(r"\bzoomed\b"))
    page.keyboard.press("Escape")
    expect(page.locator("#lightbox")).to_be_hidden()


def test_a_link_of_web_sizes_zooms_into_the_preview(located: SharedAlbum, watch: Any) -> None:
    web = located.add_link(download="web")
    page = watch().new_page()
    page.goto(f"{web.url}#photo={web.photo_ids[WIDE]}")
    lightbox_shows(page, web, WIDE)
    page.locator(".lb-zoom").click()
    expect(page.locator(".lb-zoom")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".lb-image")).to_have_attribute(
        "src", f"/s/{web.token}/photos/{web.photo_ids[WIDE]}/preview"
    )
    box = picture_box(page)
    assert (round(box["width"]), round(box["height"])) == (2048, 683)


def test_nothing_to_zoom_on_a_photo_shown_whole_and_no_button_on_a_phone(
    shared_server: ServerProcess, watch: Any
) -> None:
    album = share_album(shared_server, photos=[("SMALL.JPG", (600, 400), None, ALBUM[0][3])])
    page = watch().new_page()
    page.goto(f"{album.url}#photo={album.photo_ids[0]}")
    lightbox_shows(page, album, 0)
    before = picture_box(page)
    page.keyboard.press("z")
    expect(page.locator(".lb-zoom")).to_have_attribute("aria-pressed", "false")
    assert picture_box(page) == before

    phone = watch(PHONE).new_page()
    phone.goto(f"{album.url}#photo={album.photo_ids[0]}")
    lightbox_shows(phone, album, 0)
    expect(phone.locator(".lb-zoom")).to_be_hidden()  # phones pinch to zoom
