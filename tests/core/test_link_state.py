"""What a link is now (core.link_state): the app and `albumen links` show the same states."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from albumen.core.link_state import effective_state, is_open, link_url, works_only_here
from albumen.core.model import Link, LinkSettings, LinkState
from albumen.core.passwords import MIN_BITS, UNFRIENDLY, WORDS, generate_password, strength_bits
from albumen.core.store import Store
from tests.support import run_albumen


def test_links_to_this_computer_are_told_apart() -> None:
    for url in ("http://127.0.0.1:8737/s/x", "http://localhost:8737/s/x", "http://[::1]:1/s/x"):
        assert works_only_here(url), url
    for url in ("https://photos.example/s/x", "http://192.168.1.20:8080/s/x"):
        assert not works_only_here(url), url


def test_albumen_links_and_the_app_agree_on_every_state(tmp_path: Path) -> None:
    past = datetime.now(UTC) - timedelta(days=1)
    store = Store(tmp_path / "albumen.sqlite3")
    try:
        album = store.create_album("States")
        made = {
            "pending": store.create_link(
                album.id, LinkSettings(label="pending"), has_password=False
            ),
            "active": store.create_link(album.id, LinkSettings(label="active"), has_password=False),
            "expired": store.create_link(
                album.id, LinkSettings(label="expired", expires_at=past), has_password=False
            ),
            "revoked": store.create_link(
                album.id, LinkSettings(label="revoked"), has_password=False
            ),
        }
        for name in ("active", "expired"):
            store.set_link_remote(made[name].id, state=LinkState.ACTIVE, url=None)
        store.revoke_link(made["revoked"].id)
        links = {link.settings.label: link for link in store.links(album.id)}
        expected = {label: effective_state(link).value for label, link in links.items()}
        assert expected["expired"] == "expired"  # the server still says active
        assert store.album(album.id).link_count == 2  # pending and active: the ones that work
        assert [label for label, link in links.items() if is_open(link)] == ["pending", "active"]
    finally:
        store.close()
    listed = run_albumen(tmp_path, "links", "States")
    assert listed.returncode == 0, listed.stderr
    printed = {line.split("\t")[2]: line.split("\t")[0] for line in listed.stdout.splitlines()}
    assert printed == expected


def test_generated_passwords_are_friendly_and_strong() -> None:
    assert strength_bits() >= MIN_BITS
    for _ in range(200):
        words = generate_password().split("-")
        assert len(words) == WORDS
        assert all(word.isalpha() for word in words)
        assert not UNFRIENDLY & set(words)


def test_a_links_url_is_the_servers_word_once_known_else_made_from_the_token() -> None:
    pending = Link(
        id="l1",
        album_id="a1",
        token="tok-en",
        settings=LinkSettings(),
        has_password=False,
        state=LinkState.PENDING,
        created_at=datetime.now(UTC),
    )
    assert link_url(pending, "https://photos.example.org/") == (
        "https://photos.example.org/s/tok-en"
    )
    live = replace(pending, url="https://share.example.org/s/tok-en")
    assert link_url(live, "https://photos.example.org") == "https://share.example.org/s/tok-en"
