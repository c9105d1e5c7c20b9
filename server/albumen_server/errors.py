"""One error shape for every failure: `{"error": {"code", "message"}}` with a fitting status.

The errors themselves, free of the web framework: the administrator's commands meet them too
(`albumen-server owners`, `token`), and should not import FastAPI to do so. How they become
answers is :mod:`albumen_server.error_answers`."""

from __future__ import annotations

import errno


class ApiError(Exception):
    """A failure meant for the client: its message is written for a person."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


# What a full disk looks like, wherever it is met: the file system, SQLite ("database or disk is
# full", SQLITE_FULL) or PostgreSQL (SQLSTATE class 53, insufficient resources).
_DISK_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}
_DISK_FULL_SQLSTATES = {"53100", "53000"}


def is_disk_full(error: BaseException) -> bool:
    """Whether `error`, or what caused it, says there is no space left to write."""
    seen: BaseException | None = error
    for _ in range(10):  # a chain of causes, never followed round a cycle
        if seen is None:
            break
        if isinstance(seen, OSError) and seen.errno in _DISK_FULL_ERRNOS:
            return True
        if "database or disk is full" in str(seen):
            return True
        if getattr(seen, "sqlstate", None) in _DISK_FULL_SQLSTATES:
            return True
        seen = getattr(seen, "orig", None) or seen.__cause__ or seen.__context__
    return False


def storage_full(headers: dict[str, str] | None = None) -> ApiError:
    """The one answer to a write that found no room: nothing of it was kept, try again later."""
    return ApiError(
        507,
        "insufficient_storage",
        "the server's storage is full; nothing of this request was kept, try again when space"
        " is freed",
        headers,
    )


def still_arriving(filename: str) -> ApiError:
    """The answer for an arriving photo's original (or a zip of originals that needs it): it is
    seen from its preview, and its full-resolution file has not landed yet."""
    return ApiError(
        409,
        "arriving",
        f"{filename}: the full-resolution file is still on its way; it can be downloaded once it"
        " has been uploaded",
    )


def not_found(what: str) -> ApiError:
    return ApiError(404, "not_found", f"{what} does not exist")
