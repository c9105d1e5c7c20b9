"""An album in sections, in a real browser at laptop and phone size: each section under its
heading, the line of titles leading to each, and the lightbox stepping from one section into
the next in the gallery's order."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import pytest

from tests.browser.conftest import LAPTOP, PHONE
from tests.browser.looking import expect, lightbox_shows
from tests.browser.scenes import SharedAlbum, share_album
from tests.support import ServerProcess

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def sectioned(shared_server: ServerProcess) -> SharedAlbum:
    """The three cities' album in a section per city; the photo taken nowhere in none."""
    album = share_album(shared_server, download="web")
    ids = album.photo_ids
    sections = [
        {"title": "Paris", "photo_ids": ids[0:3]},
        {"title": "Lisbon", "photo_ids": ids[3:5]},
        {"title": "Tokyo", "photo_ids": ids[5:7]},
    ]
    body = {"title": "Summer in three cities", "sections": sections}
    shared_server.api("PUT", f"/api/albums/{album.album_id}", json=body).raise_for_status()
    # As the gallery shows them: the photo in no section first.
    return replace(album, photo_ids=[ids[7], *ids[:7]])


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_sections_show_under_their_titles_and_the_lightbox_goes_through_them(
    sectioned: SharedAlbum, watch: Any, viewport: dict[str, int]
) -> None:
    page = watch(viewport).new_page()
    page.goto(sectioned.url)
    headings = page.locator("#photos h2.section-title")
    expect(headings).to_have_count(3)
    expect(headings.nth(0)).to_contain_text("Paris · 3 photos")
    expect(headings.nth(2)).to_contain_text("Tokyo · 2 photos")
    cells = page.locator("#photos a.photo")
    expect(cells).to_have_count(8)
    ids = [cells.nth(n).get_attribute("data-id") for n in range(8)]
    assert ids == sectioned.photo_ids

    # The line of sections leads to each heading.
    nav = page.get_by_role("navigation", name="Sections")
    expect(nav.get_by_role("link")).to_have_text(["Paris", "Lisbon", "Tokyo"])
    nav.get_by_role("link", name="Tokyo").click()
    expect(page).to_have_url(f"{sectioned.url}#section-3")
    expect(headings.nth(2)).to_be_in_viewport()
    # Each section's photos are laid out in rows of their own, below its heading.
    tokyo_top = headings.nth(2).bounding_box()
    first_tokyo = cells.nth(6).bounding_box()
    assert tokyo_top is not None and first_tokyo is not None
    assert first_tokyo["y"] > tokyo_top["y"] + tokyo_top["height"] - 1

    # From Paris's last photo, → opens Lisbon's first: one order for the whole gallery.
    cells.nth(3).click()
    lightbox_shows(page, sectioned, 3)
    expect(page.locator(".lb-name")).to_have_text(re.compile(r"^Paris · "))
    page.keyboard.press("ArrowRight")
    lightbox_shows(page, sectioned, 4)
    expect(page.locator(".lb-name")).to_have_text(re.compile(r"^Lisbon · "))
    # The photo in no section is named alone.
    page.keyboard.press("Escape")
    cells.nth(0).click()
    lightbox_shows(page, sectioned, 0)
    expect(page.locator(".lb-name")).not_to_contain_text(" · ")


def test_showing_only_the_picks_hides_the_sections_left_empty(
    sectioned: SharedAlbum, watch: Any
) -> None:
    proofing = sectioned.add_link(allow_picks=True)
    page = watch(LAPTOP).new_page()
    page.goto(proofing.url)
    headings = page.locator("#photos h2.section-title")
    expect(headings).to_have_count(3)
    page.locator("#photos li").nth(1).locator("button.heart").click()  # Paris's first photo
    page.click(".picks-filter")
    expect(page.locator(".picks-filter")).to_have_attribute("aria-pressed", "true")
    expect(headings.nth(0)).to_be_visible()
    expect(headings.nth(1)).to_be_hidden()
    expect(headings.nth(2)).to_be_hidden()
    page.click(".picks-filter")
    for index in range(3):
        expect(headings.nth(index)).to_be_visible()
