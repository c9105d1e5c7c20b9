"""The viewer routes behind a link, as a browser without an account reaches them."""

from __future__ import annotations

import io
import os
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import piexif
import pytest
import requests
from PIL import Image

from albumen_server.config import ServerConfig
from tests.server.uploading import upload_photo
from tests.support import ServerProcess, new_id, new_token, photo_jpeg, wait_until

Setup = tuple[str, str, str]  # album id, photo id, token


def _share(
    server: ServerProcess,
    data: bytes | None = None,
    *,
    filename: str = "IMG_0001.JPG",
    **link: object,
) -> tuple[str, str, str, str]:
    album_id, link_id, token = new_id(), new_id(), new_token()
    server.api("PUT", f"/api/albums/{album_id}", json={"title": "Viewer test"}).raise_for_status()
    photo_id = upload_photo(server, album_id, data or photo_jpeg(), filename)
    response = server.api(
        "PUT", f"/api/links/{link_id}", json={"album_id": album_id, "token": token, **link}
    )
    assert response.status_code == 201, response.text
    return album_id, photo_id, link_id, token


def _routes(token: str, photo_id: str) -> list[str]:
    return [
        f"/s/{token}",
        f"/s/{token}/photos.json",
        f"/s/{token}/photos/{photo_id}",
        f"/s/{token}/photos/{photo_id}.json",
        f"/s/{token}/photos/{photo_id}/small",
        f"/s/{token}/photos/{photo_id}/thumb",
        f"/s/{token}/photos/{photo_id}/preview",
        f"/s/{token}/photos/{photo_id}/large",
        f"/s/{token}/photos/{photo_id}/original",
        f"/s/{token}/download",
    ]


def _get(server: ServerProcess, path: str, **kwargs: object) -> requests.Response:
    return requests.get(server.url + path, timeout=30, allow_redirects=False, **kwargs)  # type: ignore[arg-type]


def test_gallery_lists_photos_and_counts_views(shared_server: ServerProcess) -> None:
    _album, photo_id, link_id, token = _share(shared_server)
    page = _get(shared_server, f"/s/{token}")
    assert page.status_code == 200
    assert f"/s/{token}/photos/{photo_id}/thumb" in page.text
    assert "data-large" not in page.text  # 640 x 480: its preview is all of it
    assert "Viewer test" in page.text
    assert page.headers["Referrer-Policy"] == "no-referrer"
    listing = _get(shared_server, f"/s/{token}/photos.json").json()
    assert listing["album"]["photo_count"] == 1
    assert listing["photos"][0]["id"] == photo_id
    assert (listing["photos"][0]["width"], listing["photos"][0]["height"]) == (640, 480)
    _get(shared_server, f"/s/{token}/photos.json")  # not a view: only the gallery page counts
    _get(shared_server, f"/s/{token}")

    def link() -> dict[str, object]:
        return dict(shared_server.api("GET", f"/api/links/{link_id}").json())

    # Counted once each page has gone out.
    wait_until(lambda: link()["view_count"] == 2, what="the second view counted")
    assert link()["last_viewed_at"] is not None


# What chat apps and networks send when they fetch a link's page to show its preview.
LINK_PREVIEW_FETCHERS = [
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "WhatsApp/2.23.20.0 A",
    "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "TelegramBot (like TwitterBot)",
    "Twitterbot/1.0",
    "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 (KHTML, like Gecko)"
    " Version/9.0.1 Safari/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0",  # iMessage
    "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5"
    " skype-url-preview@microsoft.com",
    "http.rb/5.1.1 (Mastodon/4.2.0; +https://mastodon.social/) Bot",
]
# People, some inside the same apps' own browsers.
PEOPLE = [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like"
    " Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/440.0.0.36.105;FBBV/537196830]",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/119.0.6045.163 Mobile Safari/537.36 Telegram-Android/10.3.2",
]


