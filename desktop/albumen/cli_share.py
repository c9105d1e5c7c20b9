"""`albumen share`: add photos to an album, send them, print a link as soon as it shows them.

The files are checked and each good one is recorded (its upload queued) as soon as it is
checked (`core.intake`), while the sync drains beside it: every photo's web size goes first,
then the link is made on the server, and its URL is printed on stdout the moment it is live
(every photo can be seen through it), while the originals follow with their progress on stderr.
The command ends once the originals have landed; interrupted, what is left stays queued for
`albumen sync`. Against a server that knows no web sizes, the link goes live after the
originals, and is printed then.
"""

from __future__ import annotations

import argparse
import sys
import threading
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from albumen.cli_common import (
    EXIT_OK,
    EXIT_PARTIAL,
    EXIT_USAGE,
    add_limit_rate,
    expected_url,
    not_sent_exit,
    open_client,
)
from albumen.cli_progress import TerminalProgress

if TYPE_CHECKING:
    from albumen.client import Client
    from albumen.core.sync import SyncEvent


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
    share.add_argument(
        "--pick-limit",
        type=_pick_limit,
        metavar="N",
        help="each viewer may pick at most N photos (your package's number); implies --allow-picks",
    )
    share.add_argument(
        "--watermark",
        type=_watermark,
        metavar="TEXT",
        help="draw TEXT over every picture the link shows (proofs); no originals then",
    )
    share.add_argument(
        "--sections",
        action="store_true",
        help="make a section of each subfolder of a FOLDER given (its name the title, in name"
        " order); the photos directly in FOLDER are in none",
    )
    add_limit_rate(share)


def _pick_limit(text: str) -> int:
    from albumen.core.backend import MAX_PHOTO_ORDER

    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_PHOTO_ORDER:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of photos from 1 to {MAX_PHOTO_ORDER}"
        )
    return int(text)


def _watermark(text: str) -> str | None:
    """The text as the link keeps it (None for a blank one), checked with the server's own
    rule so that a text it cannot draw is named now, not by a failed sync."""
    from albumen_photo import watermark

    kept = watermark.cleaned(text)
    problem = None if kept is None else watermark.problem(kept)
    if problem is not None:
        raise argparse.ArgumentTypeError(f"{text!r} {problem}")
    return kept


def _watermark_conflict(options: argparse.Namespace) -> str | None:
    """Why the share's options cannot go together (a watermark with originals), or None."""
    from albumen.core.link_rules import downloads_for
    from albumen.core.model import Download

    download = Download(options.download)
    if options.watermark is None or download in downloads_for(watermarked=True):
        return None
    return (
        f"--watermark and --download {download} do not go together: a watermarked link offers"
        " no originals (use --download web or none)"
    )


class Herald:
    """The share's listener: progress to stderr, and the link to stdout the moment the server
    has made it live (from a sync thread, while the originals still go)."""

    def __init__(self, progress: TerminalProgress, out: TextIO = sys.stdout) -> None:
        self.progress = progress
        self.out = out
        self.link_id: str | None = None
        self.extra: list[str] = []  # printed after the URL: the password, when generated
        self.url: str | None = None  # once printed
        self._lock = threading.Lock()
        self.client: Client | None = None

    def expect(self, client: Client, link_id: str, extra: list[str]) -> None:
        """Print link `link_id`'s URL, then `extra`, once it is live (or `announce` is
        called)."""
        with self._lock:
            self.client, self.link_id, self.extra = client, link_id, extra

    def __call__(self, event: SyncEvent) -> None:
        self.progress(event)
        if event.kind == "link" and self.link_id and event.message == f"live {self.link_id}":
            self.announce(early=True)

    def announce(self, *, early: bool = False) -> None:
        """Print the link (once), with what it shows when it went live before the originals."""
        from albumen.core.album_state import originals_arriving

        with self._lock:
            if self.url is not None or self.client is None or self.link_id is None:
                return
            link = self.client.store.link(self.link_id)
            self.url = expected_url(self.client, link)
            self.out.write("\n".join([self.url, *self.extra]) + "\n")
            self.out.flush()
            if early:
                album = self.client.store.album(link.album_id)
                state = originals_arriving(album)
                if state is not None:
                    self.progress.note(f"the link is live: {state}; sending on")


