"""A full quota from the command line, against a real server: `albumen share` says the server
has no room, in its words, keeps the photos waiting (exit 3, as offline: nothing failed), and
`albumen sync` sends them once the administrator gives room."""

from __future__ import annotations

import json
from pathlib import Path

from albumen.core.wording import human_bytes
from tests.support import (
    create_token,
    photo_jpeg,
    run_albumen,
    server_admin,
    start_server,
)


def test_a_full_quota_keeps_the_share_waiting_until_there_is_room(tmp_path: Path) -> None:
    server = start_server(tmp_path / "server")
    try:
        token = create_token(server.data, "anna")
        folder = tmp_path / "Lofoten"
        folder.mkdir()
        for index in range(3):
            (folder / f"DSC_{index:04d}.JPG").write_bytes(photo_jpeg((320, 240), seed=index))
        data = tmp_path / "client"
        data.mkdir()
        (data / "settings.json").write_text(json.dumps({"server_url": server.url}))
        server_admin(server, "owners", "quota", "--name", "anna", "1K")

        shared = run_albumen(data, "share", str(folder), "--album", "Lofoten", token=token)
        assert shared.returncode == 3, shared.stderr
        assert "not sent yet: the server has no room for more photos: your storage on this" in (
            shared.stderr
        )
        assert "ask the server's administrator for more room" in shared.stderr
        status = run_albumen(data, "albums", token=token)
        assert "failed" not in status.stdout.lower() and "error" not in status.stdout.lower()

        server_admin(server, "owners", "quota", "--name", "anna", "none")
        synced = run_albumen(data, "sync", token=token)
        assert synced.returncode == 0, synced.stderr
        auth = {"Authorization": f"Bearer {token}"}
        albums = server.api("GET", "/api/albums", headers=auth).json()["albums"]
        assert [(a["title"], a["photo_count"]) for a in albums] == [("Lofoten", 3)]

        # The owner sees their room before it runs out: `albumen status`.
        used = server.api("GET", "/api/me", headers=auth).json()["stored_bytes"]
        assert used == sum(path.stat().st_size for path in folder.iterdir())
        server_admin(server, "owners", "quota", "--name", "anna", "50G")
        status = run_albumen(data, "status", token=token)
        assert f"storage: {human_bytes(used)} of 50.0 GB used\n" in status.stdout
        server_admin(server, "owners", "quota", "--name", "anna", str(used + 1000))
        status = run_albumen(data, "status", token=token)
        assert "used (nearly full)\n" in status.stdout
    finally:
        server.stop()
