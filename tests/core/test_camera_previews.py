"""The grid's thumbnails from the large thumbnail a camera appends to its JPEGs (MPF): decoded
instead of the photo only where it can stand for it, and never for what the owner looks at
closely (the loupe) or what a viewer is sent (web sizes)."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from PIL import Image

from albumen.core.thumbnails import ThumbnailCache, make_thumbnail, make_thumbnails
from albumen.core.web_size import WebSizes
from tests.support import photo_jpeg, with_large_thumbnail

GREEN, BLUE = (20, 160, 20), (20, 20, 220)
"""The photo is green, its camera's preview blue: a thumbnail's colour says which was decoded."""

pytestmark = pytest.mark.filterwarnings("ignore:Image appears to be a malformed MPO file")


def camera_file(folder: Path, preview: bytes, *, photo: bytes | None = None) -> Path:
    path = folder / "DSCF0001.JPG"
    path.write_bytes(with_large_thumbnail(photo or photo_jpeg((1200, 800), colour=GREEN), preview))
    return path


def colour_of(data: bytes) -> tuple[int, int, int]:
    """The colour three quarters across and down (away from the red corner and the dots)."""
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
        pixel = image.convert("RGB").getpixel((width * 3 // 4, height * 3 // 4))
    assert isinstance(pixel, tuple)
    return pixel[0], pixel[1], pixel[2]


def near(colour: tuple[int, int, int], expected: tuple[int, int, int]) -> bool:
    return all(abs(a - b) < 40 for a, b in zip(colour, expected, strict=True))


def test_the_grid_decodes_the_cameras_preview_and_the_loupe_the_photo(tmp_path: Path) -> None:
    path = camera_file(tmp_path, photo_jpeg((600, 400), colour=BLUE))
    cache = ThumbnailCache(tmp_path / "cache")
    sha = hashlib.sha256(path.read_bytes()).hexdigest()

    grid = cache.get(path, sha, 320).read_bytes()
    assert near(colour_of(grid), BLUE)
    assert Image.open(io.BytesIO(grid)).size == (320, 213)
    assert near(colour_of(make_thumbnail(path, 320)), GREEN)  # the loupe's
    # What a link's viewers see first is made from the photo, even with the grid's in one go.
    sizes = WebSizes(ThumbnailCache(tmp_path / "other"))
    assert near(colour_of(sizes.render(path, sha).path.read_bytes()), GREEN)


@pytest.mark.parametrize(
    ("preview", "why"),
    [
        (photo_jpeg((300, 200), colour=BLUE), "smaller than the thumbnail asked for"),
        (photo_jpeg((640, 360), colour=BLUE), "of other proportions (letterboxed 16:9)"),
        (photo_jpeg((400, 600), colour=BLUE), "stored turned"),
    ],
)
def test_a_preview_that_cannot_stand_for_the_photo_is_passed_over(
    tmp_path: Path, preview: bytes, why: str
) -> None:
    path = camera_file(tmp_path, preview)

    made = make_thumbnails(path, (320,) if "smaller" not in why else (480,), camera_preview=True)
    assert near(colour_of(next(iter(made.values()))), GREEN), why


def test_a_preview_in_other_colours_is_passed_over(tmp_path: Path) -> None:
    """A photo with an ICC profile (Adobe RGB, say) and a preview without: not the same colours."""
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buffer = io.BytesIO()
    Image.open(io.BytesIO(photo_jpeg((1200, 800), colour=GREEN))).save(
        buffer, "JPEG", icc_profile=profile
    )
    path = camera_file(tmp_path, photo_jpeg((600, 400), colour=BLUE), photo=buffer.getvalue())

    assert near(colour_of(make_thumbnails(path, (320,), camera_preview=True)[320]), GREEN)


def test_a_broken_preview_falls_back_to_the_photo_without_a_word(tmp_path: Path) -> None:
    preview = photo_jpeg((600, 400), colour=BLUE)
    path = camera_file(tmp_path, preview[: len(preview) // 2])  # its image data ends early

    assert near(colour_of(make_thumbnails(path, (320,), camera_preview=True)[320]), GREEN)


def test_the_preview_is_turned_as_the_photo_says(tmp_path: Path) -> None:
    """A camera held upright stores the photo and its preview sideways alike (orientation 6):
    the preview is turned by the photo's orientation, its red top-left corner to the top right."""
    photo = photo_jpeg((1200, 800), colour=GREEN, orientation=6)
    path = camera_file(tmp_path, photo_jpeg((600, 400), colour=BLUE), photo=photo)

    made = make_thumbnails(path, (320,), camera_preview=True)[320]
    with Image.open(io.BytesIO(made)) as image:
        assert image.size == (213, 320)
        rgb = image.convert("RGB")
        top_right, top_left = rgb.getpixel((200, 20)), rgb.getpixel((10, 20))
    assert near(colour_of(made), BLUE)
    assert isinstance(top_right, tuple) and isinstance(top_left, tuple)
    assert near((top_right[0], top_right[1], top_right[2]), (255, 0, 0))
    assert not near((top_left[0], top_left[1], top_left[2]), (255, 0, 0))
