"""News of links for the owner: the first time a link is opened, and the first time photos are
taken through it (core.link_news), found by a real sync against a real server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from albumen.core.credentials import Credentials
from albumen.core.link_news import LinkNews, announcement
from albumen.core.model import Download, LinkSettings
from albumen.core.owner import Owner
from albumen.core.scan import scan
from albumen.core.store import Store
from albumen.core.store_schema import MIGRATIONS
from tests.core.old_stores import old_store
from tests.core.test_credentials import MemoryKeyring
from tests.core.test_sync import _photos, _service
from tests.support import ServerProcess, wait_until


def _news(opened: bool, downloaded: bool, label: str = "Proofs for Anna") -> LinkNews:
    return LinkNews(label, "Lofoten", opened, downloaded)


def test_the_news_in_words() -> None:
    assert _news(True, False).text() == "“Proofs for Anna” (Lofoten) was opened"
    assert _news(False, True).text() == "Photos were downloaded through “Proofs for Anna” (Lofoten)"
    assert _news(True, True).text() == (
        "“Proofs for Anna” (Lofoten) was opened, and photos were downloaded through it"
    )
    assert announcement([]) is None
    assert announcement([_news(True, False)]) == (
        "Link opened",
        "“Proofs for Anna” (Lofoten) was opened",
    )
    assert announcement([_news(False, True)]) == (
        "Photos downloaded",
        "Photos were downloaded through “Proofs for Anna” (Lofoten)",
    )
    several = [_news(True, False, label=f"Link {n}") for n in range(5)]
    title, text = announcement(several) or ("", "")
    assert title == "News of 5 links"
    assert text.splitlines()[-1] == "and 2 more links"
    assert len(text.splitlines()) == 4


def test_a_sync_tells_once_when_a_link_is_first_opened_and_first_downloaded_from(
    shared_server: ServerProcess, tmp_path: Path
) -> None:
    store = Store(tmp_path / "s.sqlite3")
    try:
        album = store.create_album("Lofoten")
        store.add_photos(album.id, scan(_photos(tmp_path / "in", 1, start=700)).photos)
        settings = LinkSettings(label="Proofs for Anna", download=Download.WEB)
        link = store.create_link(album.id, settings, has_password=False)
        quiet = store.create_link(album.id, LinkSettings(), has_password=False)
        service = _service(store, shared_server.url, shared_server.token)
        assert service.sync_once().link_news == [], "nobody has opened anything yet"
        url = store.link(link.id).url
        assert url is not None

        def counted(field: str, value: int) -> None:
            wait_until(
                lambda: shared_server.api("GET", f"/api/links/{link.id}").json()[field] == value,
                what=f"{field} {value}",
            )

        assert requests.get(url, timeout=30).status_code == 200
        counted("view_count", 1)
        assert service.sync_once().link_news == [
            LinkNews("Proofs for Anna", "Lofoten", opened=True, downloaded=False)
        ]
        assert service.sync_once().link_news == [], "told once"

        assert requests.get(url, timeout=30).status_code == 200  # opened again: not news
        assert requests.get(f"{url}/download", timeout=30).status_code == 200
        counted("download_count", 1)
        assert service.sync_once().link_news == [
            LinkNews("Proofs for Anna", "Lofoten", opened=False, downloaded=True)
        ]
        assert requests.get(f"{url}/download", timeout=30).status_code == 200
        counted("download_count", 2)
        assert service.sync_once().link_news == []
        assert store.link(quiet.id).view_count == 0
    finally:
        store.close()


def test_a_link_without_a_label_is_named_by_its_album() -> None:
    assert LinkNews(None, "Lofoten", True, False).text() == "A link to Lofoten was opened"
    assert LinkNews(None, "Lofoten", False, True).text() == (
        "Photos were downloaded through a link to Lofoten"
    )


def test_a_link_near_its_end_is_told_once_for_each_end_date(
    shared_server: ServerProcess, tmp_path: Path
) -> None:
    store = Store(tmp_path / "s.sqlite3")
    try:
        album = store.create_album("Lofoten")
        store.add_photos(album.id, scan(_photos(tmp_path / "in", 1, start=720)).photos)
        soon = datetime.now(UTC) + timedelta(days=2, hours=1)
        later = datetime.now(UTC) + timedelta(days=20)
        near = store.create_link(
            album.id, LinkSettings(label="Proofs for Anna", expires_at=soon), has_password=False
        )
        store.create_link(album.id, LinkSettings(expires_at=later), has_password=False)
        owner = Owner(store, Credentials(MemoryKeyring()))
        service = _service(store, shared_server.url, shared_server.token)
        told = service.sync_once().link_news
        assert [(n.label, n.days_left) for n in told] == [("Proofs for Anna", 2)]
        assert told[0].text() == "“Proofs for Anna” (Lofoten) ends in 2 days"
        assert announcement(told) == ("Link ending", told[0].text())
        assert service.sync_once().link_news == [], "told once"

        # Extended by a few hours, still within its last days: a new end date, told again.
        sooner = soon + timedelta(hours=5)
        settings = LinkSettings(label="Proofs for Anna", expires_at=sooner)
        owner.save_link(album.id, settings, password=None, link_id=near.id)
        again = service.sync_once().link_news
        assert [(n.label, n.ends_at) for n in again] == [("Proofs for Anna", sooner)]
        # Extended by a month: nothing to say.
        settings = LinkSettings(label="Proofs for Anna", expires_at=later)
        owner.save_link(album.id, settings, password=None, link_id=near.id)
        assert service.sync_once().link_news == []
    finally:
        store.close()


def test_the_last_day_is_said_in_words() -> None:
    ends = datetime(2026, 12, 3, tzinfo=UTC)
    news = LinkNews(None, "Lofoten", False, False, ends, 0)
    assert news.text() == "A link to Lofoten ends in less than a day"
    assert LinkNews("Anna", "Lofoten", False, False, ends, 1).text() == (
        "“Anna” (Lofoten) ends in 1 day"
    )


def test_a_version_9_store_has_told_of_no_end_yet(tmp_path: Path) -> None:
    path = tmp_path / "albumen.sqlite3"
    old_store(
        path,
        9,
        "INSERT INTO links (id, album_id, token, download, show_metadata, show_location,"
        " has_password, state, expires_at, created_at) VALUES ('l1','a1',"
        " 't'||hex(randomblob(16)), 'web', 0, 0, 0, 'active', '2026-12-03T10:00:00+00:00', ?)",
    )
    store = Store(path)
    try:
        assert store.schema_version == len(MIGRATIONS) >= 10
        link = store.link("l1")
        assert link.ending_told is None and link.settings.expires_at is not None
    finally:
        store.close()
    assert path.with_name("albumen.sqlite3.v9.bak").exists(), "copied aside before migrating"
