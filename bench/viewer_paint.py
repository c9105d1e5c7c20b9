"""How soon does a link's first viewer see the album: thumbnails painted, from navigation start.

Starts the real server as a child process on 127.0.0.1 (tests/support.py `start_server`),
uploads N camera-like JPEGs (24 MP by default) through the real tus route, one after the other as
the app sends them, makes a link, and at once opens the gallery in headless Chromium (Debian's,
driven by Playwright, already started: a first page that touches no server was opened) at a
laptop's viewport (1× unless --pixel-ratio says otherwise), a new browser context (empty cache)
per viewer:

- fresh: the first viewer, right after the last upload answered: no viewer asked for any
  thumbnail yet (whatever the server rendered on its own, it rendered during the upload);
- warm: the next viewers (median of --warm-runs), who find every thumbnail they need made;
- static: the same gallery page and the same bytes of every file the viewers loaded (HTML,
  CSS, script, thumbnails), served from memory by a standard-library HTTP server: the wire's
  own speed, the baseline both are compared with.

For each: ms to the first thumbnail painted and to all thumbnails above the fold painted
(Element Timing render times of the grid's <img>, from navigation start), how many thumbnails
are above the fold, when the album's cover was painted (`cover_ms`), the thumbnails asked for
and the bytes transferred until then, and the same once the network is idle (the lazy loader's
look-ahead included). Prints one JSON line.

    .venv/bin/python bench/viewer_paint.py [--photos 500] [--megapixels 24] [--warm-runs 3]
                                           [--tmp DIR] [--pixel-ratio 1] [--watermark TEXT]

A quick run: `--photos 60 --megapixels 4`. Needs /usr/bin/chromium and Playwright (the test
extras); no `playwright install`.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from albumen_server.derivative_cache import pixels_file_name  # noqa: E402

if TYPE_CHECKING:
    from playwright.sync_api import Browser
    from tests.support import ServerProcess

# Marks every <img> for the Element Timing API as the parser adds it, records each one's render
# time, and answers `__albumenPaint()`: null until every thumbnail above the fold, and the
# album's cover, are painted.
PAINT_SCRIPT = """
(() => {
  const painted = new Map();
  const mark = (node) => {
    if (node.tagName === "IMG") node.setAttribute("elementtiming", "thumb");
    else if (node.querySelectorAll) node.querySelectorAll("img").forEach(mark);
  };
  new MutationObserver((records) => {
    for (const record of records) record.addedNodes.forEach(mark);
  }).observe(document, { childList: true, subtree: true });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.element && !painted.has(entry.element)) {
        painted.set(entry.element, entry.renderTime || entry.loadTime);
      }
    }
  }).observe({ type: "element", buffered: true });
  const wire = () => {
    const resources = performance.getEntriesByType("resource");
    const page = performance.getEntriesByType("navigation")[0];
    return {
      bytes: resources.reduce((sum, r) => sum + r.transferSize, page ? page.transferSize : 0),
      thumbs: resources.filter((r) => /[/](thumb|small)$/.test(r.name)).length,
    };
  };
  window.__albumenWire = wire;
  window.__albumenUnpainted = () => Array.from(document.querySelectorAll("#photos img"))
    .filter((img) => !painted.has(img))
    .slice(0, 20)
    .map((img) => ({ src: img.src, complete: img.complete, width: img.naturalWidth,
                     top: Math.round(img.getBoundingClientRect().top) }));
  window.__albumenPaint = () => {
    if (document.readyState === "loading") return null;
    const grid = Array.from(document.querySelectorAll("#photos img"));
    const fold = grid.filter((img) => {
      const box = img.getBoundingClientRect();
      return box.width > 0 && box.bottom > 0 && box.top < window.innerHeight;
    });
    if (!fold.length || !fold.every((img) => painted.has(img))) return null;
    const cover = document.querySelector(".cover img");
    if (cover && !painted.has(cover)) return null;
    const times = grid.filter((img) => painted.has(img)).map((img) => painted.get(img));
    return {
      first_ms: Math.min(...times),
      above_fold_ms: Math.max(...fold.map((img) => painted.get(img))),
      above_fold: fold.length,
      cover_ms: cover ? painted.get(cover) : -1,
      ...wire(),
    };
  };
})();
"""

UNPAINTED_SCRIPT = "() => window.__albumenUnpainted()"


def log(message: str) -> None:
    """Progress goes to stderr: stdout carries the one JSON line and nothing else."""
    print(f"viewer_paint: {message}", file=sys.stderr, flush=True)


def camera_photo(megapixels: float) -> bytes:
    """A JPEG like a camera's: a landscape with detail that survives into a thumbnail, sensor
    noise over it (what makes a 24 MP file 8 to 12 MB), quality 92, and camera EXIF."""
    from PIL import Image
    from tests.browser.scenes import scene
    from tests.support import photo_jpeg

    width = int((megapixels * 1_000_000 * 3 / 2) ** 0.5)
    height = width * 2 // 3
    picture = scene((width, height), seed=7)
    texture = Image.effect_noise((max(1, width // 12), max(1, height // 12)), 60)
    texture = texture.resize((width, height), Image.Resampling.BICUBIC).convert("RGB")
    picture = Image.blend(picture, texture, 0.25)
    picture = Image.blend(picture, Image.effect_noise((width, height), 30).convert("RGB"), 0.15)
    exif = Image.open(io.BytesIO(photo_jpeg((64, 48)))).info.get("exif", b"")
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=92, exif=exif)
    return out.getvalue()


def share_album(
    server: ServerProcess, data: bytes, count: int, watermark: str | None = None
) -> tuple[str, float]:
    """Upload `count` photos (`data`, made unique by bytes after its end) with tus, one after
    the other, the first the album's cover, and make a link (watermarked with `watermark`, if
    given); its token and the upload's seconds."""
    from tests.server.uploading import upload_photo
    from tests.support import new_id, new_token

    album_id, photo_ids = new_id(), [new_id() for _ in range(count)]
    # The app names its album's cover (the first photo added, or the owner's pick) before the
    # photo is uploaded.
    body = {"title": "Bench", "cover_photo_id": photo_ids[0]}
    server.api("PUT", f"/api/albums/{album_id}", json=body).raise_for_status()
    started = time.monotonic()
    for index, photo_id in enumerate(photo_ids):
        upload_photo(
            server, album_id, data + index.to_bytes(4, "big"), f"DSC_{index:04d}.JPG", photo_id
        )
        if (index + 1) % 50 == 0:
            log(f"uploaded {index + 1}/{count}")
    seconds = time.monotonic() - started
    token = new_token()
    link = {"album_id": album_id, "token": token, "watermark": watermark}
    server.api("PUT", f"/api/links/{new_id()}", json=link).raise_for_status()
    return token, seconds


