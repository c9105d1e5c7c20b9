"""How fast is a grid thumbnail of a 24 MP camera JPEG, and how fast is proving the file whole?

Thumbnails: the app's grid's own (``albumen.core.thumbnails.make_grid_thumbnail``, 320 px,
JPEG out) against pyvips' ``thumbnail`` (shrink-on-load, the fastest common way; JPEG out too) and a
plain Pillow full decode followed by ``Image.thumbnail`` (what a naive viewer does), for the
photo as a Fujifilm camera writes it (with its large thumbnail appended: MPF, 1920 px, which the
grid decodes instead) and, as ``ours_decoded``, the same photo without one (as an editor exports
it: then the grid decodes the photo itself, at 1/8 scale). Checks: the structural
check the scan runs (``albumen_photo.integrity.check_structure``) against the decode at 1/8 scale
the scan ran before it; and the whole scan of the file (``albumen.core.scan.check_file``: the
check, the header, the SHA-256 and the capture date), what the first upload waits for. The
methods take turns, so a busy machine slows them alike; each figure is the median of
``--repeat`` runs on a warm page cache (wall time; ``cpu_ms`` has the CPU time of the
thumbnails, steadier on a busy machine). Prints one JSON line.

    .venv/bin/python bench/thumbnails.py [--repeat 15] [--megapixels 24]

pyvips comes with the ``bench`` extra (``pip install -e '.[bench]'``) and needs libvips
(Debian: ``apt-get install libvips42``); without it its figure is null.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

TARGET_VS_PYVIPS = 1.1  # ours at most this many times pyvips' time
TARGET_VS_FULL = 2.5  # ours at least this many times faster than a full decode


def _pyvips() -> Callable[[Path, int], bytes] | None:
    try:
        import pyvips
    except (ImportError, OSError):  # not installed, or libvips missing
        return None

    def thumbnail(path: Path, edge: int) -> bytes:
        data: bytes = pyvips.Image.thumbnail(str(path), edge).jpegsave_buffer(Q=85)
        return data

    return thumbnail


def _pillow_full(path: Path, edge: int) -> bytes:
    from PIL import Image

    with Image.open(path) as image:
        image.load()  # every pixel: Image.thumbnail alone would use JPEG's draft mode
        image.thumbnail((edge, edge))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _decode_check(path: Path) -> None:
    """The scan's check before the structural one: a decode at 1/8 scale (JPEG's DCT)."""
    from albumen_photo import decode

    with decode.open_image(path) as image:
        width, height = image.size
        image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
        image.load()


def _median_ms(runs: dict[str, list[float]], name: str) -> float | None:
    return round(statistics.median(runs[name]) * 1000, 2) if runs.get(name) else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--megapixels", type=int, default=24)
    options = parser.parse_args()

    from albumen.core.scan import check_file
    from albumen.core.thumbnails import DEFAULT_EDGE, make_grid_thumbnail
    from albumen_photo import formats, integrity
    from camera_photos import make_photos, with_camera_preview

    with tempfile.TemporaryDirectory(prefix="albumen-thumbs-") as temporary:
        folder = Path(temporary) / "photos"
        print(f"making a {options.megapixels} MP JPEG", file=sys.stderr)
        size = make_photos(folder, 1, options.megapixels)
        exported = next(folder.iterdir())
        path = folder / "DSCF0001.JPG"
        path.write_bytes(with_camera_preview(exported.read_bytes()))
        fmt = formats.identify(path)
        edge = DEFAULT_EDGE
        vips = _pyvips()
        if integrity.check_structure(path, fmt) is not None:
            raise SystemExit(f"{path} is not whole: {integrity.check_structure(path, fmt)}")
        methods: dict[str, Callable[[], object]] = {
            "ours": lambda: make_grid_thumbnail(path, edge),
            "ours_decoded": lambda: make_grid_thumbnail(exported, edge),
            "pillow_full": lambda: _pillow_full(path, edge),
            "structure_check": lambda: integrity.check_structure(path, fmt),
            "decode_check": lambda: _decode_check(path),
            "scan_file": lambda: check_file(path),
        }
        if vips is not None:
            methods["pyvips"] = lambda: vips(path, edge)
        for method in methods.values():  # warm up: page cache, plugins, libraries
            method()
        runs: dict[str, list[float]] = {name: [] for name in methods}
        cpu: dict[str, list[float]] = {name: [] for name in methods}
        for turn in range(options.repeat):
            for name, method in methods.items():
                started, used = time.perf_counter(), time.process_time()
                method()
                runs[name].append(time.perf_counter() - started)
                cpu[name].append(time.process_time() - used)
            print(f"turn {turn + 1}/{options.repeat}", file=sys.stderr)

    ours, vips_ms, full = (_median_ms(runs, n) for n in ("ours", "pyvips", "pillow_full"))
    structure, decoded = _median_ms(runs, "structure_check"), _median_ms(runs, "decode_check")
    ours_decoded = _median_ms(runs, "ours_decoded")
    assert ours is not None and full is not None and structure is not None and decoded
    assert ours_decoded is not None

    def met(ms: float) -> bool:
        return (vips_ms is None or ms <= TARGET_VS_PYVIPS * vips_ms) and full >= TARGET_VS_FULL * ms

    result: dict[str, object] = {
        "bench": "thumbnails",
        "megapixels": options.megapixels,
        "file_mb": round(size / 2**20, 1),
        "edge": edge,
        "repeat": options.repeat,
        "ours_ms": ours,
        "pyvips_ms": vips_ms,
        "pillow_full_ms": full,
        "ours_decoded_ms": ours_decoded,
        "ours_vs_pyvips": round(ours / vips_ms, 2) if vips_ms else None,
        "full_vs_ours": round(full / ours, 2),
        "ours_decoded_vs_pyvips": round(ours_decoded / vips_ms, 2) if vips_ms else None,
        "full_vs_ours_decoded": round(full / ours_decoded, 2),
        "structure_check_ms": structure,
        "decode_check_ms": decoded,
        "check_speedup": round(decoded / structure, 1),
        "scan_file_ms": _median_ms(runs, "scan_file"),
        "targets_met": met(ours),
        "targets_met_without_preview": met(ours_decoded),
        # CPU time of this process (all its threads): steadier than wall time on a busy machine
        "cpu_ms": {
            name: _median_ms(cpu, name)
            for name in ("ours", "ours_decoded", "pyvips", "pillow_full")
        },
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
