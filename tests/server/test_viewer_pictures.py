"""Which pictures of a photo a link offers, for which screens: the small thumbnail of a screen of
one device pixel per CSS pixel, the thumbnail of sharper ones, the lightbox's large picture only
where the owner gives the originals anyway, and the album's cover across the top."""

from __future__ import annotations

import io

import piexif
from PIL import Image

from tests.server.arriving import Shared, album, share
from tests.server.uploading import upload_photo
from tests.support import ServerProcess, photo_jpeg


def _size(jpeg: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(jpeg)) as image:
        return image.size


def test_a_screen_of_one_pixel_per_css_pixel_is_offered_the_small_thumbnail(
    shared_server: ServerProcess,
) -> None:
    album_id = album(shared_server, "Small thumbnails")
    photo_id = upload_photo(
        shared_server, album_id, photo_jpeg((3000, 2000), orientation=6), "IMG_0001.JPG"
    )
    little_id = upload_photo(shared_server, album_id, photo_jpeg((400, 300)), "IMG_0002.JPG")
    link = share(shared_server, album_id)
    base, little = f"/s/{link.token}/photos/{photo_id}", f"/s/{link.token}/photos/{little_id}"

    gallery = link.get("").text
    assert f'srcset="{base}/small 1x, {base}/thumb 2x"' in gallery
    # 400 × 300 fits both boxes whole: one picture, nothing for the browser to choose.
    assert f'<img src="{little}/thumb" alt' in gallery
    assert f"{little}/small" not in gallery

    small = link.get(f"/photos/{photo_id}/small")
    assert small.status_code == 200
    assert small.headers["Content-Type"] == "image/jpeg"
    assert _size(small.content) == (213, 320)  # upright, as high as the small box
    assert _size(link.get(f"/photos/{photo_id}/thumb").content) == (320, 480)
    assert not piexif.load(small.content)["GPS"]  # what a link hides by default, hidden here too

    listed = {photo["id"]: photo for photo in link.get("/photos.json").json()["photos"]}
    assert listed[photo_id]["small"] == f"{base}/small"
    assert listed[little_id]["small"] == f"{little}/thumb"


def test_the_large_picture_is_for_links_that_give_the_originals(
    shared_server: ServerProcess,
) -> None:
    """Beyond the web size only where the owner lets viewers have the photo itself: a link of
    web-size downloads, or none, shows the web size at most (as proofing galleries need)."""
    album_id = album(shared_server, "Large pictures")
    photo_id = upload_photo(
        shared_server, album_id, photo_jpeg((3000, 2000), orientation=6), "IMG_0001.JPG"
    )
    link = share(shared_server, album_id, download="original")
    assert f'data-large="/s/{link.token}/photos/{photo_id}/large"' in link.get("").text
    large = link.get(f"/photos/{photo_id}/large")
    assert large.status_code == 200
    assert _size(large.content) == (2000, 3000)  # upright, never enlarged past the original
    assert not piexif.load(large.content)["GPS"]
    for download in ("web", "none"):
        other = share(shared_server, album_id, download=download)
        assert "data-large" not in other.get("").text, download
        refused = other.get(f"/photos/{photo_id}/large")
        assert refused.status_code == 403, download
        assert refused.json()["error"]["code"] == "downloads_disabled"


def test_the_gallery_opens_on_the_cover_the_owner_picked(shared_server: ServerProcess) -> None:
    album_id = album(shared_server, "Covers")
    first = upload_photo(shared_server, album_id, photo_jpeg((3000, 2000)), "IMG_0001.JPG")
    second = upload_photo(shared_server, album_id, photo_jpeg((1600, 1200)), "IMG_0002.JPG")
    originals, web = share(shared_server, album_id), share(shared_server, album_id, download="web")

    def cover(link: Shared) -> str:
        page = link.get("").text
        assert page.count('<figure class="cover">') == 1
        start = page.index('<figure class="cover">')
        return page[start : page.index("</figure>", start)]

    # None picked: the album's first photo. On a link of originals a wide, sharp screen may
    # take the large picture (the browser chooses by the widths); on a link of web sizes, not.
    band = cover(originals)
    base = f"/s/{originals.token}/photos/{first}"
    assert f'src="{base}/preview"' in band
    assert f'srcset="{base}/preview 2048w, {base}/large 3000w"' in band
    assert f'href="{base}"' in band  # a link to the photo, named as its cell in the grid
    assert 'aria-label="IMG_0001"' in band
    assert 'alt=""' in band
    assert "srcset" not in cover(web)
    assert originals.get(f"/photos/{first}/preview").status_code == 200

    body = {"title": "Covers", "cover_photo_id": second}
    shared_server.api("PUT", f"/api/albums/{album_id}", json=body).raise_for_status()
    assert f'src="/s/{web.token}/photos/{second}/preview"' in cover(web)

    empty = share(shared_server, album(shared_server, "Nothing yet"))
    assert '<figure class="cover">' not in empty.get("").text
