"""`albumen-server`: serve a data folder, or manage its owners' tokens, invites and backups."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from albumen_server import __version__
from albumen_server.config import ServerConfig

if TYPE_CHECKING:
    from albumen_server.database import Database
    from albumen_server.owners import OwnerUsage

# What the commands need is imported when they run, not with this module: the server's
# rendering child is started with `spawn`, which imports the server's main module again in
# the child (this one, under `python -m albumen_server.cli` or the `albumen-server` script),
# and SQLAlchemy and Alembic cost every child 0.5 s of CPU and 36 MB (58 MB instead of 22 with
# what it renders with) for nothing.


def _serve_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="albumen-server",
        description="Serve Albumen albums: owner API, resumable uploads and viewer links.",
        epilog="Invite an owner's app with: albumen-server invite --data DIR --name NAME "
        "--public-url URL. Make an owner token by hand with: albumen-server token create --data "
        "DIR [--name NAME]. List the owners and what they keep with: albumen-server owners "
        "--data DIR; take an owner's devices' access away with: albumen-server token revoke "
        "--data DIR --name NAME; remove an owner and all they keep with: albumen-server owners "
        "remove --data DIR --name NAME. Back up a running server with: albumen-server backup "
        "--data DIR DEST",
    )
    parser.add_argument("--version", action="version", version=f"albumen-server {__version__}")
    parser.add_argument(
        "--data", type=Path, required=True, help="folder for the database and blobs"
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port to listen on (8080)")
    parser.add_argument("--database", help="SQLAlchemy URL (default: SQLite in the data folder)")
    parser.add_argument("--blobs", help="blob store URL (default: a folder in the data folder)")
    parser.add_argument("--public-url", help="the URL viewers reach, e.g. https://photos.example")
    parser.add_argument(
        "--tile-url",
        type=_tile_url,
        help="map tiles for the viewer's Places map, e.g. https://tiles.example/{z}/{x}/{y}.png"
        " (default: none; the map then shows country outlines and viewers' browsers contact no"
        " other host)",
    )
    parser.add_argument(
        "--tile-attribution",
        help="credit line the tile provider asks for, e.g. '(c) OpenStreetMap contributors'",
    )
    parser.add_argument(
        "--trusted-proxy",
        type=_addresses,
        default=[],
        help="comma-separated addresses (or networks) of reverse proxies whose X-Forwarded-For "
        "and X-Forwarded-Proto are believed; by default none is, and a client is the socket's "
        "address",
    )
    parser.add_argument(
        "--disk-reserve",
        type=_size,
        default=ServerConfig.disk_reserve,
        help="space to keep free on the uploads' disk, e.g. 512M or 2G (256M): uploads that"
        " would eat into it are refused with 507",
    )
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning"])
    return parser


_SIZE_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}


def _size(value: str) -> int:
    """A size in bytes, with an optional binary unit: 0, 1048576, 512M, 2G."""
    text = value.strip().upper().removesuffix("B").removesuffix("I")
    number, unit = (text[:-1], text[-1]) if text[-1:] in ("K", "M", "G", "T") else (text, "")
    if not (number.isascii() and number.isdigit()):
        raise argparse.ArgumentTypeError(f"{value!r} is not a size such as 0, 512M or 2G")
    return int(number) * _SIZE_UNITS[unit]


def _addresses(value: str) -> list[str]:
    """Check each proxy address now, so a typo fails at start rather than trusting no one."""
    import ipaddress

    found = [part.strip() for part in value.split(",") if part.strip()]
    for part in found:
        try:
            ipaddress.ip_network(part, strict=False)
        except ValueError as error:
            raise argparse.ArgumentTypeError(f"{part!r} is not an IP address or network") from error
    return found


def _tile_url(value: str) -> str:
    """Check a tile URL template early, so a typo fails at start and not in viewers' browsers."""
    scheme, _, rest = value.partition("://")
    host = rest.split("/", 1)[0]
    if scheme not in ("http", "https") or not host or "/" not in rest:
        raise argparse.ArgumentTypeError(f"{value!r} is not an http(s) URL")
    missing = [part for part in ("{z}", "{x}", "{y}") if part not in rest.split("/", 1)[1]]
    if missing:
        raise argparse.ArgumentTypeError(f"{value!r} lacks {', '.join(missing)} in its path")
    if "'" in value or '"' in value or ";" in value or " " in value:
        raise argparse.ArgumentTypeError(f"{value!r} contains quotes, spaces or ';'")
    return value


