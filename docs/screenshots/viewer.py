"""Screenshots of the viewer a link's recipient sees, at phone and laptop sizes.

    .venv/bin/python docs/screenshots/viewer.py

Starts a real server on 127.0.0.1 with a temporary data folder, shares the browser tests' album
of three cities (a section per city), and drives Debian's /usr/bin/chromium through Playwright
(nothing downloaded).
Writes viewer-{password,gallery,sections,lightbox,map}-{phone,laptop}.png next to this file, and
viewer-picks.png (laptop), viewer-picks-phone.png (390×844) and viewer-picks-note-{phone,laptop}.png
(a note on a picked photo, in the lightbox) from a watermarked link that allows picks.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, LAPTOP, PHONE  # noqa: E402
from tests.browser.scenes import ALBUM, share_album  # noqa: E402
from tests.support import start_server  # noqa: E402

OUT = Path(__file__).resolve().parent


def _images_loaded(page: Page, selector: str) -> None:
    for image in page.locator(selector).all():
        image.scroll_into_view_if_needed()
        expect(image).to_have_js_property("complete", True)
    page.evaluate("window.scrollTo(0, 0)")


def _picks(page: Page, url: str, size: str) -> None:
    """A viewer's picks: hearts on three photos, a note on one, sent with a name."""
    page.goto(url)
    _images_loaded(page, "#photos img")
    for index in (1, 3, 4):
        page.locator("#photos li").nth(index).locator("button.heart").click()
    page.locator("#photos a.photo").nth(3).click()
    expect(page.locator(".lb-image")).to_have_js_property("complete", True)
    page.keyboard.press("n")
    page.keyboard.type("Could this one be a little warmer? It is for my grandmother.")
    page.screenshot(path=OUT / f"viewer-picks-note-{size}.png")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.click(".picks-send")
    page.fill("#picks-name", "Anna Lindqvist")
    page.fill("#picks-note", "The Lisbon ones for the hallway, please!")
    page.click(".picks-submit")
    expect(page.locator(".picks-status")).to_have_text("Sent 3 picks to the photographer.")
    page.screenshot(
        path=OUT / ("viewer-picks.png" if size == "laptop" else "viewer-picks-phone.png")
    )


def main() -> int:
    with tempfile.TemporaryDirectory() as data:
        server = start_server(Path(data))
        try:
            album = share_album(server, show_location=True, show_metadata=True, download="original")
            ids = album.photo_ids  # a section per city (the last evening's photo, taken nowhere,
            parts = [("Paris", ids[0:3]), ("Lisbon", ids[3:5]), ("Tokyo", ids[5:8])]  # with Tokyo)
            body = {
                "title": "Summer in three cities",
                "description": "A week of walking, three cities, one camera.",
                "sections": [{"title": title, "photo_ids": list(p)} for title, p in parts],
            }
            server.api("PUT", f"/api/albums/{album.album_id}", json=body).raise_for_status()
            locked = share_album(server, photos=ALBUM[:1], password="blue heron at dawn")  # noqa: S106  # a demo link
            until = (datetime.now(UTC) + timedelta(days=21)).isoformat()  # the gallery says it
            proofing = album.add_link(
                allow_picks=True,
                show_metadata=True,
                download="web",
                pick_limit=10,
                expires_at=until,
                watermark="© Amélie Berg Photography",  # proofs, as photographers send them
            )
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
                )
                for size, viewport in (("phone", PHONE), ("laptop", LAPTOP)):
                    page = browser.new_page(viewport=viewport)  # type: ignore[arg-type]
                    page.goto(locked.url)
                    page.fill("#password", "grey heron")
                    page.click("button[type=submit]")
                    expect(page.locator("[role=alert]")).to_be_visible()
                    page.screenshot(path=OUT / f"viewer-password-{size}.png")

                    page.goto(album.url)
                    _images_loaded(page, "#photos img")
                    page.screenshot(path=OUT / f"viewer-gallery-{size}.png")
                    page.get_by_role("navigation", name="Sections").get_by_text("Lisbon").click()
                    expect(page.locator("#section-2")).to_be_in_viewport()
                    page.screenshot(path=OUT / f"viewer-sections-{size}.png")
                    page.evaluate("window.scrollTo(0, 0)")

                    page.locator("#photos a.photo").nth(1).click()
                    expect(page.locator(".lb-image")).to_have_js_property("complete", True)
                    if size == "laptop":
                        expect(page.locator(".lb-info")).to_contain_text("Camera")
                    page.screenshot(path=OUT / f"viewer-lightbox-{size}.png")
                    page.keyboard.press("Escape")

                    page.locator("#map").scroll_into_view_if_needed()
                    expect(page.locator("#map")).to_have_attribute("data-outlines", "loaded")
                    _images_loaded(page, "#places img")
                    page.locator("#places-title").evaluate("title => title.scrollIntoView()")
                    page.screenshot(path=OUT / f"viewer-map-{size}.png")
                    page.close()

                    page = browser.new_page(viewport=viewport)  # type: ignore[arg-type]
                    _picks(page, proofing.url, size)
                    page.close()
                browser.close()
        finally:
            server.stop()
    for path in sorted(OUT.glob("viewer-*.png")):
        print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
