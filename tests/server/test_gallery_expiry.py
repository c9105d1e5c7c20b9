"""The gallery tells its viewers until when its link lasts, and counts the days in the last
week (so a viewer who means to download knows to). Real server, real HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import requests

from tests.server.test_picks import _link
from tests.support import ServerProcess, new_id


def _summary(server: ServerProcess, token: str) -> str:
    page = requests.get(f"{server.url}/s/{token}", timeout=30)
    assert page.status_code == 200, page.text
    start = page.text.index('<p class="summary">')
    return page.text[start : page.text.index("</p>", start)]


def test_the_gallery_says_until_when_its_link_lasts(shared_server: ServerProcess) -> None:
    album_id = new_id()
    shared_server.api("PUT", f"/api/albums/{album_id}", json={"title": "Lasts"}).raise_for_status()
    now = datetime.now(UTC)
    soon = now + timedelta(days=3, hours=1)
    later = now + timedelta(days=30, hours=1)
    today = now + timedelta(hours=5)
    cases = [
        (soon, f"Available until {soon.day} {soon:%B %Y} (3 days left)"),
        (later, f"Available until {later.day} {later:%B %Y}<"),
        (today, f"Available until {today.day} {today:%B %Y} (less than a day left)"),
    ]
    for expires, words in cases:
        _, token = _link(shared_server, album_id, expires_at=expires.isoformat())
        summary = _summary(shared_server, token)
        assert words in summary, summary
    _, forever = _link(shared_server, album_id)
    assert "Available until" not in _summary(shared_server, forever)
