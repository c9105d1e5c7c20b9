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
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from albumen import __version__, cli_picks
from albumen.cli_progress import TerminalProgress
from albumen.paths import data_dir

if TYPE_CHECKING:
    from albumen.client import Client
    from albumen.core.sync import Listener, SyncReport

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, EXIT_OFFLINE, EXIT_AUTH = 0, 1, 2, 3, 4


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

    share = commands.add_parser("share", help="add photos to an album, upload, print a link")
    share.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    share.add_argument("--album", required=True, help="album name (made if needed)")
    secret = share.add_mutually_exclusive_group()
    secret.add_argument("--password", help="the link's password")
    secret.add_argument(
        "--generate-password", action="store_true", help="make a memorable password"
    )
    share.add_argument("--expires", type=int, metavar="DAYS", help="link expires after DAYS")
    share.add_argument("--download", choices=["none", "web", "original"], default="none")
    where = share.add_mutually_exclusive_group()
    where.add_argument("--show-location", action="store_true", help="viewers see where")
    where.add_argument(
        "--remove-location",
        action="store_true",
        help="the album's photos go to the server without GPS (lossless; your files untouched)",
    )
    share.add_argument("--show-metadata", action="store_true", help="viewers see camera data")
    share.add_argument("--label", help="who the link is for")
    share.add_argument(
        "--allow-picks", action="store_true", help="viewers may pick favourites and send them"
    )

    inspect = commands.add_parser("inspect", help="print each photo's metadata")
    inspect.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    inspect.add_argument("--json", action="store_true", help="a JSON array, one object per file")

    commands.add_parser("albums", help="list albums")
    links = commands.add_parser("links", help="list links (of one album)")
    links.add_argument("album", nargs="?", help="album name or id")
    revoke = commands.add_parser("revoke", help="revoke a link")
    revoke.add_argument("link", metavar="LINK_ID_OR_URL")
    commands.add_parser("sync", help="send what is queued; pull link state and picks")
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


def _client(options: argparse.Namespace) -> Client:
    from albumen.client import Client

    client = Client(data_dir(options.data_dir))
    for problem in client.settings.problems:
        print(f"albumen: warning: {problem}", file=sys.stderr)
    return client


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


def cmd_share(options: argparse.Namespace) -> int:
    """Checks the files and sends each good one as soon as it is checked (core.intake, while
    the sync drains beside it); the link is made once every file has its verdict, so it goes
    live after the photos."""
    from albumen.client import NotLoggedInError
    from albumen.core import wording
    from albumen.core.backend import OfflineError
    from albumen.core.intake import add_checked
    from albumen.core.link_state import ONLY_HERE, works_only_here
    from albumen.core.sync import SyncReport
    from albumen.embedded import EmbeddedServerError

    missing = [p for p in options.paths if not p.exists()]
    for path in missing:
        print(f"albumen: {path}: no such file or folder", file=sys.stderr)
    if options.expires is not None and options.expires < 1:
        print("albumen: --expires must be 1 day or more", file=sys.stderr)
        return EXIT_USAGE
    client = _client(options)
    try:
        album = client.store.album_by_title(options.album) or client.store.create_album(
            options.album
        )
        if options.remove_location and not album.privacy.strip_location:
            client.store.set_privacy(album.id, replace(album.privacy, strip_location=True))
        waiting = sum(p.size for p in client.store.photos(album.id) if p.state.value != "uploaded")
        progress = TerminalProgress(waiting)
        service = client.sync_service(progress)
        try:
            with service.sending() as sending:
                report = add_checked(
                    client.store,
                    album.id,
                    [p for p in options.paths if p.exists()],
                    arrivals=sending.arrivals,
                    on_verdict=progress.verdict,
                )
                in_album = len(client.store.photos(album.id))
                print(
                    f"{wording.count(len(report.added), 'photo')} added to {album.title!r}"
                    f" ({in_album} in the album)",
                    file=sys.stderr,
                )
                link_id, password, kept = _new_link(client, album.id, options)
            result = sending.report or SyncReport()
        except NotLoggedInError:
            raise
        except (OfflineError, EmbeddedServerError) as error:
            result = SyncReport(offline=str(error))
        link = client.store.link(link_id)
        url = link.url or _expected_url(client, link.token)
        print(url)
        if works_only_here(url):
            print(f"note: {ONLY_HERE}", file=sys.stderr)
        if options.generate_password:
            print(f"password: {password}")
        if password is not None and not kept:
            print("the password is not kept (no keyring): note it now", file=sys.stderr)
        if result.offline:
            print(
                f"not sent yet: {result.offline}; the link becomes live once synced: run "
                "`albumen sync`",
                file=sys.stderr,
            )
            return EXIT_OFFLINE
        if report.problems or missing or result.failed:
            for failure in result.failed:
                print(f"failed {failure}", file=sys.stderr)
            return EXIT_PARTIAL
        return EXIT_OK
    finally:
        client.close()


