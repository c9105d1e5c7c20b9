"""`POST /s/{token}/picks`: the photo page's plain forms, for viewers without JavaScript.

Four actions, each from a button of the photo's page: `pick` and `unpick` mark the photo in
the viewer's draft (`picks_drafts`), `note` keeps the viewer's note on this photo there (and
picks it), `send` sends the draft with the name and note typed, by the same rules as the
script's `PUT` (`picks.store_pick`). A form that went through answers
303 back to the photo's page (so a reload does not post it again); one that did not shows the
page again with the reason: 422 for a name or note that will not do, 429 with `Retry-After`
when sent too often. On a link without picks the route answers like an unavailable link.

Cross-site posts are refused (`picks.from_another_site`), and the draft cookie is SameSite=Lax,
so another site's page can neither post here as the viewer nor read what they picked.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Annotated, Literal

from anyio import to_thread
from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import TypeAdapter, ValidationError

from albumen_server.auth import Context
from albumen_server.context import ServerContext
from albumen_server.error_answers import error_response
from albumen_server.picks import (
    SEND,
    PickRefused,
    client_of,
    from_another_site,
    send_limit,
    store_pick,
    stored_pick,
)
from albumen_server.picks_drafts import (
    COOKIE,
    COOKIE_MAX_AGE,
    MARK,
    PickPanel,
    draft_id_of,
    draft_photos,
    limit_reached,
    mark,
    mark_limit,
    pick_panel,
    write_note,
)
from albumen_server.rate_limits import take_turn
from albumen_server.schemas import (
    MAX_PHOTO_NOTE,
    MAX_PICK_NAME,
    MAX_PICK_NOTE,
    PhotoNote,
    PickIn,
    Uuid,
)
from albumen_server.viewer import open_photo, render_photo_page
from albumen_server.viewer_access import (
    Grant,
    Locked,
    Unavailable,
    password_page,
    unavailable_page,
)

router = APIRouter(prefix="/s", tags=["viewer"])

# Typed on the page, checked by PickIn; bounded here only so a huge field is not read whole.
NameField = Annotated[str, Form(max_length=4 * MAX_PICK_NAME)]
NoteField = Annotated[str, Form(max_length=4 * MAX_PICK_NOTE)]
PhotoNoteField = Annotated[str, Form(max_length=4 * MAX_PHOTO_NOTE)]
_photo_note = TypeAdapter(PhotoNote)


def _wording(error: ValidationError) -> str:
    """What to tell a person whose name or note was refused."""
    fields = {str(part) for problem in error.errors() for part in problem.get("loc", ())[:1]}
    if "name" in fields:
        return (
            f"Please give your name (one line, up to {MAX_PICK_NAME} characters), so the "
            "photographer knows whose picks these are."
        )
    if "note" in fields:
        return f"The note can be up to {MAX_PICK_NOTE} characters long, as plain text."
    return "These picks could not be sent. Please try again."


def _wait_words(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    return f"{minutes} minute{'' if minutes == 1 else 's'}"


def _photo_note_problem(note: str) -> str | None:
    """What to tell a person whose note on a photo was refused, or None."""
    try:
        _photo_note.validate_python(note)
    except ValidationError:
        return f"A note on a photo can be up to {MAX_PHOTO_NOTE} characters long, as plain text."
    return None


def _send(context: ServerContext, grant: Grant, draft_id: str, name: str, note: str) -> str | None:
    """Send the draft as the pick `draft_id`; the reason it was not, for the viewer, or None."""
    with context.db.session() as session:
        photos = draft_photos(session, grant, draft_id)
        sent_before = stored_pick(session, grant.link_id, draft_id) is not None
    photo_ids = list(photos)
    notes = {photo_id: text for photo_id, text in photos.items() if text}
    try:
        body = PickIn(name=name, note=note or None, photo_ids=photo_ids, photo_notes=notes)
    except ValidationError as error:
        return _wording(error)
    if not photo_ids and not sent_before:  # an empty list only to take back what was sent
        return "Pick at least one photo first: use the “Pick this photo” button."
    try:
        store_pick(context, grant, draft_id, body)
    except PickRefused:
        if grant.pick_limit is not None and len(photo_ids) > grant.pick_limit:
            over = len(photo_ids) - grant.pick_limit  # picked before the limit was set
            return (
                f"This album takes up to {grant.pick_limit} picks: please unpick {over}"
                f" photo{'' if over == 1 else 's'} and send again."
            )
        return "These picks could not be sent. Please reload the page and try again."
    return None


@router.post("/{token}/picks", response_class=HTMLResponse)
async def pick_form(
    token: str,
    request: Request,
    context: Context,
    action: Annotated[Literal["pick", "unpick", "note", "send"], Form()],
    photo_id: Annotated[Uuid, Form()],
    name: NameField = "",
    note: NoteField = "",
    photo_note: PhotoNoteField = "",
) -> Response:
    """The photo page's forms: mark or unmark this photo, keep a note on it, or send the
    picks."""
    try:
        grant, one = await to_thread.run_sync(open_photo, context, token, request, photo_id)
    except Unavailable:
        return unavailable_page(request)
    except Locked:
        return password_page(request, token)
    if not grant.allow_picks:
        return unavailable_page(request)
    if from_another_site(request, context.config.public_url):
        return error_response(403, "cross_site", "picks are sent from the album's own pages")
    known = draft_id_of(request.cookies.get(COOKIE))
    draft_id = known or str(uuid.uuid4())
    client = client_of(request)

    def again(status: int, panel: PickPanel, headers: dict[str, str] | None = None) -> Response:
        return render_photo_page(request, context, token, grant, one, panel, status, headers)

    sending = action == "send"
    limit = send_limit(context) if sending else mark_limit(context)
    turn = await to_thread.run_sync(
        take_turn, context, SEND if sending else MARK, grant.link_id, client, limit
    )
    if not turn.allowed:
        panel = await to_thread.run_sync(pick_panel, context, grant, photo_id, known)
        message = (
            f"That was a lot of picking in a short while. Try again in {_wait_words(turn.wait)}."
        )
        retry = {"Retry-After": str(turn.wait)}
        return again(429, replace(panel, error=message), retry)
    target = f"/s/{token}/photos/{photo_id}"
    if action in ("pick", "note"):  # a note picks the photo too
        full = await to_thread.run_sync(limit_reached, context, grant, draft_id, photo_id)
        if full is not None:
            panel = await to_thread.run_sync(pick_panel, context, grant, photo_id, known)
            return again(422, replace(panel, photo_note=photo_note, error=full))
    if sending:
        problem = await to_thread.run_sync(_send, context, grant, draft_id, name, note)
        if problem is not None:
            panel = await to_thread.run_sync(pick_panel, context, grant, photo_id, known)
            return again(422, replace(panel, name=name, note=note, error=problem))
        target += "?sent=1"
    elif action == "note":
        problem = _photo_note_problem(photo_note)
        if problem is not None:
            panel = await to_thread.run_sync(pick_panel, context, grant, photo_id, known)
            return again(422, replace(panel, photo_note=photo_note, error=problem))
        kept = photo_note.strip() or None
        await to_thread.run_sync(write_note, context, grant, draft_id, photo_id, kept)
    else:
        await to_thread.run_sync(mark, context, grant, draft_id, photo_id, action == "pick")
    response = RedirectResponse(target + "#picks", status_code=303)
    if known is None:
        response.set_cookie(
            COOKIE,
            draft_id,
            max_age=COOKIE_MAX_AGE,
            path=f"/s/{token}",
            httponly=True,
            samesite="lax",
            secure=context.config.secure_cookies,
        )
    return response
