"""Proof that a server on 127.0.0.1 is the one the desktop app started, before it gets a token.

The embedded server listens on a port kept in the app's data folder. After a reboot another
local user could hold that port, and an app that simply sent `Authorization: Bearer …` to
whatever answers there would hand over the owner token. So the app writes a random key into
the server's data folder (`identity.key`, 0600, readable by the owner alone) before starting
it; the app then sends a fresh challenge, and only a process that can read that key answers
with its HMAC. A server without the key (any deployment not started by the app) answers 404.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

IDENTITY_FILE = "identity.key"
_MAX_CHALLENGE = 128

router = APIRouter()


def load_identity_key(data_dir: Path) -> bytes | None:
    """The key the app left for this server, or None for a server the app did not start."""
    try:
        key = (data_dir / IDENTITY_FILE).read_bytes()
    except OSError:
        return None
    return key if len(key) >= 32 else None


def identity_proof(key: bytes, challenge: str) -> str:
    """HMAC-SHA256 of the challenge under the key; the app computes the same to compare."""
    return hmac.new(key, b"albumen-embedded:" + challenge.encode(), hashlib.sha256).hexdigest()


@router.get("/api/identity", include_in_schema=False)
def prove_identity(
    request: Request, challenge: str = Query(max_length=_MAX_CHALLENGE)
) -> JSONResponse:
    key: bytes | None = request.app.state.identity_key
    if key is None:
        return JSONResponse({"error": {"code": "not_found", "message": "no identity"}}, 404)
    return JSONResponse(
        {"proof": identity_proof(key, challenge)}, headers={"Cache-Control": "no-store"}
    )