def _new_link(
    client: Client, album_id: str, options: argparse.Namespace
) -> tuple[str, str | None, bool]:
    """The share's link: (its id, its password, whether the keyring kept the password). The
    password goes into the keyring before the link is queued (core.owner), since a drain is
    running."""
    from albumen.core.model import Download, LinkSettings
    from albumen.core.owner import Owner
    from albumen.core.passwords import generate_password

    password = generate_password() if options.generate_password else options.password
    expires = datetime.now(UTC) + timedelta(days=options.expires) if options.expires else None
    settings = LinkSettings(
        download=Download(options.download),
        show_metadata=options.show_metadata,
        show_location=options.show_location,
        expires_at=expires,
        label=options.label,
        allow_picks=options.allow_picks,
    )
    saved = Owner(client.store, client.credentials).save_link(album_id, settings, password=password)
    return saved.link.id, saved.password, saved.kept


def _expected_url(client: Client, token: str) -> str:
    """The URL a link will have once live: known before the server has seen it."""
    from albumen.embedded import DEFAULT_PORT, STATE_FILE, server_data

    base = client.settings.server_url
    if not base:
        try:
            base = json.loads((server_data(client.data_dir) / STATE_FILE).read_text())["url"]
        except (OSError, ValueError, KeyError):
            base = f"http://127.0.0.1:{DEFAULT_PORT}"
    return f"{base.rstrip('/')}/s/{token}"


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
    client = _client(options)
    try:
        albums = client.store.albums()
        if not albums:
            print("no albums yet: `albumen share PATH --album NAME` makes one")
        for album in albums:
            state = (
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
    from albumen.core.link_state import effective_state

    client = _client(options)
    try:
        album_id = None
        if options.album:
            album = client.store.find_album(options.album)
            if album is None:
                print(f"albumen: no album named {options.album!r}", file=sys.stderr)
                return EXIT_USAGE
            album_id = album.id
        for link in client.store.links(album_id):
            url = link.url or _expected_url(client, link.token)
            views = f"{link.view_count} views"
            label = link.settings.label or "-"
            state = effective_state(link).value
            print(f"{state}\t{views}\t{label}\t{url}\t{link.id}")
        return EXIT_OK
    finally:
        client.close()


def cmd_revoke(options: argparse.Namespace) -> int:
    from albumen.core.model import LinkState
    from albumen.core.owner import Owner

    client = _client(options)
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
        return EXIT_OFFLINE
    finally:
        client.close()


def cmd_sync(options: argparse.Namespace) -> int:
    client = _client(options)
    try:
        pending = client.store.pending_operations()
        total = sum(
            client.store.photo(op.entity_id).size
            for op in pending
            if op.kind.value == "upload_photo" and client.store.find_photo(op.entity_id)
        )
        result = _run_sync(client, TerminalProgress(total))
        print(
            f"{result.uploaded} uploaded, {result.skipped} already there, "
            f"{result.operations} other changes sent, {result.remaining} waiting"
        )
        for news in result.new_picks:  # lists of picks not seen before
            print(news.text())
        for failure in result.failed:
            print(f"failed {failure}", file=sys.stderr)
        if result.offline:
            print(f"not sent yet: {result.offline}", file=sys.stderr)
            return EXIT_OFFLINE
        return EXIT_PARTIAL if result.failed else EXIT_OK
    finally:
        client.close()


def cmd_status(options: argparse.Namespace) -> int:
    from albumen.core import wording
    from albumen.core.backend import BackendError

    client = _client(options)
    try:
        url = client.settings.server_url
        print(f"data folder: {client.data_dir}")
        print(f"server: {url or 'embedded (127.0.0.1)'}")
        pending = client.store.pending_operations()
        print(f"waiting to sync: {wording.count(len(pending), 'change')}")
        albums = client.store.albums()
        print(f"albums: {len(albums)}, photos: {sum(a.photo_count for a in albums)}")
        try:
            backend = client.backend()
            health = backend.health()
            me = backend.me()
            print(f"connection: online (server {health.get('version')}, owner {me.get('name')})")
            return EXIT_OK
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
    client = _client(options)
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
    "share": cmd_share,
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
