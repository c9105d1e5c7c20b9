"""`albumen`: the same core as the app, headless.

Exit codes: 0 done; 1 done, but some files could not be added or uploaded; 2 bad usage or input;
3 the server could not be reached (everything is queued and goes out with `albumen sync`);
4 not logged in, or no usable keyring.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from albumen import __version__, cli_picks, cli_share
from albumen.cli_common import (
    EXIT_AUTH,
    EXIT_OFFLINE,
    EXIT_OK,
    EXIT_PARTIAL,
    EXIT_USAGE,
    add_limit_rate,
    expected_url,
    not_sent_exit,
    open_client,
)
from albumen.cli_progress import TerminalProgress
from albumen.paths import data_dir

if TYPE_CHECKING:
    from albumen.client import Client
    from albumen.core.sync import Listener, SyncReport


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="albumen",
        description="Share photo albums privately, at full resolution. "
        "With no command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"albumen {__version__}")
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="keep the local store, caches and the embedded server's data in this folder "
        "(also ALBUMEN_DATA_DIR)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    cli_share.add_parser(commands)

    inspect = commands.add_parser("inspect", help="print each photo's metadata")
    inspect.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    inspect.add_argument("--json", action="store_true", help="a JSON array, one object per file")

    commands.add_parser("albums", help="list albums")
    links = commands.add_parser("links", help="list links (of one album)")
    links.add_argument("album", nargs="?", help="album name or id")
    revoke = commands.add_parser("revoke", help="revoke a link")
    revoke.add_argument("link", metavar="LINK_ID_OR_URL")
    add_limit_rate(
        commands.add_parser("sync", help="send what is queued; pull link state and picks")
    )
    cli_picks.add_command(commands)
    commands.add_parser("status", help="server, connection and queue")
    login = commands.add_parser(
        "login", help="use a remote server: its pairing address, or its URL and a token"
    )
    login.add_argument(
        "url", help="the pairing address from `albumen-server invite`, or the server's URL"
    )
    login.add_argument("--token-stdin", action="store_true", help="read the token from stdin")
    serve = commands.add_parser("serve", help="run the embedded server in the foreground")
    serve.add_argument("--port", type=int, default=8737)
    return parser


# -- commands ----------------------------------------------------------------------------------


def _run_sync(client: Client, listener: Listener | None = None) -> SyncReport:
    from albumen.client import NotLoggedInError
    from albumen.core.backend import OfflineError
    from albumen.core.sync import SyncReport as Report
    from albumen.embedded import EmbeddedServerError

    try:
        service = client.sync_service(listener)
    except (OfflineError, EmbeddedServerError) as error:
        return Report(offline=str(error), remaining=len(client.store.pending_operations()))
    except NotLoggedInError:
        raise
    return service.sync_once()


def cmd_inspect(options: argparse.Namespace) -> int:
    from albumen.core.scan import expand
    from albumen_photo.describe import grouped, inspect_json
    from albumen_photo.metadata import read_metadata

    metas = [read_metadata(path) for path in expand(options.paths)]
    if options.json:
        print(json.dumps([inspect_json(meta) for meta in metas], indent=2, ensure_ascii=False))
    else:
        for meta in metas:
            print(meta.path)
            if meta.error:
                print(f"  error: {meta.error}")
            for group, rows in grouped(meta):
                print(f"  {group}")
                for label, text in rows:
                    print(f"    {label + ':':<18} {text}")
            for problem in meta.problems:
                print(f"  problem: {problem}")
    return EXIT_PARTIAL if any(meta.error for meta in metas) else EXIT_OK


def cmd_albums(options: argparse.Namespace) -> int:
    from albumen.core.album_state import originals_arriving

    client = open_client(options)
    try:
        albums = client.store.albums()
        if not albums:
            print("no albums yet: `albumen share PATH --album NAME` makes one")
        for album in albums:
            state = originals_arriving(album) or (
                "shared"
                if album.photo_count and album.uploaded_count == album.photo_count
                else f"{album.uploaded_count} of {album.photo_count} uploaded"
            )
            print(
                f"{album.title}\t{album.photo_count} photos\t{state}\t{album.link_count} links"
                f"\t{album.id}"
            )
        return EXIT_OK
    finally:
        client.close()


def cmd_links(options: argparse.Namespace) -> int:
    from albumen.core.link_state import activity, effective_state, link_allows

    client = open_client(options)
    try:
        album_id = None
        if options.album:
            album = client.store.find_album(options.album)
            if album is None:
                print(f"albumen: no album named {options.album!r}", file=sys.stderr)
                return EXIT_USAGE
            album_id = album.id
        for link in client.store.links(album_id):
            url = expected_url(client, link)
            views = activity(link)
            label = link.settings.label or "-"
            state = effective_state(link).value
            allows = ",".join(link_allows(link)) or "-"
            print(f"{state}\t{views}\t{label}\t{url}\t{link.id}\t{allows}")
        return EXIT_OK
    finally:
        client.close()


def cmd_revoke(options: argparse.Namespace) -> int:
    from albumen.core.model import LinkState
    from albumen.core.owner import Owner

    client = open_client(options)
    try:
        needle = options.link.rstrip("/")
        token = needle.rsplit("/s/", 1)[1].split("/")[0] if "/s/" in needle else None
        link = client.store.link_by_token(token) if token else None
        if link is None:
            try:
                link = client.store.link(needle)
            except Exception:
                print(f"albumen: no link {options.link!r} in this album list", file=sys.stderr)
                return EXIT_USAGE
        Owner(client.store, client.credentials).revoke_link(link.id)
        result = _run_sync(client)
        state = client.store.link(link.id).state
        if state is LinkState.REVOKED:
            print(f"revoked {link.id}")
            return EXIT_OK
        print(
            f"revoke pending: {link.id} is still live until the server takes it "
            f"({result.offline}); run `albumen sync`",
            file=sys.stderr,
        )
        return not_sent_exit(result)
    finally:
        client.close()


def cmd_sync(options: argparse.Namespace) -> int:
    client = open_client(options)
    try:
        pending = client.store.pending_operations()
        total = sum(
            client.store.photo(op.entity_id).size
            for op in pending
            if op.kind.value == "upload_photo" and client.store.find_photo(op.entity_id)
        )
        result = _run_sync(client, TerminalProgress(total))
        first = f"{result.previewed} web sizes sent first, " if result.previewed else ""
        print(
            f"{first}{result.uploaded} uploaded, {result.skipped} already there, "
            f"{result.operations} other changes sent, {result.remaining} waiting"
        )
        for news in result.new_picks:  # lists of picks not seen before
            print(news.text())
        for touched in result.link_news:  # links opened or downloaded from, the first time
            print(touched.text())
        for failure in result.failed:
            print(f"failed {failure}", file=sys.stderr)
        if result.offline:
            print(f"not sent yet: {result.offline}", file=sys.stderr)
            return not_sent_exit(result)
        return EXIT_PARTIAL if result.failed else EXIT_OK
    finally:
        client.close()


def cmd_status(options: argparse.Namespace) -> int:
    from albumen.core import wording
    from albumen.core.album_state import originals_arriving
    from albumen.core.backend import AccessRefused, BackendError
    from albumen.core.storage_use import StorageUse

    client = open_client(options)
    try:
        url = client.settings.server_url
        print(f"data folder: {client.data_dir}")
        print(f"server: {url or 'embedded (127.0.0.1)'}")
        pending = client.store.pending_operations()
        print(f"waiting to sync: {wording.count(len(pending), 'change')}")
        albums = client.store.albums()
        print(f"albums: {len(albums)}, photos: {sum(a.photo_count for a in albums)}")
        for album in albums:
            if arriving := originals_arriving(album):
                print(f"  {album.title}: {arriving}")
        try:
            backend = client.backend()
            health = backend.health()
            me = backend.me()
            print(f"connection: online (server {health.get('version')}, owner {me.get('name')})")
            use = StorageUse.of(me)
            if use is not None:
                nearly = " (nearly full)" if use.nearly_full else ""
                print(f"storage: {use.words()}{nearly}")
            return EXIT_OK
        except AccessRefused as error:
            print(f"connection: refused ({error.message})")
            return EXIT_AUTH
        except BackendError as error:
            print(f"connection: offline ({error.message})")
            return EXIT_OFFLINE
        except Exception as error:
            print(f"connection: offline ({error})")
            return EXIT_OFFLINE
    finally:
        client.close()


def cmd_login(options: argparse.Namespace) -> int:
    from albumen.core.backend import Backend, BackendError
    from albumen.core.credentials import KeyringUnavailableError
    from albumen.core.pairing import PairingError, parse_invite, redeem

    invite = parse_invite(options.url)
    if invite is not None:
        try:
            paired = redeem(invite)
        except PairingError as error:
            print(f"albumen: {error}", file=sys.stderr)
            return EXIT_AUTH
        url, token, name = paired.server_url, paired.token, paired.owner
    else:
        url = options.url.rstrip("/")
        if not url.startswith(("http://", "https://")):
            print("albumen: URL must start with http:// or https://", file=sys.stderr)
            return EXIT_USAGE
        token = sys.stdin.readline().strip() if options.token_stdin else getpass.getpass("Token: ")
        if not token:
            print("albumen: no token given", file=sys.stderr)
            return EXIT_USAGE
        backend = Backend(url, token)
        try:
            name = str(backend.me().get("name"))
        except BackendError as error:
            print(f"albumen: {url} refused the token: {error.message}", file=sys.stderr)
            return EXIT_AUTH
        finally:
            backend.close()
    client = open_client(options)
    try:
        client.credentials.set_server_token(url, token)
    except KeyringUnavailableError as error:
        print(f"albumen: {error}", file=sys.stderr)
        if invite is not None:  # the pairing address is spent: this token is the only copy
            print(f"the owner token, for ALBUMEN_TOKEN: {token}", file=sys.stderr)
        return EXIT_AUTH
    client.settings.server_url = url
    client.save_settings()
    client.close()
    print(f"logged in to {url} as {name}")
    return EXIT_OK


COMMANDS = {
    "share": cli_share.cmd_share,
    "inspect": cmd_inspect,
    "albums": cmd_albums,
    "links": cmd_links,
    "revoke": cmd_revoke,
    "sync": cmd_sync,
    "status": cmd_status,
    "login": cmd_login,
    "picks": cli_picks.cmd_picks,
}


def main(argv: list[str] | None = None) -> int:
    options = _parser().parse_args(argv)
    if options.command is None:
        from albumen.app import main as open_app

        return open_app(data_dir(options.data_dir))
    if options.command == "serve":
        from albumen.embedded import run_embedded_server_foreground

        return run_embedded_server_foreground(data_dir(options.data_dir), options.port)
    from albumen.client import NotLoggedInError
    from albumen.core.credentials import KeyringUnavailableError
    from albumen.core.store import StoreError

    try:
        return COMMANDS[options.command](options)
    except (NotLoggedInError, KeyringUnavailableError) as error:
        print(f"albumen: {error}", file=sys.stderr)
        return EXIT_AUTH
    except StoreError as error:  # the album list cannot be opened: say why, touch nothing
        print(f"albumen: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted: what was sent is kept; `albumen sync` goes on", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