def _deployment(parser: argparse.ArgumentParser, *, blobs: bool = False) -> None:
    """The arguments that name a deployment to an administrator's command: its data folder,
    and its database (and blob store) when they are not the data folder's own."""
    parser.add_argument("--data", type=Path, required=True, help="the server's data folder")
    parser.add_argument("--database", help="SQLAlchemy URL, if not SQLite in the data folder")
    if blobs:
        parser.add_argument("--blobs", help="blob store URL, if not the data folder's blobs/")


def _token_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="albumen-server token")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="print a new owner token")
    _deployment(create)
    create.add_argument("--name", default="owner", help="whose token it is (owner)")
    create.add_argument(
        "--device", help="what holds it, as `owners` will list it (a script's name)"
    )
    revoke = commands.add_parser(
        "revoke",
        help="delete every token of an owner (a lost laptop): their devices are refused from "
        "the next request on and must be paired again; albums and links stay",
    )
    _deployment(revoke)
    revoke.add_argument("--name", required=True, help="the owner, as `owners` lists them")
    revoke.add_argument(
        "--device", help="only this device's tokens (as `owners` lists it): the lost laptop"
    )
    return parser


def _token(args: list[str]) -> int:
    from albumen_server.owners import UnknownDevice, UnknownOwner, revoke_access

    options = _token_parser().parse_args(args)
    config = ServerConfig(data_dir=options.data, database_url=options.database)
    if options.command == "create":
        token = create_token(config, options.name, options.device)
        print(f"New owner token for {options.name!r} (shown once, keep it safe): {token}")
        return 0
    prog = "albumen-server token revoke"
    try:
        with _database(config) as db, db.session() as session:
            revoked = revoke_access(session, options.name, options.device)
    except UnknownOwner:
        print(
            f"{prog}: no owner is called {options.name!r} (`albumen-server owners` lists them)",
            file=sys.stderr,
        )
        return 1
    except UnknownDevice as error:
        known = ", ".join(repr(device) for device in error.known) or "none named"
        print(
            f"{prog}: {options.name!r} has no device called {error.device!r} (theirs: {known})",
            file=sys.stderr,
        )
        return 1
    if options.device is not None:
        print(
            f"Revoked {revoked.tokens} token(s) of {options.name!r} on {options.device!r}: that"
            " device must be paired again; their other devices, albums and links are unchanged."
        )
        return 0
    print(
        f"Revoked {revoked.tokens} token(s) and {revoked.invites} unused invitation(s) of"
        f" {options.name!r}: their devices must be paired again (albumen-server invite);"
        " their albums and links are unchanged."
    )
    return 0


def _owners_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="albumen-server owners",
        description="List the server's owners: since when, albums, photos, the space their "
        "originals take (each file once), live links and devices holding a token.",
    )
    _deployment(parser)
    parser.add_argument("--json", action="store_true", help="one JSON document, for scripts")
    return parser


def _remove_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="albumen-server owners remove",
        description="Delete an owner and everything they keep here for good: albums, photos "
        "(each file no other owner's photo needs), links (their viewers get 'not available'), "
        "picks, tokens, invitations and uploads under way. Asks for the name again unless --yes.",
    )
    _deployment(parser, blobs=True)
    parser.add_argument("--name", required=True, help="the owner, as `owners` lists them")
    parser.add_argument("--yes", action="store_true", help="do not ask (for scripts)")
    return parser


