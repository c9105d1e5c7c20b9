"""Whether a request may see a link's album: the link checked on every request, and the unlock.

A revoked, expired or unknown link gets one and the same answer on every route (404, a plain
"not available" page, JSON for `.json`), so nobody can tell which it was, and no image of the
album can be fetched after a revoke: there is no cache in front of this check.

A link with a password opens with an unlock cookie, signed for that link and that password hash
(so changing the password locks every viewer out again). The unlock form is rate-limited per
link and client: after `unlock_failures_allowed` wrong passwords within `unlock_window_seconds`
the form answers 429 with `Retry-After`, before any password is checked.

The headers every viewer page carries are here too, with the pages that say "no": the
Content-Security-Policy allows scripts, styles and images from this server alone (plus the map
tile host, when one is configured).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import select

from albumen_photo.policy import KeepPolicy
from albumen_server import sections
from albumen_server.auth import Context
from albumen_server.context import ServerContext
from albumen_server.data import GEONAMES_CREDIT, GEONAMES_URL
from albumen_server.error_answers import error_response
from albumen_server.errors import ApiError
from albumen_server.links import is_available
from albumen_server.models import Album, Link, Photo
from albumen_server.photos import album_photos
from albumen_server.rate_limits import client_key
from albumen_server.security import check_unlock_cookie, make_unlock_cookie, verify_password
from albumen_server.unlock_limits import (
    BUSY_RETRY_AFTER,
    TooBusy,
    begin_attempt,
    check_in_slot,
    forget_attempts,
    too_busy,
)
from albumen_server.viewer_model import link_policy

router = APIRouter(prefix="/s", tags=["viewer"], include_in_schema=True)
templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))
# The credit CC BY asks for, wherever GeoNames' place names are shown.
templates.env.globals.update(geonames_credit=GEONAMES_CREDIT, geonames_url=GEONAMES_URL)

COOKIE = "albumen_unlock"
COOKIE_MAX_AGE = 30 * 24 * 3600
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; img-src 'self'; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "private, no-store",
}


def page_headers(context: ServerContext) -> dict[str, str]:
    """PAGE_HEADERS, with the map tile host allowed for images when the server has one."""
    headers = dict(PAGE_HEADERS)
    origin = context.config.tile_origin
    if origin:
        headers["Content-Security-Policy"] = headers["Content-Security-Policy"].replace(
            "img-src 'self'", f"img-src 'self' {origin}"
        )
    return headers


@dataclass(frozen=True)
class Grant:
    """A link that may be used right now, with what it allows."""

    link_id: str
    token: str
    album_id: str
    password_hash: str | None
    download: str
    keep: KeepPolicy
    allow_picks: bool = False
    pick_limit: int | None = None  # at most this many photos per viewer's picks
    watermark: str | None = None  # drawn over every picture the link shows
    expires_at: datetime | None = None


class Unavailable(Exception):
    """Revoked, expired, unknown: one answer for all three."""


class Locked(Exception):
    """The link has a password and this request carries no valid unlock cookie."""


def grant_of(context: ServerContext, token: str) -> Grant:
    """The link behind `token` as it stands now; Unavailable when it may not be used."""
    with context.db.session() as session:
        link = session.scalar(select(Link).where(Link.token == token))
        if link is None or not is_available(link) or link.album_id is None:
            raise Unavailable
        return Grant(
            link_id=link.id,
            token=link.token,
            album_id=link.album_id,
            password_hash=link.password_hash,
            download=link.download,
            keep=link_policy(link),
            allow_picks=link.allow_picks,
            pick_limit=link.pick_limit,
            watermark=link.watermark,
            expires_at=link.expires_at,
        )


def _is_unlocked(context: ServerContext, grant: Grant, request: Request) -> bool:
    if grant.password_hash is None:
        return True
    return check_unlock_cookie(
        context.cookie_key,
        grant.link_id,
        grant.password_hash,
        request.cookies.get(COOKIE),
        COOKIE_MAX_AGE,
    )


def open_link(context: ServerContext, token: str, request: Request) -> Grant:
    """The grant for this request: Unavailable, or Locked without a valid unlock cookie."""
    grant = grant_of(context, token)
    if not _is_unlocked(context, grant, request):
        raise Locked
    return grant


def album_and_photos(context: ServerContext, album_id: str) -> tuple[Album, list[Photo]]:
    """The album a grant opens, with its photos in the gallery's order (the album's, by
    section when it has sections: `albumen_server.sections`)."""
    with context.db.session() as session:
        album = session.get(Album, album_id)
        if album is None:
            raise Unavailable
        photos = album_photos(session, album_id)
        return album, sections.in_gallery_order(photos, sections.loads(album.sections))


def unavailable_page(request: Request) -> Response:
    return templates.TemplateResponse(
        request, "unavailable.html", status_code=404, headers=PAGE_HEADERS
    )


def unavailable_json() -> JSONResponse:
    return JSONResponse(
        {"error": {"code": "not_available", "message": "This link is not available"}},
        status_code=404,
        headers={"Cache-Control": "no-store"},
    )


def arriving_answer(
    request: Request, error: ApiError, token: str, subject: str, count: int = 1
) -> Response:
    """409 `arriving`: a kind page for a browser that navigated to an original (or the zip of
    originals) still on its way, the error as JSON for anything else. `subject` names what can
    be seen meanwhile ("IMG_0001.JPG", "3 photos"), `count` how many originals are awaited."""
    if "text/html" in request.headers.get("accept", ""):
        return templates.TemplateResponse(
            request,
            "arriving.html",
            {"subject": subject, "count": count, "token": token},
            status_code=error.status,
            headers=PAGE_HEADERS,
        )
    return error_response(error.status, error.code, error.message, {"Cache-Control": "no-store"})


def locked_json() -> JSONResponse:
    return JSONResponse(
        {"error": {"code": "password_required", "message": "Unlock this link with its password"}},
        status_code=401,
        headers={"Cache-Control": "no-store"},
    )


def password_page(
    request: Request,
    token: str,
    message: str | None = None,
    status: int = 401,
    retry_after: int | None = None,
) -> Response:
    """The password form (401), again with a message after a wrong password or when blocked
    (429, with the seconds to wait)."""
    headers = dict(PAGE_HEADERS)
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return templates.TemplateResponse(
        request,
        "password.html",
        {"token": token, "message": message},
        status_code=status,
        headers=headers,
    )


# -- the unlock form and its rate limit -------------------------------------------------------


def _busy_page(request: Request, token: str) -> Response:
    message = "Many people are opening albums right now. Try again in a moment."
    return password_page(request, token, message, 429, retry_after=BUSY_RETRY_AFTER)


@router.post("/{token}/unlock", response_class=HTMLResponse)
async def unlock(
    token: str,
    request: Request,
    context: Context,
    password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    try:
        grant = await to_thread.run_sync(grant_of, context, token)
    except Unavailable:
        return unavailable_page(request)
    gallery_url = f"/s/{token}"
    if grant.password_hash is None:
        return RedirectResponse(gallery_url, status_code=303)
    client = client_key(request.client.host if request.client else None)
    if too_busy():
        return _busy_page(request, token)
    attempt = await to_thread.run_sync(begin_attempt, context, grant.link_id, client)
    if not attempt.allowed:
        minutes = max(1, round(attempt.wait / 60))
        message = (
            f"Too many wrong passwords. Try again in {minutes} minute{'s' if minutes > 1 else ''}."
        )
        return password_page(request, token, message, 429, retry_after=attempt.wait)
    try:
        right = bool(password) and await check_in_slot(
            verify_password, grant.password_hash, password
        )
    except TooBusy:
        return _busy_page(request, token)
    if not right:
        return password_page(request, token, "That password is not right. Try again.", 401)
    await to_thread.run_sync(forget_attempts, context, grant.link_id, client)
    response = RedirectResponse(gallery_url, status_code=303)
    response.set_cookie(
        COOKIE,
        make_unlock_cookie(context.cookie_key, grant.link_id, grant.password_hash),
        max_age=COOKIE_MAX_AGE,
        path=gallery_url,
        httponly=True,
        samesite="lax",
        secure=context.config.secure_cookies,
    )
    return response


def load_templates() -> None:
    """Compile every page's template now (some 60 ms), not on a process's first viewer."""
    for name in templates.env.list_templates():
        templates.get_template(name)
