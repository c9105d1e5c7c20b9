"""Picks without JavaScript: the photo page's plain forms, `POST /s/{token}/picks`.

The selection is kept on the server under the id in the `albumen_pick` cookie until sent; the
sent pick is the same list the owner reads through the API.
"""

from __future__ import annotations

import requests

from tests.server.test_picks import Proofing, _proofing
from tests.support import ServerProcess, new_id


def _form(
    viewer: requests.Session, proofing: Proofing, photo_id: str, action: str, **fields: str
) -> requests.Response:
    return viewer.post(
        f"{proofing.url}/picks",
        data={"action": action, "photo_id": photo_id, **fields},
        allow_redirects=False,
        timeout=30,
    )


def test_pick_unpick_and_send_with_plain_forms(shared_server: ServerProcess) -> None:
    proofing = _proofing(shared_server, photos=3)
    a, b, c = proofing.photo_ids
    with requests.Session() as viewer:
        page = viewer.get(f"{proofing.url}/photos/{a}", timeout=30).text
        assert 'action="/s/' in page and 'value="pick"' in page and "0 photos picked" in page

        picked = _form(viewer, proofing, c, "pick")
        assert picked.status_code == 303
        assert picked.headers["Location"] == f"/s/{proofing.token}/photos/{c}#picks"
        cookie = picked.headers["Set-Cookie"]
        assert "albumen_pick=" in cookie and "HttpOnly" in cookie
        assert "SameSite=lax" in cookie and f"Path=/s/{proofing.token}" in cookie
        draft_id = viewer.cookies["albumen_pick"]
        assert _form(viewer, proofing, a, "pick").status_code == 303
        assert _form(viewer, proofing, a, "pick").status_code == 303, "twice is still once"
        assert _form(viewer, proofing, b, "pick").status_code == 303
        assert _form(viewer, proofing, b, "unpick").status_code == 303
        page = viewer.get(f"{proofing.url}/photos/{a}", timeout=30).text
        assert 'value="unpick"' in page and "2 photos picked" in page
        assert proofing.owner_picks() == [], "nothing reaches the owner before it is sent"

        sent = _form(viewer, proofing, a, "send", name="<b>Anna</b>", note="Prints & frames")
        assert sent.status_code == 303, sent.text
        assert sent.headers["Location"] == f"/s/{proofing.token}/photos/{a}?sent=1#picks"
        (pick,) = proofing.owner_picks()
        assert (pick["id"], pick["name"], pick["note"]) == (
            draft_id,
            "<b>Anna</b>",
            "Prints & frames",
        )
        assert pick["photo_ids"] == [a, c]
        confirmed = viewer.get(f"{proofing.url}/photos/{a}?sent=1", timeout=30).text
        assert "Sent 2 picks to the photographer." in confirmed
        assert "&lt;b&gt;Anna&lt;/b&gt;" in confirmed and "<b>Anna</b>" not in confirmed
        assert "Prints &amp; frames" in confirmed

        # Changing one pick and sending again updates the same list.
        assert _form(viewer, proofing, c, "unpick").status_code == 303
        assert _form(viewer, proofing, b, "pick").status_code == 303
        again = _form(viewer, proofing, b, "send", name="Anna")
        assert again.status_code == 303
        assert [(p["id"], p["photo_ids"]) for p in proofing.owner_picks()] == [(draft_id, [a, b])]


def test_forms_that_will_not_do_show_the_page_again_with_the_reason(
    shared_server: ServerProcess,
) -> None:
    proofing = _proofing(shared_server, photos=1)
    (photo,) = proofing.photo_ids
    with requests.Session() as viewer:
        nothing = _form(viewer, proofing, photo, "send", name="Anna")
        assert nothing.status_code == 422
        assert "Pick at least one photo first" in nothing.text
        assert _form(viewer, proofing, photo, "pick").status_code == 303
        for name in ("", "   ", "x" * 101):
            blank = _form(viewer, proofing, photo, "send", name=name, note="kept <as typed>")
            assert blank.status_code == 422
            assert "Please give your name" in blank.text
            assert "kept &lt;as typed&gt;" in blank.text
        too_long = _form(viewer, proofing, photo, "send", name="Anna", note="n" * 2001)
        assert too_long.status_code == 422 and "up to 2000 characters" in too_long.text
        unknown = _form(viewer, proofing, new_id(), "pick")
        assert unknown.status_code == 404
        bad = viewer.post(f"{proofing.url}/picks", data={"action": "like", "photo_id": photo})
        assert bad.status_code == 422 and "action" in bad.json()["error"]["message"]
    assert proofing.owner_picks() == []


def test_sends_by_form_and_by_script_share_one_limit(shared_server: ServerProcess) -> None:
    proofing = _proofing(shared_server, photos=1)
    (photo,) = proofing.photo_ids
    for n in range(30):
        assert proofing.send(new_id(), name=f"Viewer {n}", photo_ids=[photo]).status_code == 201
    with requests.Session() as viewer:
        assert _form(viewer, proofing, photo, "pick").status_code == 303, "marking counts apart"
        blocked = _form(viewer, proofing, photo, "send", name="Anna")
        assert blocked.status_code == 429
        assert int(blocked.headers["Retry-After"]) > 0
        assert "Try again in 15 minutes" in blocked.text
    assert len(proofing.owner_picks()) == 30


def test_a_link_without_picks_has_no_forms_and_refuses_them(shared_server: ServerProcess) -> None:
    proofing = _proofing(shared_server, photos=1, allow_picks=False)
    (photo,) = proofing.photo_ids
    with requests.Session() as viewer:
        page = viewer.get(f"{proofing.url}/photos/{photo}", timeout=30).text
        assert "/picks" not in page and "Pick this photo" not in page
        refused = _form(viewer, proofing, photo, "pick")
        assert refused.status_code == 404 and "not available" in refused.text
        assert "albumen_pick" not in viewer.cookies


def test_forms_posted_from_another_site_are_refused(shared_server: ServerProcess) -> None:
    proofing = _proofing(shared_server, photos=1)
    (photo,) = proofing.photo_ids
    with requests.Session() as viewer:
        viewer.headers["Sec-Fetch-Site"] = "cross-site"
        assert _form(viewer, proofing, photo, "pick").status_code == 403
        viewer.headers["Sec-Fetch-Site"] = "same-origin"
        assert _form(viewer, proofing, photo, "pick").status_code == 303