def cmd_share(options: argparse.Namespace) -> int:
    from albumen.client import NotLoggedInError
    from albumen.core import wording
    from albumen.core.backend import OfflineError
    from albumen.core.intake import add_checked, check_workers_beside_sending
    from albumen.core.link_state import ONLY_HERE, works_only_here
    from albumen.core.sections import SectionError
    from albumen.core.sync import SyncReport
    from albumen.embedded import EmbeddedServerError

    missing = [p for p in options.paths if not p.exists()]
    for path in missing:
        print(f"albumen: {path}: no such file or folder", file=sys.stderr)
    if options.expires is not None and options.expires < 1:
        print("albumen: --expires must be 1 day or more", file=sys.stderr)
        return EXIT_USAGE
    conflict = _watermark_conflict(options)
    if conflict is not None:
        print(f"albumen: {conflict}", file=sys.stderr)
        return EXIT_USAGE
    try:
        sections = folder_sections(options.paths) if options.sections else []
    except SectionError as error:
        print(f"albumen: --sections: {error}", file=sys.stderr)
        return EXIT_USAGE
    client = open_client(options)
    try:
        album = client.store.album_by_title(options.album) or client.store.create_album(
            options.album
        )
        if options.remove_location and not album.privacy.strip_location:
            client.store.set_privacy(album.id, replace(album.privacy, strip_location=True))
        waiting = sum(p.size for p in client.store.photos(album.id) if p.state.value != "uploaded")
        progress = TerminalProgress(waiting)
        herald = Herald(progress)
        link_id = str(uuid.uuid4())
        password = generate_password() if options.generate_password else options.password
        kept, problems = True, False
        try:
            service = client.sync_service(herald)
            with service.sending() as sending:
                report = add_checked(
                    client.store,
                    album.id,
                    [p for p in options.paths if p.exists()],
                    arrivals=sending.arrivals,
                    on_verdict=progress.verdict,
                    workers=check_workers_beside_sending(),
                )
                problems = bool(report.problems)
                _put_in_sections(client, album.id, sections, progress)
                in_album = len(client.store.photos(album.id))
                progress.note(
                    f"{wording.count(len(report.added), 'photo')} added to {album.title!r}"
                    f" ({in_album} in the album)"
                )
                extra = [f"password: {password}"] if options.generate_password else []
                herald.expect(client, link_id, extra)  # before the link is queued: it may go
                kept = _new_link(client, album.id, options, link_id, password)
            result = sending.report or SyncReport()
        except NotLoggedInError:
            raise
        except (OfflineError, EmbeddedServerError) as error:
            result = SyncReport(offline=str(error))
        herald.announce()
        if works_only_here(herald.url or ""):
            print(f"note: {ONLY_HERE}", file=sys.stderr)
        if password is not None and not kept:
            print("the password is not kept (no keyring): note it now", file=sys.stderr)
        if result.offline:
            print(
                f"not sent yet: {result.offline}; the link becomes live once synced (if it is"
                " not yet): run `albumen sync`",
                file=sys.stderr,
            )
            return not_sent_exit(result)
        if problems or missing or result.failed:
            for failure in result.failed:
                print(f"failed {failure}", file=sys.stderr)
            return EXIT_PARTIAL
        return EXIT_OK
    finally:
        client.close()


def folder_sections(paths: list[Path]) -> list[tuple[str, Path]]:
    """`--sections`: (title, subfolder) for each subfolder of the folders among `paths`, in
    name order (the order the folder is walked in, so the album's order already follows
    them), hidden ones passed over as the walk passes them over. Titles are checked now, with
    the server's rules, so a folder name that cannot be a title stops the share before anything
    is sent (`SectionError`); two folders' subfolders of one name (case aside) make one."""
    from albumen.core.sections import MAX_SECTIONS, SectionError, section_title

    found: list[tuple[str, Path]] = []
    for path in paths:
        if not path.is_dir():
            continue
        for sub in sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith(".")):
            try:
                title = section_title(sub.name)
            except SectionError as error:
                raise SectionError(f"{sub}: {error}") from None
            if title is not None:
                found.append((title, sub.resolve()))
    titles = {title.casefold() for title, _sub in found}
    if len(titles) > MAX_SECTIONS:
        raise SectionError(
            f"{len(titles)} subfolders; an album has at most {MAX_SECTIONS} sections"
        )
    return found


def _put_in_sections(
    client: Client, album_id: str, sections: list[tuple[str, Path]], progress: TerminalProgress
) -> None:
    """Each subfolder's photos in the album (those added now and before) into its section,
    in name order: each new section goes to the end of the album (`Owner.put_in_section`)."""
    from albumen.core.owner import Owner
    from albumen.core.wording import count

    owner = Owner(client.store, client.credentials)
    made: list[str] = []
    for title, folder in sections:
        photos = client.store.photos(album_id)
        ids = [photo.id for photo in photos if photo.path.is_relative_to(folder)]
        if ids:
            kept = owner.put_in_section(album_id, ids, title)
            made.append(f"{kept} ({count(len(ids), 'photo')})")
    if made:
        progress.note(f"{count(len(made), 'section')}: {', '.join(made)}")


def generate_password() -> str:
    from albumen.core.passwords import generate_password as make

    return make()


def _new_link(
    client: Client,
    album_id: str,
    options: argparse.Namespace,
    link_id: str,
    password: str | None,
) -> bool:
    """Record the share's link; returns whether the keyring kept its password. The password
    goes into the keyring before the link is queued (core.owner), since a drain is running."""
    from albumen.core.model import Download, LinkSettings
    from albumen.core.owner import Owner

    expires = datetime.now(UTC) + timedelta(days=options.expires) if options.expires else None
    settings = LinkSettings(
        download=Download(options.download),
        show_metadata=options.show_metadata,
        show_location=options.show_location,
        expires_at=expires,
        label=options.label,
        allow_picks=options.allow_picks,  # a pick limit implies it: core.link_rules
        pick_limit=options.pick_limit,
        watermark=options.watermark,
    )
    owner = Owner(client.store, client.credentials)
    return owner.save_link(album_id, settings, password=password, link_id=link_id).kept
