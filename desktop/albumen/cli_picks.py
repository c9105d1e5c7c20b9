"""`albumen picks ALBUM [--format lightroom|csv|json]`: what the album's viewers picked.

The picks are asked of the server first (that album's alone: nothing queued is sent, so the
answer comes at once even with uploads waiting); when the server cannot be reached, what the
local store kept from the last sync is printed, with a note on stderr and exit code 3. The
output is `albumen.core.picks.format_picks`'s, the same the app copies and exports.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from albumen.client import Client


def add_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    picks = commands.add_parser("picks", help="print the photos an album's viewers picked")
    picks.add_argument("album", help="album name or id")
    picks.add_argument(
        "--format",
        choices=["lightroom", "csv", "json"],
        default="lightroom",
        help="lightroom: file names without extension joined by ', ' (Lightroom Classic's "
        "Library filter takes it); csv: a row per photo per sender; json (default: lightroom)",
    )


def cmd_picks(options: argparse.Namespace) -> int:
    from albumen.cli_common import EXIT_OFFLINE, EXIT_OK, EXIT_USAGE, open_client
    from albumen.core.picks import PickFormat, format_picks

    client = open_client(options)
    try:
        album = client.store.find_album(options.album)
        if album is None:
            print(f"albumen: no album named {options.album!r}", file=sys.stderr)
            return EXIT_USAGE
        unreachable = _pull(client, album.id)
        album = client.store.album(album.id)  # with the picks just kept
        picks = client.store.picks(album.id)
        text = format_picks(album, client.store.photos(album.id), picks, PickFormat(options.format))
        if text:
            print(text)
        if unreachable:
            print(
                f"albumen: {unreachable}; these are the picks kept here at the last sync",
                file=sys.stderr,
            )
            return EXIT_OFFLINE
        if not picks:
            print(f"no picks for {album.title!r} yet", file=sys.stderr)
        return EXIT_OK
    finally:
        client.close()


def _pull(client: Client, album_id: str) -> str | None:
    """Fetch the album's picks into the store; why not, when the server could not tell."""
    from albumen.client import NotLoggedInError
    from albumen.core.backend import BackendError
    from albumen.core.pick_pull import pull_picks
    from albumen.embedded import EmbeddedServerError

    try:
        backend = client.backend()
    except (BackendError, EmbeddedServerError, NotLoggedInError) as error:
        return str(error)
    try:
        pulled = pull_picks(client.store, backend, album_ids=[album_id])
    except BackendError as error:
        return error.message
    finally:
        backend.close()
    return "; ".join(pulled.problems) or None
