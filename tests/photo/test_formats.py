"""The one format registry (albumen_photo.formats): names, types, kinds and content sniffing."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from albumen_photo import formats


def test_content_types_and_raw_by_name() -> None:
    assert formats.content_type(".JPG") == "image/jpeg"
    assert formats.content_type("IMG_1.heic") == "image/heic"
    assert formats.content_type(Path("a/b.cr3")) == "image/x-canon-cr3"
    assert formats.content_type(".txt") is None
    assert formats.is_raw("x.NEF") and formats.is_raw("cr3") and not formats.is_raw(".png")
    assert ".nef" in formats.RAW_TIFF_SUFFIXES and ".cr3" not in formats.RAW_TIFF_SUFFIXES


def test_file_dialog_patterns_are_the_photo_formats() -> None:
    patterns = formats.file_dialog_patterns()
    for wanted in ("*.jpg", "*.jpeg", "*.png", "*.heic", "*.dng", "*.cr3", "*.raf", "*.nef"):
        assert wanted in patterns
    assert "*.xmp" not in patterns and "*.pdf" not in patterns and "*.jxl" not in patterns
    assert len(patterns) == len(set(patterns))


def test_only_photo_plugins_may_open_files() -> None:
    assert "JPEG" in formats.PILLOW_FORMATS and "HEIF" in formats.PILLOW_FORMATS
    assert "EPS" not in formats.PILLOW_FORMATS


def test_only_the_photo_plugins_are_loaded() -> None:
    """Loading every plugin Pillow has took 40 ms of GIL in the app's first check of a dropped
    file; the photo formats' own are enough, and each is then there to open a file."""
    script = """
import sys
from PIL import Image
from albumen_photo import decode, formats
assert decode.load_plugins() == formats.PILLOW_FORMATS, decode.load_plugins()
assert all(name in Image.OPEN for name in formats.PILLOW_FORMATS)
extra = sorted(m for m in sys.modules if m.startswith("PIL.") and m.endswith("ImagePlugin"))
print(" ".join(extra))
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    loaded = set(done.stdout.split())
    assert "PIL.JpegImagePlugin" in loaded and "PIL.WebPImagePlugin" in loaded
    assert not {"PIL.EpsImagePlugin", "PIL.PdfImagePlugin", "PIL.FitsImagePlugin"} & loaded
    assert len(loaded) <= len(formats.PILLOW_FORMATS), loaded


def test_checking_and_thumbnailing_a_jpeg_import_no_numpy(tmp_path: Path) -> None:
    """numpy is for 16-bit, float and RAW pictures: importing it with the decoder cost every
    start of `albumen share` and of the app 90 ms (and OpenBLAS's threads)."""
    photo = tmp_path / "a.jpg"
    Image.new("RGB", (64, 48), (200, 100, 50)).save(photo, quality=90)
    script = f"""
import sys
from pathlib import Path
import albumen.core.sync, albumen.core.upload_run
from albumen.core.scan import check_file
from albumen.core.thumbnails import make_thumbnail
assert check_file(Path({str(photo)!r})).width == 64
assert make_thumbnail(Path({str(photo)!r}), 32)
print("numpy" in sys.modules)
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "False"


def test_refusals_name_the_kind_of_file(corpus: Path) -> None:
    xmp = formats.identify(corpus / "XMP.xmp")
    jxl = formats.identify(corpus / "JXL.jxl")
    assert (
        formats.refusal(xmp) == "not a photo: the file is an XMP sidecar (metadata only, no image)"
    )
    assert formats.refusal(jxl) == "JPEG XL files are not supported"
    assert formats.refusal(formats.by_key("jpeg")) is None


def test_tiff_based_raw_is_told_by_content_without_a_name(corpus: Path, tmp_path: Path) -> None:
    for name, key in (("Nikon.nef", "nef"), ("DNG.dng", "dng"), ("CanonRaw.cr2", "cr2")):
        blob = tmp_path / hashlib.sha256(name.encode()).hexdigest()
        shutil.copyfile(corpus / name, blob)
        fmt = formats.identify(blob)
        assert fmt is not None and fmt.key == key, name
        assert fmt.is_raw
    scan = tmp_path / "scan.tif"
    exif = Image.Exif()
    exif[0x010F] = "NIKON CORPORATION"  # an ordinary TIFF naming a camera is no RAW
    Image.fromarray(np.zeros((20, 30), dtype=np.uint8)).save(scan, exif=exif)
    assert formats.identify(scan) == formats.by_key("tiff")
    named = tmp_path / "scan.nef"
    shutil.copyfile(scan, named)
    assert formats.identify(named) == formats.by_key("nef")  # the name decides for TIFF


def test_heic_and_heif_by_brand(corpus: Path) -> None:
    fmt = formats.identify(corpus / "QuickTime.heic")
    assert fmt is not None and fmt.kind == "heif"
