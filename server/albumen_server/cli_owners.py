"""`albumen-server owners`: the administrator's view of the deployment's owners — the list
(`owners`), a storage quota (`owners quota`), and removing one with all they keep (`owners
remove`). The work is `owners` and `quotas`'; this is the wording.
"""

from __future__ import annotations

import argparse
import json
import sys

from albumen_server.cli_support import database, deployment, no_such_owner, parse_size
from albumen_server.config import ServerConfig
from albumen_server.owners import OwnerUsage
from albumen_server.quotas import size_text


def owners_command(args: list[str]) -> int:
    """`owners …`: the list, or the subcommand named first."""
    if args[:1] == ["remove"]:
        return _remove_owner(args[1:])
    if args[:1] == ["quota"]:
        return _quota(args[1:])
    return _owners(args)


def _owners_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="albumen-server owners",
        description="List the server's owners: since when, albums, photos, the space their "
        "originals take (each file once), live links and devices holding a token.",
    )
    deployment(parser)
    parser.add_argument("--json", action="store_true", help="one JSON document, for scripts")
    return parser


def _remove_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="albumen-server owners remove",
        description="Delete an owner and everything they keep here for good: albums, photos "
        "(each file no other owner's photo needs), links (their viewers get 'not available'), "
        "picks, tokens, invitations and uploads under way. Asks for the name again unless --yes.",
    )
    deployment(parser, blobs=True)
    parser.add_argument("--name", required=True, help="the owner, as `owners` lists them")
    parser.add_argument("--yes", action="store_true", help="do not ask (for scripts)")
    return parser


def _remove_owner(args: list[str]) -> int:
    from albumen_server.deployment import build_context
    from albumen_server.owners import UnknownOwner, owner_usage, remove_owner

    options = _remove_parser().parse_args(args)
    config = ServerConfig(
        data_dir=options.data, database_url=options.database, blobs_url=options.blobs
    )
    prog = "albumen-server owners remove"
    with database(config) as db, db.session() as session:
        found = [owner for owner in owner_usage(session) if owner.name == options.name]
    if not found:
        return no_such_owner(prog, options.name)
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
        f" {removed.blobs_deleted} file(s) deleted, {size_text(removed.bytes_freed)} freed"
        " (files another owner also keeps stay)."
    )
    return 0


def _quota_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="albumen-server owners quota",
        description="Give an owner room for this much of originals (each file once, however "
        "many albums hold it, and the files they are uploading): a new file that would take "
        "them past it is refused with 507 and the app says why; what they keep stays.",
    )
    deployment(parser)
    parser.add_argument("--name", required=True, help="the owner, as `owners` lists them")
    parser.add_argument(
        "size",
        help="e.g. 50G, 500M or 2T (units of 1000, as `owners` shows sizes); `none` for no limit",
    )
    return parser


def _quota(args: list[str]) -> int:
    from albumen_server.quotas import set_quota, used_bytes

    parser = _quota_parser()
    options = parser.parse_args(args)
    quota = None
    if options.size.strip().lower() != "none":
        try:
            quota = parse_size(options.size, base=1000)  # as `owners` shows it: 50G, 50.0 GB
        except argparse.ArgumentTypeError as error:
            parser.error(f"argument size: {error}")
    config = ServerConfig(data_dir=options.data, database_url=options.database)
    prog = "albumen-server owners quota"
    with database(config) as db, db.session() as session:
        owner_id = set_quota(session, options.name, quota)
        if owner_id is None:
            return no_such_owner(prog, options.name)
        used = used_bytes(session, owner_id)
    if quota is None:
        print(f"{options.name!r} has no quota now ({size_text(used)} used).")
        return 0
    over = " — over it already: what they keep stays, nothing new is taken" if used > quota else ""
    print(f"{options.name!r} may keep {size_text(quota)}; {size_text(used)} used{over}.")
    return 0


def _owners(args: list[str]) -> int:
    from albumen_server.owners import owner_usage

    options = _owners_parser().parse_args(args)
    config = ServerConfig(data_dir=options.data, database_url=options.database)
    with database(config) as db, db.session() as session:
        owners = owner_usage(session)
    if options.json:
        print(json.dumps({"owners": [_owner_json(owner) for owner in owners]}, indent=2))
        return 0
    rows = [("OWNER", "SINCE", "ALBUMS", "PHOTOS", "STORED", "QUOTA", "LIVE LINKS", "DEVICES")]
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
                size_text(owner.stored_bytes),
                "-" if owner.quota_bytes is None else size_text(owner.quota_bytes),
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
        "quota_bytes": owner.quota_bytes,
    }
