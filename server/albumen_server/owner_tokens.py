"""Owner tokens and pairing codes as the database keeps them (only their hashes): made by the
administrator's commands (`albumen-server token create`, `invite`) and by pairing a device
(`POST /api/pair`, :mod:`albumen_server.pairing`). Free of the web framework, so the commands
start without importing it."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from albumen_server.models import ApiToken, Owner, PairingCode, utcnow
from albumen_server.security import hash_api_token, new_api_token

INVITE_HOURS = 24


def code_hash(code: str) -> str:
    """What is kept of a pairing code: its SHA-256, never the code."""
    return hashlib.sha256(code.encode()).hexdigest()


def device_name(text: str | None) -> str | None:
    """A device's name as kept and shown: printable, one line, at most 100 characters; None
    when nothing is left."""
    if text is None:
        return None
    cleaned = "".join(c for c in " ".join(text.split()) if c.isprintable()).strip()[:100]
    return cleaned or None


def issue_token(session: Session, name: str, device: str | None = None) -> str:
    """A new owner token for the owner called `name` (made if new), held by `device` (its name,
    if known); only its hash is kept."""
    owner = session.scalar(select(Owner).where(Owner.name == name))
    if owner is None:
        owner = Owner(name=name)
        session.add(owner)
        session.flush()
    token = new_api_token()
    session.add(
        ApiToken(owner_id=owner.id, token_hash=hash_api_token(token), device=device_name(device))
    )
    return token


def create_invite(session: Session, name: str, hours: int = INVITE_HOURS) -> str:
    """A new one-time pairing code for the owner called `name`."""
    code = secrets.token_urlsafe(24)
    now = utcnow()
    session.add(
        PairingCode(
            code_hash=code_hash(code),
            owner_name=name,
            created_at=now,
            expires_at=now + timedelta(hours=hours),
        )
    )
    return code
