"""What the `albumen` commands share: exit codes, opening the data folder, a link's URL before
the server has it, and the upload rate cap (`--limit-rate`)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from albumen.paths import data_dir

if TYPE_CHECKING:
    from albumen.client import Client
    from albumen.core.model import Link
    from albumen.core.sync import SyncReport

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, EXIT_OFFLINE, EXIT_AUTH = 0, 1, 2, 3, 4


def not_sent_exit(report: SyncReport) -> int:
    """The exit code of a command whose changes wait in the queue: 4 when the server refuses
    the owner token (pairing again is the way on), 3 when it could not be reached."""
    return EXIT_AUTH if report.access_refused else EXIT_OFFLINE


def add_limit_rate(parser: argparse.ArgumentParser) -> None:
    """`--limit-rate RATE` on a command that uploads."""
    parser.add_argument(
        "--limit-rate",
        type=_rate,
        metavar="RATE",
        help="cap uploads at RATE bytes per second, with K or M for 1024 or 1024² of them, as "
        "curl takes it (2.5M: about 20 Mbit/s); above the app's setting, for this command",
    )


def _rate(text: str) -> float:
    from albumen.core.throttle import parse_rate

    try:
        return parse_rate(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def open_client(options: argparse.Namespace) -> Client:
    """The data folder's client, with the command's rate cap; settings problems are warned of."""
    from albumen.client import Client

    client = Client(data_dir(options.data_dir))
    for problem in client.settings.problems:
        print(f"albumen: warning: {problem}", file=sys.stderr)
    rate = getattr(options, "limit_rate", None)
    if rate is not None:
        client.limit_rate(rate)
    return client


def expected_url(client: Client, link: Link) -> str:
    """The link's URL, known before the server has seen it (core.link_state.link_url), with the
    embedded server's address when no server is set."""
    from albumen.core.link_state import link_url
    from albumen.embedded import DEFAULT_PORT, STATE_FILE, server_data

    base = client.settings.server_url
    if not base:
        try:
            base = json.loads((server_data(client.data_dir) / STATE_FILE).read_text())["url"]
        except (OSError, ValueError, KeyError):
            base = f"http://127.0.0.1:{DEFAULT_PORT}"
    return link_url(link, base)
