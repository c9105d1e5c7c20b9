"""The viewer's slideshow and full screen, in a real browser whose clock the test moves: each
photo held five seconds once loaded, the first after the last, paused by P, a step by hand given
its whole time, nothing left running once the lightbox closes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser.conftest import PHONE
from tests.browser.looking import expect, lightbox_shows
from tests.browser.scenes import ALBUM, SharedAlbum, share_album
from tests.support import ServerProcess

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

HOLD_MS = 5000


def loaded(page: Page) -> None:
    """The lightbox's picture has loaded, and with it the count of its five seconds begun."""
    expect(page.locator(".lb-image")).to_have_js_property("complete", True)


def test_the_slideshow_plays_pauses_and_goes_round(located: SharedAlbum, watch: Any) -> None:
    page = watch().new_page()
    # The page's clock stands still but when the test moves it: a slow machine's real seconds
    # (pictures loading, the browser busy) would otherwise count towards the five.
    page.clock.install()
    page.clock.pause_at(datetime.now(tz=UTC) + timedelta(seconds=1))
    page.goto(located.url)
    last = len(located.photo_ids) - 1
    play = page.locator(".lb-play")

    page.get_by_role("button", name="Slideshow").click()
    lightbox_shows(page, located, 0)
    expect(play).to_have_attribute("aria-pressed", "true")
    expect(play).to_have_accessible_name("Pause")
    page.clock.run_for(HOLD_MS - 500)
    lightbox_shows(page, located, 0)
    page.clock.run_for(600)
    lightbox_shows(page, located, 1)
    loaded(page)
    page.clock.run_for(HOLD_MS + 100)
    lightbox_shows(page, located, 2)

    page.keyboard.press("p")  # paused: time passes, the photo stays
    expect(play).to_have_attribute("aria-pressed", "false")
    page.clock.run_for(3 * HOLD_MS)
    lightbox_shows(page, located, 2)

    page.keyboard.press("p")
    loaded(page)
    page.clock.run_for(HOLD_MS - 1000)
    page.keyboard.press("ArrowRight")  # a step by hand: that photo gets its whole time
    lightbox_shows(page, located, 3)
    loaded(page)
    page.clock.run_for(HOLD_MS - 500)
    lightbox_shows(page, located, 3)
    page.clock.run_for(600)
    lightbox_shows(page, located, 4)

    page.goto(f"{located.url}#photo={located.photo_ids[last]}")  # still playing
    lightbox_shows(page, located, last)
    expect(play).to_have_attribute("aria-pressed", "true")
    loaded(page)
    page.clock.run_for(HOLD_MS + 100)
    lightbox_shows(page, located, 0)  # the first after the last

    page.keyboard.press("Escape")
    expect(page.locator("#lightbox")).to_be_hidden()
    page.locator("#photos a.photo").nth(1).click()
    lightbox_shows(page, located, 1)
    expect(play).to_have_attribute("aria-pressed", "false")  # closing stopped it
    page.clock.run_for(3 * HOLD_MS)
    lightbox_shows(page, located, 1)


def test_one_photo_has_no_slideshow(shared_server: ServerProcess, watch: Any) -> None:
    album = share_album(shared_server, photos=ALBUM[:1])
    page = watch().new_page()
    page.goto(album.url)
    page.locator("#photos a.photo").first.click()
    lightbox_shows(page, album, 0)
    expect(page.locator(".lb-play")).to_be_hidden()
    expect(page.locator(".slideshow")).to_be_hidden()


def test_without_javascript_there_is_no_dead_slideshow_button(
    located: SharedAlbum, watch: Any
) -> None:
    page = watch(javascript=False).new_page()
    page.goto(located.url)
    expect(page.locator(".slideshow")).to_be_hidden()


def test_full_screen_and_the_phones_bar(located: SharedAlbum, watch: Any) -> None:
    page = watch().new_page()
    page.goto(f"{located.url}#photo={located.photo_ids[0]}")
    lightbox_shows(page, located, 0)
    full = page.locator(".lb-fullscreen")
    full.click()
    page.wait_for_function("() => document.fullscreenElement === document.documentElement")
    expect(full).to_have_attribute("aria-pressed", "true")
    expect(full).to_have_accessible_name("Exit full screen")
    page.keyboard.press("Escape")  # out of full screen first, the photo still open
    page.wait_for_function("() => document.fullscreenElement === null")
    expect(full).to_have_attribute("aria-pressed", "false")
    lightbox_shows(page, located, 0)
    page.keyboard.press("Escape")
    expect(page.locator("#lightbox")).to_be_hidden()
    page.locator("#photos a.photo").first.click()
    full.click()
    page.wait_for_function("() => document.fullscreenElement === document.documentElement")
    page.locator(".lb-close").click()  # closing the lightbox leaves the full screen it asked for
    page.wait_for_function("() => document.fullscreenElement === null")

    phone = watch(PHONE).new_page()
    phone.goto(f"{located.url}#photo={located.photo_ids[0]}")
    lightbox_shows(phone, located, 0)
    play, close = phone.locator(".lb-play"), phone.locator(".lb-close")
    expect(play).to_have_accessible_name("Play")  # its label is read, not shown
    expect(phone.locator(".lb-fullscreen")).to_be_hidden()  # no room, and phones fill the screen
    boxes = [b for b in (play.bounding_box(), close.bounding_box()) if b is not None]
    assert len(boxes) == 2
    for box in boxes:
        assert box["width"] >= 44 and box["height"] >= 44  # a finger's size
        assert box["y"] < 100  # over the photo's top, where phones' viewers have them
    assert boxes[0]["x"] + boxes[0]["width"] <= boxes[1]["x"]  # side by side
    for button in phone.locator(".lb-bar a:visible, .lb-bar button:visible").all():
        box = button.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
