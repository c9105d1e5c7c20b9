"""A link's watermark: which texts can be one, and drawing it over a picture the link shows.

A photographer sends proofs on a watermarked link (docs/DESIGN.md, "Watermarked links"): the
server draws the text over every picture of the link, and the app refuses, before saving, a
text the server would refuse. Both ask this module, so the rule and the look exist once.

The font is the first of FONT_FILES this machine has: DejaVu Sans on Linux (Debian's and
Ubuntu's `fonts-dejavu-core`, Fedora's and Arch's DejaVu packages: Latin with every accent,
Greek, Cyrillic), Arial on macOS and Windows. Without any of them it is the font Pillow carries
(Aileron, through FreeType), which draws ASCII and © ™ only. Either way a text with a character
the font would draw as an empty box is refused, naming that character, rather than stamped on a
client's photos as boxes. No font is shipped with Albumen: a font file of another project would
be vendored, and the one well-kept package that carries DejaVu (matplotlib) is 40 MB of
plotting for one file. The app checks a text with this same rule on its own machine; for a
server elsewhere, whose fonts may differ, the server's 422 is the last word.
"""

from __future__ import annotations

import functools
import io
import threading
import unicodedata
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, features

from albumen_photo.decode import jpeg_bytes

MAX_CHARACTERS = 60
TEXT_FILL = (255, 255, 255, 102)  # white at 40 %: the photo can still be judged through it
OUTLINE_FILL = (0, 0, 0, 77)  # a dark edge at 30 %: the text still reads on snow or white sky
WIDTH_SHARE = 0.5  # the text spans about half the picture's width...
HEIGHT_SHARE = 0.2  # ...and is never taller than a fifth of its height (panoramas, short words)
_PROBE_SIZE = 32  # the size glyphs are compared at, to tell a drawn one from the empty box
_ABSENT = "\U000f0000"  # a private-use character no font here has: what the empty box looks like
_FREETYPE = threading.Lock()
"""One FreeType face is shared by the server's rendering threads, and FreeType's faces are not
safe to use from two threads at once: the text is drawn under this lock (the compositing and
the encoding, most of the time, are not)."""
FONT_FILES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",  # Debian, Ubuntu
    "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",  # Fedora
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",  # older Fedora, openSUSE
    "/usr/share/fonts/TTF/DejaVuSans.ttf",  # Arch
    "/System/Library/Fonts/Supplemental/Arial.ttf",  # macOS
    "C:/Windows/Fonts/arial.ttf",  # Windows
)


def cleaned(text: str | None) -> str | None:
    """The text as kept: without the spaces around it; None for none or a blank one."""
    if text is None:
        return None
    text = text.strip()
    return text or None


def problem(text: str) -> str | None:
    """Why `text` cannot be a watermark (without the field's name, which the caller adds), or
    None when it can. `text` is taken as :func:`cleaned` leaves it."""
    text = text.strip()
    if not text:
        return "is blank; leave it out for no watermark"
    if len(text) > MAX_CHARACTERS:
        return f"is {len(text)} characters long; at most {MAX_CHARACTERS}"
    for character in text:
        if unicodedata.category(character).startswith("C"):
            return "must be one line of text, without control characters"
    if not features.check("freetype2"):
        return "cannot be drawn: this server's Pillow was built without FreeType"
    for character in dict.fromkeys(text):
        if not character.isspace() and not _drawable(character):
            return f"has {character!r}, which the watermark's font cannot draw"
    return None


@functools.cache
def font_file() -> Path | None:
    """The font the watermark is drawn with on this machine, or None for Pillow's own."""
    return next((Path(name) for name in FONT_FILES if Path(name).is_file()), None)


@functools.lru_cache(maxsize=64)
def _font(size: int) -> ImageFont.FreeTypeFont:
    path = font_file()
    if path is not None:
        return ImageFont.truetype(path, size)
    font = ImageFont.load_default(size=size)
    assert isinstance(font, ImageFont.FreeTypeFont)  # features.check("freetype2") holds
    return font


@functools.lru_cache(maxsize=4096)
def _drawable(character: str) -> bool:
    """Whether the font has a glyph for `character`: Pillow does not say, so its picture is
    compared with the picture of a character no font has (the font's empty box)."""
    font = _font(_PROBE_SIZE)
    with _FREETYPE:
        return _glyph(font, character) != _glyph(font, _ABSENT)


def _glyph(font: ImageFont.FreeTypeFont, character: str) -> tuple[tuple[int, int], bytes]:
    mask = font.getmask(character)
    return mask.size, bytes(mask)


def _fitted_font(text: str, width: int, height: int) -> ImageFont.FreeTypeFont:
    """The largest size (in whole points) whose text is at most half the width wide and a fifth
    of the height tall, measured once at a reference size (the text's extent grows in step)."""
    reference = 100
    font = _font(reference)
    with _FREETYPE:
        left, top, right, bottom = font.getbbox(text)
    scale = min(
        WIDTH_SHARE * width / max(1, right - left), HEIGHT_SHARE * height / max(1, bottom - top)
    )
    return _font(max(6, int(reference * scale)))


def draw(image: Image.Image, text: str) -> Image.Image:
    """A copy of the RGB `image` with `text` across its middle (see the module's constants)."""
    width, height = image.size
    font = _fitted_font(text, width, height)
    stroke = max(1, round(font.size / 24))
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    pen = ImageDraw.Draw(layer)
    with _FREETYPE:
        pen.text(
            (width / 2, height / 2),
            text,
            font=font,
            anchor="mm",
            fill=TEXT_FILL,
            stroke_width=stroke,
            stroke_fill=OUTLINE_FILL,
        )
    return Image.alpha_composite(image.convert("RGBA"), layer).convert("RGB")


def apply(jpeg: bytes, text: str, quality: int) -> bytes:
    """The JPEG `jpeg` (a picture the server rendered: upright, RGB, no metadata but its colour
    profile) with the watermark drawn on, encoded again at `quality` with the same profile."""
    with Image.open(io.BytesIO(jpeg)) as source:
        icc = source.info.get("icc_profile")
        pixels = source.convert("RGB")
    return jpeg_bytes(draw(pixels, text), quality, icc, optimize=True, progressive=True)
