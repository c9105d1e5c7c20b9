"""`albumen share --watermark` against a real server: the link the server keeps draws the text
and offers no originals, `albumen links` says so, `albumen sync` tells when the client first
opened it and took the photos, and what cannot be a watermarked link is
refused with exit 2 before anything is queued."""

from __future__ import annotations

import json
from pathlib import Path

import requests

from albumen_photo.watermark import MAX_CHARACTERS
from tests.support import ServerProcess, photo_jpeg, remote_link, run_albumen, wait_until


def _client(tmp_path: Path, server: ServerProcess) -> tuple[Path, Path]:
    folder = tmp_path / "proofs"
    folder.mkdir()
    for index in range(2):
        (folder / f"DSC_{index:04d}.JPG").write_bytes(photo_jpeg((320, 240), seed=40 + index))
    data = tmp_path / "client"
    data.mkdir()
    (data / "settings.json").write_text(json.dumps({"server_url": server.url}))
    return folder, data


def test_share_with_a_watermark_makes_a_watermarked_link_of_web_sizes(
    shared_server: ServerProcess, tmp_path: Path
) -> None:
    folder, data = _client(tmp_path, shared_server)
    shared = run_albumen(
        data,
        "share",
        str(folder),
        "--album",
        "Watermarked",
        "--download",
        "web",
        "--watermark",
        "© Anna Berg",
        token=shared_server.token,
    )
    assert shared.returncode == 0, shared.stderr
    url = shared.stdout.strip().splitlines()[-1]
    remote = remote_link(shared_server, url)
    assert remote["watermark"] == "© Anna Berg"
    assert remote["download"] in ("web", "none")
    listed = run_albumen(data, "links", "Watermarked", token=shared_server.token)
    [line] = listed.stdout.splitlines()
    assert line.split("\t")[3] == url and line.split("\t")[5] == "download web,watermark"

    # The client opens the proofs and takes them: the next sync says so, once.
    assert requests.get(url, timeout=30).status_code == 200
    assert requests.get(f"{url}/download", timeout=30).status_code == 200
    wait_until(
        lambda: (
            remote_link(shared_server, url)["download_count"] == 1
            and remote_link(shared_server, url)["view_count"] == 1
        ),
        what="the view and the download counted",
    )
    synced = run_albumen(data, "sync", token=shared_server.token)
    assert synced.returncode == 0, synced.stderr
    told = "A link to Watermarked was opened, and photos were downloaded through it"
    assert told in synced.stdout.splitlines()
    again = run_albumen(data, "sync", token=shared_server.token)
    assert told not in again.stdout, "told once"

    plain = run_albumen(
        data, "share", str(folder), "--album", "Watermarked", token=shared_server.token
    )
    assert plain.returncode == 0, plain.stderr
    unmarked = plain.stdout.strip().splitlines()[-1]
    assert remote_link(shared_server, unmarked)["watermark"] is None, "none unless asked"


def test_a_watermark_that_cannot_be_is_refused_naming_why(
    shared_server: ServerProcess, tmp_path: Path
) -> None:
    folder, data = _client(tmp_path, shared_server)

    def share(*extra: str) -> tuple[int, str]:
        result = run_albumen(data, "share", str(folder), "--album", "Refused", *extra)
        return result.returncode, result.stderr

    code, said = share("--watermark", "© Anna Berg", "--download", "original")
    assert code == 2
    assert "--watermark and --download original do not go together" in said
    assert "use --download web or none" in said
    code, said = share("--watermark", "東京 Anna")
    assert code == 2
    assert "argument --watermark: '東京 Anna' has '東', which the watermark's font cannot" in said
    code, said = share("--watermark", "x" * (MAX_CHARACTERS + 1))
    assert code == 2
    assert "argument --watermark: 'xxx" in said and f"is {MAX_CHARACTERS + 1} characters" in said
    albums = run_albumen(data, "albums")
    assert albums.returncode == 0 and "Refused" not in albums.stdout, "nothing was made"
