"""Proofing from the command line against a real server: `albumen share --allow-picks` makes a
link that takes picks, and `albumen picks` prints what viewers sent, their notes on photos too
(the Lightroom line and the same line as the app copies are held together in
tests/ui/test_picks.py)."""

from __future__ import annotations

import csv
import io
import json
import uuid
from pathlib import Path

import requests

from tests.support import ServerProcess, photo_jpeg, remote_link, run_albumen


def _share(data: Path, server: ServerProcess, folder: Path, album: str, *extra: str) -> str:
    result = run_albumen(data, "share", str(folder), "--album", album, *extra, token=server.token)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_share_allow_picks_reaches_the_server_and_picks_prints_them(
    shared_server: ServerProcess, tmp_path: Path
) -> None:
    folder = tmp_path / "proofs"
    folder.mkdir()
    for index in range(3):
        (folder / f"DSC_{index:04d}.JPG").write_bytes(photo_jpeg((320, 240), seed=index))
    data = tmp_path / "client"
    data.mkdir()
    (data / "settings.json").write_text(json.dumps({"server_url": shared_server.url}))

    url = _share(data, shared_server, folder, "Proofs", "--allow-picks")
    assert remote_link(shared_server, url)["allow_picks"] is True
    plain = _share(data, shared_server, folder, "Proofs")
    assert remote_link(shared_server, plain)["allow_picks"] is False, "off unless asked"
    refused = requests.put(f"{plain}/picks/{uuid.uuid4()}", json={"name": "X", "photo_ids": []})
    assert refused.status_code == 404
    listed = run_albumen(data, "links", "Proofs", token=shared_server.token)
    allows = {line.split("\t")[3]: line.split("\t")[5] for line in listed.stdout.splitlines()}
    assert allows == {url: "picks", plain: "-"}, listed.stdout
    limited = _share(data, shared_server, folder, "Proofs", "--pick-limit", "2")
    remote = remote_link(shared_server, limited)
    assert (remote["allow_picks"], remote["pick_limit"]) == (True, 2), "implies --allow-picks"
    listed = run_albumen(data, "links", "Proofs", token=shared_server.token)
    assert f"{limited}\t" in listed.stdout and "\tpicks up to 2" in listed.stdout
    wrong = run_albumen(data, "share", str(folder), "--album", "Proofs", "--pick-limit", "0")
    assert wrong.returncode == 2 and "'0' is not a number of photos from 1 to 20000" in wrong.stderr

    empty = run_albumen(data, "picks", "Proofs", token=shared_server.token)
    assert empty.returncode == 0 and empty.stdout == ""
    assert "no picks for 'Proofs' yet" in empty.stderr

    photos = requests.get(f"{url}/photos.json", timeout=30).json()["photos"]
    ids = [photo["id"] for photo in photos]  # in the album's order
    notes = {ids[1]: "Black and white,\nplease"}
    body = {"name": "=Dora", "note": "Top two", "photo_ids": ids[:2], "photo_notes": notes}
    sent = requests.put(f"{url}/picks/{uuid.uuid4()}", json=body, timeout=30)
    assert sent.status_code in (200, 201), sent.text

    synced = run_albumen(data, "sync", token=shared_server.token)
    assert synced.returncode == 0, synced.stderr
    assert "=Dora picked 2 photos from Proofs, with 1 note" in synced.stdout.splitlines()
    again = run_albumen(data, "sync", token=shared_server.token)
    assert "picked" not in again.stdout, "each list is news once"

    table = run_albumen(data, "picks", "Proofs", "--format", "csv", token=shared_server.token)
    assert table.returncode == 0, table.stderr
    rows = list(csv.DictReader(io.StringIO(table.stdout)))
    assert [row["sender"] for row in rows] == ["'=Dora", "'=Dora"], "never a formula"
    assert {row["note"] for row in rows} == {"Top two"}
    assert [row["photo_id"] for row in rows] == ids[:2]
    assert [row["photo_note"] for row in rows] == ["", "Black and white,\nplease"]
    document = run_albumen(data, "picks", "Proofs", "--format", "json", token=shared_server.token)
    assert json.loads(document.stdout)["picks"][0]["photo_notes"] == notes, "kept by the sync"
    assert all(row["filename"].startswith("DSC_") for row in rows)
    line = run_albumen(data, "picks", "Proofs", token=shared_server.token)
    assert line.stdout.strip() == ", ".join(Path(row["filename"]).stem for row in rows)

    unknown = run_albumen(data, "picks", "No such album", token=shared_server.token)
    assert unknown.returncode == 2 and "no album named 'No such album'" in unknown.stderr
