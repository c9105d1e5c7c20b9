"""`albumen share FOLDER --sections` against a real server on 127.0.0.1: each subfolder of the
folder a section of the album, under its name, in name order; the photos directly in it in
none (docs/DESIGN.md, "Sections")."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support import ServerProcess, photo_jpeg, run_albumen


def _shoot(folder: Path) -> None:
    """A wedding's folder: one photo directly in it, two parts in subfolders, and a hidden
    folder that is no part."""
    for where, names in (
        (folder, ["arrival.jpg"]),
        (folder / "Party", ["dance.jpg", "cake.jpg"]),
        (folder / "Ceremony", ["vows.jpg", "rings.jpg"]),
        (folder / ".thumbnails", []),
    ):
        where.mkdir(parents=True, exist_ok=True)
        for index, name in enumerate(names):
            (where / name).write_bytes(photo_jpeg(seed=len(str(where)) * 7 + index))


def test_share_with_sections_makes_a_section_of_each_subfolder(
    shared_server: ServerProcess, tmp_path: Path
) -> None:
    folder = tmp_path / "Berg wedding"
    _shoot(folder)
    data = tmp_path / "client"
    data.mkdir()
    (data / "settings.json").write_text(json.dumps({"server_url": shared_server.url}))
    result = run_albumen(
        data,
        "share",
        str(folder),
        "--album",
        "Berg wedding",
        "--sections",
        token=shared_server.token,
    )
    assert result.returncode == 0, result.stderr
    assert "2 sections: Ceremony (2 photos), Party (2 photos)" in result.stderr

    albums = shared_server.api("GET", "/api/albums").json()["albums"]
    (album,) = [a for a in albums if a["title"] == "Berg wedding"]
    body = shared_server.api("GET", f"/api/albums/{album['id']}").json()
    names = {photo["id"]: photo["filename"] for photo in body["photos"]}
    sections = [
        (part["title"], [names[photo_id] for photo_id in part["photo_ids"]])
        for part in body["sections"]
    ]
    assert sections == [
        ("Ceremony", ["rings.jpg", "vows.jpg"]),
        ("Party", ["cake.jpg", "dance.jpg"]),
    ], "each subfolder a section, in name order, its photos in the folder's order"
    assert [names[photo["id"]] for photo in body["photos"]] == [
        "arrival.jpg",
        "rings.jpg",
        "vows.jpg",
        "cake.jpg",
        "dance.jpg",
    ], "the album's order is the gallery's: the photo in no section first"

    plain = run_albumen(
        data, "share", str(folder), "--album", "No parts", token=shared_server.token
    )
    assert plain.returncode == 0, plain.stderr
    albums = shared_server.api("GET", "/api/albums").json()["albums"]
    (other,) = [a for a in albums if a["title"] == "No parts"]
    assert shared_server.api("GET", f"/api/albums/{other['id']}").json()["sections"] == [], (
        "without --sections, no sections"
    )


def test_a_subfolder_name_that_cannot_be_a_title_stops_the_share_before_anything(
    shared_server: ServerProcess, tmp_path: Path
) -> None:
    folder = tmp_path / "shoot"
    (folder / ("x" * 101)).mkdir(parents=True)
    (folder / "a.jpg").write_bytes(photo_jpeg(seed=5))
    data = tmp_path / "client"
    data.mkdir()
    (data / "settings.json").write_text(json.dumps({"server_url": shared_server.url}))
    result = run_albumen(
        data, "share", str(folder), "--album", "Too long", "--sections", token=shared_server.token
    )
    assert result.returncode == 2, result.stderr
    assert "--sections: " in result.stderr
    assert "section title: 101 characters is too long; at most 100" in result.stderr
    titles = [a["title"] for a in shared_server.api("GET", "/api/albums").json()["albums"]]
    assert "Too long" not in titles, "nothing was sent"