def view(
    browser: Browser, url: str, pixel_ratio: float, seen: list[str] | None = None
) -> dict[str, Any]:
    """One new viewer (empty cache) opens `url` on a laptop's screen of `pixel_ratio` device
    pixels per CSS pixel: paint times and bytes, as PAINT_SCRIPT says."""
    from tests.browser.conftest import LAPTOP

    context = browser.new_context(
        viewport=LAPTOP,  # type: ignore[arg-type]
        device_scale_factor=pixel_ratio,
    )
    try:
        context.add_init_script(PAINT_SCRIPT)
        page = context.new_page()
        if seen is not None:
            page.on("request", lambda request: seen.append(request.url))
        page.goto(url, wait_until="commit")
        try:
            result = page.wait_for_function("() => window.__albumenPaint()", timeout=120_000)
        except Exception as error:  # Playwright's TimeoutError: say which pictures never painted
            raise RuntimeError(f"{url}: not painted: {page.evaluate(UNPAINTED_SCRIPT)}") from error
        figures: dict[str, Any] = result.json_value()
        page.wait_for_load_state("networkidle")
        idle = page.evaluate("() => window.__albumenWire()")
        figures["bytes_idle"], figures["thumbs_idle"] = idle["bytes"], idle["thumbs"]
        return {key: round(value) for key, value in figures.items()}
    finally:
        context.close()


def warm_up(browser: Browser) -> None:
    """A first page in a browser just started, that touches no server: its one-time start-up
    work (processes, fonts, decoders) is then not counted against the first viewer."""
    from tests.support import photo_jpeg

    picture = base64.b64encode(photo_jpeg((400, 300))).decode()
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content(f'<h1>Warming up</h1><img src="data:image/jpeg;base64,{picture}">')
        page.wait_for_function("() => document.images[0].complete")
    finally:
        context.close()


