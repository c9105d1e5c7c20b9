"""What a link's settings imply, once, for the share dialog, Settings ▸ New links and
`albumen share` alike (widgets and commands show these rules; they do not hold them).

- A pick limit is a limit on picks: a link with one allows picks.
- A watermarked link offers no originals (docs/DESIGN.md, "Watermarked links"): the server
  refuses `download: "original"` with a watermark, so a link of originals that gains one
  offers web sizes instead, the nearest it may offer.
- A watermark is its text without the spaces around it; a blank one is none.

Whether a text can be a watermark at all is the server's own rule, `albumen_photo.watermark`,
asked directly wherever a text is typed, so that it is named there rather than by a failed
sync.
"""

from __future__ import annotations

from dataclasses import replace

from albumen.core.model import Download, LinkSettings
from albumen_photo import watermark


def downloads_for(watermarked: bool) -> tuple[Download, ...]:
    """The download choices a link may have, in the order they are offered."""
    if watermarked:
        return (Download.NONE, Download.WEB)
    return (Download.NONE, Download.WEB, Download.ORIGINAL)


def allowed_download(download: Download, *, watermarked: bool) -> Download:
    """`download` if the link may offer it, else web sizes (what a watermarked link of originals
    becomes)."""
    return download if download in downloads_for(watermarked) else Download.WEB


def settled(settings: LinkSettings) -> LinkSettings:
    """`settings` with what they imply applied (see the module): what is stored and sent."""
    text = watermark.cleaned(settings.watermark)
    return replace(
        settings,
        watermark=text,
        download=allowed_download(settings.download, watermarked=text is not None),
        allow_picks=settings.allow_picks or settings.pick_limit is not None,
    )
