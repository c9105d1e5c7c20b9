"""Pictures sized for the screen they are seen on, in a real browser: the grid's thumbnails at
1×, 2× and 3×, the lightbox's large picture on a sharp screen, and the album's cover."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import PHONE
from tests.browser.looking import PAGE_BOX, assert_loaded, expect, pixel_rows
from tests.browser.scenes import ALBUM, SharedAlbum

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("viewport", "pixel_ratio", "picture"),
    [(None, 1, "small"), (None, 2, "thumb"), (PHONE, 3, "thumb")],
    ids=["laptop-1x", "laptop-2x", "phone-3x"],
)
def test_thumbnails_are_sharp_and_no_larger_than_the_screen_needs(
    located: SharedAlbum,
    watch: Any,
    viewport: dict[str, int] | None,
    pixel_ratio: float,
    picture: str,
) -> None:
    # Every photo of a justified row is shown at the row's height, panoramas too: a thumbnail
    # with fewer rows of pixels than the screen shows it with is blown up, and looks soft. A
    # screen of one device pixel per CSS pixel gets the small one: the large would be 2.25
    # times the bytes for nothing.
    page = watch(viewport, pixel_ratio=pixel_ratio).new_page()
    page.goto(located.url)
    images = page.locator("#photos img")
    expect(images).to_have_count(len(ALBUM))
    for index, (name, (_width, height), _city, _taken) in enumerate(ALBUM):
        image = images.nth(index)
        assert_loaded(image)
        shown = image.evaluate("element => element.getBoundingClientRect().height") * pixel_ratio
        source = image.evaluate("element => element.currentSrc")
        assert source.endswith(f"/{picture}"), f"{name} at {pixel_ratio}x: {source}"
        rows = pixel_rows(page, source)
        assert rows >= min(height, 0.9 * shown), f"{name}: {rows} rows shown on {shown:.0f}"


def test_the_lightbox_shows_more_than_the_preview_on_a_sharp_screen(
    located: SharedAlbum, watch: Any
) -> None:
    # On a 2x laptop the panorama (2400 x 800) fills some 2280 pixels of the screen's width,
    # more than its 2048-pixel preview has: the large picture is asked for, the photo at its own
    # size. A photo whose preview is already all of it (1500 x 1000) keeps the preview.
    ids = located.photo_ids
    page = watch(pixel_ratio=2).new_page()
    page.goto(f"{located.url}#photo={ids[3]}")
    image = page.locator(".lb-image")
    expect(image).to_have_attribute("src", f"/s/{located.token}/photos/{ids[3]}/large")
    assert_loaded(image)
    assert image.evaluate("element => element.naturalWidth") == 2400
    page.goto(f"{located.url}#photo={ids[0]}")
    page.reload()
    expect(image).to_have_attribute("src", f"/s/{located.token}/photos/{ids[0]}/preview")
    # On an ordinary screen the panorama's preview is enough.
    plain = watch().new_page()
    plain.goto(f"{located.url}#photo={ids[3]}")
    expect(plain.locator(".lb-image")).to_have_attribute(
        "src", f"/s/{located.token}/photos/{ids[3]}/preview"
    )


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["laptop", "phone"])
def test_the_gallery_opens_on_the_albums_cover(
    located: SharedAlbum, watch: Any, viewport: dict[str, int] | None
) -> None:
    # Across the top, above the title: a band of half the screen's height on a laptop, from
    # edge to edge on a phone, the photo cropped to fill it.
    page = watch(viewport).new_page()
    page.goto(located.url)
    cover = page.locator(".cover img")
    first = located.photo_ids[0]  # no cover picked: the album's first photo
    expect(cover).to_have_attribute("src", f"/s/{located.token}/photos/{first}/preview")
    assert_loaded(cover)
    page.evaluate("window.scrollTo(0, 0)")
    band = cover.evaluate(PAGE_BOX)
    title = page.locator("h1").evaluate(PAGE_BOX)
    grid = page.locator("#photos ul.grid").evaluate(PAGE_BOX)
    screen = page.viewport_size
    assert screen is not None
    assert band["y"] + band["height"] <= title["y"]
    assert band["height"] == pytest.approx(screen["height"] * (0.42 if viewport else 0.5), abs=2)
    width = screen["width"] if viewport else grid["width"]
    assert band["width"] == pytest.approx(width, abs=1)
    assert cover.evaluate("element => getComputedStyle(element).objectFit") == "cover"
    # It opens its photo in the lightbox, by a click or from the keyboard.
    page.locator(".cover a").click()
    expect(page).to_have_url(f"{located.url}#photo={first}")
    expect(page.locator(".lb-image")).to_have_attribute(
        "src", f"/s/{located.token}/photos/{first}/preview"
    )
    page.keyboard.press("Escape")
    expect(page.locator("#lightbox")).to_be_hidden()
    page.locator(".cover a").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{located.url}#photo={first}")