def test_a_chat_apps_preview_of_the_link_is_not_a_view(shared_server: ServerProcess) -> None:
    """A chat app fetching the page to preview the link would tell the photographer the album
    was opened before anyone saw it."""
    _album, _photo_id, link_id, token = _share(shared_server)
    for agent in LINK_PREVIEW_FETCHERS:
        fetched = _get(shared_server, f"/s/{token}", headers={"User-Agent": agent})
        assert fetched.status_code == 200, agent  # the fetcher gets its page all the same

    def views() -> int:
        return int(shared_server.api("GET", f"/api/links/{link_id}").json()["view_count"])

    for seen, agent in enumerate(PEOPLE, start=1):
        assert _get(shared_server, f"/s/{token}", headers={"User-Agent": agent}).status_code == 200
        wait_until(lambda seen=seen: views() >= seen, what=f"view {seen} counted")  # type: ignore[misc]
    assert views() == len(PEOPLE)


def test_password_wrong_then_right(shared_server: ServerProcess) -> None:
    _album, photo_id, _link, token = _share(shared_server, password="correct horse")
    locked = _get(shared_server, f"/s/{token}")
    assert locked.status_code == 401
    assert 'name="password"' in locked.text
    assert photo_id not in locked.text
    for path in _routes(token, photo_id)[1:]:
        assert _get(shared_server, path).status_code == 401, path
    wrong = requests.post(
        f"{shared_server.url}/s/{token}/unlock",
        data={"password": "wrong"},
        timeout=30,
        allow_redirects=False,
    )
    assert wrong.status_code == 401
    assert "not right" in wrong.text
    assert "set-cookie" not in wrong.headers
    right = requests.post(
        f"{shared_server.url}/s/{token}/unlock",
        data={"password": "correct horse"},
        timeout=30,
        allow_redirects=False,
    )
    assert right.status_code == 303
    assert right.headers["Location"] == f"/s/{token}"
    cookie = right.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie
    assert f"Path=/s/{token}" in cookie
    assert "Secure" not in cookie  # plain http here
    jar = right.cookies
    assert _get(shared_server, f"/s/{token}", cookies=jar).status_code == 200
    thumb = _get(shared_server, f"/s/{token}/photos/{photo_id}/thumb", cookies=jar)
    assert thumb.status_code == 200
    assert thumb.headers["Content-Type"] == "image/jpeg"


def test_cookie_of_one_link_does_not_open_another(shared_server: ServerProcess) -> None:
    _a, _p, _l, token_a = _share(shared_server, password="alpha alpha")
    _b, _q, _m, token_b = _share(shared_server, password="bravo bravo")
    unlocked = requests.post(
        f"{shared_server.url}/s/{token_a}/unlock",
        data={"password": "alpha alpha"},
        timeout=30,
        allow_redirects=False,
    )
    value = unlocked.cookies.get("albumen_unlock")
    assert value
    assert (
        _get(shared_server, f"/s/{token_a}", cookies={"albumen_unlock": value}).status_code == 200
    )
    stolen = _get(shared_server, f"/s/{token_b}", cookies={"albumen_unlock": value})
    assert stolen.status_code == 401


def test_password_change_locks_out_old_cookies(shared_server: ServerProcess) -> None:
    album_id, _photo, link_id, token = _share(shared_server, password="first one")
    jar = requests.post(
        f"{shared_server.url}/s/{token}/unlock",
        data={"password": "first one"},
        timeout=30,
        allow_redirects=False,
    ).cookies
    assert _get(shared_server, f"/s/{token}", cookies=jar).status_code == 200
    shared_server.api(
        "PUT",
        f"/api/links/{link_id}",
        json={"album_id": album_id, "token": token, "password": "second one"},
    ).raise_for_status()
    assert _get(shared_server, f"/s/{token}", cookies=jar).status_code == 401


def test_failed_attempts_are_rate_limited(shared_server: ServerProcess) -> None:
    _album, _photo, _link, token = _share(shared_server, password="right one")
    url = f"{shared_server.url}/s/{token}/unlock"
    for attempt in range(10):
        response = requests.post(url, data={"password": f"guess {attempt}"}, timeout=30)
        assert response.status_code == 401, attempt
    blocked = requests.post(url, data={"password": "right one"}, timeout=30)
    assert blocked.status_code == 429
    retry_after = int(blocked.headers["Retry-After"])
    assert 0 < retry_after <= 15 * 60
    assert "Too many" in blocked.text
    # Another link is not affected by this one's failures.
    _a, _p, _l, other = _share(shared_server, password="other")
    ok = requests.post(
        f"{shared_server.url}/s/{other}/unlock",
        data={"password": "other"},
        timeout=30,
        allow_redirects=False,
    )
    assert ok.status_code == 303


