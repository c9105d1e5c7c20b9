"""`albumen`: the client's command line.

The headless commands (share, inspect, albums, links, revoke, sync, status, login) arrive with
the client core; until the desktop window exists, `albumen` alone runs the embedded sharing
server in the foreground so a fresh install can already share.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from albumen import __version__
from albumen.paths import data_dir


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="albumen", description="Share photo albums privately, at full resolution."
    )
    parser.add_argument("--version", action="version", version=f"albumen {__version__}")
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="put the local store, caches and the embedded server's data in this folder "
        "(also ALBUMEN_DATA_DIR)",
    )
    parser.add_argument("--port", type=int, default=8080, help="embedded server port (8080)")
    return parser


def main(argv: list[str] | None = None) -> int:
    options = _parser().parse_args(argv)
    from albumen.embedded import run_embedded_server_foreground

    return run_embedded_server_foreground(data_dir(options.data_dir), options.port)


if __name__ == "__main__":
    sys.exit(main())
