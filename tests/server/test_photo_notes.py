"""Proofing: a viewer's note on one photo of their picks ("a tighter crop, please"), sent with
the picks by the script (`photo_notes`) or kept with the draft by the photo page's plain form
(`action=note`), and read by the owner with the picks.

Real server, real HTTP, on SQLite and PostgreSQL (tests/server/conftest.py).
"""

from __future__ import annotations

import pytest
import requests

from tests.server.test_picks import _proofing
from tests.server.test_picks_form import _form
from tests.support import ServerProcess, new_id


def test_notes_on_photos_go_with_the_picks_and_come_back_to_the_owner(
    shared_server: ServerProcess,
) -> None:
    proofing = _proofing(shared_server)
    a, b, c, _d = proofing.photo_ids
    pick_id = new_id()
    notes = {
        c: "  Black and white, please\nand a bit tighter  ",
        a: "   ",
        b.upper(): "Print 30×40",
    }
    sent = proofing.send(pick_id, name="Anna", photo_ids=[c, a, b], photo_notes=notes)
    assert sent.status_code == 201, sent.text
    assert sent.json()["photo_notes"] == {
        b: "Print 30×40",
        c: "Black and white, please\nand a bit tighter",
    }, "kept without the spaces around them, a blank one is none, ids as the album's"
    (pick,) = proofing.owner_picks()
    assert pick["photo_notes"] == {
        b: "Print 30×40",
        c: "Black and white, please\nand a bit tighter",
    }
    assert list(pick["photo_notes"]) == [b, c], "in the album's order, as photo_ids"  # type: ignore[call-overload]

    again = proofing.send(pick_id, name="Anna", photo_ids=[a, b], photo_notes={a: "Crop square"})
    assert again.status_code == 200, again.text
    (pick,) = proofing.owner_picks()
    assert pick["photo_notes"] == {a: "Crop square"}, "sending again replaces the notes"

    without = proofing.send(pick_id, name="Anna", photo_ids=[a])
    assert without.status_code == 200, "photo_notes may be left out (an older viewer's page)"
    assert proofing.owner_picks()[0]["photo_notes"] == {}


def test_a_photo_deleted_takes_its_note_along(shared_server: ServerProcess) -> None:
    proofing = _proofing(shared_server, photos=2)
    a, b = proofing.photo_ids
    notes = {a: "Keep", b: "Goes with the photo"}
    assert proofing.send(new_id(), name="Anna", photo_ids=[a, b], photo_notes=notes).ok
    assert shared_server.api("DELETE", f"/api/photos/{b}").status_code == 204
    (pick,) = proofing.owner_picks()
    assert (pick["photo_ids"], pick["photo_notes"]) == ([a], {a: "Keep"})


@pytest.mark.parametrize(
    ("notes", "words"),
    [
        ("not picked", "photo_notes: 1 of these photos are not picked"),
        ("n" * 1001, "photo_notes."),
        ("bell\x07", "photo_notes."),
        ("not-a-uuid", "photo_notes."),
    ],
)
def test_notes_that_will_not_do_are_refused_naming_the_field(
    shared_server: ServerProcess, notes: str, words: str
) -> None:
    proofing = _proofing(shared_server, photos=2)
    a, b = proofing.photo_ids
    photo_notes = {
        "not picked": {b: "This one too"},
        "not-a-uuid": {"IMG_0001": "Crop"},
    }.get(notes, {a: notes})
    refused = proofing.send(new_id(), name="Anna", photo_ids=[a], photo_notes=photo_notes)
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["message"].startswith(words), refused.text
    assert proofing.owner_picks() == [], "nothing is kept of a refused pick"


def test_a_note_by_plain_form_is_kept_with_the_draft_and_sent_with_it(
    shared_server: ServerProcess,
) -> None:
    proofing = _proofing(shared_server, photos=3)
    a, b, c = proofing.photo_ids
    with requests.Session() as viewer:
        page = viewer.get(f"{proofing.url}/photos/{a}", timeout=30).text
        assert 'class="pick-photo-note" hidden' in page, "no note before the photo is picked"

        assert _form(viewer, proofing, a, "pick").status_code == 303
        page = viewer.get(f"{proofing.url}/photos/{a}", timeout=30).text
        assert 'class="pick-photo-note">' in page and 'value="note"' in page

        noted = _form(viewer, proofing, a, "note", photo_note="  <i>Warmer</i>, please ")
        assert noted.status_code == 303, noted.text
        assert noted.headers["Location"] == f"/s/{proofing.token}/photos/{a}#picks"
        page = viewer.get(f"{proofing.url}/photos/{a}", timeout=30).text
        assert ">&lt;i&gt;Warmer&lt;/i&gt;, please</textarea>" in page, "shown again, as text"
        # A note on a photo not picked yet picks it: a note is on a picked photo.
        assert _form(viewer, proofing, c, "note", photo_note="Square crop").status_code == 303
        assert _form(viewer, proofing, b, "pick").status_code == 303
        assert _form(viewer, proofing, b, "note", photo_note="x").status_code == 303
        assert _form(viewer, proofing, b, "note", photo_note="   ").status_code == 303, "cleared"
        assert proofing.owner_picks() == [], "nothing reaches the owner before it is sent"

        assert _form(viewer, proofing, a, "send", name="Anna").status_code == 303
        (pick,) = proofing.owner_picks()
        assert pick["photo_ids"] == [a, b, c]
        assert pick["photo_notes"] == {a: "<i>Warmer</i>, please", c: "Square crop"}

        too_long = _form(viewer, proofing, a, "note", photo_note="n" * 1001)
        assert too_long.status_code == 422
        assert "A note on a photo can be up to 1000 characters" in too_long.text
        assert "n" * 1001 + "</textarea>" in too_long.text, "what was typed is not lost"
        assert _form(viewer, proofing, a, "unpick").status_code == 303
        assert _form(viewer, proofing, a, "send", name="Anna").status_code == 303
        (pick,) = proofing.owner_picks()
        assert pick["photo_notes"] == {c: "Square crop"}, "unpicked, its note goes too"
