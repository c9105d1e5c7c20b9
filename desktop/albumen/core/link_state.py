"""What a link is now, as the owner should see it, in the app and in `albumen links` alike.

The store keeps what the server last said (or what is still to be told); two facts change
without the server saying anything: an expiry date passing, and where the URL can be opened
from at all (a link to the embedded server works only on this computer).
"""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime
from urllib.parse import urlsplit

from albumen.core.model import Download, Link, LinkState
from albumen.core.wording import count


def effective_state(link: Link, now: datetime | None = None) -> LinkState:
    """The server marks expiry only when asked; the owner sees it the moment it passes."""
    expires = link.settings.expires_at
    if link.state is LinkState.ACTIVE and expires and expires <= (now or datetime.now(UTC)):
        return LinkState.EXPIRED
    return link.state


def is_open(link: Link, now: datetime | None = None) -> bool:
    """Whether the link works (or will, once the server has it): it counts as one of the
    album's links."""
    return effective_state(link, now) in (LinkState.PENDING, LinkState.ACTIVE)


def link_url(link: Link, base_url: str | None) -> str:
    """The link's URL: the server's word once it has seen it, else made from where the server
    answers and the token (the client makes tokens, so the URL is known before it goes live)."""
    if link.url:
        return link.url
    return f"{(base_url or 'http://127.0.0.1').rstrip('/')}/s/{link.token}"


def works_only_here(url: str) -> bool:
    """Whether a link's URL can be opened only on this computer (a loopback address, as the
    embedded server's links are): sending it to anyone else is pointless."""
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def link_allows(link: Link) -> list[str]:
    """What the link lets its viewers do beyond seeing the photos, in short words (as
    `albumen links` prints them): "download web" or "download original", "places", "camera",
    "picks" (or "picks up to 30"), "watermark" (it draws one over its pictures); and "password"
    when it asks for one."""
    settings = link.settings
    allows = [f"download {settings.download}"] if settings.download is not Download.NONE else []
    allows += [
        word
        for word, on in (
            ("places", settings.show_location),
            ("camera", settings.show_metadata),
            (
                f"picks up to {settings.pick_limit}" if settings.pick_limit else "picks",
                settings.allow_picks,
            ),
            ("watermark", settings.watermark is not None),
            ("password", link.has_password),
        )
        if on
    ]
    return allows


ONLY_HERE = (
    "This link works only on this computer: it points at Albumen's embedded server. To send "
    "it to anyone, connect a sharing server (Settings ▸ Server, or `albumen login` with the "
    "pairing address your server's administrator sent)."
)


def activity(link: Link) -> str:
    """What the link's viewers did, in a few words: "12 views, 3 downloads" (the server counts
    both: a download is a zip, an original or a web size saved as a file)."""
    return f"{count(link.view_count, 'view')}, {count(link.download_count, 'download')}"
