"""`albumen-server invite` and `POST /api/pair`: a one-time address traded for an owner token."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import requests
from sqlalchemy import update

from albumen_server.database import Database
from albumen_server.logs import redact
from albumen_server.models import PairingCode, utcnow
from tests.support import ServerProcess, invite


def _code(address: str) -> str:
    return address.rsplit("/pair/", 1)[1]


def _pair(server: ServerProcess, code: str) -> requests.Response:
    return requests.post(f"{server.url}/api/pair", json={"code": code}, timeout=30)


def test_an_invite_is_traded_once_for_a_token_of_that_owner(fresh_server: ServerProcess) -> None:
    address = invite(fresh_server, "pat")
    assert address.startswith(f"{fresh_server.url}/pair/")
    page = requests.get(address, timeout=30)  # a browser that opens it: told what to do
    assert page.status_code == 200 and "Settings" in page.text
    assert page.headers["Cache-Control"] == "no-store"

    first = _pair(fresh_server, _code(address))
    assert first.status_code == 200, first.text
    assert first.json()["owner"] == "pat"
    token = first.json()["token"]
    me = requests.get(
        f"{fresh_server.url}/api/me", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    assert me.json()["name"] == "pat"

    again = _pair(fresh_server, _code(address))
    assert again.status_code == 410
    assert "ask the server's administrator for a new one" in again.json()["error"]["message"]
    assert _pair(fresh_server, "x" * 32).status_code == 410  # never existed: the same answer
    assert _pair(fresh_server, "short").status_code == 422
    # The access log's filter shows /pair/… only (tests/server/test_client_address.py runs it
    # in a server that logs).
    assert redact(f'"POST /pair/{_code(address)} HTTP/1.1"') == '"POST /pair/… HTTP/1.1"'


def test_an_invite_redeemed_at_once_from_many_clients_gives_one_token(
    fresh_server: ServerProcess,
) -> None:
    code = _code(invite(fresh_server, "pat"))
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _i: _pair(fresh_server, code).status_code, range(8)))
    assert sorted(answers) == [200] + [410] * 7


def test_an_expired_invite_is_refused(fresh_server: ServerProcess) -> None:
    code = _code(invite(fresh_server, "pat"))
    db = Database(fresh_server.database_url)
    try:
        with db.session() as session:
            session.execute(update(PairingCode).values(expires_at=utcnow() - timedelta(seconds=1)))
    finally:
        db.dispose()
    assert _pair(fresh_server, code).status_code == 410
