"""Camera-like JPEGs for the benches: one real, noisy photo, then copies made unique.

Noise makes the JPEG as large as a camera's (about 0.46 MB per megapixel at quality 92), so
checking and uploading cost what they cost with real photos; each copy ends with four more bytes
after the JPEG's end, still a valid photo, so no two files share a SHA-256 and the server
stores every one.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def camera_jpeg(megapixels: float) -> bytes:
    """A 3:2 photo of about `megapixels`, with EXIF (camera, date, GPS) and sensor-like noise."""
    from PIL import Image
    from tests.support import photo_jpeg

    width = max(16, int((megapixels * 1_000_000 * 3 / 2) ** 0.5))
    height = width * 2 // 3
    base = Image.open(io.BytesIO(photo_jpeg((width, height), seed=1)))
    noise = Image.effect_noise((width, height), 40).convert("RGB")
    photo = Image.blend(base.convert("RGB"), noise, 0.3)
    buffer = io.BytesIO()
    photo.save(buffer, "JPEG", quality=92, exif=base.info.get("exif", b""))
    return buffer.getvalue()


def with_camera_preview(photo: bytes, long_edge: int = 1920) -> bytes:
    """`photo` with the large thumbnail a Fujifilm camera appends to its JPEGs (MPF, 1920 px on
    the long edge; Sony's are 1616, Nikon's 640): the photo itself, scaled and encoded again."""
    from PIL import Image
    from tests.support import with_large_thumbnail

    with Image.open(io.BytesIO(photo)) as image:
        image.thumbnail((long_edge, long_edge), Image.Resampling.BICUBIC)
        preview = io.BytesIO()
        image.save(preview, "JPEG", quality=90)
    return with_large_thumbnail(photo, preview.getvalue())


def camera_jpeg_of_size(size: int) -> bytes:
    """A camera-like JPEG of about `size` bytes: a small one tells the bytes per megapixel."""
    probe = camera_jpeg(1.0)
    return camera_jpeg(max(0.01, size / len(probe)))


def write_unique_copies(folder: Path, data: bytes, count: int) -> int:
    """`count` files DSC_0000.JPG… in a new `folder`; returns their total size in bytes."""
    folder.mkdir(parents=True)
    for index in range(count):
        (folder / f"DSC_{index:04d}.JPG").write_bytes(data + index.to_bytes(4, "big"))
    return (len(data) + 4) * count


def make_photos(folder: Path, count: int, megapixels: float) -> int:
    """`count` unique camera-like JPEGs of `megapixels` in a new `folder`; their total bytes."""
    return write_unique_copies(folder, camera_jpeg(megapixels), count)


def main(argv: list[str] | None = None) -> int:
    """Run in a process of its own by a bench that measures memory: making a 24-megapixel
    photo takes a few hundred MB, which a child forked from the bench would seem to have used."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a new folder for the photos")
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--size", type=int, required=True, help="each photo's size in bytes")
    options = parser.parse_args(argv)
    total = write_unique_copies(options.folder, camera_jpeg_of_size(options.size), options.count)
    print(total)
    return 0


if __name__ == "__main__":
    sys.exit(main())
