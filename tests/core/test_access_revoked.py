"""An owner whose token the server no longer knows (its administrator revoked it after a laptop
was lost, or the server was set up anew): the sync stops and keeps the whole queue, as when
offline, says to pair again, and sends everything once it is paired again. Nothing queued is
marked failed: a link revoked meanwhile would otherwise stay live on the server."""

from __future__ import annotations

import json
from pathlib import Path

from albumen.core.model import Download, LinkSettings, LinkState, PhotoState
from albumen.core.scan import scan
from albumen.core.store import Store
from tests.core.test_sync import _photos, _service
from tests.support import ServerProcess, create_token, revoke_owner, run_albumen


def test_a_revoked_token_keeps_the_queue_until_the_owner_pairs_again(
    fresh_server: ServerProcess, tmp_path: Path
) -> None:
    store = Store(tmp_path / "s.sqlite3")
    album = store.create_album("Lofoten")
    store.add_photos(album.id, scan(_photos(tmp_path / "in", 2)).photos)
    live = store.create_link(album.id, LinkSettings(download=Download.WEB), has_password=False)
    token = create_token(fresh_server.data, "anna")
    report = _service(store, fresh_server.url, token).sync_once()
    assert (report.uploaded, report.failed, report.remaining) == (2, [], 0)
    assert store.link(live.id).state is LinkState.ACTIVE

    revoke_owner(fresh_server.data, "anna")
    more = store.create_album("Senja")
    store.add_photos(more.id, scan(_photos(tmp_path / "more", 1, start=10)).photos)
    store.revoke_link(live.id)
    report = _service(store, fresh_server.url, token).sync_once()
    assert report.failed == [] and report.uploaded == 0
    assert report.offline is not None and "pair" in report.offline, report.offline
    assert report.remaining == 3  # the album, its photo, the link's revocation: all kept
    assert store.link(live.id).state is LinkState.REVOKE_PENDING
    assert all(p.state is not PhotoState.FAILED for p in store.photos(more.id))

    again = create_token(fresh_server.data, "anna")  # paired again
    report = _service(store, fresh_server.url, again).sync_once()
    assert (report.uploaded, report.failed, report.remaining) == (1, [], 0)
    assert store.link(live.id).state is LinkState.REVOKED


def test_the_command_line_says_pair_again_and_exits_4(
    fresh_server: ServerProcess, tmp_path: Path
) -> None:
    data = tmp_path / "albumen"
    data.mkdir()
    (data / "settings.json").write_text(json.dumps({"server_url": fresh_server.url}))
    token = create_token(fresh_server.data, "anna")
    revoke_owner(fresh_server.data, "anna")
    folder = tmp_path / "photos"
    _photos(folder, 2)

    shared = run_albumen(data, "share", str(folder), "--album", "Senja", token=token)
    assert shared.returncode == 4, shared.stderr
    assert "does not accept this computer's owner token" in shared.stderr
    assert "pair again" in shared.stderr
    synced = run_albumen(data, "sync", token=token)
    assert synced.returncode == 4 and "pair again" in synced.stderr
    assert "4 waiting" in synced.stdout  # the album, its two photos, its link: kept

    status = run_albumen(data, "status", token=token)
    assert status.returncode == 4 and "connection: refused" in status.stdout

    again = create_token(fresh_server.data, "anna")
    done = run_albumen(data, "sync", token=again)
    assert done.returncode == 0, done.stderr
    assert "2 uploaded" in done.stdout and "0 waiting" in done.stdout
