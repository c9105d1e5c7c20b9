"""Proofing with a limit: a link that takes at most N photos per viewer's picks (the
photographer's package: "choose your 30 for the album"), by the script's PUT and by the photo
page's plain forms; and a viewer's picks downloaded as one zip. Real server, real HTTP, on
SQLite and PostgreSQL."""

from __future__ import annotations

import io
import zipfile

import requests

from tests.server.test_picks import _proofing
from tests.server.test_picks_form import _form
from tests.support import ServerProcess, new_id


def test_a_link_takes_at_most_its_limit(shared_server: ServerProcess) -> None:
    proofing = _proofing(shared_server, photos=3, pick_limit=2)
    a, b, c = proofing.photo_ids
    link = shared_server.api("GET", f"/api/links/{proofing.link_id}").json()
    assert (link["allow_picks"], link["pick_limit"]) == (True, 2)

    too_many = proofing.send(new_id(), name="Anna", photo_ids=[a, b, c])
    assert too_many.status_code == 422
    message = too_many.json()["error"]["message"]
    assert message == "photo_ids: this link takes at most 2 photos, not 3"
    assert proofing.owner_picks() == []
    assert proofing.send(new_id(), name="Anna", photo_ids=[a, c, a]).status_code == 201, (
        "a photo named twice counts once"
    )

    gallery = requests.get(proofing.url, timeout=30).text
    assert 'data-limit="2"' in gallery and "</span> of 2)" in gallery

    # Edited after sending, as the other rights: no limit when left out, never below one.
    body = {"album_id": proofing.album_id, "token": proofing.token, "allow_picks": True}
    for refused in (0, -1, 20_001, "thirty"):
        answer = shared_server.api(
            "PUT", f"/api/links/{proofing.link_id}", json={**body, "pick_limit": refused}
        )
        assert answer.status_code == 422, (refused, answer.text)
        assert answer.json()["error"]["message"].startswith("pick_limit: ")
    lifted = shared_server.api("PUT", f"/api/links/{proofing.link_id}", json=body)
    assert lifted.json()["pick_limit"] is None
    assert proofing.send(new_id(), name="Ben", photo_ids=[a, b, c]).status_code == 201
    assert 'data-limit="' not in requests.get(proofing.url, timeout=30).text


def test_the_plain_forms_keep_to_the_limit(shared_server: ServerProcess) -> None:
    proofing = _proofing(shared_server, photos=3, pick_limit=2)
    a, b, c = proofing.photo_ids
    with requests.Session() as viewer:
        page = viewer.get(f"{proofing.url}/photos/{a}", timeout=30).text
        assert "0 of 2 photos picked" in page
        assert _form(viewer, proofing, a, "pick").status_code == 303
        assert _form(viewer, proofing, b, "pick").status_code == 303
        assert _form(viewer, proofing, b, "pick").status_code == 303, "picked already: fine"
        full = _form(viewer, proofing, c, "pick")
        assert full.status_code == 422
        assert "You can pick up to 2 photos: unpick one to pick this one instead." in full.text
        assert "2 of 2 photos picked" in full.text
        noted = _form(viewer, proofing, c, "note", photo_note="This one instead?")
        assert noted.status_code == 422, "a note picks its photo: the limit holds for it too"
        assert "This one instead?</textarea>" in noted.text, "what was typed is not lost"
        assert _form(viewer, proofing, a, "unpick").status_code == 303
        assert _form(viewer, proofing, c, "pick").status_code == 303
        assert _form(viewer, proofing, c, "send", name="Anna").status_code == 303
    (pick,) = proofing.owner_picks()
    assert pick["photo_ids"] == [b, c]


def test_a_viewer_downloads_the_photos_they_chose(shared_server: ServerProcess) -> None:
    """`POST /s/{token}/download` with the picked photos' ids: a zip of those alone, in the
    album's order, at the size the link allows."""
    proofing = _proofing(shared_server, photos=3, download="original")
    a, _b, c = proofing.photo_ids
    form = {"photo_ids": f"{c},{a.upper()}, {new_id()},"}
    answer = requests.post(f"{proofing.url}/download", data=form, timeout=30)
    assert answer.status_code == 200, answer.text
    assert "(my picks).zip" in answer.headers["Content-Disposition"]
    names = zipfile.ZipFile(io.BytesIO(answer.content)).namelist()
    assert names == ["IMG_0000.jpg", "IMG_0002.jpg"], "the chosen ones, in the album's order"
    web = requests.post(f"{proofing.url}/download", data={**form, "size": "web"}, timeout=30)
    assert web.status_code == 200, web.text
    assert zipfile.ZipFile(io.BytesIO(web.content)).namelist() == names

    none = requests.post(f"{proofing.url}/download", data={"photo_ids": new_id()}, timeout=30)
    assert none.status_code == 422
    assert none.json()["error"]["message"] == "photo_ids: none of these are photos of this album"
    other_site = requests.post(
        f"{proofing.url}/download",
        data=form,
        headers={"Sec-Fetch-Site": "cross-site"},
        timeout=30,
    )
    assert other_site.status_code == 403
    no_downloads = _proofing(shared_server, photos=1)
    refused = requests.post(
        f"{no_downloads.url}/download", data={"photo_ids": no_downloads.photo_ids[0]}, timeout=30
    )
    assert refused.status_code == 403


def test_a_draft_made_before_the_limit_is_not_sent_until_it_fits(
    shared_server: ServerProcess,
) -> None:
    proofing = _proofing(shared_server, photos=3)
    a, b, c = proofing.photo_ids
    with requests.Session() as viewer:
        for photo_id in (a, b, c):
            assert _form(viewer, proofing, photo_id, "pick").status_code == 303
        body = {"album_id": proofing.album_id, "token": proofing.token, "allow_picks": True}
        lowered = {**body, "pick_limit": 2}
        assert shared_server.api("PUT", f"/api/links/{proofing.link_id}", json=lowered).ok
        refused = _form(viewer, proofing, a, "send", name="Anna")
        assert refused.status_code == 422
        assert "This album takes up to 2 picks: please unpick 1 photo and send again." in (
            refused.text
        )
        assert _form(viewer, proofing, c, "unpick").status_code == 303
        assert _form(viewer, proofing, a, "send", name="Anna").status_code == 303
    assert proofing.owner_picks()[0]["photo_ids"] == [a, b]
