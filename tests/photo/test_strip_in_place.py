"""Stripping the formats that cannot be rewritten (HEIF/HEIC, AVIF, TIFF, DNG, RAW): metadata is
blanked in place, the file keeps its length, the image data stays byte for byte, and exiftool,
reading independently, finds no place left."""

from __future__ import annotations

import io
from pathlib import Path

import pi_heif
import pillow_heif
import pytest
from PIL import Image, TiffImagePlugin

from albumen.core.scan import scan
from albumen.core.store import Store
from albumen.core.upload_source import without_location
from albumen_photo.byteio import RandomAccess
from albumen_photo.policy import KeepPolicy
from albumen_photo.strip import UnsupportedFormat, can_strip, strip_bytes, strip_file
from albumen_photo.tiff import TAG_SUB_IFDS, Tiff
from tests.photo.strip_helpers import (
    ARTIST,
    CAMERA_TEXTS,
    COPYRIGHT,
    EVERYTHING,
    LOCATION_TEXTS,
    PRIVATE,
    XMP_WITH_LOCATION,
    assert_absent,
    camera_exif,
    exiftool,
    iptc_block,
    places,
    sample_image,
    warnings,
)

WITHOUT_LOCATION = KeepPolicy(location=False, metadata=True)
IN_PLACE_SUFFIXES = {".tif", ".btf", ".dng", ".cr2", ".cr3", ".nef", ".raf", ".rw2", ".heic"}
GEO_TIE_POINTS = (0.0, 0.0, 0.0, 440720.0, 3751320.0, 0.0)

# Maker tags that stay without camera details: CR3's own boxes (the compressor and the
# thumbnail, not its maker note), and the Nikon note's few entries a NEF decoder needs.
ALLOWED_MAKER_TAGS = {
    "Canon:CompressorVersion",
    "Canon:ThumbnailImage",
    "Nikon:MakerNoteVersion",
    "Nikon:NEFCompression",
    "Nikon:NEFLinearizationTable",
    "Nikon:WB_RBLevels",
}

pi_heif.register_heif_opener()


def heic(path: Path) -> Path:
    heif = pillow_heif.from_pillow(sample_image())
    heif.save(path, quality=50, exif=camera_exif(), xmp=XMP_WITH_LOCATION)
    return path


def avif(path: Path) -> Path:
    sample_image().save(path, "AVIF", exif=camera_exif(), xmp=XMP_WITH_LOCATION)
    return path


def tiff(path: Path, *, big: bool = False) -> Path:
    """A TIFF (or BigTIFF) with EXIF (GPS, camera, maker note), XMP and IPTC with places, and
    GeoTIFF tags."""
    exif = Image.Exif()
    exif.load(camera_exif())
    info = TiffImagePlugin.ImageFileDirectory_v2()
    for tag, value in exif.items():
        info[tag] = value
    info[0x8825] = exif.get_ifd(0x8825)
    info[0x8769] = exif.get_ifd(0x8769)
    info[700] = XMP_WITH_LOCATION
    info[33922] = GEO_TIE_POINTS
    info[33550] = (60.0, 60.0, 0.0)
    info[33723] = iptc_block()
    info.tagtype[33723] = 7
    sample_image().save(path, "TIFF", tiffinfo=info, big_tiff=big)
    return path


def decoded(data: bytes) -> tuple[str, tuple[int, int], bytes]:
    with Image.open(io.BytesIO(data)) as im:
        im.load()
        return im.mode, im.size, im.tobytes()


def strip_to(src: Path, keep: KeepPolicy, tmp_path: Path) -> Path:
    dst = tmp_path / f"{keep.location}-{keep.metadata}-{src.name}"
    strip_file(src, dst, keep)
    assert dst.stat().st_size == src.stat().st_size  # nothing moved
    return dst


@pytest.mark.parametrize("make", [heic, avif, tiff], ids=["heic", "avif", "tiff"])
def test_generated_files_lose_their_location(make: object, tmp_path: Path) -> None:
    src = make(tmp_path / f"camera.{make.__name__}")  # type: ignore[operator]
    before = exiftool(src)
    assert places(before), "the test photo must carry a location"
    assert before.get("IFD0:Make") == "AcmeCam"

    out = strip_to(src, WITHOUT_LOCATION, tmp_path)
    tags = exiftool(out)
    assert places(tags) == {}
    assert not warnings(tags)
    assert_absent(out.read_bytes(), LOCATION_TEXTS)
    assert tags.get("IFD0:Make") == "AcmeCam" and tags.get("ExifIFD:LensModel") == CAMERA_TEXTS[3]
    assert tags.get("IFD0:Artist") == ARTIST and tags.get("IFD0:Copyright") == COPYRIGHT
    assert tags.get("IFD0:Orientation") == before.get("IFD0:Orientation")
    assert not any(key.endswith(":MakerNoteUnknownText") for key in tags)
    assert decoded(out.read_bytes()) == decoded(src.read_bytes())

    private = exiftool(strip_to(src, PRIVATE, tmp_path))
    assert places(private) == {}
    assert "IFD0:Make" not in private and "ExifIFD:SerialNumber" not in private
    assert "ExifIFD:DateTimeOriginal" not in private
    assert private.get("IFD0:Artist") == ARTIST
    assert private.get("IFD0:Orientation") == before.get("IFD0:Orientation")
    assert strip_bytes(src.read_bytes(), EVERYTHING) == src.read_bytes()