def test_expired_links_are_not_available(shared_server: ServerProcess) -> None:
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    _album, photo_id, _link, token = _share(shared_server, expires_at=past, download="original")
    unknown = _get(shared_server, f"/s/{new_token()}")
    for path in _routes(token, photo_id):
        response = _get(shared_server, path)
        assert response.status_code == 404, path
    assert _get(shared_server, f"/s/{token}").text == unknown.text


def test_revoke_takes_effect_on_every_viewer_route(shared_server: ServerProcess) -> None:
    _album, photo_id, link_id, token = _share(shared_server, download="original")
    for path in _routes(token, photo_id):
        assert _get(shared_server, path).status_code == 200, path
    assert shared_server.api("DELETE", f"/api/links/{link_id}").status_code == 204
    unknown_token = new_token()
    for path in _routes(token, photo_id):
        response = _get(shared_server, path)
        assert response.status_code == 404, path
        twin = _get(shared_server, path.replace(token, unknown_token))
        assert response.content == twin.content, path
    json_answer = _get(shared_server, f"/s/{token}/photos.json").json()
    assert json_answer["error"]["code"] == "not_available"
    assert "not available" in _get(shared_server, f"/s/{token}").text
    unlock = requests.post(
        f"{shared_server.url}/s/{token}/unlock", data={"password": "x"}, timeout=30
    )
    assert unlock.status_code == 404


def _exif(data: bytes) -> dict[str, dict[int, object]]:
    return piexif.load(data)


def test_derivatives_hide_location_and_metadata_by_default(shared_server: ServerProcess) -> None:
    _album, photo_id, _link, token = _share(shared_server, photo_jpeg((3000, 2000), orientation=6))
    for kind, edge in (("small", 320), ("thumb", 480), ("preview", 2048)):  # a portrait
        data = _get(shared_server, f"/s/{token}/photos/{photo_id}/{kind}").content
        image = Image.open(io.BytesIO(data))
        assert max(image.size) == edge
        assert image.size[0] < image.size[1], "orientation 6 turns the landscape sensor upright"
        exif = _exif(data)
        assert not exif["GPS"]
        assert piexif.ImageIFD.Make not in exif["0th"]
        assert piexif.ExifIFD.BodySerialNumber not in exif["Exif"]
        assert exif["0th"][piexif.ImageIFD.Artist] == b"Ansel Adams"
        assert exif["0th"][piexif.ImageIFD.Copyright] == b"(c) 2026 Ansel Adams"
        assert exif["0th"].get(piexif.ImageIFD.Orientation, 1) == 1, "pixels already turned"
        assert b"Canon" not in data


def test_derivatives_show_what_the_link_allows(shared_server: ServerProcess) -> None:
    _album, photo_id, _link, token = _share(
        shared_server, photo_jpeg(seed=5), show_metadata=True, show_location=True
    )
    exif = _exif(_get(shared_server, f"/s/{token}/photos/{photo_id}/preview").content)
    assert exif["0th"][piexif.ImageIFD.Make] == b"Canon"
    assert exif["GPS"][piexif.GPSIFD.GPSLatitudeRef] == b"N"
    _a, photo_b, _l, token_b = _share(shared_server, photo_jpeg(seed=6), show_metadata=True)
    exif_b = _exif(_get(shared_server, f"/s/{token_b}/photos/{photo_b}/thumb").content)
    assert exif_b["0th"][piexif.ImageIFD.Make] == b"Canon"
    assert not exif_b["GPS"]


def test_original_download_removes_location_losslessly(shared_server: ServerProcess) -> None:
    source = photo_jpeg((800, 600), seed=9)
    _album, photo_id, _link, token = _share(shared_server, source, download="original")
    response = _get(shared_server, f"/s/{token}/photos/{photo_id}/original")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    stripped = response.content
    exif = _exif(stripped)
    assert not exif["GPS"]
    assert piexif.ImageIFD.Make not in exif["0th"]
    assert exif["0th"][piexif.ImageIFD.Copyright] == b"(c) 2026 Ansel Adams"
    original_pixels = Image.open(io.BytesIO(source)).tobytes()
    assert Image.open(io.BytesIO(stripped)).tobytes() == original_pixels
    scan_start = source.index(b"\xff\xda")
    assert stripped.endswith(source[scan_start:]), "the image data is not re-encoded"


