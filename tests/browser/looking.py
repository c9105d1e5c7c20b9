"""Looking at a page as a person would, for the browser tests: Playwright's `expect`, an image
seen whole, and where things are on the page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

    from tests.browser.scenes import SharedAlbum


def expect(target: Any) -> Any:
    """Playwright's `expect`, imported when first used (the module is a test extra)."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


PAGE_BOX = (
    "element => { const box = element.getBoundingClientRect();"
    " return {x: box.x, y: box.y + window.scrollY, width: box.width, height: box.height}; }"
)
"""An element's box on the page (a Locator's `bounding_box` is in the viewport, which moves)."""


def assert_loaded(image: Locator) -> None:
    """The image is in view, finished loading, and decoded to real pixels (not a broken icon)."""
    image.scroll_into_view_if_needed()
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("element => element.naturalWidth") > 0, image.get_attribute("src")


def pixel_rows(page: Page, source: str) -> int:
    """The picture's own rows of pixels (an image's `naturalHeight` divides them by the density
    its `srcset` gave the picture)."""
    rows = page.evaluate(
        "async source => { const image = new Image(); image.src = source;"
        " await image.decode(); return image.naturalHeight; }",
        source,
    )
    return int(rows)


def lightbox_shows(page: Page, album: SharedAlbum, index: int) -> None:
    """The lightbox is open on the album's photo at `index`: in the URL, its preview loaded, its
    position said."""
    photo_id = album.photo_ids[index]
    expect(page.locator("#lightbox")).to_be_visible()
    expect(page).to_have_url(f"{album.url}#photo={photo_id}")
    image = page.locator(".lb-image")
    expect(image).to_have_attribute("src", f"/s/{album.token}/photos/{photo_id}/preview")
    assert_loaded(image)
    expect(page.locator(".lb-position")).to_have_text(f"{index + 1} / {len(album.photo_ids)}")
