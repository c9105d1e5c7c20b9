"""A photo's identity: the SHA-256 of its bytes, the same on the owner's side and the server's.

The client hashes a photo to ask the server whether it already holds it and to announce an
upload; the server hashes what arrived to check it. One function, so both sides read files the
same way.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

__all__ = ["file_sha256"]

_READ_SIZE = 1 << 20


def file_sha256(path: Path) -> str:
    """The hex SHA-256 of the file at ``path``, read in 1 MiB pieces (memory stays flat)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_READ_SIZE):
            digest.update(chunk)
    return digest.hexdigest()
