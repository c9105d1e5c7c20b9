"""A note on a picked photo, in a real browser: written in the lightbox (N, or the bar's
button), kept as it is typed, sent with the picks, read by the owner; what is typed is text,
not the lightbox's keys; the photo's own page edits the same note; without JavaScript, a plain
form keeps it with the draft. And a link's limit on how many photos each viewer picks, and the
picked photos downloaded as one zip."""

from __future__ import annotations

import re
import zipfile
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser.conftest import PHONE
from tests.browser.looking import expect
from tests.browser.scenes import ALBUM, share_album
from tests.browser.test_picks_browser import _heart, _owner_picks, _send
from tests.support import ServerProcess

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser
PHOTOS = ALBUM[:4]
NOTE = "Tighter crop, please: a bit off the left. Zoom? Play? Fine."


def _open(page: Page, index: int) -> None:
    page.locator("#photos a.photo").nth(index).click()
    expect(page.locator("#lightbox")).to_be_visible()


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["laptop", "phone"])
def test_a_note_on_a_picked_photo_is_written_in_the_lightbox_and_sent(
    shared_server: ServerProcess, watch: Any, viewport: dict[str, int] | None
) -> None:
    album = share_album(shared_server, photos=PHOTOS, allow_picks=True)
    ids = album.photo_ids
    page = watch(viewport).new_page()
    page.goto(album.url)
    _open(page, 1)
    button, box, text = (
        page.locator(".lb-note"),
        page.locator(".lb-note-box"),
        page.locator("#lb-note-text"),
    )
    expect(button).to_be_hidden()
    page.keyboard.press("n")
    expect(box).to_be_hidden()  # no note on a photo not picked

    page.keyboard.press("f")
    expect(button).to_be_visible()
    expect(button).to_contain_text("Add a note")
    page.keyboard.press("n")
    expect(box).to_be_visible()
    expect(text).to_be_focused()
    # Typed text is not the lightbox's keys: no zoom, no slideshow, no unpicking, no next photo.
    page.keyboard.type(NOTE)
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowRight")
    expect(page).to_have_url(f"{album.url}#photo={ids[1]}")
    expect(page.locator(".lb-pick")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".lb-image")).not_to_have_class("zoomed")
    expect(page.locator(".lb-play")).to_have_attribute("aria-pressed", "false")
    expect(text).to_have_value(NOTE)
    # Esc closes the box alone; the button says there is a note.
    page.keyboard.press("Escape")
    expect(box).to_be_hidden()
    expect(page.locator("#lightbox")).to_be_visible()
    expect(button).to_have_class("lb-note has-note")
    expect(button).to_be_focused()
    if viewport is not None:  # a finger can hit it, and the bar stays within the screen
        found = button.bounding_box()
        assert found is not None and found["width"] >= 44 and found["height"] >= 44, found
        assert page.evaluate("document.scrollingElement.scrollWidth") <= viewport["width"]

    # Another photo, picked by its heart: the box opens empty for it.
    page.keyboard.press("ArrowRight")
    expect(page).to_have_url(f"{album.url}#photo={ids[2]}")
    expect(button).to_be_hidden()
    page.keyboard.press("Escape")
    expect(page.locator("#lightbox")).to_be_hidden()
    _heart(page, 3).click()

    # The grid marks the photo with a note; the heart says so to a screen reader.
    expect(page.locator("#photos li").nth(1).locator(".note-mark")).to_be_visible()
    expect(page.locator("#photos li").nth(3).locator(".note-mark")).to_be_hidden()
    expect(_heart(page, 1)).to_have_attribute(
        "aria-label", re.compile(r"^Picked, with your note: ")
    )

    _send(page, name="Anna")
    expect(page.locator(".picks-summary")).to_have_text(
        "2 photos picked, 1 with your note. The photographer gets the list with your name."
    )
    expect(page.locator("#picks-dialog")).to_be_hidden()
    (pick,) = _owner_picks(album)
    assert pick["photo_ids"] == [ids[1], ids[3]]
    assert pick["photo_notes"] == {ids[1]: NOTE}

    # Kept in the browser: after a reload the note is there to change; a change is news.
    page.reload()
    _open(page, 1)
    expect(button).to_contain_text("Your note")
    button.click()
    expect(text).to_have_value(NOTE)
    text.fill("Black and white")
    page.locator(".lb-note-box button[type=submit]").click()
    expect(box).to_be_hidden()
    page.keyboard.press("Escape")
    expect(page.locator(".picks-status")).to_contain_text("send them again")
    _send(page)
    expect(page.locator(".picks-status")).to_have_text("Sent 2 picks to the photographer.")
    assert _owner_picks(album)[0]["photo_notes"] == {ids[1]: "Black and white"}

    # Unpicked, the photo's note is not sent (nor offered), though kept should it come back.
    _heart(page, 1).click()
    expect(page.locator("#photos li").nth(1).locator(".note-mark")).to_be_hidden()
    _send(page)
    expect(page.locator(".picks-status")).to_have_text("Sent 1 pick to the photographer.")
    assert _owner_picks(album)[0]["photo_notes"] == {}
    _heart(page, 1).click()
    expect(page.locator("#photos li").nth(1).locator(".note-mark")).to_be_visible()


