"""`albumen-server`: serve a data folder, or manage its owners' tokens, invites and backups."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import Any, Final

from albumen_server import __version__
from albumen_server.cli_support import database, deployment, no_such_owner, parse_size
from albumen_server.config import ServerConfig

# What the commands need is imported when they run, not with this module: the server's
# rendering child is started with `spawn`, which imports the server's main module again in
# the child (this one, under `python -m albumen_server.cli` or the `albumen-server` script),
# and SQLAlchemy and Alembic cost every child 0.5 s of CPU and 36 MB (58 MB instead of 22 with
# what it renders with) for nothing.

MAX_WORKERS: Final = 64
"""Server processes at most (`--workers`): each holds its own database connections."""


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
        type=parse_size,
        default=ServerConfig.disk_reserve,
        help="space to keep free on the uploads' disk, e.g. 512M or 2G (256M): uploads that"
        " would eat into it are refused with 507",
    )
    parser.add_argument(
        "--workers",
        type=_worker_count,
        default=1,
        help="server processes taking requests on the port (1); one per core lets uploads and"
        " viewers use every core",
    )
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning"])
    return parser


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


def _worker_count(value: str) -> int:
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number from 1 to {MAX_WORKERS}")
    return int(value)


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


def _token_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="albumen-server token")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="print a new owner token")
    deployment(create)
    create.add_argument("--name", default="owner", help="whose token it is (owner)")
    create.add_argument(
        "--device", help="what holds it, as `owners` will list it (a script's name)"
    )
    revoke = commands.add_parser(
        "revoke",
        help="delete every token of an owner (a lost laptop): their devices are refused from "
        "the next request on and must be paired again; albums and links stay",
    )
    deployment(revoke)
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
        with database(config) as db, db.session() as session:
            revoked = revoke_access(session, options.name, options.device)
    except UnknownOwner:
        return no_such_owner(prog, options.name)
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


def _backup_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="albumen-server backup",
        description="Write a consistent copy of a data folder (SQLite and blobs) while the "
        "server runs; the copy is itself a data folder to serve or move back. Uploads under way "
        "and the derivative cache are left out. Run again into the same folder to add what is new.",
    )
    deployment(parser, blobs=True)
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
    from albumen_server.owner_tokens import issue_token

    with database(config) as db, db.session() as session:
        return issue_token(session, name, device)


def _invite_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="albumen-server invite",
        description="Print a one-time pairing URL for an owner (made if new): pasted into the "
        "app's Settings or given to `albumen login`, it is traded for an owner token. Valid 24 "
        "hours, used once.",
    )
    deployment(parser)
    parser.add_argument("--name", required=True, help="the owner's name, e.g. alice")
    parser.add_argument(
        "--public-url",
        required=True,
        help="the address the app reaches the server at, as given to the server: "
        "https://photos.example",
    )
    return parser


def _invite(args: list[str]) -> int:
    from albumen_server.owner_tokens import INVITE_HOURS, create_invite

    options = _invite_parser().parse_args(args)
    base = options.public_url.rstrip("/")
    if not base.startswith(("https://", "http://")):
        print("albumen-server invite: --public-url must start with https://", file=sys.stderr)
        return 2
    config = ServerConfig(data_dir=options.data, database_url=options.database)
    with database(config) as db, db.session() as session:
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
    if args[:1] == ["owners"]:
        from albumen_server.cli_owners import owners_command

        return owners_command(args[1:])
    options = _serve_parser().parse_args(args)
    import uvicorn  # imported here: `token create` should not pay for it

    from albumen_server.app import create_app
    from albumen_server.deployment import build_context
    from albumen_server.workers import APP_FACTORY, CONFIG_VARIABLE, config_to_environment

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
        if options.workers == 1:
            app: Any = create_app(config)
        else:
            # Checked and migrated once here, before any worker starts (albumen_server.workers).
            build_context(config).db.dispose()
            os.environ[CONFIG_VARIABLE] = config_to_environment(config)
            app = APP_FACTORY
    except ValueError as error:
        print(f"albumen-server: {error}", file=sys.stderr)
        return 2
    from albumen_server.logs import uvicorn_log_config

    uvicorn.run(
        app,
        factory=options.workers > 1,
        workers=options.workers,
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
