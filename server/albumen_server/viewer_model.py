"""What a link lets its viewer learn of each photo, and the view model pages and JSON are made of.

One rule decides what a link reveals, the same one the owner's preview applies: a link's
:class:`~albumen_photo.policy.KeepPolicy` (:func:`link_policy`, the only place one is built from
a link). Capture dates and camera facts only with ``keep.metadata`` (the link's
``show_metadata``); positions and place names only with ``keep.location`` (``show_location``).
Every decision below reads that policy object, so the owner's "a viewer sees" column
(:func:`albumen_photo.metadata.viewer_sees`), the stripped files and these pages cannot disagree.

No route, template or JSON answer looks at a photo row directly: they get :class:`PhotoView`
objects from :func:`photo_views`, which carry only what the policy allows, and the page and
JSON bodies built here from them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from albumen_photo.describe import day_range
from albumen_photo.policy import KeepPolicy
from albumen_server import sections
from albumen_server.derivatives import LARGE, PREVIEW, PREVIEW_EDGE, SMALL, THUMB
from albumen_server.facts import CameraFacts, facts_of_blob
from albumen_server.models import Album, Link, Photo
from albumen_server.places import coordinates_label

MIN_RATIO, MAX_RATIO = 20, 500
"""Aspect ratios (width/height, in hundredths) that `ratios.css` has a class for."""

FIRST_SCREEN = 12
"""Thumbnails at the top of the gallery asked for at once, at high priority, instead of lazily
after the style sheets and the layout: about a phone's first screen, most of a laptop's (16
there, and the browser asks for the rest as soon as it lays them out)."""


def link_policy(link: Link) -> KeepPolicy:
    """What this link lets a viewer see: the one policy every reveal decision is made from."""
    return KeepPolicy(location=link.show_location, metadata=link.show_metadata)


def download_size(download: str) -> str | None:
    """The size a link lets its viewer download ("web", "original"), None for no downloads."""
    return {"none": None, "web": "web", "original": "original"}.get(download)


def shows_beyond_web_size(download: str) -> bool:
    """Whether a link may show its photos larger than the web size (the lightbox's `large`):
    only one that gives the originals anyway. A link of web sizes, or of none (a proofing
    gallery), shows no more than the web size."""
    return download == "original"


@dataclass(frozen=True)
class PhotoView:
    """One photo as this link may show it: every field a page or JSON answer can use."""

    id: str
    filename: str
    width: int | None
    height: int | None
    sha256: str
    base: str  # /s/{token}/photos/{id}
    download: str | None
    taken_at: datetime | None = None  # only with keep.metadata
    latitude: float | None = None  # these three only with keep.location
    longitude: float | None = None
    place: str | None = None
    arriving: bool = False  # seen from its preview; its original is still on its way

    @property
    def page(self) -> str:
        return self.base

    @property
    def thumb(self) -> str:
        return f"{self.base}/thumb"

    @property
    def small(self) -> str | None:
        """The thumbnail for screens of about one device pixel per CSS pixel (the gallery's
        `srcset` offers it at 1×, `thumb` at 2×); None when it would be the thumbnail's very
        pixels (a photo no higher than `SMALL`'s box) or the photo's size is unknown."""
        if not self.width or not self.height:
            return None
        same = SMALL.size_for(self.width, self.height) == THUMB.size_for(self.width, self.height)
        return None if same else f"{self.base}/small"

    @property
    def preview(self) -> str:
        return f"{self.base}/preview"

    @property
    def large(self) -> str | None:
        """The lightbox's picture for screens with more pixels than the preview has, where the
        link may show it (`shows_beyond_web_size`); None when the preview is already the photo
        at its own size, or all the server has of it yet."""
        if not shows_beyond_web_size(self.download or "none") or self.arriving:
            return None
        if not self.width or not self.height:
            return None
        return f"{self.base}/large" if max(self.width, self.height) > PREVIEW_EDGE else None

    @property
    def cover_srcset(self) -> str | None:
        """The gallery's cover band, as wide as the page: the preview, and on a sharp wide
        screen the large picture where the link offers it (`srcset` by width, so the browser
        takes the large one only when the preview would be blown up)."""
        if self.large is None or not self.width or not self.height:
            return None
        preview = PREVIEW.size_for(self.width, self.height)[0]
        large = LARGE.size_for(self.width, self.height)[0]
        return f"{self.preview} {preview}w, {self.large} {large}w"

    @property
    def original(self) -> str | None:
        if self.arriving:
            return None
        return f"{self.base}/original" if self.download == "original" else None

    @property
    def original_on_its_way(self) -> bool:
        """The link offers originals, and this one has not landed yet."""
        return self.arriving and self.download == "original"

    @property
    def web_download(self) -> str | None:
        return f"{self.base}/preview?download=1" if self.download else None

    @property
    def ratio_class(self) -> str:
        """A class of `ratios.css` that gives the grid cell this photo's aspect ratio."""
        if not self.width or not self.height:
            return "r100"
        hundredths = round(100 * self.width / self.height)
        return f"r{min(MAX_RATIO, max(MIN_RATIO, hundredths))}"

    @property
    def alt(self) -> str:
        """Alt text: the photographer's file name is the only description a photo has."""
        return Path(self.filename).stem or self.filename


def photo_views(
    token: str, photos: Sequence[Photo], keep: KeepPolicy, download: str
) -> list[PhotoView]:
    """The photos as the link may show them: dates only with metadata, places with location."""
    views = []
    for photo in photos:
        located = keep.location and photo.latitude is not None
        views.append(
            PhotoView(
                id=photo.id,
                filename=photo.filename,
                width=photo.width,
                height=photo.height,
                sha256=photo.sha256,
                base=f"/s/{token}/photos/{photo.id}",
                download=download_size(download),
                taken_at=photo.taken_at if keep.metadata else None,
                latitude=photo.latitude if located else None,
                longitude=photo.longitude if located else None,
                place=photo.place if located else None,
                arriving=photo.arriving,
            )
        )
    return views


@dataclass
class Place:
    """Photos taken at one named place, and where to put its marker (their mean position)."""

    name: str
    anchor: str
    photos: list[PhotoView] = field(default_factory=list)

    @property
    def latitude(self) -> float:
        return sum(p.latitude or 0.0 for p in self.photos) / len(self.photos)

    @property
    def longitude(self) -> float:
        return sum(p.longitude or 0.0 for p in self.photos) / len(self.photos)


def places_of(views: Sequence[PhotoView], keep: KeepPolicy) -> list[Place]:
    """Photos grouped by place name, places in the order the album first reaches them; none
    unless the link shows location."""
    if not keep.location:
        return []
    places: dict[str, Place] = {}
    for view in views:
        if view.latitude is None or view.longitude is None:
            continue
        # Unnamed spots (at sea, far from any town) group by tenth of a degree, about 10 km.
        name = view.place or coordinates_label(round(view.latitude, 1), round(view.longitude, 1))
        if name not in places:
            places[name] = Place(name=name, anchor=f"place-{len(places) + 1}")
        places[name].photos.append(view)
    return list(places.values())


def _day(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y}"


LAST_DAYS = 7  # from here on the gallery counts the days its link has left


def available_until(expires_at: datetime | None, now: datetime) -> str | None:
    """How long the link lasts, as the gallery tells its viewers (Pixieset's galleries say it
    too: a viewer who means to download knows until when): "Available until 30 June 2026", and
    the days left in its last week. None for a link that does not expire."""
    if expires_at is None:
        return None
    text = f"Available until {_day(expires_at)}"
    left = expires_at - now
    if left.days >= LAST_DAYS:
        return text
    if left.days < 1:
        return f"{text} (less than a day left)"
    return f"{text} ({left.days} day{'' if left.days == 1 else 's'} left)"


def date_range(views: Sequence[PhotoView]) -> str | None:
    """The days the photos were taken, as people write them ("3–5 June 2026"), if known."""
    dates = sorted(v.taken_at.date() for v in views if v.taken_at is not None)
    if not dates:
        return None
    return day_range(dates[0], dates[-1])


def _taken_label(moment: datetime | None) -> str | None:
    # Shown as the camera's clock showed it: see derivatives.ImageInfo on why that is UTC here.
    return None if moment is None else f"{_day(moment)}, {moment:%H:%M}"


OpenBlob = Callable[[str], Any]
"""A BlobStore's `open`: a SHA-256 to a context manager giving the blob's bytes."""


def photo_facts(keep: KeepPolicy, view: PhotoView, open_blob: OpenBlob) -> dict[str, str]:
    """What the link lets a viewer read beside one photo, as label -> text, in display order."""
    facts: dict[str, str] = {}
    if keep.metadata:
        taken = _taken_label(view.taken_at)
        if taken:
            facts["Taken"] = taken
        # An arriving photo shows what its client announced, nothing read from the preview;
        # its camera facts come with the original.
        camera = CameraFacts() if view.arriving else facts_of_blob(open_blob, view.sha256)
        for label, value in (
            ("Camera", camera.camera),
            ("Lens", camera.lens),
            ("Exposure", camera.exposure),
        ):
            if value:
                facts[label] = value
    if keep.location and view.latitude is not None and view.longitude is not None:
        facts["Place"] = view.place or coordinates_label(view.latitude, view.longitude)
    return facts


# -- bodies of the pages and JSON answers -------------------------------------------------------


def cover_of(album: Album, views: Sequence[PhotoView]) -> PhotoView | None:
    """The photo the gallery opens on: the cover the owner picked while it is in the album
    (`albumen_server.photos.album_cover`'s rule), else the album's first; None when empty."""
    chosen = (view for view in views if view.id == album.cover_photo_id)
    return next(chosen, views[0] if views else None)


def gallery_context(
    token: str, album: Album, views: list[PhotoView], keep: KeepPolicy, download: str
) -> dict[str, object]:
    """The gallery template's context (the server's map settings are added by the route).
    `views` are in the gallery's order; `groups` are they by section (one untitled group for
    an album without sections)."""
    return {
        "token": token,
        "album": album,
        "cover": cover_of(album, views),
        "photos": views,
        "groups": section_groups(album, views),
        "places": places_of(views, keep),
        "dates": date_range(views) if keep.metadata else None,
        "download_size": download_size(download),
        "show_metadata": keep.metadata,
        "first_screen": FIRST_SCREEN,
        "preview_edge": PREVIEW_EDGE,
        "large_edge": LARGE.width,
        "on_its_way": sum(1 for view in views if view.original_on_its_way),
    }


@dataclass(frozen=True)
class OnePhoto:
    """One photo of the album in its place among the others, with the facts shown beside it."""

    album: Album
    views: list[PhotoView]
    index: int
    facts: dict[str, str]

    @property
    def view(self) -> PhotoView:
        return self.views[self.index]


def photo_context(token: str, one: OnePhoto, download: str) -> dict[str, object]:
    """The photo template's context: one photo, its section, its neighbours and its facts."""
    views, index = one.views, one.index
    titles = sections.titles_by_photo(sections.loads(one.album.sections))
    return {
        "token": token,
        "album": one.album,
        "photo": one.view,
        "section": titles.get(one.view.id),
        "position": index + 1,
        "count": len(views),
        "previous": views[index - 1] if index > 0 else None,
        "next": views[index + 1] if index + 1 < len(views) else None,
        "facts": one.facts,
        "download_size": download_size(download),
    }


def photo_body(one: OnePhoto, keep: KeepPolicy) -> dict[str, object]:
    """One photo's facts, for the lightbox's side panel."""
    view = one.view
    body: dict[str, object] = {
        "id": view.id,
        "position": one.index + 1,
        "photo_count": len(one.views),
        "facts": [{"label": label, "value": value} for label, value in one.facts.items()],
    }
    if keep.location:
        body["latitude"], body["longitude"] = view.latitude, view.longitude
    if view.arriving:
        body["original"] = "arriving"
    return body


@dataclass(frozen=True)
class SectionGroup:
    """A run of the gallery under one heading: a section, or the photos in none (title None)."""

    title: str | None
    number: int | None  # the section's, from 1 (the zip of it: `?section=`); None for none
    views: list[PhotoView]
    start: int  # how many photos of the gallery come before this group

    @property
    def anchor(self) -> str:
        """The heading's id, for the sections' line at the top."""
        return "unsectioned" if self.number is None else f"section-{self.number}"


def section_groups(album: Album, views: list[PhotoView]) -> list[SectionGroup]:
    """The gallery's photos under their sections' headings, in the gallery's order."""
    groups, start, number = [], 0, 0
    for title, members in sections.grouped(views, sections.loads(album.sections)):
        number += title is not None  # the first section is 1, photos in none or not
        groups.append(SectionGroup(title, number if title else None, members, start))
        start += len(members)
    return groups


def _listing_item(view: PhotoView, keep: KeepPolicy, section: str | None) -> dict[str, object]:
    item: dict[str, object] = {
        "id": view.id,
        "section": section,
        "filename": view.filename,
        "width": view.width,
        "height": view.height,
        "thumb": view.thumb,
        "small": view.small or view.thumb,
        "preview": view.preview,
        "page": view.page,
    }
    if keep.metadata:
        item["taken_at"] = view.taken_at.isoformat() if view.taken_at else None
    if keep.location:
        item["latitude"], item["longitude"] = view.latitude, view.longitude
        item["place"] = view.place
    if view.arriving:
        item["original"] = "arriving"
    elif view.original:
        item["original"] = view.original
    return item


def listing_body(
    album: Album,
    views: list[PhotoView],
    keep: KeepPolicy,
    download: str,
    *,
    allow_picks: bool = False,
) -> dict[str, object]:
    """`photos.json`: the album, what the link allows, and its photos in the gallery's order,
    each with its section (with places on links that show location)."""
    titles = sections.titles_by_photo(sections.loads(album.sections))
    body: dict[str, object] = {
        "album": {
            "id": album.id,
            "title": album.title,
            "description": album.description,
            "photo_count": len(views),
        },
        "link": {
            "download": download,
            "show_metadata": keep.metadata,
            "show_location": keep.location,
            "allow_picks": allow_picks,
        },
        "photos": [_listing_item(view, keep, titles.get(view.id)) for view in views],
    }
    if keep.location:
        body["places"] = [
            {
                "name": place.name,
                "latitude": place.latitude,
                "longitude": place.longitude,
                "photos": [view.id for view in place.photos],
            }
            for place in places_of(views, keep)
        ]
    return body
