"""The watermark's rule and look (albumen_photo.watermark), which the server draws with and the
app checks a text by."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from PIL import Image, ImageChops, ImageStat

from albumen_photo import watermark


@pytest.fixture
def pillows_own_font(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A machine without any of the fonts looked for (a slim container): Pillow's own."""
    monkeypatch.setattr(watermark, "FONT_FILES", ())
    for cached in (watermark.font_file, watermark._font, watermark._drawable):
        cached.cache_clear()
    yield
    for cached in (watermark.font_file, watermark._font, watermark._drawable):
        cached.cache_clear()


def test_a_text_is_kept_trimmed_and_a_blank_one_is_none() -> None:
    assert watermark.cleaned("  © Anna Berg  ") == "© Anna Berg"
    assert watermark.cleaned("   ") is None
    assert watermark.cleaned(None) is None


def test_what_cannot_be_a_watermark_is_named() -> None:
    # This machine has DejaVu Sans (Debian's fonts-dejavu-core; CI installs it).
    assert watermark.font_file() is not None
    assert watermark.problem("© Amélie Łukasz Żółć — Ærøskøbing ™") is None
    assert watermark.problem("Фото Анна") is None
    assert watermark.problem("x" * 60) is None
    assert watermark.problem("x" * 61) == "is 61 characters long; at most 60"
    assert watermark.problem("Anna\tBerg") == (
        "must be one line of text, without control characters"
    )
    assert watermark.problem("東京") == "has '東', which the watermark's font cannot draw"
    assert watermark.problem(" ") == "is blank; leave it out for no watermark"


def test_without_a_system_font_only_what_pillows_font_draws_is_taken(
    pillows_own_font: None,
) -> None:
    assert watermark.font_file() is None
    assert watermark.problem("(c) Anna Berg 2026 ©") is None
    assert watermark.problem("Amélie") == "has 'é', which the watermark's font cannot draw"


def _jpeg(size: tuple[int, int], colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG", quality=90)
    return out.getvalue()


@pytest.mark.parametrize("size", [(2048, 1365), (480, 720), (1440, 160)])
def test_the_text_sits_across_the_middle_and_reads_on_light_and_dark(
    size: tuple[int, int],
) -> None:
    for colour in ((250, 250, 250), (10, 10, 30)):
        plain = Image.open(io.BytesIO(_jpeg(size, colour))).convert("L")
        marked_bytes = watermark.apply(_jpeg(size, colour), "© Anna Berg Photography", 88)
        marked = Image.open(io.BytesIO(marked_bytes))
        assert marked.format == "JPEG" and marked.size == size
        changed = ImageChops.difference(plain, marked.convert("L")).point(
            lambda value: 255 if value > 12 else 0
        )
        box = changed.getbbox()
        assert box is not None, (size, colour, "the text must show")
        left, top, right, bottom = box
        width, height = size
        # About half the width or a fifth of the height, whichever is reached first; centred.
        assert right - left <= 0.56 * width and bottom - top <= 0.22 * height, (size, box)
        assert right - left >= 0.4 * width or bottom - top >= 0.12 * height, (size, box)
        assert abs((left + right) / 2 - width / 2) < 0.05 * width
        assert abs((top + bottom) / 2 - height / 2) < 0.1 * height
        # Faint enough to judge the photo through: the marked pixels move, but not to the
        # opposite end of the scale.
        region = ImageStat.Stat(marked.convert("L").crop(box)).mean[0]
        assert 40 < region < 250 if colour[0] > 128 else 10 < region < 200


def test_a_colour_profile_is_kept() -> None:
    profile = b"\x00" * 128  # carried through as bytes: the encoder does not parse it
    out = io.BytesIO()
    Image.new("RGB", (400, 300), (90, 120, 200)).save(out, "JPEG", icc_profile=profile)
    marked = Image.open(io.BytesIO(watermark.apply(out.getvalue(), "PROOF", 85)))
    assert marked.info.get("icc_profile") == profile
