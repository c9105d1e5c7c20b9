"""Which originals a link can offer: one rule (`strip.original_withheld`) that the owner's
preview states beforehand and the server keeps (tests/photo/test_preview_cannot_lie.py checks
the server side over the whole corpus)."""

from __future__ import annotations

from pathlib import Path

from albumen.ui.metadata_panel import rows_side_by_side
from albumen_photo.metadata import read_metadata
from albumen_photo.policy import KeepPolicy, viewer_sees

PRIVATE, CAMERA, PLACE, ALL = (
    KeepPolicy(),
    KeepPolicy(metadata=True),
    KeepPolicy(location=True),
    KeepPolicy(location=True, metadata=True),
)


def _withheld(path: Path, keep: KeepPolicy) -> str | None:
    return viewer_sees(read_metadata(path), keep).original_withheld


def test_what_each_format_can_offer(corpus: Path) -> None:
    for name in ("GPS.jpg", "PNG.png", "RIFF.webp", "ExifTool.tif", "BMP.bmp"):
        assert all(_withheld(corpus / name, keep) is None for keep in (PRIVATE, CAMERA)), name
    for name in ("GIF.gif", "Photoshop.psd", "SigmaDP2.x3f", "CanonRaw.crw"):
        reason = _withheld(corpus / name, PRIVATE)
        assert reason is not None and "without re-encoding" in reason, name
        assert _withheld(corpus / name, ALL) is None, name
    for name in ("Nikon.nef", "FujiFilm.raf", "CanonRaw.cr2", "DNG.dng", "CanonRaw.cr3"):
        reason = _withheld(corpus / name, PLACE)
        assert reason is not None and "camera details" in reason, name
        assert _withheld(corpus / name, CAMERA) is None, name
    assert "maker note" in (_withheld(corpus / "PhaseOne.iiq", CAMERA) or "")


def test_the_owner_reads_it_beside_the_metadata(corpus: Path) -> None:
    rows = dict(rows_side_by_side(read_metadata(corpus / "GIF.gif"), PRIVATE))
    ((label, in_file, viewer),) = rows["Download"]
    assert label == "Original" and in_file == "the file"
    assert viewer.startswith("not offered: GIF files cannot have metadata removed")
    rows = dict(rows_side_by_side(read_metadata(corpus / "GPS.jpg"), ALL))
    assert rows["Download"][0][2] == "byte for byte"
    rows = dict(rows_side_by_side(read_metadata(corpus / "GPS.jpg"), PRIVATE))
    assert rows["Download"][0][2] == "without what the link hides"
