"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright, against a real server.

No `playwright install`: Playwright drives the system's Chromium, so nothing is downloaded. Where
that Chromium is missing the browser tests are skipped, unless ALBUMEN_REQUIRE_BROWSER is set
(CI sets it), and then they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

from tests.browser.scenes import SharedAlbum, share_album
from tests.support import ServerProcess

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1440, "height": 900}


def _unavailable(reason: str) -> None:
    if os.environ.get("ALBUMEN_REQUIRE_BROWSER"):
        pytest.fail(f"{reason}, and ALBUMEN_REQUIRE_BROWSER is set")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        _unavailable(f"the browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the browser tests need Playwright (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Watched:
    """A browser context whose every request and every console error is written down."""

    context: BrowserContext
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    documents: set[str] = field(default_factory=set)

    def new_page(self) -> Page:
        page = self.context.new_page()
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        return page

    def _console(self, message: Any) -> None:
        if message.type != "error":
            return
        # A page answered 401, 404 or 429 on purpose (password, not available) is logged as a
        # failed load too; any other failed load (an image, a script) is an error.
        url = message.location.get("url", "")
        if message.text.startswith("Failed to load resource") and url in self.documents:
            return
        self.errors.append(f"console {message.type}: {message.text} ({url})")

    def record(self, request: Any) -> None:
        self.requests.append(request.url)
        if request.resource_type == "document":
            self.documents.add(request.url)

    def hosts(self) -> set[str]:
        return {urlsplit(url).netloc for url in self.requests if not url.startswith("data:")}


@pytest.fixture
def watch(browser: Browser) -> Iterator[Any]:
    """Makes watched contexts; after the test, none may have seen a console error."""
    made: list[Watched] = []

    def make(
        viewport: dict[str, int] | None = None,
        *,
        javascript: bool = True,
        downloads: bool = False,
        pixel_ratio: float = 1,
    ) -> Watched:
        context = browser.new_context(
            viewport=viewport or LAPTOP,  # type: ignore[arg-type]
            device_scale_factor=pixel_ratio,
            java_script_enabled=javascript,
            accept_downloads=downloads,
        )
        watched = Watched(context)
        context.on("request", watched.record)
        made.append(watched)
        return watched

    yield make
    for watched in made:
        watched.context.close()
    errors = [error for watched in made for error in watched.errors]
    assert not errors, "the pages reported errors (a CSP violation shows up here):\n" + "\n".join(
        errors
    )


@pytest.fixture(scope="module")
def located(shared_server: ServerProcess) -> SharedAlbum:
    """Eight photos in three cities (and one without GPS) behind a link that shows everything."""
    return share_album(shared_server, show_location=True, show_metadata=True, download="original")


@pytest.fixture(scope="module")
def discreet(located: SharedAlbum) -> SharedAlbum:
    """The same album behind a link that shows neither location nor metadata, and web downloads."""
    return located.add_link(download="web")