def _remove_owner(args: list[str]) -> int:
    from albumen_server.app import build_context
    from albumen_server.owners import UnknownOwner, owner_usage, remove_owner

    options = _remove_parser().parse_args(args)
    config = ServerConfig(
        data_dir=options.data, database_url=options.database, blobs_url=options.blobs
    )
    prog = "albumen-server owners remove"
    with _database(config) as db, db.session() as session:
        found = [owner for owner in owner_usage(session) if owner.name == options.name]
    if not found:
        print(
            f"{prog}: no owner is called {options.name!r} (`albumen-server owners` lists them)",
            file=sys.stderr,
        )
        return 1
    owner = found[0]
    if not options.yes:
        if not sys.stdin.isatty():
            print(
                f"{prog}: this deletes {owner.name!r}'s {owner.albums} album(s) and"
                f" {owner.photos} photo(s) for good; add --yes to do it without a terminal",
                file=sys.stderr,
            )
            return 2
        answer = input(
            f"This deletes {owner.name!r}'s {owner.albums} album(s), {owner.photos} photo(s) and"
            f" {owner.live_links} live link(s) for good. Type the name again to go on: "
        )
        if answer.strip() != owner.name:
            print(f"{prog}: not removed (the name did not match)", file=sys.stderr)
            return 1
    context = build_context(config)
    try:
        removed = remove_owner(context, owner.name)
    except UnknownOwner:  # removed meanwhile by someone else
        print(f"{prog}: no owner is called {options.name!r} any more", file=sys.stderr)
        return 1
    finally:
        context.db.dispose()
    print(
        f"Removed {owner.name!r}: {removed.albums} album(s), {removed.photos} photo(s);"
        f" {removed.blobs_deleted} file(s) deleted, {_size_text(removed.bytes_freed)} freed"
        " (files another owner also keeps stay)."
    )
    return 0


def _owners(args: list[str]) -> int:
    from albumen_server.owners import owner_usage

    options = _owners_parser().parse_args(args)
    config = ServerConfig(data_dir=options.data, database_url=options.database)
    with _database(config) as db, db.session() as session:
        owners = owner_usage(session)
    if options.json:
        print(json.dumps({"owners": [_owner_json(owner) for owner in owners]}, indent=2))
        return 0
    rows = [("OWNER", "SINCE", "ALBUMS", "PHOTOS", "STORED", "LIVE LINKS", "DEVICES")]
    for owner in owners:
        devices = str(owner.tokens)
        if owner.devices:
            devices += f": {', '.join(owner.devices)}"
        if owner.newest_token_at is not None:
            devices += f" (newest {owner.newest_token_at:%Y-%m-%d})"
        rows.append(
            (
                owner.name,
                f"{owner.since:%Y-%m-%d}",
                str(owner.albums),
                str(owner.photos),
                _size_text(owner.stored_bytes),
                str(owner.live_links),
                devices,
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    if not owners:
        print("No owners yet: `albumen-server invite --name NAME` makes one.")
    return 0


def _owner_json(owner: OwnerUsage) -> dict[str, object]:
    return {
        "name": owner.name,
        "since": owner.since.isoformat(),
        "albums": owner.albums,
        "photos": owner.photos,
        "stored_bytes": owner.stored_bytes,
        "live_links": owner.live_links,
        "tokens": owner.tokens,
        "newest_token_at": owner.newest_token_at.isoformat() if owner.newest_token_at else None,
        "devices": list(owner.devices),
    }


def _size_text(size: int) -> str:
    """Bytes as a person reads them, in the units `df -h` and the file managers use (1000s)."""
    value = float(size)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


def _backup_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="albumen-server backup",
        description="Write a consistent copy of a data folder (SQLite and blobs) while the "
        "server runs; the copy is itself a data folder to serve or move back. Uploads under way "
        "and the derivative cache are left out. Run again into the same folder to add what is new.",
    )
    _deployment(parser, blobs=True)
    parser.add_argument("destination", type=Path, help="folder to write the backup to")
    return parser


def _backup(args: list[str]) -> int:
    from albumen_server.backup import BackupError, backup

    options = _backup_parser().parse_args(args)
    config = ServerConfig(
        data_dir=options.data, database_url=options.database, blobs_url=options.blobs
    )
    try:
        report = backup(config, options.destination)
    except BackupError as error:
        print(f"albumen-server backup: {error}", file=sys.stderr)
        return 1
    print(
        f"Backed up {report.photos} photo file(s) to {options.destination} "
        f"({report.blobs_copied} new, {report.bytes_copied / 1e6:.1f} MB copied)"
    )
    return 0


def create_token(config: ServerConfig, name: str, device: str | None = None) -> str:
    """Make a token for the owner of that name (made if new), held by `device` if named; only
    its hash is kept."""
    from albumen_server.pairing import issue_token

    with _database(config) as db, db.session() as session:
        return issue_token(session, name, device)


@contextlib.contextmanager
def _database(config: ServerConfig) -> Iterator[Database]:
    """The deployment's database, migrated, for a command that runs beside the server."""
    from albumen_server.database import Database, migrate

    config.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(config.resolved_database_url)
    try:
        migrate(db.engine)
        yield db
    finally:
        db.dispose()


def _invite_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="albumen-server invite",
        description="Print a one-time pairing URL for an owner (made if new): pasted into the "
        "app's Settings or given to `albumen login`, it is traded for an owner token. Valid 24 "
        "hours, used once.",
    )
    _deployment(parser)
    parser.add_argument("--name", required=True, help="the owner's name, e.g. alice")
    parser.add_argument(
        "--public-url",
        required=True,
        help="the address the app reaches the server at, as given to the server: "
        "https://photos.example",
    )
    return parser


