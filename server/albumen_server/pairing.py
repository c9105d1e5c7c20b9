"""Pairing a device with an owner without anyone copying a token by hand.

`albumen-server invite --name NAME` prints a one-time pairing URL, `PUBLIC_URL/pair/CODE`,
valid 24 hours. The owner pastes it into the app (Settings, or `albumen login URL`), which trades
it for an owner token with `POST /api/pair` over HTTPS and keeps the token in the keyring. Only
the code's SHA-256 is stored; the code is used at most once (a single conditional UPDATE, so two
processes cannot both redeem it), and a used or expired code tells nothing more than "ask for a
new one". A browser that opens the URL gets a page saying what to do with it, and redeems
nothing.
"""

from __future__ import annotations

import html

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from sqlalchemy import select, update

from albumen_server.auth import Context
from albumen_server.errors import ApiError
from albumen_server.models import PairingCode, utcnow
from albumen_server.owner_tokens import INVITE_HOURS, code_hash, issue_token

router = APIRouter(tags=["pairing"])

_CODE_PATTERN = r"^[A-Za-z0-9_-]{20,100}$"


class PairRequest(BaseModel):
    code: str = Field(pattern=_CODE_PATTERN)
    device: str | None = Field(
        default=None, max_length=200, description="the computer's name, as its owner knows it"
    )


class PairAnswer(BaseModel):
    token: str
    owner: str


@router.post("/api/pair", response_model=PairAnswer)
def pair(body: PairRequest, context: Context) -> PairAnswer:
    """Trade a pairing code for an owner token, once."""
    now = utcnow()
    with context.db.session() as session:
        used = session.execute(
            update(PairingCode)
            .where(
                PairingCode.code_hash == code_hash(body.code),
                PairingCode.used_at.is_(None),
                PairingCode.expires_at > now,
            )
            .values(used_at=now)
        )
        if used.rowcount != 1:  # type: ignore[attr-defined]
            raise ApiError(
                410,
                "invite_used_or_expired",
                "this pairing address was used already, has expired or never existed; ask the"
                " server's administrator for a new one (albumen-server invite)",
            )
        name = session.scalar(
            select(PairingCode.owner_name).where(PairingCode.code_hash == code_hash(body.code))
        )
        assert name is not None  # the row was just updated
        token = issue_token(session, name, body.device)
    return PairAnswer(token=token, owner=name)


@router.get("/pair/{code}", response_class=HTMLResponse, include_in_schema=False)
def pairing_page(code: str) -> HTMLResponse:
    """What a browser shows for a pairing URL: how to use it. Redeems nothing."""
    del code  # the page is the same for every code; the app redeems it
    page = (
        "<!doctype html><html lang=en><meta charset=utf-8>"
        "<meta name=viewport content='width=device-width,initial-scale=1'>"
        "<title>Connect Albumen</title>"
        "<body style='font:16px system-ui;max-width:36em;margin:3em auto;padding:0 1em'>"
        "<h1>Connect Albumen to this server</h1>"
        "<p>This address pairs the Albumen app with this server, once. Copy it from the address"
        " bar, then in Albumen open <b>Settings ▸ Server</b>, choose <b>A sharing server</b> and"
        " paste it as the address; or run <code>albumen login</code> followed by the address.</p>"
        f"<p>It stays valid for {html.escape(str(INVITE_HOURS))} hours and works only once.</p>"
    )
    return HTMLResponse(page, headers={"Cache-Control": "no-store"})
