"""An arriving photo in a real browser: seen in the grid and the lightbox from its preview, and
where its original's download would be, a kind word that it is still on its way."""

from __future__ import annotations

import io
from typing import Any

import pytest

from tests.browser.looking import expect
from tests.browser.scenes import scene
from tests.server.uploading import put_preview, upload_photo
from tests.support import ServerProcess, new_id, new_token, photo_jpeg

pytestmark = pytest.mark.browser


def test_an_arriving_photo_in_the_grid_and_the_lightbox(
    shared_server: ServerProcess, watch: Any
) -> None:
    server = shared_server
    album_id, token = new_id(), new_token()
    server.api("PUT", f"/api/albums/{album_id}", json={"title": "On its way"}).raise_for_status()
    landed = upload_photo(server, album_id, photo_jpeg((1200, 800)), "DSCF0001.JPG")
    picture = io.BytesIO()
    scene((2048, 1365), seed=7).save(picture, "JPEG", quality=85)
    original = photo_jpeg((6000, 4000)) + new_id().encode()  # never sent: still on its way
    arriving = new_id()
    response = put_preview(
        server, arriving, album_id, original, picture.getvalue(), filename="DSCF0002.JPG"
    )
    assert response.status_code == 201, response.text
    link = {"album_id": album_id, "token": token, "download": "original", "show_metadata": True}
    server.api("PUT", f"/api/links/{new_id()}", json=link).raise_for_status()
    url = f"{server.url}/s/{token}"

    page = watch().new_page()
    page.goto(url)
    thumbnail = page.locator(f"#p-{arriving} img")
    expect(thumbnail).to_have_js_property("complete", True)
    # Made from its preview: the small thumbnail of a 1× screen, 320 rows of a 3:2 picture.
    assert thumbnail.evaluate("element => element.currentSrc").endswith("/small")
    assert thumbnail.evaluate("element => element.naturalWidth") == 480
    expect(page.locator(".album-header")).to_contain_text(
        "1 full-resolution file is still on its way"
    )
    expect(page.locator("text=Download all originals (zip)")).to_have_count(0)

    page.locator(f"#p-{arriving} a").click()
    expect(page.locator("#lightbox")).to_be_visible()
    image = page.locator(".lb-image")
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("element => element.naturalWidth") == 2048
    note = page.locator(".lb-arriving")
    expect(note).to_be_visible()
    expect(note).to_have_text("The full-resolution file is still on its way")
    expect(page.locator(".lb-original")).to_be_hidden()
    expect(page.locator(".lb-download")).to_be_visible()  # its web size can be had now
    expect(page.locator(".lb-info")).to_contain_text("Taken")

    page.keyboard.press("ArrowLeft")
    expect(page).to_have_url(f"{url}#photo={landed}")
    expect(note).to_be_hidden()
    expect(page.locator(".lb-original")).to_be_visible()

    # The photo's own page, without JavaScript, says the same.
    still = watch(javascript=False).new_page()
    still.goto(f"{url}/photos/{arriving}")
    expect(still.locator(".arriving")).to_have_text("The full-resolution file is still on its way")
    expect(still.locator("text=Download original")).to_have_count(0)
