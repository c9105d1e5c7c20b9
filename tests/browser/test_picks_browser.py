"""Proofing in a real browser: a viewer hearts photos, sends them with a name, sends again after
changing one, and the owner reads one updated list; a link without picks asks nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
import requests

from tests.browser.conftest import PHONE
from tests.browser.looking import expect
from tests.browser.scenes import ALBUM, SharedAlbum, share_album
from tests.support import ServerProcess, new_id

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser
PHOTOS = ALBUM[:6]


def _owner_picks(album: SharedAlbum) -> list[dict[str, Any]]:
    answer = album.server.api("GET", f"/api/links/{album.link_id}/picks")
    assert answer.status_code == 200, answer.text
    picks: list[dict[str, Any]] = answer.json()["picks"]
    return picks


def _heart(page: Page, index: int) -> Any:
    return page.locator("#photos li").nth(index).locator("button.heart")


def _send(page: Page, name: str | None = None, note: str | None = None) -> None:
    page.click(".picks-send")
    expect(page.locator("#picks-dialog")).to_be_visible()
    if name is not None:
        page.fill("#picks-name", name)
    if note is not None:
        page.fill("#picks-note", note)
    page.click(".picks-submit")


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["laptop", "phone"])
def test_pick_send_change_and_send_again(
    shared_server: ServerProcess, watch: Any, viewport: dict[str, int] | None
) -> None:
    album = share_album(shared_server, photos=PHOTOS, allow_picks=True, show_metadata=True)
    ids = album.photo_ids
    page = watch(viewport).new_page()
    page.goto(album.url)
    expect(page.locator("#picks-bar")).to_be_visible()
    expect(page.locator("#photos button.heart")).to_have_count(len(PHOTOS))
    expect(page.locator(".picks-count")).to_have_text("0")
    expect(page.locator(".picks-send")).to_be_disabled()

    _heart(page, 0).click()
    _heart(page, 2).click()
    expect(_heart(page, 2)).to_have_attribute("aria-pressed", "true")
    # In the lightbox: F picks the photo shown, the heart there says so.
    page.locator("#photos a.photo").nth(4).click()
    expect(page.locator(".lb-pick")).to_be_visible()
    expect(page.locator(".lb-pick")).to_have_attribute("aria-pressed", "false")
    page.keyboard.press("f")
    expect(page.locator(".lb-pick")).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("Escape")
    expect(page.locator("#lightbox")).to_be_hidden()
    expect(page.locator(".picks-count")).to_have_text("3")
    expect(_heart(page, 4)).to_have_attribute("aria-pressed", "true")

    # Touch targets a finger can hit, and nothing wider than the screen.
    for target in (_heart(page, 1), page.locator(".picks-filter"), page.locator(".picks-send")):
        box = target.bounding_box()
        assert box is not None and box["width"] >= 44 and box["height"] >= 44, box
    width = viewport["width"] if viewport else 1440
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width

    # The filter shows the picked photos alone, and the lightbox walks through them alone.
    page.click(".picks-filter")
    expect(page.locator(".picks-filter")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#photos li:visible")).to_have_count(3)
    page.locator("#photos a.photo").nth(2).click()
    page.keyboard.press("ArrowRight")
    expect(page).to_have_url(f"{album.url}#photo={ids[4]}")
    page.keyboard.press("Escape")
    page.click(".picks-filter")
    expect(page.locator("#photos li:visible")).to_have_count(len(PHOTOS))

    # A name is asked for before anything is sent.
    _send(page)
    expect(page.locator(".picks-error")).to_contain_text("Please give your name")
    assert _owner_picks(album) == []
    page.fill("#picks-name", "Anna <script>alert(1)</script>")
    page.fill("#picks-note", "For the <b>hall</b>")
    page.click(".picks-submit")
    expect(page.locator("#picks-dialog")).to_be_hidden()
    expect(page.locator(".picks-status")).to_have_text("Sent 3 picks to the photographer.")
    (first,) = _owner_picks(album)
    assert first["name"] == "Anna <script>alert(1)</script>"
    assert first["note"] == "For the <b>hall</b>"
    assert first["photo_ids"] == [ids[0], ids[2], ids[4]]

    # Kept in the browser: after a reload the same hearts, and "sent".
    page.reload()
    expect(page.locator(".picks-count")).to_have_text("3")
    expect(_heart(page, 0)).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".picks-status")).to_have_text("Sent 3 picks to the photographer.")

    # One pick changed, sent again: the same list, updated.
    _heart(page, 2).click()
    _heart(page, 5).click()
    expect(page.locator(".picks-status")).to_contain_text("send them again")
    _send(page)  # the name is remembered
    expect(page.locator(".picks-status")).to_have_text("Sent 3 picks to the photographer.")
    (updated,) = _owner_picks(album)
    assert updated["id"] == first["id"]
    assert updated["photo_ids"] == [ids[0], ids[4], ids[5]]
    assert updated["name"] == first["name"]


def test_a_url_with_a_photo_in_it_opens_on_its_heart(
    shared_server: ServerProcess, watch: Any
) -> None:
    """The lightbox opened by the URL before picks.js ran: the heart is there all the same."""
    album = share_album(shared_server, photos=PHOTOS[:2], allow_picks=True)
    page = watch(PHONE).new_page()
    page.goto(f"{album.url}#photo={album.photo_ids[1]}")
    expect(page.locator("#lightbox")).to_be_visible()
    heart = page.locator(".lb-pick")
    expect(heart).to_be_visible()
    heart.click()
    expect(heart).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".picks-count")).to_have_text("1")


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["laptop", "phone"])
def test_a_jump_to_the_places_lands_below_the_picks_bar(
    shared_server: ServerProcess, watch: Any, viewport: dict[str, int] | None
) -> None:
    """The bar stays at the top of the screen as the page scrolls: "Places" and each place
    must not land under it."""
    album = share_album(shared_server, allow_picks=True, show_location=True)
    page = watch(viewport).new_page()
    page.goto(album.url)
    bar = page.locator("#picks-bar")
    expect(bar).to_be_visible()
    settled = (
        "() => { const y = window.scrollY; const same = window.lastY === y;"
        " window.lastY = y; return same && y > 0; }"
    )
    # The summary's "3 places", then a place's marker on the map (a smooth scroll).
    for jump, target in (("a[href='#places']", "#places-title"), (".place-marker", ".place h3")):
        page.locator(jump).last.click()
        page.wait_for_function(settled)
        heading = page.locator(target).last
        expect(heading).to_be_in_viewport()
        bar_box, heading_box = bar.bounding_box(), heading.bounding_box()
        assert bar_box is not None and heading_box is not None
        assert heading_box["y"] >= bar_box["y"] + bar_box["height"], f"{target} under the bar"


def test_sending_to_a_revoked_link_says_so_kindly(shared_server: ServerProcess, watch: Any) -> None:
    album = share_album(shared_server, photos=PHOTOS[:2], allow_picks=True)
    watched = watch(PHONE)
    page = watched.new_page()
    page.goto(album.url)
    _heart(page, 1).click()
    album.revoke()
    _send(page, name="Anna")
    expect(page.locator(".picks-error")).to_have_text(
        "This link no longer takes picks. Your picks are still kept in this browser."
    )
    expect(page.locator("#picks-dialog")).to_be_visible()
    # The refused PUT is logged by the browser as a failed load: that one was expected.
    watched.errors[:] = [error for error in watched.errors if "status of 404" not in error]
    assert _owner_picks(album) == []


def test_a_link_without_picks_shows_no_heart_and_refuses_the_put(
    shared_server: ServerProcess, watch: Any
) -> None:
    album = share_album(shared_server, photos=PHOTOS[:3])
    page = watch().new_page()
    page.goto(album.url)
    expect(page.locator("#photos img")).to_have_count(3)
    expect(page.locator("#photos li").first).to_be_visible()
    for absent in ("button.heart", "#picks-bar", "#picks-dialog", ".lb-pick", "script[src*=picks]"):
        expect(page.locator(absent)).to_have_count(0)
    page.locator("#photos a.photo").first.click()
    expect(page.locator("#lightbox")).to_be_visible()
    page.keyboard.press("f")
    expect(page.locator(".lb-pick")).to_have_count(0)
    page.goto(f"{album.url}/photos/{album.photo_ids[0]}")
    expect(page.locator("#picks")).to_have_count(0)
    refused = requests.put(
        f"{album.url}/picks/{new_id()}",
        json={"name": "Anna", "photo_ids": album.photo_ids[:1]},
        timeout=30,
    )
    assert refused.status_code == 404
    assert _owner_picks(album) == []


def test_picks_without_javascript(shared_server: ServerProcess, watch: Any) -> None:
    album = share_album(shared_server, photos=PHOTOS[:3], allow_picks=True)
    ids = album.photo_ids
    page = watch(PHONE, javascript=False).new_page()
    page.goto(album.url)
    expect(page.locator(".picks-hint")).to_contain_text("Open a photo to pick it")
    expect(page.locator("#picks-bar")).to_be_hidden()
    page.locator("#photos a").nth(0).click()
    page.click("button[value=pick]")
    expect(page.locator("button[value=unpick]")).to_contain_text("Picked")
    expect(page.locator(".pick-count")).to_have_text("1 photo picked")
    page.click("a[rel=next]")
    page.click("a[rel=next]")
    expect(page).to_have_url(f"{album.url}/photos/{ids[2]}")
    page.click("button[value=pick]")
    expect(page.locator(".pick-count")).to_have_text("2 photos picked")
    page.fill("#pick-name", "Ben")
    page.fill("#pick-note", "The last one is my favourite")
    page.click("button[value=send]")
    expect(page.locator(".pick-notice")).to_have_text("Sent 2 picks to the photographer.")
    (pick,) = _owner_picks(album)
    assert (pick["name"], pick["photo_ids"]) == ("Ben", [ids[0], ids[2]])
    assert pick["note"] == "The last one is my favourite"
