"""What the owner does to albums, photos and links, and what each action implies, in one place
for the app and the CLI.

The store records intent (each change with its outbox operation, in one transaction); this layer
adds the rules around it that were kept twice, differently, in widgets and commands: a link's
password goes into the keyring before the link is recorded (a drain already under way must find
it), and leaves it when the link is revoked or its password removed; a keyring that refuses a
password still lets the link be made, with the password held for this session only and the
caller told so, to show it once. Every action ends by publishing which album changed: the app
refreshes its views and wakes the sync on that event (a new cover, a new order reach the server
at once, not on the next retry); the CLI syncs when it chooses.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Final

from albumen.core.credentials import Credentials, KeyringUnavailableError
from albumen.core.link_rules import settled
from albumen.core.model import Album, Link, LinkSettings
from albumen.core.sections import arranged, grouped_order, section_moved
from albumen.core.store import Store

Listener = Callable[[str | None], None]
"""Told the id of the album that changed (None: the album list as a whole)."""


class _Keep(Enum):
    KEEP = "keep"


KEEP: Final = _Keep.KEEP
"""As a link's password: leave the one it has."""


@dataclass(frozen=True)
class SavedLink:
    link: Link
    password: str | None  # the link's password now (for the handover), None without one
    kept: bool  # False: the keyring refused it; it lives only as long as this process


class Owner:
    """The owner's actions on one store and keyring; `on_change` to hear what they changed."""

    def __init__(self, store: Store, credentials: Credentials) -> None:
        self.store = store
        self.credentials = credentials
        self._listeners: list[Listener] = []

    def on_change(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _changed(self, album_id: str | None) -> None:
        for listener in list(self._listeners):
            listener(album_id)

    # -- albums --------------------------------------------------------------------------------

    def create_album(self, title: str) -> Album:
        album = self.store.create_album(title)
        self._changed(album.id)
        return album

    def rename_album(self, album_id: str, title: str) -> None:
        self.store.update_album(album_id, title=title)
        self._changed(album_id)

    def set_cover(self, album_id: str, photo_id: str | None) -> None:
        self.store.set_cover(album_id, photo_id)
        self._changed(album_id)

    def move_photo(self, album_id: str, photo_id: str, position: int) -> None:
        """The photo lands at `position` of the album's order, the rest close up; in an album
        with sections it stays in its own (`sections.grouped_order`)."""
        ids = [p.id for p in self.store.photos(album_id) if p.id != photo_id]
        ids.insert(max(0, min(position, len(ids))), photo_id)
        self.order_photos(album_id, ids)

    def order_photos(self, album_id: str, photo_ids: Sequence[str]) -> None:
        """The album's photos in this order, grouped by section as the gallery shows them."""
        if self.store.album(album_id).sections_used:
            photo_ids = grouped_order(self.store.photos(album_id), photo_ids)
        self.store.order_photos(album_id, photo_ids)
        self._changed(album_id)

    def put_in_section(
        self, album_id: str, photo_ids: Sequence[str], title: str | None
    ) -> str | None:
        """Put the photos in section `title` (trimmed; spelled as the album already spells a
        title that differs only in case), or out of any section for a blank or None title; they
        move to the end of that section's photos, a new section starting at the end of the
        album, so the album's order stays the order viewers see (the rule and why:
        `core.sections.arranged`). Returns the title as kept. Refused (`SectionError`, naming
        the field): a title over 100 characters or of more than one line, a 101st section."""
        arrangement = arranged(self.store.photos(album_id), photo_ids, title)
        self.store.set_section(album_id, arrangement.moved, arrangement.title, arrangement.order)
        self._changed(album_id)
        return arrangement.title

    def move_section(self, album_id: str, title: str, step: int) -> bool:
        """Section `title`, all its photos, `step` places among the album's sections (-1:
        earlier); False when it cannot go further (`core.sections.section_moved`)."""
        order = section_moved(self.store.photos(album_id), title, step)
        if order is None:
            return False
        self.order_photos(album_id, order)
        return True

    def remove_photos(self, photo_ids: Sequence[str]) -> None:
        albums = {photo.album_id for i in photo_ids if (photo := self.store.find_photo(i))}
        self.store.remove_photos(photo_ids)
        for album_id in sorted(albums):
            self._changed(album_id)

    def delete_album(self, album_id: str) -> None:
        self.store.delete_album(album_id)
        self._changed(None)

    # -- links ---------------------------------------------------------------------------------

    def save_link(
        self,
        album_id: str,
        settings: LinkSettings,
        *,
        password: str | _Keep | None,
        link_id: str | None = None,
    ) -> SavedLink:
        """Create the link (`link_id` None or unknown here) or edit it. `password`: a new one,
        None for none, or KEEP (editing only). The password is in the keyring before the link
        is recorded. What the settings imply is applied (`link_rules.settled`): a watermarked
        link of originals is recorded as one of web sizes."""
        settings = settled(settings)
        link_id = link_id or str(uuid.uuid4())
        existing = self.store.find_link(link_id)
        kept = True
        if isinstance(password, str):
            kept = self._keep_password(link_id, password)
        if existing is None:
            link = self.store.create_link(
                album_id, settings, has_password=isinstance(password, str), link_id=link_id
            )
        else:
            has_password = None if password is KEEP else isinstance(password, str)
            link = self.store.update_link(link_id, settings, has_password=has_password)
            if password is None:
                self.credentials.forget_link_password(link_id)
        now = self.credentials.link_password(link_id) if password is KEEP else password
        self._changed(album_id)
        return SavedLink(link, now if isinstance(now, str) else None, kept)

    def _keep_password(self, link_id: str, password: str) -> bool:
        try:
            return self.credentials.set_link_password(link_id, password)
        except KeyringUnavailableError:
            self.credentials.hold_link_password(link_id, password)
            return False

    def revoke_link(self, link_id: str) -> Link:
        """Revoked here at once (the server hears it with the next sync); its password has
        nothing left to open and leaves the keyring."""
        link = self.store.revoke_link(link_id)
        self.credentials.forget_link_password(link_id)
        self._changed(link.album_id)
        return link