def test_tiff_keeps_its_image_and_loses_every_place(tmp_path: Path) -> None:
    src = tiff(tmp_path / "geo.tif")
    for keep in (WITHOUT_LOCATION, PRIVATE):
        out = strip_to(src, keep, tmp_path)
        tags = exiftool(out)
        assert "IFD0:ModelTiePoint" not in tags and "IFD0:PixelScale" not in tags
        assert tags.get("IPTC:City", "").strip() == ""  # blanked with spaces, in place
        assert "XMP-photoshop:City" not in tags and "XMP-exif:GPSLatitude" not in tags
        assert tags.get("XMP-dc:Rights") == COPYRIGHT and tags.get("XMP-dc:Creator") == ARTIST
        assert (tags.get("XMP-tiff:Model") == "Model X1") is keep.metadata
        assert decoded(out.read_bytes()) == decoded(src.read_bytes())
        assert can_strip(src.read_bytes()[:64], keep)


def image_ranges(data: bytes) -> list[tuple[int, int]]:
    """Where the strips and tiles of every image directory of a TIFF-based file lie."""
    t = Tiff(RandomAccess(data))
    todo, seen, out = list(t.chain()), set(), []
    while todo:
        ifd = todo.pop()
        if ifd.offset in seen:
            continue
        seen.add(ifd.offset)
        for offsets_tag, counts_tag in ((0x0111, 0x0117), (0x0144, 0x0145)):
            offsets, counts = ifd.get(offsets_tag), ifd.get(counts_tag)
            if offsets is None or counts is None:
                continue
            starts, sizes = t.value(offsets), t.value(counts)
            starts = starts if isinstance(starts, tuple) else (starts,)
            sizes = sizes if isinstance(sizes, tuple) else (sizes,)
            out += [(a, min(a + n, len(data))) for a, n in zip(starts, sizes, strict=False)]
        sub = ifd.get(TAG_SUB_IFDS)
        todo += [t.read_ifd(offset) for offset in ([] if sub is None else t.pointers(sub))]
    return out


@pytest.mark.parametrize("keep", [WITHOUT_LOCATION, PRIVATE], ids=["no-location", "private"])
def test_every_corpus_raw_tiff_and_heic_loses_its_places(
    corpus: Path, keep: KeepPolicy, tmp_path: Path
) -> None:
    files = sorted(p for p in corpus.iterdir() if p.suffix.lower() in IN_PLACE_SUFFIXES)
    assert len(files) == 10
    had_places = 0
    for src in files:
        before = exiftool(src)
        had_places += bool(places(before))
        out = strip_to(src, keep, tmp_path)
        tags = exiftool(out)
        assert places(tags) == {}, src.name
        assert not warnings(tags) or warnings(tags) == warnings(before), src.name
        data, original = out.read_bytes(), src.read_bytes()
        if src.suffix.lower() not in (".heic", ".cr3", ".raf"):
            for start, end in image_ranges(original):
                assert data[start:end] == original[start:end], src.name
        for tag in ("IFD0:Artist", "IFD0:Copyright", "IFD0:Orientation"):
            assert tags.get(tag) == before.get(tag), (src.name, tag)
        if keep.metadata:
            for tag in ("IFD0:Make", "IFD0:Model", "ExifIFD:ExposureTime"):
                assert tags.get(tag) == before.get(tag), (src.name, tag)
        else:
            assert "IFD0:Make" not in tags and "ExifIFD:DateTimeOriginal" not in tags, src.name
            makers = [k for k in tags if k.split(":")[0] in ("Canon", "Nikon", "Panasonic")]
            # CR3's own boxes (not its maker note), and what a NEF decoder needs
            assert set(makers) <= ALLOWED_MAKER_TAGS, makers
        assert strip_bytes(original, EVERYTHING) == original
    assert had_places >= 6  # GPS in CR2...: see the corpus; the test must have something to do


def test_corpus_heic_pixels_and_nef_decoding_survive(corpus: Path, tmp_path: Path) -> None:
    """The Nikon maker note stays without its LocationInfo and Capture NX data: a compressed
    NEF cannot be decoded without the linearisation curve it holds."""
    nef = strip_to(corpus / "Nikon.nef", WITHOUT_LOCATION, tmp_path)
    tags = exiftool(nef)
    assert tags.get("Nikon:NEFCompression") is not None
    assert tags.get("Nikon:SerialNumber") == exiftool(corpus / "Nikon.nef").get(
        "Nikon:SerialNumber"
    )
    assert not [k for k in tags if k.startswith("Nikon:Location")]
    heif = tmp_path / "generated.heic"
    heic(heif)
    out = strip_to(heif, PRIVATE, tmp_path)
    assert decoded(out.read_bytes()) == decoded(heif.read_bytes())


def test_heif_with_an_unknown_box_is_refused_by_name(tmp_path: Path) -> None:
    data = heic(tmp_path / "a.heic").read_bytes()
    uuid_box = (8 + 16 + 12).to_bytes(4, "big") + b"uuid" + bytes(16) + b"Secret Cove!"
    with pytest.raises(UnsupportedFormat, match="HEIF/HEIC"):
        strip_bytes(data + uuid_box, WITHOUT_LOCATION)


def test_the_desktop_removes_the_location_of_heic_and_tiff_before_upload(tmp_path: Path) -> None:
    """ "Remove location before upload" (albumen.core.upload_source) sends HEIC and TIFF too."""
    store = Store(tmp_path / "s.sqlite3")
    album = store.create_album("No GPS")
    for make in (heic, tiff):
        src = make(tmp_path / f"upload.{make.__name__}")
        added = scan([src])
        assert added.photos, added.problems
        store.add_photos(album.id, added.photos)
        photo = next(p for p in store.photos(album.id) if p.path == src)
        copy = without_location(photo, tmp_path / "copies")
        assert copy.temporary and copy.size == src.stat().st_size
        tags = exiftool(copy.path)
        assert places(tags) == {} and tags.get("IFD0:Make") == "AcmeCam"
        assert decoded(copy.path.read_bytes()) == decoded(src.read_bytes())
