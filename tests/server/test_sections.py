"""Sections, an album in parts (docs/DESIGN.md, "Sections"): what the owner API takes and
answers, and the gallery's order and headings that every page and answer of a link follows.
Real server, real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import re
import zipfile
from urllib.parse import unquote

import requests

from albumen_server.viewer_downloads import folder_name
from tests.server.test_picks import _link
from tests.server.uploading import upload_photo
from tests.support import ServerProcess, new_id, photo_jpeg


def _album(server: ServerProcess, count: int) -> tuple[str, list[str]]:
    album_id = new_id()
    server.api("PUT", f"/api/albums/{album_id}", json={"title": "Wedding"}).raise_for_status()
    ids = [
        upload_photo(server, album_id, photo_jpeg((64, 48), seed=300 + n), f"IMG_{n}.jpg")
        for n in range(count)
    ]
    order = {"title": "Wedding", "photo_order": ids}
    server.api("PUT", f"/api/albums/{album_id}", json=order).raise_for_status()
    return album_id, ids


def _put(server: ServerProcess, album_id: str, sections: object) -> requests.Response:
    return server.api(
        "PUT", f"/api/albums/{album_id}", json={"title": "Wedding", "sections": sections}
    )


def test_sections_are_kept_as_sent_and_answered_as_the_album_holds_them(
    shared_server: ServerProcess,
) -> None:
    album_id, (_a, b, _c, d, e) = _album(shared_server, 5)
    not_yet = new_id()  # a photo still on its way may be named
    sent = [
        {"title": "  Ceremony ", "photo_ids": [d, b, not_yet]},
        {"title": "Party", "photo_ids": [e]},
        {"title": "Empty for now", "photo_ids": []},
    ]
    answer = _put(shared_server, album_id, sent)
    assert answer.status_code == 200, answer.text
    assert answer.json()["sections"] == [
        {"title": "Ceremony", "photo_ids": [b, d]},  # trimmed; the album's order; present only
        {"title": "Party", "photo_ids": [e]},
        {"title": "Empty for now", "photo_ids": []},
    ]
    left_out = shared_server.api("PUT", f"/api/albums/{album_id}", json={"title": "Wedding"})
    assert [s["title"] for s in left_out.json()["sections"]][:2] == ["Ceremony", "Party"]
    listed = shared_server.api("GET", "/api/albums").json()["albums"]
    assert next(x for x in listed if x["id"] == album_id)["sections"][1]["photo_ids"] == [e]
    assert _put(shared_server, album_id, None).json()["sections"] == []
    assert _put(shared_server, album_id, sent).status_code == 200
    assert _put(shared_server, album_id, []).json()["sections"] == []


def test_what_cannot_be_sections_is_refused_naming_why(shared_server: ServerProcess) -> None:
    album_id, (a, b) = _album(shared_server, 2)
    refusals = [
        (
            [{"title": "Party", "photo_ids": [a]}, {"title": "party", "photo_ids": [b]}],
            "sections: 'party' comes twice",
        ),
        (
            [{"title": "One", "photo_ids": [a]}, {"title": "Two", "photo_ids": [a, b]}],
            f"sections: photo {a} is in two sections",
        ),
        ([{"title": " ", "photo_ids": []}], "sections.0.title: must not be blank"),
        (
            [{"title": "Line\nbreak", "photo_ids": []}],
            "sections.0.title: must be one line, without control characters",
        ),
        (
            [{"title": "x" * 101, "photo_ids": []}],
            "sections.0.title: is 101 characters long; at most 100",
        ),
        (
            [{"title": f"S{n}", "photo_ids": []} for n in range(101)],
            "sections: an album has at most 100 sections, not 101",
        ),
    ]
    for sections, message in refusals:
        answer = _put(shared_server, album_id, sections)
        assert answer.status_code == 422, (message, answer.text)
        assert answer.json()["error"]["message"] == message
    kept = shared_server.api("GET", f"/api/albums/{album_id}").json()
    assert kept["sections"] == [], "nothing of a refused PUT is kept"


def test_the_gallery_shows_each_section_under_its_title_and_everything_follows(
    shared_server: ServerProcess,
) -> None:
    album_id, (a, b, c, d, e) = _album(shared_server, 5)
    sections = [
        {"title": "Party", "photo_ids": [a, e]},
        {"title": "Ceremony & vows", "photo_ids": [d, b]},
    ]
    assert _put(shared_server, album_id, sections).status_code == 200
    _link_id, token = _link(shared_server, album_id, download="web")
    base = f"{shared_server.url}/s/{token}"
    # Photos in no section first, then each section in the owner's order, in the album's order.
    order = [c, a, e, b, d]

    page = requests.get(base, timeout=30).text
    assert [m for m in re.findall(r'id="p-([0-9a-f-]{36})"', page)] == order
    assert re.findall(r'<h2 class="section-title" id="(section-\d)">([^<]*)', page) == [
        ("section-1", "Party\n    "),
        ("section-2", "Ceremony &amp; vows\n    "),
    ]
    assert '<nav class="sections" aria-label="Sections">' in page
    assert '<a href="#section-1">Party</a><a href="#section-2">Ceremony &amp; vows</a>' in page

    listing = requests.get(f"{base}/photos.json", timeout=30).json()["photos"]
    assert [(p["id"], p["section"]) for p in listing] == [
        (c, None),
        (a, "Party"),
        (e, "Party"),
        (b, "Ceremony & vows"),
        (d, "Ceremony & vows"),
    ]
    # The photo pages step through the same order: from the last of Party to Ceremony's first.
    photo_page = requests.get(f"{base}/photos/{e}", timeout=30).text
    assert f'href="/s/{token}/photos/{b}"' in photo_page
    assert '<span class="photo-section">Party</span> · 3 of 5' in photo_page
    zipped = requests.get(f"{base}/download", timeout=60)
    with zipfile.ZipFile(io.BytesIO(zipped.content)) as archive:
        names = archive.namelist()
    # A folder for each section, the photos in none at the top: as the gallery groups them.
    assert names == [
        "IMG_2.jpg",
        "Party/IMG_0.jpg",
        "Party/IMG_4.jpg",
        "Ceremony & vows/IMG_1.jpg",
        "Ceremony & vows/IMG_3.jpg",
    ]

    # Each section downloads alone (a wedding's guests take the party), named after it.
    assert f'href="/s/{token}/download?section=2"' in page
    party = requests.get(f"{base}/download?section=2", timeout=60)
    assert party.status_code == 200, party.text
    assert "Wedding — Ceremony & vows.zip" in unquote(party.headers["Content-Disposition"])
    with zipfile.ZipFile(io.BytesIO(party.content)) as archive:
        assert archive.namelist() == ["IMG_1.jpg", "IMG_3.jpg"]
    missing = requests.get(f"{base}/download?section=3", timeout=30)
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == "this album has no section 3"

    # One section only: its heading, no line of sections.
    assert _put(shared_server, album_id, sections[:1]).status_code == 200
    single = requests.get(base, timeout=30).text
    assert '<nav class="sections"' not in single and 'class="section-title"' in single


def test_a_sections_title_makes_a_folder_any_system_opens() -> None:
    assert folder_name("Ceremony & vows") == "Ceremony & vows"
    assert folder_name('Before/after: "the" <day>?') == "Before-after- -the- -day--"
    assert folder_name("Party...") == "Party"
    assert folder_name("..") == "Section"