def test_download_rights_and_zip(shared_server: ServerProcess) -> None:
    _album, photo_id, _link, token = _share(shared_server)
    assert _get(shared_server, f"/s/{token}/download").status_code == 403
    assert _get(shared_server, f"/s/{token}/photos/{photo_id}/original").status_code == 403
    _a, photo_web, _l, web_token = _share(shared_server, download="web")
    assert _get(shared_server, f"/s/{web_token}/photos/{photo_web}/original").status_code == 403
    assert _get(shared_server, f"/s/{web_token}/download?size=original").status_code == 403
    web_zip = zipfile.ZipFile(io.BytesIO(_get(shared_server, f"/s/{web_token}/download").content))
    assert web_zip.namelist() == ["IMG_0001.jpg"]
    assert not _exif(web_zip.read("IMG_0001.jpg"))["GPS"]
    source = photo_jpeg(seed=21)
    _b, _p, _m, original_token = _share(shared_server, source, download="original")
    response = _get(shared_server, f"/s/{original_token}/download")
    assert response.headers["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    (name,) = archive.namelist()
    assert name == "IMG_0001.JPG"
    inside = archive.read(name)
    assert not _exif(inside)["GPS"]
    assert Image.open(io.BytesIO(inside)).tobytes() == Image.open(io.BytesIO(source)).tobytes()


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (b"this is not a photo, only text\n" * 10, "not_an_image"),
        ("bomb", "decompression_bomb"),
    ],
)
def test_bad_files_get_a_4xx_from_the_derivative_maker(
    shared_server: ServerProcess, payload: bytes | str, code: str
) -> None:
    if payload == "bomb":
        buffer = io.BytesIO()
        Image.new("1", (20_000, 20_000)).save(buffer, "PNG")  # 400 MP, about 50 kB
        payload = buffer.getvalue()
    assert isinstance(payload, bytes)
    _album, photo_id, _link, token = _share(shared_server, payload, filename="odd.png")
    response = _get(shared_server, f"/s/{token}/photos/{photo_id}/thumb")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == code
    assert "odd.png" in response.json()["error"]["message"]


def test_unknown_photo_in_a_good_link_is_404(shared_server: ServerProcess) -> None:
    _album, _photo, _link, token = _share(shared_server)
    response = _get(shared_server, f"/s/{token}/photos/{new_id()}/thumb")
    assert response.status_code == 404
    other = os.urandom(4).hex()
    assert _get(shared_server, f"/s/{token}/photos/{other}/sideways").status_code in (404, 422)


# -- what a page may tell: location only with show_location, dates only with show_metadata ----


def test_location_and_places_only_for_links_that_show_location(
    shared_server: ServerProcess,
) -> None:
    album_id, photo_id, _link, shown = _share(
        shared_server, photo_jpeg(seed=31), show_location=True
    )
    listing = _get(shared_server, f"/s/{shown}/photos.json").json()
    (photo,) = listing["photos"]
    assert photo["latitude"] == pytest.approx(48 + 51 / 60 + 30 / 3600)
    assert photo["longitude"] == pytest.approx(2 + 17 / 60 + 40 / 3600)
    assert photo["place"] == "Paris, France"
    assert "taken_at" not in photo, "dates are metadata, not location"
    assert listing["places"] == [
        {
            "name": "Paris, France",
            "latitude": photo["latitude"],
            "longitude": photo["longitude"],
            "photos": [photo_id],
        }
    ]
    page = _get(shared_server, f"/s/{shown}").text
    assert 'id="places"' in page
    assert "Paris, France" in page
    facts = _get(shared_server, f"/s/{shown}/photos/{photo_id}.json").json()
    assert {"label": "Place", "value": "Paris, France"} in facts["facts"]

    link_id, hidden = new_id(), new_token()
    shared_server.api(
        "PUT",
        f"/api/links/{link_id}",
        json={"album_id": album_id, "token": hidden, "show_metadata": True},
    ).raise_for_status()
    listing = _get(shared_server, f"/s/{hidden}/photos.json").json()
    assert "places" not in listing
    (photo,) = listing["photos"]
    assert not {"latitude", "longitude", "place"} & set(photo), "not even as null"
    assert photo["taken_at"] == "2026-06-01T10:20:30+00:00"
    for path in (f"/s/{hidden}", f"/s/{hidden}/photos/{photo_id}"):
        page = _get(shared_server, path).text
        assert "Paris" not in page, path
        assert "places" not in page, path
        assert "Canon EOS R5" in page or path == f"/s/{hidden}", path
    assert "1 June 2026" in _get(shared_server, f"/s/{hidden}").text
    facts = _get(shared_server, f"/s/{hidden}/photos/{photo_id}.json").json()
    assert "latitude" not in facts
    assert [fact["label"] for fact in facts["facts"]] == ["Taken", "Camera", "Exposure"]