def _invite(args: list[str]) -> int:
    from albumen_server.pairing import INVITE_HOURS, create_invite

    options = _invite_parser().parse_args(args)
    base = options.public_url.rstrip("/")
    if not base.startswith(("https://", "http://")):
        print("albumen-server invite: --public-url must start with https://", file=sys.stderr)
        return 2
    config = ServerConfig(data_dir=options.data, database_url=options.database)
    with _database(config) as db, db.session() as session:
        code = create_invite(session, options.name)
    print(
        f"Pairing address for {options.name!r} (works once, for {INVITE_HOURS} hours; paste it in"
        f" Albumen's Settings or run `albumen login` with it):\n{base}/pair/{code}"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    # Everything the server writes (database, blobs, secrets, caches) is for its own user only.
    os.umask(0o077)
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["backup"]:
        return _backup(args[1:])
    if args[:1] == ["invite"]:
        return _invite(args[1:])
    if args[:1] == ["token"]:
        return _token(args[1:])
    if args[:2] == ["owners", "remove"]:
        return _remove_owner(args[2:])
    if args[:1] == ["owners"]:
        return _owners(args[1:])
    options = _serve_parser().parse_args(args)
    import uvicorn  # imported here: `token create` should not pay for it

    from albumen_server.app import create_app

    logging.basicConfig(
        level=options.log_level.upper(), format="%(levelname)s %(name)s: %(message)s"
    )
    config = ServerConfig(
        data_dir=options.data,
        database_url=options.database,
        blobs_url=options.blobs,
        public_url=options.public_url,
        tile_url=options.tile_url,
        tile_attribution=options.tile_attribution,
        disk_reserve=options.disk_reserve,
    )
    try:
        app = create_app(config)
    except ValueError as error:
        print(f"albumen-server: {error}", file=sys.stderr)
        return 2
    from albumen_server.logs import uvicorn_log_config

    uvicorn.run(
        app,
        host=options.host,
        port=options.port,
        log_level=options.log_level,
        log_config=uvicorn_log_config(),
        # uvicorn believes X-Forwarded-For from 127.0.0.1 by default, so anyone on the machine
        # (or a proxy nobody configured) could pick their own address and dodge the rate limit.
        proxy_headers=bool(options.trusted_proxy),
        forwarded_allow_ips=",".join(options.trusted_proxy) or "",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
