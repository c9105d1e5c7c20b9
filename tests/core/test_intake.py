"""What adding files to an album says of each one: added, or why not."""

from __future__ import annotations

import shutil
from pathlib import Path

from albumen.core.intake import Verdict, add_checked
from albumen.core.store import Store
from tests.support import photo_jpeg


def test_a_copy_is_named_after_the_photo_it_repeats(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "DSC_0042.jpg").write_bytes(photo_jpeg((64, 48), seed=42))
    shutil.copyfile(folder / "DSC_0042.jpg", folder / "DSC_0042_copy.jpg")  # saved twice
    store = Store(tmp_path / "albumen.sqlite3")
    album = store.create_album("Wedding")

    verdicts: list[Verdict] = []
    add_checked(store, album.id, [folder], on_verdict=verdicts.append, workers=1)
    said = {verdict.path.name: verdict.problem for verdict in verdicts}
    assert said == {
        "DSC_0042_copy.jpg": "the same photo as DSC_0042.jpg, already in the album",
        "DSC_0042.jpg": None,
    }

    # Added again later: the same file is simply there already; a renamed copy says its twin.
    shutil.copyfile(folder / "DSC_0042.jpg", tmp_path / "bride.jpg")
    verdicts.clear()
    add_checked(
        store,
        album.id,
        [folder / "DSC_0042.jpg", tmp_path / "bride.jpg"],
        on_verdict=verdicts.append,
        workers=1,
    )
    assert [str(verdict) for verdict in verdicts] == [
        f"{folder / 'DSC_0042.jpg'}: already in the album",
        f"{tmp_path / 'bride.jpg'}: the same photo as DSC_0042.jpg, already in the album",
    ]
    assert [photo.filename for photo in store.photos(album.id)] == ["DSC_0042.jpg"]
