"""What a link's recipient reaches, with no account: the gallery, one page per photo, and JSON.

The routes here only put the parts together: :mod:`~albumen_server.viewer_access` checks the
link on every request (one answer for revoked, expired and unknown; the password form for a
locked link), :mod:`~albumen_server.viewer_model` decides what each photo may reveal on this
link and builds the page and JSON bodies, :mod:`~albumen_server.viewer_downloads` serves the
image bytes and the zip, and :mod:`~albumen_server.viewer_assets` the map and grid assets.

The pages work without JavaScript (a grid of links to one server-rendered page per photo); the
scripts in `static/` add the lightbox and the map.

The gallery and `photos.json`, which grow with the album, leave through
:mod:`~albumen_server.viewer_wire` (the gallery streamed as it renders, both gzipped).
"""

from __future__ import annotations

import logging

from anyio import to_thread
from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse

from albumen_server.auth import Context
from albumen_server.context import ServerContext
from albumen_server.errors import ApiError
from albumen_server.link_activity import view_counted
from albumen_server.link_previews import is_link_preview
from albumen_server.models import utcnow
from albumen_server.picks_drafts import COOKIE as PICK_COOKIE
from albumen_server.picks_drafts import PickPanel, draft_id_of, pick_panel
from albumen_server.viewer_access import (
    Grant,
    Locked,
    Unavailable,
    album_and_photos,
    locked_json,
    open_link,
    page_headers,
    password_page,
    templates,
    unavailable_json,
    unavailable_page,
)
from albumen_server.viewer_model import (
    OnePhoto,
    available_until,
    gallery_context,
    listing_body,
    photo_body,
    photo_context,
    photo_facts,
    photo_views,
)
from albumen_server.viewer_wire import compressed, streamed_page

log = logging.getLogger(__name__)
router = APIRouter(prefix="/s", tags=["viewer"], include_in_schema=True)
NO_STORE = {"Cache-Control": "private, no-store"}


@router.get("/{token}", response_class=HTMLResponse)
async def gallery(token: str, request: Request, context: Context) -> Response:
    try:
        grant = await to_thread.run_sync(open_link, context, token, request)
        album, photos = await to_thread.run_sync(album_and_photos, context, grant.album_id)
    except Unavailable:
        return unavailable_page(request)
    except Locked:
        return password_page(request, token)
    views = photo_views(token, photos, grant.keep, grant.download)
    page = gallery_context(token, album, views, grant.keep, grant.download)
    page["tile_url"] = context.config.tile_url
    page["tile_attribution"] = context.config.tile_attribution
    page["allow_picks"] = grant.allow_picks
    page["pick_limit"] = grant.pick_limit
    page["available"] = available_until(grant.expires_at, utcnow())
    # A view is a person's, not a chat app's fetching the page for a preview of the link.
    preview = is_link_preview(request.headers.get("user-agent"))
    counted = None if preview else view_counted(context, grant.link_id)
    return streamed_page(request, "gallery.html", page, page_headers(context), after=counted)


def one_photo(context: ServerContext, token: str, grant: Grant, photo_id: str) -> OnePhoto:
    album, photos = album_and_photos(context, grant.album_id)
    views = photo_views(token, photos, grant.keep, grant.download)
    for index, view in enumerate(views):
        if view.id == photo_id:
            facts = photo_facts(grant.keep, view, context.blobs.open)
            return OnePhoto(album, views, index, facts)
    raise ApiError(404, "not_found", "this photo is not in the album")


def open_photo(
    context: ServerContext, token: str, request: Request, photo_id: str
) -> tuple[Grant, OnePhoto]:
    """The link opened for this request and one photo of its album (in one worker thread):
    raises Unavailable or Locked as `open_link` does, ApiError 404 for a photo not shown."""
    grant = open_link(context, token, request)
    return grant, one_photo(context, token, grant, photo_id)


# Before photo_page: its {photo_id} would take "x.json" too.
@router.get("/{token}/photos/{photo_id}.json")
async def photo_json(token: str, photo_id: str, request: Request, context: Context) -> Response:
    """One photo's facts, for the lightbox's side panel: only what the link allows."""
    try:
        grant, one = await to_thread.run_sync(open_photo, context, token, request, photo_id)
    except Unavailable:
        return unavailable_json()
    except Locked:
        return locked_json()
    return JSONResponse(photo_body(one, grant.keep), headers=NO_STORE)


@router.get("/{token}/photos/{photo_id}", response_class=HTMLResponse)
async def photo_page(token: str, photo_id: str, request: Request, context: Context) -> Response:
    """One photo on a page of its own: what a thumbnail opens when JavaScript is off. On a link
    that allows picks it carries the plain forms to pick the photo and send the picks."""
    try:
        grant, one = await to_thread.run_sync(open_photo, context, token, request, photo_id)
    except Unavailable:
        return unavailable_page(request)
    except Locked:
        return password_page(request, token)
    panel = None
    if grant.allow_picks:
        draft_id = draft_id_of(request.cookies.get(PICK_COOKIE))
        just_sent = request.query_params.get("sent") == "1"
        panel = await to_thread.run_sync(
            lambda: pick_panel(context, grant, one.view.id, draft_id, just_sent=just_sent)
        )
    return render_photo_page(request, context, token, grant, one, panel)


def render_photo_page(
    request: Request,
    context: ServerContext,
    token: str,
    grant: Grant,
    one: OnePhoto,
    panel: PickPanel | None,
    status: int = 200,
    extra_headers: dict[str, str] | None = None,
) -> Response:
    """The photo's page, with the picks panel on a link that allows picks (also after a form
    of it, with its message and status)."""
    page = photo_context(token, one, grant.download)
    page["picks"] = panel
    return templates.TemplateResponse(
        request,
        "photo.html",
        page,
        status_code=status,
        headers={**page_headers(context), **(extra_headers or {})},
    )


@router.get("/{token}/photos.json")
async def photos_json(token: str, request: Request, context: Context) -> Response:
    try:
        grant = await to_thread.run_sync(open_link, context, token, request)
        album, photos = await to_thread.run_sync(album_and_photos, context, grant.album_id)
    except Unavailable:
        return unavailable_json()
    except Locked:
        return locked_json()
    views = photo_views(token, photos, grant.keep, grant.download)
    body = listing_body(album, views, grant.keep, grant.download, allow_picks=grant.allow_picks)
    return await to_thread.run_sync(
        lambda: compressed(request, JSONResponse(body, headers=NO_STORE))
    )
