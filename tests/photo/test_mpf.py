"""The MPF reader (albumen_photo.mpf): the large thumbnail a camera appends after a JPEG's end,
found where exiftool, an independent reader, finds it, and nothing believed that is not there."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from albumen_photo.byteio import RandomAccess
from albumen_photo.errors import Malformed
from albumen_photo.mpf import MpImage, large_thumbnails, mp_images
from tests.support import photo_jpeg, with_large_thumbnail

PHOTO = photo_jpeg((600, 400), colour=(20, 160, 20))
PREVIEW = photo_jpeg((300, 200), colour=(20, 20, 220), gps=False)


@pytest.mark.parametrize("byte_order", ["<", ">"])
def test_the_large_thumbnail_is_where_exiftool_finds_it(tmp_path: Path, byte_order: str) -> None:
    camera = with_large_thumbnail(PHOTO, PREVIEW, byte_order=byte_order)
    path = tmp_path / "DSCF0001.JPG"
    path.write_bytes(camera)

    (found,) = large_thumbnails(RandomAccess(camera))

    assert found == MpImage(len(camera) - len(PREVIEW), len(PREVIEW), 0x010002)
    assert camera[found.offset : found.offset + found.size] == PREVIEW
    start = subprocess.run(
        ["exiftool", "-s3", "-MPImageStart", str(path)], capture_output=True, text=True, check=True
    )
    assert int(start.stdout) == found.offset
    extracted = subprocess.run(
        ["exiftool", "-b", "-PreviewImage", str(path)], capture_output=True, check=True
    )
    assert extracted.stdout == PREVIEW


def test_a_stereo_pairs_other_eye_is_listed_but_is_no_thumbnail() -> None:
    stereo = with_large_thumbnail(PHOTO, PREVIEW, mp_type=0x020002)

    (other,) = mp_images(RandomAccess(stereo))
    assert other.mp_type == 0x020002 and not other.is_large_thumbnail
    assert large_thumbnails(RandomAccess(stereo)) == []


def test_nothing_is_believed_that_is_not_in_the_file() -> None:
    camera = with_large_thumbnail(PHOTO, PREVIEW)

    assert mp_images(RandomAccess(PHOTO)) == []  # no MPF segment at all
    # Copied short: the index still lists the preview, whose end is not there.
    assert mp_images(RandomAccess(camera[:-10])) == []
    # Rewritten by a tool that kept the segment and dropped what followed the end.
    assert mp_images(RandomAccess(camera[: len(camera) - len(PREVIEW)])) == []
    # Something else where the index points.
    moved = camera[: len(camera) - len(PREVIEW)] + b"\x00\x00" + PREVIEW[2:]
    assert mp_images(RandomAccess(moved)) == []
    # An index that is no TIFF structure.
    at = camera.index(b"MPF\x00") + 4
    broken = camera[:at] + b"XX" + camera[at + 2 :]
    assert mp_images(RandomAccess(broken)) == []


def test_a_jpeg_whose_header_is_broken_says_so() -> None:
    with pytest.raises(Malformed):
        mp_images(RandomAccess(b"\xff\xd8\x00\x00 not a segment"))


def test_an_index_another_tool_wrote_is_read_as_exiftool_reads_it(corpus: Path) -> None:
    """ExifTool's own sample keeps its MPF index (little-endian, a full-HD large thumbnail that
    is a dependent child image) but not the images it lists: nothing is listed. With a JPEG
    where the index points, that JPEG is found where exiftool says it starts."""
    path = corpus / "ExifTool.jpg"
    sample = path.read_bytes()
    start = subprocess.run(
        ["exiftool", "-s3", "-MPImageStart", "-MPImageLength", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    offset, size = (int(value) for value in start.stdout.split())
    assert offset > len(sample)
    assert mp_images(RandomAccess(sample)) == []

    whole = sample + bytes(offset - len(sample)) + b"\xff\xd8" + bytes(size - 2)
    assert large_thumbnails(RandomAccess(whole)) == [MpImage(offset, size, 0x010002)]
