"""Password guesses are limited even in parallel, and a flood of them starves nothing else.

Before: 60 wrong passwords sent at once from one address were all checked (60 × 401, no 429),
and 80 parallel unlocks held every worker thread while Argon2 ran.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.server.uploading import upload_photo
from tests.support import ServerProcess, new_id, new_token, photo_jpeg, start_server


@pytest.fixture
def behind_proxy(tmp_path: Path) -> Iterator[ServerProcess]:
    """A server behind a (trusted) proxy on 127.0.0.1, so each request may be another client."""
    server = start_server(tmp_path, "--trusted-proxy", "127.0.0.1")
    yield server
    server.stop()


def _link(server: ServerProcess, password: str | None) -> str:
    album_id, token = new_id(), new_token()
    server.api("PUT", f"/api/albums/{album_id}", json={"title": "Locked"}).raise_for_status()
    upload_photo(server, album_id, photo_jpeg(seed=5), "a.jpg")
    link = {"album_id": album_id, "token": token, "password": password}
    server.api("PUT", f"/api/links/{new_id()}", json=link).raise_for_status()
    return token


def _unlock(
    server: ServerProcess, token: str, password: str, client: str = ""
) -> requests.Response:
    headers = {"X-Forwarded-For": client} if client else {}
    return requests.post(
        f"{server.url}/s/{token}/unlock",
        data={"password": password},
        headers=headers,
        allow_redirects=False,
        timeout=120,
    )


def test_parallel_guesses_from_one_client_are_limited(fresh_server: ServerProcess) -> None:
    token = _link(fresh_server, "correct horse")
    with ThreadPoolExecutor(60) as pool:
        answers = list(pool.map(lambda _: _unlock(fresh_server, token, "wrong"), range(60)))
    codes = [answer.status_code for answer in answers]
    assert codes.count(401) <= 10, codes
    assert set(codes) <= {401, 429} and codes.count(429) >= 50
    assert all("Retry-After" in answer.headers for answer in answers if answer.status_code == 429)
    assert _unlock(fresh_server, token, "correct horse").status_code == 429


def test_a_flood_of_unlocks_is_turned_away_and_other_viewers_are_served(
    behind_proxy: ServerProcess,
) -> None:
    locked = _link(behind_proxy, "correct horse")
    open_token = _link(behind_proxy, None)
    with ThreadPoolExecutor(80) as pool:
        flood = [
            pool.submit(_unlock, behind_proxy, locked, "wrong", f"198.51.100.{n}")
            for n in range(80)
        ]
        other = requests.get(f"{behind_proxy.url}/s/{open_token}/photos.json", timeout=120)
        answers = [future.result() for future in flood]
    assert other.status_code == 200 and other.json()["album"]["photo_count"] == 1
    codes = [answer.status_code for answer in answers]
    busy = [answer for answer in answers if answer.status_code == 429]
    assert set(codes) <= {401, 429}
    assert busy, "80 checks at once should not all be queued"
    assert all(answer.headers["Retry-After"] == "2" for answer in busy)
    assert all("Try again in a moment" in answer.text for answer in busy)
    # whoever was turned away lost no guess: the right password still opens at once
    assert _unlock(behind_proxy, locked, "correct horse", "198.51.100.1").status_code == 303


def test_ipv6_clients_are_counted_by_their_64() -> None:
    from albumen_server.rate_limits import client_key

    assert client_key("2001:db8:1:2:aaaa::1") == client_key("2001:db8:1:2:bbbb::7")
    assert client_key("2001:db8:1:3::1") != client_key("2001:db8:1:2::1")
    assert client_key("::ffff:203.0.113.9") == "203.0.113.9"
    assert client_key("203.0.113.9") == "203.0.113.9"