def test_the_photo_page_edits_the_same_note(shared_server: ServerProcess, watch: Any) -> None:
    album = share_album(shared_server, photos=PHOTOS[:2], allow_picks=True)
    ids = album.photo_ids
    page = watch(PHONE).new_page()
    page.goto(f"{album.url}/photos/{ids[0]}")
    note = page.locator("#pick-photo-note")
    expect(note).to_be_hidden()
    page.click(".pick-toggle button")
    expect(note).to_be_visible()
    expect(page.locator(".pick-photo-note-save")).to_be_hidden()  # kept as it is typed
    note.fill("Print this one large")
    page.keyboard.press("f")  # typed into the note: not a key of the page
    expect(note).to_have_value("Print this one largef")
    expect(page.locator(".pick-toggle button")).to_have_attribute("aria-pressed", "true")
    page.goto(album.url)
    expect(page.locator("#photos li").nth(0).locator(".note-mark")).to_be_visible()
    _open(page, 0)
    page.keyboard.press("n")
    expect(page.locator("#lb-note-text")).to_have_value("Print this one largef")


def test_a_note_without_javascript(shared_server: ServerProcess, watch: Any) -> None:
    album = share_album(shared_server, photos=PHOTOS[:2], allow_picks=True)
    ids = album.photo_ids
    page = watch(PHONE, javascript=False).new_page()
    page.goto(f"{album.url}/photos/{ids[1]}")
    expect(page.locator("#pick-photo-note")).to_be_hidden()
    page.click("button[value=pick]")
    page.fill("#pick-photo-note", "Warmer, please")
    page.click("button[value=note]")
    expect(page.locator("#pick-photo-note")).to_have_value("Warmer, please")
    page.fill("#pick-name", "Ben")
    page.click("button[value=send]")
    expect(page.locator(".pick-notice")).to_have_text("Sent 1 pick to the photographer.")
    (pick,) = _owner_picks(album)
    assert pick["photo_notes"] == {ids[1]: "Warmer, please"}


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["laptop", "phone"])
def test_a_pick_past_the_links_limit_is_refused_with_a_word(
    shared_server: ServerProcess, watch: Any, viewport: dict[str, int] | None
) -> None:
    """A link that takes two picks (the photographer's package): the third heart does nothing
    and says why, in the bar and over the photo in the lightbox; unpicking one makes room."""
    album = share_album(shared_server, photos=PHOTOS, allow_picks=True, pick_limit=2)
    ids = album.photo_ids
    watched = watch(viewport)
    page = watched.new_page()
    page.goto(album.url)
    expect(page.locator(".picks-filter")).to_contain_text("Picks (0 of 2)")
    expect(page.locator(".picks-status")).to_have_text(
        "Pick up to 2 photos you like with ♥, then send them."
    )
    _heart(page, 0).click()
    _heart(page, 1).click()
    _heart(page, 2).click()
    expect(_heart(page, 2)).to_have_attribute("aria-pressed", "false")
    words = "You can pick up to 2 photos: unpick one to pick this one instead."
    expect(page.locator(".picks-status")).to_have_text(words)
    expect(page.locator(".picks-filter")).to_contain_text("Picks (2 of 2)")

    _open(page, 3)
    page.keyboard.press("f")
    expect(page.locator(".lb-pick")).to_have_attribute("aria-pressed", "false")
    expect(page.locator(".lb-notice")).to_have_text(words)
    for _ in range(2):  # back to the second photo, picked: unpick it, then pick the fourth
        page.keyboard.press("ArrowLeft")
    expect(page).to_have_url(f"{album.url}#photo={ids[1]}")
    page.keyboard.press("f")
    expect(page.locator(".lb-pick")).to_have_attribute("aria-pressed", "false")
    for _ in range(2):
        page.keyboard.press("ArrowRight")
    expect(page).to_have_url(f"{album.url}#photo={ids[3]}")
    page.keyboard.press("f")
    expect(page.locator(".lb-pick")).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("Escape")
    expect(page.locator(".picks-status")).to_have_text("Not sent yet.")

    # The photographer lowers the limit meanwhile: the server refuses, the page says why.
    def limit(value: int) -> None:
        body = {"album_id": album.album_id, "token": album.token, "allow_picks": True}
        edited = album.server.api(
            "PUT", f"/api/links/{album.link_id}", json={**body, "pick_limit": value}
        )
        assert edited.status_code == 200, edited.text

    limit(1)
    _send(page, name="Anna")
    expect(page.locator(".picks-error")).to_have_text(
        "The photographer changed how many photos you can pick. Reload the page to see it,"
        " then send again: your picks are kept."
    )
    watched.errors[:] = [error for error in watched.errors if "status of 422" not in error]
    page.click(".picks-cancel")
    limit(2)
    _send(page, name="Anna")
    expect(page.locator(".picks-status")).to_have_text("Sent 2 picks to the photographer.")
    assert _owner_picks(album)[0]["photo_ids"] == [ids[0], ids[3]]


def test_the_picked_photos_download_as_one_zip(shared_server: ServerProcess, watch: Any) -> None:
    """ "Download my picks" on a link of originals: the picked files alone, as the link gives
    them; shown only once something is picked, never on a link without downloads."""
    album = share_album(shared_server, photos=PHOTOS, allow_picks=True, download="original")
    page = watch(downloads=True).new_page()
    page.goto(album.url)
    button = page.locator(".picks-download")
    expect(button).to_be_hidden()
    _heart(page, 3).click()
    _heart(page, 1).click()
    expect(button).to_be_visible()
    with page.expect_download() as picked:
        button.click()
    assert picked.value.suggested_filename == "Summer in three cities (my picks).zip"
    archive = zipfile.ZipFile(picked.value.path())
    assert archive.namelist() == [PHOTOS[1][0], PHOTOS[3][0]], "the album's order"
    expect(page).to_have_url(album.url)  # still on the gallery, picks in hand

    without = share_album(shared_server, photos=PHOTOS[:2], allow_picks=True)
    page.goto(without.url)
    _heart(page, 0).click()
    expect(page.locator(".picks-download")).to_have_count(0)