def median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return {key: round(statistics.median(run[key] for run in runs)) for key in runs[0]}


class Replay(ThreadingHTTPServer):
    """The static baseline: every path a viewer loaded, answered from memory with its bytes."""

    daemon_threads = True

    def __init__(self, files: dict[str, tuple[dict[str, str], bytes]]) -> None:
        self.files = files
        super().__init__(("127.0.0.1", 0), _ReplayHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _ReplayHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the real server

    def do_GET(self) -> None:  # the name http.server calls
        files = self.server.files  # type: ignore[attr-defined]
        headers, body = files.get(self.path, ({}, b"not recorded"))
        self.send_response(200 if self.path in files else 404)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # http.server's name
        pass


def record(server: ServerProcess, urls: list[str]) -> dict[str, tuple[dict[str, str], bytes]]:
    """The bytes of every file the viewers loaded, as the real server sends them now to a
    browser (compressed where it compresses them)."""
    files = {}
    with requests.Session() as http:
        for path in {urlsplit(url).path for url in urls if not url.startswith("data:")}:
            response = http.get(server.url + path, timeout=60, stream=True)
            response.raise_for_status()
            body = response.raw.read(decode_content=False)
            kept = ("Content-Type", "Content-Encoding")
            files[path] = ({k: response.headers[k] for k in kept if k in response.headers}, body)
    return files


def thumbs_made(data_dir: Path) -> int:
    """Thumbnails in the server's cache (where `derivative_cache.pixels_file` keeps them)."""
    return sum(1 for _ in (data_dir / "cache").glob(f"*/*/{pixels_file_name('thumb')}"))


def timed(what: str, action: Callable[[], Any]) -> Any:
    started = time.monotonic()
    result = action()
    log(f"{what}: {time.monotonic() - started:.1f} s")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=int, default=500, help="photos in the album (500)")
    parser.add_argument("--megapixels", type=float, default=24, help="size of each photo (24)")
    parser.add_argument("--warm-runs", type=int, default=3, help="warm and static viewers (3)")
    parser.add_argument("--tmp", type=Path, help="where the server's data goes (a temp folder)")
    parser.add_argument(
        "--pixel-ratio", type=float, default=1, help="device pixels per CSS pixel, as a 2x laptop"
    )
    parser.add_argument(
        "--watermark",
        help="the link's watermark: its pictures are drawn when first asked for (none)",
    )
    options = parser.parse_args()
    ratio = options.pixel_ratio

    from playwright.sync_api import sync_playwright
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
    from tests.support import start_server

    data = timed("made the photo", lambda: camera_photo(options.megapixels))
    log(f"{options.photos} photos of {len(data) / 1e6:.1f} MB, {options.megapixels:g} MP")
    with tempfile.TemporaryDirectory(prefix="albumen-paint-", dir=options.tmp) as temporary:
        server = start_server(Path(temporary))
        try:
            token, upload_seconds = share_album(server, data, options.photos, options.watermark)
            ready = thumbs_made(server.data)
            url = f"{server.url}/s/{token}"
            seen: list[str] = []
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
                )
                warm_up(browser)
                fresh = timed("fresh viewer", lambda: view(browser, url, ratio, seen))
                warm = median_of(
                    [view(browser, url, ratio, seen) for _ in range(options.warm_runs)]
                )
                replay = Replay(record(server, seen))
                threading.Thread(target=replay.serve_forever, daemon=True).start()
                try:
                    static = median_of(
                        [
                            view(browser, f"{replay.url}/s/{token}", ratio)
                            for _ in range(options.warm_runs)
                        ]
                    )
                finally:
                    replay.shutdown()
                browser.close()
        finally:
            server.stop()
    print(
        json.dumps(
            {
                "bench": "viewer_paint",
                "photos": options.photos,
                "megapixels": options.megapixels,
                "pixel_ratio": ratio,
                "watermark": options.watermark,
                "photo_bytes": len(data),
                "upload_seconds": round(upload_seconds, 1),
                "thumbs_made_before_first_view": ready,
                "fresh": fresh,
                "warm": warm,
                "static": static,
                "fresh_over_static_first": round(fresh["first_ms"] / static["first_ms"], 2),
                "fresh_over_warm_above_fold": round(
                    fresh["above_fold_ms"] / warm["above_fold_ms"], 2
                ),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
