"""What a link's settings imply (core.link_rules) and where a watermark is kept: the local
store (and a store from before watermarks), the settings file, `albumen links`' words, and the
server, through a real sync."""

from __future__ import annotations

import json
from pathlib import Path

from albumen.core.backend import Backend
from albumen.core.credentials import Credentials
from albumen.core.link_rules import allowed_download, downloads_for, settled
from albumen.core.link_state import activity, link_allows
from albumen.core.model import Download, LinkSettings, LinkState
from albumen.core.owner import Owner
from albumen.core.settings import Settings
from albumen.core.store import Store
from albumen.core.store_schema import MIGRATIONS
from albumen.core.sync import SyncService
from albumen_photo.watermark import MAX_CHARACTERS
from tests.core.old_stores import old_store
from tests.core.test_credentials import MemoryKeyring
from tests.support import ServerProcess


def test_a_watermarked_link_offers_no_originals() -> None:
    assert downloads_for(False) == (Download.NONE, Download.WEB, Download.ORIGINAL)
    assert downloads_for(True) == (Download.NONE, Download.WEB)
    assert allowed_download(Download.ORIGINAL, watermarked=True) is Download.WEB
    assert allowed_download(Download.ORIGINAL, watermarked=False) is Download.ORIGINAL
    assert allowed_download(Download.NONE, watermarked=True) is Download.NONE

    proofs = settled(LinkSettings(download=Download.ORIGINAL, watermark="  © Anna Berg "))
    assert (proofs.download, proofs.watermark) == (Download.WEB, "© Anna Berg")
    blank = settled(LinkSettings(download=Download.ORIGINAL, watermark="   "))
    assert (blank.download, blank.watermark) == (Download.ORIGINAL, None), "blank is none"
    plain = LinkSettings(download=Download.NONE, watermark="Proof")
    assert settled(plain) == plain, "already settled: nothing changes"


def test_a_pick_limit_allows_picks() -> None:
    assert settled(LinkSettings(pick_limit=30)).allow_picks
    assert not settled(LinkSettings()).allow_picks


def test_the_owner_records_a_watermarked_link_of_originals_as_web_sizes(tmp_path: Path) -> None:
    store = Store(tmp_path / "albumen.sqlite3")
    try:
        owner = Owner(store, Credentials(MemoryKeyring()))
        album = owner.create_album("Proofs")
        made = owner.save_link(
            album.id,
            LinkSettings(download=Download.ORIGINAL, watermark="© Anna Berg", pick_limit=2),
            password=None,
        ).link
        kept = store.link(made.id).settings
        assert (kept.download, kept.watermark) == (Download.WEB, "© Anna Berg")
        assert kept.allow_picks and kept.pick_limit == 2
        assert "watermark" in link_allows(store.link(made.id))
        owner.save_link(
            album.id, LinkSettings(download=Download.ORIGINAL), password=None, link_id=made.id
        )
        removed = store.link(made.id)
        assert removed.settings.watermark is None
        assert removed.settings.download is Download.ORIGINAL, "no watermark: originals again"
        assert "watermark" not in link_allows(removed)
    finally:
        store.close()


def test_a_version_6_store_keeps_its_links_without_a_watermark(tmp_path: Path) -> None:
    path = tmp_path / "albumen.sqlite3"
    old_store(
        path,
        6,
        "INSERT INTO links (id, album_id, token, download, show_metadata, show_location,"
        " allow_picks, pick_limit, has_password, state, created_at) VALUES ('l1','a1',"
        " 't'||hex(randomblob(16)), 'original', 0, 1, 1, 30, 1, 'active', ?)",
    )
    store = Store(path)
    try:
        assert store.schema_version == len(MIGRATIONS) >= 7
        link = store.link("l1")
        assert link.settings.download is Download.ORIGINAL and link.settings.show_location
        assert (link.settings.allow_picks, link.settings.pick_limit) == (True, 30)
        assert link.has_password and link.state is LinkState.ACTIVE
        assert link.settings.watermark is None, "links made before watermarks have none"
    finally:
        store.close()
    assert path.with_name("albumen.sqlite3.v6.bak").exists(), "copied aside before migrating"


def test_the_default_watermark_is_checked_by_the_servers_rule(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"link_defaults": {"watermark": " © Anna Berg "}}))
    assert Settings.load(path).link_defaults.watermark == "© Anna Berg"
    assert Settings.load(path).problems == ()
    for written, said in (
        ("写真 Anna", "link_defaults.watermark has '写', which the watermark's font cannot draw"),
        ("x" * (MAX_CHARACTERS + 1), f"link_defaults.watermark is {MAX_CHARACTERS + 1} char"),
        (42, "link_defaults.watermark must be a line of text or null, not 42"),
    ):
        path.write_text(json.dumps({"link_defaults": {"watermark": written, "password": False}}))
        settings = Settings.load(path)
        assert settings.link_defaults.watermark is None, written
        assert settings.link_defaults.password is False, "the rest of the file is kept"
        (problem,) = settings.problems
        assert f"{path}: {said}" in problem and "the default is used" in problem
    path.write_text(json.dumps({"link_defaults": {"watermark": "  "}}))
    assert Settings.load(path).link_defaults.watermark is None
    assert Settings.load(path).problems == (), "a blank watermark is none, not a mistake"


def test_a_watermarked_link_reaches_the_server_and_the_pull_keeps_it(
    shared_server: ServerProcess, tmp_path: Path
) -> None:
    store = Store(tmp_path / "albumen.sqlite3")
    try:
        owner = Owner(store, Credentials(MemoryKeyring()))
        album = owner.create_album("Watermarked proofs")
        link = owner.save_link(
            album.id,
            LinkSettings(download=Download.ORIGINAL, watermark="© Anna Berg"),
            password=None,
        ).link
        service = SyncService(
            store,
            lambda: Backend(shared_server.url, shared_server.token, read_timeout=20),
            owner.credentials,
            retries=1,
            backoff=0.01,
        )
        report = service.sync_once()
        assert report.failed == [] and report.remaining == 0, report
        remote = shared_server.api("GET", f"/api/links/{link.id}").json()
        assert (remote["watermark"], remote["download"]) == ("© Anna Berg", "web")
        kept = store.link(link.id)
        assert kept.state is LinkState.ACTIVE, "the pull saw it live"
        assert kept.settings.watermark == "© Anna Berg", "and kept its watermark"

        owner.save_link(
            album.id, LinkSettings(download=Download.WEB), password=None, link_id=link.id
        )
        assert service.sync_once().failed == []
        assert shared_server.api("GET", f"/api/links/{link.id}").json()["watermark"] is None
    finally:
        store.close()


def test_a_version_7_store_keeps_its_links_with_nothing_downloaded_yet(tmp_path: Path) -> None:
    path = tmp_path / "albumen.sqlite3"
    old_store(
        path,
        7,
        "INSERT INTO links (id, album_id, token, download, show_metadata, show_location,"
        " has_password, state, view_count, watermark, created_at) VALUES ('l1','a1',"
        " 't'||hex(randomblob(16)), 'web', 0, 0, 0, 'active', 4, '© Anna', ?)",
    )
    store = Store(path)
    try:
        assert store.schema_version == len(MIGRATIONS) >= 8
        link = store.link("l1")
        assert (link.view_count, link.settings.watermark) == (4, "© Anna")
        assert (link.download_count, link.last_downloaded_at) == (0, None)
        assert activity(link) == "4 views, 0 downloads"
    finally:
        store.close()
    assert path.with_name("albumen.sqlite3.v7.bak").exists(), "copied aside before migrating"
