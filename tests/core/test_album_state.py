"""An album's state in words (albumen.core.album_state), as the list, the heading, the share
dialog and `albumen albums` show it."""

from __future__ import annotations

from albumen.core.album_state import album_state, originals_arriving
from albumen.core.model import Album
from albumen.core.store_rows import utcnow


def _album(**counts: int) -> Album:
    return Album("a", "t", None, utcnow(), utcnow(), **counts)  # type: ignore[arg-type]


def test_every_photo_seen_and_originals_still_going_reads_viewable_now() -> None:
    going = _album(photo_count=4, uploaded_count=1, viewable_count=4, link_count=1)
    assert originals_arriving(going) == "viewable now, originals 1 of 4"
    assert album_state(going, offline=False) == "Viewable now, originals 1 of 4"
    assert album_state(going, offline=True) == "Offline · viewable now, originals 1 of 4"


def test_until_every_photo_can_be_seen_it_is_uploading_and_after_the_originals_shared() -> None:
    partly = _album(photo_count=4, uploaded_count=1, viewable_count=3)
    assert originals_arriving(partly) is None
    assert album_state(partly, offline=False) == "Uploading 1 of 4"
    done = _album(photo_count=4, uploaded_count=4, viewable_count=4, link_count=1)
    assert originals_arriving(done) is None and album_state(done, offline=False) == "Shared"
    assert album_state(_album(photo_count=4, failed_count=1, viewable_count=4), False).startswith(
        "Error"
    )
    assert originals_arriving(_album()) is None and album_state(_album(), False).startswith("Draft")
