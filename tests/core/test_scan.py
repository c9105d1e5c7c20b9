"""Scanning files to add (albumen.core.scan): whole files become photos with their size from the
header, every broken one is its own problem with its name and reason, and nothing about one file
stops the batch."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from PIL import Image

from albumen.core.scan import ScanProblem, check_file, scan
from albumen.core.store import NewPhoto
from albumen_photo import decode
from albumen_photo.integrity import TRUNCATED
from tests.photo.exif_samples import corpus_files
from tests.support import photo_jpeg, save_heic

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def _sample(size: tuple[int, int] = (320, 200)) -> Image.Image:
    return Image.open(io.BytesIO(photo_jpeg(size))).convert("RGB")


def _cut(source: Path, target: Path, keep: float = 0.5) -> Path:
    data = source.read_bytes()
    target.write_bytes(data[: int(len(data) * keep)])
    return target


def test_a_truncated_heic_is_its_own_problem_and_the_batch_goes_on(tmp_path: Path) -> None:
    """The bug this guards: a cut HEIC made the decoder raise EOFError out of the check, and
    the app's import took the whole batch for failed."""
    folder = tmp_path / "card"
    folder.mkdir()
    good_jpeg = folder / "a-good.jpg"
    good_jpeg.write_bytes(photo_jpeg((640, 480)))
    good_heic = save_heic(_sample(), folder / "b-good.heic")
    _cut(good_heic, folder / "c-cut.heic")
    _cut(good_jpeg, folder / "d-cut.jpg", 0.8)
    png = folder / "e-flipped.png"
    _sample().save(png)
    data = bytearray(png.read_bytes())
    data[300] ^= 0x10
    png.write_bytes(bytes(data))

    report = scan([folder])

    assert [p.path.name for p in report.photos] == ["a-good.jpg", "b-good.heic"]
    problems = {p.path.name: p.reason for p in report.problems}
    assert sorted(problems) == ["c-cut.heic", "d-cut.jpg", "e-flipped.png"]
    assert problems["c-cut.heic"] == problems["d-cut.jpg"] == TRUNCATED
    assert problems["e-flipped.png"].startswith(
        "is damaged (its PNG structure is broken: the IDAT chunk at byte "
    )
    assert str(report.problems[0]).startswith(str(folder / "c-cut.heic") + ": is truncated")


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("photo.jpg", {"quality": 90}),
        ("photo.png", {}),
        ("photo.webp", {"quality": 80}),
        ("photo.gif", {}),
        ("photo.tif", {"compression": "tiff_lzw"}),
        ("photo.avif", {}),
        ("photo.heic", None),
    ],
)
def test_whole_files_get_their_size_from_the_header(
    tmp_path: Path, name: str, options: dict[str, object] | None
) -> None:
    path = tmp_path / name
    image = _sample((300, 170))
    if options is None:
        save_heic(image, path)
    else:
        image.save(path, **options)
    found = check_file(path)
    assert isinstance(found, NewPhoto), found
    with decode.open_image(path) as decoded:
        decoded.load()
        assert (found.width, found.height) == decoded.size == (300, 170)


def test_every_corpus_file_is_a_photo_or_a_reason(corpus: Path) -> None:
    files = list(corpus_files(corpus))
    report = scan([corpus])
    accounted = [p.path.name for p in report.photos]
    accounted += [p.path.name for p in report.problems] + [p.name for p in report.duplicates]
    # Sidecars (the corpus's XMP files) are passed over: neither photos nor problems.
    photos_or_not = [path.name for path in files if path.suffix.lower() != ".xmp"]
    assert len(photos_or_not) < len(files)
    assert sorted(accounted) == sorted(photos_or_not)
    problems = {p.path.name: p.reason for p in report.problems}
    assert problems["CanonRaw.cr2"].startswith("is not a RAW file LibRaw can read")
    assert problems["JXL.jxl"] == "cannot be added: JPEG XL files are not supported"
    # Its structure is whole (the HEVC data in it is not, which only its thumbnail shows).
    assert "QuickTime.heic" in {p.path.name for p in report.photos}


def test_raw_files_cut_short_are_refused(corpus: Path, tmp_path: Path) -> None:
    """LibRaw's header parse alone would take a RAW whose sensor data is cut off."""
    for name in ("DNG.dng", "Nikon.nef", "CanonRaw.cr3"):
        whole = check_file(shutil.copyfile(corpus / name, tmp_path / name))
        assert isinstance(whole, NewPhoto), whole
        cut = check_file(_cut(corpus / name, tmp_path / f"cut-{name}", 0.9))
        assert isinstance(cut, ScanProblem) and cut.reason == TRUNCATED, (name, cut)


def test_formats_without_a_structural_check_are_still_decoded(corpus: Path, tmp_path: Path) -> None:
    bmp = _cut(corpus / "BMP.bmp", tmp_path / "cut.bmp", 0.6)
    found = check_file(bmp)
    assert isinstance(found, ScanProblem) and found.reason == TRUNCATED, found
    whole = check_file(corpus / "Photoshop.psd")
    assert isinstance(whole, NewPhoto) and (whole.width, whole.height) == (8, 8)


def test_a_bomb_is_refused_from_its_header(tmp_path: Path) -> None:
    """The pixel limit holds without a decode: the size in the header decides."""
    from tests.core.test_thumbnails import png_claiming

    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_claiming(20_000, 20_000))
    found = check_file(bomb)
    assert isinstance(found, ScanProblem), found
    assert "decompression bomb" in found.reason


def test_editors_sidecars_are_passed_over_not_failed(tmp_path: Path) -> None:
    """An XMP beside a RAW (Lightroom, darktable) is part of that photo, not a bad photo."""
    folder = tmp_path / "shoot"
    folder.mkdir()
    (folder / "IMG_0001.jpg").write_bytes(photo_jpeg())
    (folder / "IMG_0001.jpg.xmp").write_text("<x:xmpmeta xmlns:x='adobe:ns:meta/'/>")
    (folder / "IMG_0001.xmp").write_text("<x:xmpmeta xmlns:x='adobe:ns:meta/'/>")
    report = scan([folder])
    assert [photo.path.name for photo in report.photos] == ["IMG_0001.jpg"]
    assert report.problems == []


def test_libraw_reasons_are_words_not_class_names() -> None:
    from albumen_photo.decode import libraw_message

    class LibRawFileUnsupportedError(Exception):
        """Named as rawpy names it: the message test needs only the name."""

    assert libraw_message(LibRawFileUnsupportedError()) == "its camera or format is not supported"
    assert libraw_message(LibRawFileUnsupportedError(b"Unsupported file format")) == (
        "Unsupported file format"
    )