def test_a_photo_without_gps_has_no_place(shared_server: ServerProcess) -> None:
    _album, _photo, _link, token = _share(
        shared_server, photo_jpeg(seed=32, gps=False), show_location=True
    )
    listing = _get(shared_server, f"/s/{token}/photos.json").json()
    assert listing["photos"][0]["latitude"] is None
    assert listing["places"] == []
    assert 'id="places"' not in _get(shared_server, f"/s/{token}").text


def test_gallery_without_metadata_shows_no_dates(shared_server: ServerProcess) -> None:
    _album, photo_id, _link, token = _share(shared_server, photo_jpeg(seed=33))
    page = _get(shared_server, f"/s/{token}").text
    assert "June" not in page and "2026" not in page
    photo_page = _get(shared_server, f"/s/{token}/photos/{photo_id}").text
    assert "June" not in photo_page and "Canon" not in photo_page
    assert _get(shared_server, f"/s/{token}/photos/{photo_id}.json").json()["facts"] == []


def test_photo_page_works_without_javascript(shared_server: ServerProcess) -> None:
    album_id, first, _link, token = _share(shared_server, photo_jpeg(seed=34), download="web")
    second = upload_photo(shared_server, album_id, photo_jpeg(seed=35), "IMG_0002.JPG")
    gallery_page = _get(shared_server, f"/s/{token}").text
    assert f'href="/s/{token}/photos/{first}"' in gallery_page
    assert 'alt="IMG_0001"' in gallery_page
    page = _get(shared_server, f"/s/{token}/photos/{first}")
    assert page.status_code == 200
    assert page.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert f'src="/s/{token}/photos/{first}/preview"' in page.text
    assert f'rel="next" href="/s/{token}/photos/{second}"' in page.text
    assert 'rel="prev"' not in page.text
    assert f"/s/{token}/photos/{first}/preview?download=1" in page.text
    assert "/original" not in page.text
    assert "1 of 2" in page.text
    assert "<script>" not in page.text and "style=" not in page.text
    assert _get(shared_server, f"/s/{token}/photos/{new_id()}").status_code == 404


def test_viewer_assets_come_from_the_server(shared_server: ServerProcess) -> None:
    leaflet = _get(shared_server, "/static/vendor/leaflet/leaflet.js")
    assert leaflet.status_code == 200
    assert b"Leaflet" in leaflet.content[:400]
    assert _get(shared_server, "/static/vendor/leaflet/leaflet-src.js.map").status_code == 404
    assert _get(shared_server, "/static/vendor/leaflet/../__init__.py").status_code == 404
    world = _get(shared_server, "/static/vendor/world.json").json()
    names = {feature["properties"]["name"] for feature in world["features"]}
    assert {"France", "Japan", "Portugal"} <= names
    ratios = _get(shared_server, "/static/vendor/ratios.css").text
    assert ".r150{--r:1.5}" in ratios
    for script in ("viewer.js", "justify.js", "zoom.js", "places.js"):
        assert _get(shared_server, f"/static/{script}").status_code == 200


def test_tile_url_is_checked_at_start(tmp_path: Path) -> None:
    from albumen_server.cli import main

    for bad in ("ftp://tiles.example/{z}/{x}/{y}.png", "https://tiles.example/{z}/{x}.png"):
        with pytest.raises(SystemExit) as exit_info:
            main(["--data", str(tmp_path), "--tile-url", bad])
        assert exit_info.value.code == 2
    config = ServerConfig(data_dir=tmp_path, tile_url="https://{s}.tiles.example/{z}/{x}/{y}.png")
    assert config.tile_origin == "https://*.tiles.example"
