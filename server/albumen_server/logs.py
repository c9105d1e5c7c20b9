"""Logging for a server that faces the internet: secrets never reach a log line.

A link token in a URL is the key to an album (and, with no password, all of it), so access logs
show `/s/…` instead of `/s/<token>` (and `/pair/…` instead of a pairing code), and unlock
cookies or owner tokens are never logged at all.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

_LINK_TOKEN = re.compile(r"/(s|pair)/[^/?#\s\"]+")
REDACTED_LINK = "/s/…"


def redact(text: str) -> str:
    """`text` with every link token (and pairing code) replaced."""
    return _LINK_TOKEN.sub(lambda match: f"/{match.group(1)}/…", text)


class RedactTokens(logging.Filter):
    """Rewrites uvicorn's access log record (its path argument) before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        elif isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's own logging configuration, with the access log's handler redacting tokens."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_tokens"] = {"()": f"{__name__}.RedactTokens"}
    config["handlers"]["access"].setdefault("filters", []).append("redact_tokens")
    return config
