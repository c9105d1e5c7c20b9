"""Connecting the app to a sharing server with the one-time address its administrator sent.

`albumen-server invite` prints `https://photos.example/pair/CODE`; pasted into Settings or given
to `albumen login`, it is traded here for an owner token (`POST /api/pair`, docs/DESIGN.md),
which the caller keeps in the keyring. The trade goes over HTTPS: a token sent in clear could be
read on the way. Plain http is accepted only for this computer (127.0.0.1, localhost), where
nothing crosses a network.
"""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

from albumen import __version__
from albumen.core.backend import direct_or_environ_proxies, environment_session
from albumen.core.link_state import works_only_here

_PAIR_PATH = re.compile(r"^(?P<prefix>.*?)/pair/(?P<code>[A-Za-z0-9_-]{20,100})/?$")
TIMEOUT = (5.0, 30.0)


class PairingError(Exception):
    """The pairing address could not be used; the message says why and what to do."""


@dataclass(frozen=True)
class Invite:
    server_url: str
    code: str


@dataclass(frozen=True)
class Paired:
    server_url: str
    token: str
    owner: str


def parse_invite(text: str) -> Invite | None:
    """The invite in a pasted pairing address, or None when `text` is not one."""
    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    match = _PAIR_PATH.match(parts.path)
    if match is None:
        return None
    return Invite(f"{parts.scheme}://{parts.netloc}{match['prefix']}", match["code"])


def this_device() -> str | None:
    """This computer's name as its owner knows it (its host name, without the network's
    domain): the server lists the token under it, so an administrator can revoke the one
    laptop that was lost."""
    name = socket.gethostname().split(".")[0].strip()
    return name or None


def redeem(invite: Invite) -> Paired:
    """Trade the invite for an owner token, once. Raises PairingError."""
    parts = urlsplit(invite.server_url)
    if parts.scheme != "https" and not works_only_here(invite.server_url):
        raise PairingError(
            f"{invite.server_url}: pairing needs https:// (over plain http the owner token "
            "could be read on the way); ask for an https address"
        )
    try:
        url = f"{invite.server_url}/api/pair"
        with environment_session() as session:
            answer = session.post(
                url,
                json={"code": invite.code, "device": this_device()},
                headers={"User-Agent": f"Albumen/{__version__}"},
                timeout=TIMEOUT,
                proxies=direct_or_environ_proxies(url),
            )
    except (requests.ConnectionError, requests.Timeout) as error:
        raise PairingError(
            f"{invite.server_url} cannot be reached ({type(error).__name__}); the address "
            "stays valid, try again when you are online"
        ) from None
    if answer.status_code == 410:
        raise PairingError(
            "this pairing address was used already or has expired: ask the server's "
            "administrator for a new one"
        )
    try:
        body = answer.json()
        if answer.status_code != 200:
            raise PairingError(f"{invite.server_url} refused: {body['error']['message']}")
        return Paired(invite.server_url, str(body["token"]), str(body["owner"]))
    except (ValueError, KeyError, TypeError):
        raise PairingError(
            f"{invite.server_url} did not answer like an Albumen server (HTTP {answer.status_code})"
        ) from None
