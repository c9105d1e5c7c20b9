"""What the administrator's commands share: the arguments naming a deployment, its database
opened beside a running server, and sizes as they are typed.

Imports only the standard library and the config at module level: the server's rendering child
imports `cli` again (see there), and these come with it.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from albumen_server.config import ServerConfig

if TYPE_CHECKING:
    from albumen_server.database import Database


_SIZE_POWERS = {"": 0, "K": 1, "M": 2, "G": 3, "T": 4}


def parse_size(value: str, base: int = 1024) -> int:
    """A size in bytes, with an optional unit: 0, 1048576, 512M, 2G; a unit is `base` (1024, or
    1000 where the size is shown back in `quotas.size_text`'s units) to its power."""
    text = value.strip().upper().removesuffix("B").removesuffix("I")
    number, unit = (text[:-1], text[-1]) if text[-1:] in ("K", "M", "G", "T") else (text, "")
    if not (number.isascii() and number.isdigit()):
        raise argparse.ArgumentTypeError(f"{value!r} is not a size such as 0, 512M or 2G")
    return int(number) * base ** _SIZE_POWERS[unit]


def deployment(parser: argparse.ArgumentParser, *, blobs: bool = False) -> None:
    """The arguments that name a deployment to an administrator's command: its data folder,
    and its database (and blob store) when they are not the data folder's own."""
    parser.add_argument("--data", type=Path, required=True, help="the server's data folder")
    parser.add_argument("--database", help="SQLAlchemy URL, if not SQLite in the data folder")
    if blobs:
        parser.add_argument("--blobs", help="blob store URL, if not the data folder's blobs/")


@contextlib.contextmanager
def database(config: ServerConfig) -> Iterator[Database]:
    """The deployment's database, migrated, for a command that runs beside the server."""
    from albumen_server.database import Database, migrate

    config.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(config.resolved_database_url)
    try:
        migrate(db.engine)
        yield db
    finally:
        db.dispose()


def no_such_owner(prog: str, name: str) -> int:
    """Say on stderr that no owner has that name, and where the names are; the exit code (1)."""
    print(
        f"{prog}: no owner is called {name!r} (`albumen-server owners` lists them)", file=sys.stderr
    )
    return 1
