"""Telling a link-preview fetcher from a person opening a link.

A photographer sends a link in a chat; the chat app's servers (or the sender's own app) fetch
the page at once to show a preview of it, before the recipient has seen anything. Counted as a
view, that fetch would tell the photographer the album was opened when it was not. The
fetchers name themselves in their User-Agent; the in-app browsers of the same apps, which real
people use, name other things (`FBAN`, `Instagram`, `Telegram-Android`), so the list below names
only the fetchers, exactly: a person's view left uncounted would mislead as much.
"""

from __future__ import annotations

import re
from typing import Final

_FETCHERS: Final = re.compile(
    "|".join(
        re.escape(name)
        for name in (
            "facebookexternalhit",  # Facebook, Messenger, Instagram; also in iMessage's
            "facebot",
            "whatsapp/",  # WhatsApp, and Signal, which borrows its name to be answered
            "slackbot",
            "slack-imgproxy",
            "twitterbot",
            "discordbot",
            "telegrambot",
            "linkedinbot",
            "skypeuripreview",  # Skype and Teams
            "microsoftpreview",  # Outlook and Teams
            "mastodon/",
            "pinterestbot",
            "redditbot",
            "embedly",
            "iframely",
            "vkshare",
            "developers.google.com/+/web/snippet",  # Google Chat
            "googlebot",
            "bingbot",
            "applebot",
        )
    ),
    re.IGNORECASE,
)


def is_link_preview(user_agent: str | None) -> bool:
    """Whether this User-Agent is a chat app's or a network's fetcher of link previews (or a
    search engine's crawler, which a `noindex` page still meets), not a person."""
    return user_agent is not None and _FETCHERS.search(user_agent) is not None
