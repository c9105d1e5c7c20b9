"""A copy of a broken file beside it, before anything else happens to it.

When the app cannot use one of its own files (a settings file it cannot read, a damaged album
list), the owner's data in it must not be lost to a later save or a fresh start: a copy named
`<file>.<why>-<UTC time>` is kept next to it, once per distinct content.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from pathlib import Path

__all__ = ["keep_aside"]


def keep_aside(path: Path, why: str) -> Path | None:
    """The copy of `path` (an existing one with the same bytes, or a new one), or None when
    the file cannot be read or the copy cannot be written."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    for existing in path.parent.glob(f"{path.name}.{why}-*"):
        with contextlib.suppress(OSError):
            if existing.read_bytes() == data:
                return existing
    copy = path.with_name(f"{path.name}.{why}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}")
    try:
        copy.write_bytes(data)
    except OSError:
        return None
    return copy
