"""What a link's viewers did, as its owner reads it (`GET /api/links`): views of the gallery and
downloads (zips, originals, web sizes saved as files), each counted once its answer has gone
out. Real server, real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

import requests

from tests.server.test_viewer import _share
from tests.support import ServerProcess, wait_until


def test_downloads_are_counted_and_pictures_seen_are_not(shared_server: ServerProcess) -> None:
    _album, photo_id, link_id, token = _share(shared_server, download="original")
    base = f"{shared_server.url}/s/{token}"

    def link() -> dict[str, object]:
        return dict(shared_server.api("GET", f"/api/links/{link_id}").json())

    assert (link()["download_count"], link()["last_downloaded_at"]) == (0, None)
    # Looking is not taking: the gallery, its pictures, the lightbox's large picture.
    for path in ("", "/photos.json", f"/photos/{photo_id}/thumb", f"/photos/{photo_id}/preview"):
        assert requests.get(base + path, timeout=30).status_code == 200, path
    wait_until(lambda: link()["view_count"] == 1, what="the view counted")
    assert link()["download_count"] == 0

    taken = [
        f"/photos/{photo_id}/original",
        f"/photos/{photo_id}/preview?download=1",
        "/download",
        "/download?size=web",
    ]
    for count, path in enumerate(taken, start=1):
        answer = requests.get(base + path, timeout=30)
        assert answer.status_code == 200, (path, answer.text)
        wait_until(
            lambda count=count: link()["download_count"] == count,  # type: ignore[misc]
            what=f"download {count} counted ({path})",
        )
    chosen = requests.post(
        f"{base}/download",
        data={"photo_ids": photo_id, "size": "original"},
        headers={"Origin": shared_server.url},
        timeout=30,
    )
    assert chosen.status_code == 200, chosen.text
    wait_until(lambda: link()["download_count"] == 5, what="the picks' zip counted")
    last = link()["last_downloaded_at"]
    assert isinstance(last, str) and datetime.fromisoformat(last).tzinfo is not None

    # Refused is not taken.
    assert requests.get(f"{base}/download?size=bogus", timeout=30).status_code == 422
    _album2, _other_photo, other_link, other_token = _share(shared_server, download="none")
    refused = requests.get(f"{shared_server.url}/s/{other_token}/download", timeout=30)
    assert refused.status_code == 403
    listed = shared_server.api("GET", f"/api/links/{other_link}").json()
    assert (listed["download_count"], listed["last_downloaded_at"]) == (0, None)
    assert link()["download_count"] == 5
