"""Limits on what a viewer may do through a link in a while, counted in the database.

A limit counts events per link and client over a sliding window; the count and the new event
are written in one transaction, serialised per link and client (an advisory lock on PostgreSQL,
SQLite's single writer), so requests sent in parallel count as they arrive, and every server
process of a deployment sees the same count. Used for password guesses (`unlock_limits`, which
counts failures only) and for picks (`picks`: sends, and photos marked without JavaScript).

A client is its address, or its /64 for IPv6 (one home or phone gets a whole /64).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, select, text
from sqlalchemy.orm import Session

from albumen_server.context import ServerContext
from albumen_server.locks import advisory_key
from albumen_server.models import RateEvent, UnlockFailure, utcnow


@dataclass(frozen=True)
class Limit:
    """At most `allowed` events within `window_seconds`."""

    allowed: int
    window_seconds: int


@dataclass(frozen=True)
class Attempt:
    """An event counted before the work it allows; `wait` (seconds) is set when none is allowed
    now, for `Retry-After`."""

    allowed: bool
    wait: int = 0


def client_key(host: str | None) -> str:
    """Who is acting: the IPv4 address, or the /64 network of an IPv6 address."""
    if not host:
        return "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host[:100]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False))
    return str(address)


def count_event(
    session: Session,
    table: type[UnlockFailure] | type[RateEvent],
    same: Sequence[ColumnElement[bool]],
    lock_name: str,
    limit: Limit,
    event: UnlockFailure | RateEvent,
    now: datetime,
) -> Attempt:
    """Within the caller's transaction: forget `table`'s events (of this kind) older than the
    window, then add `event` unless those matching `same` already reach `limit.allowed`."""
    if session.get_bind().dialect.name == "postgresql":
        key = advisory_key(lock_name)  # held until this transaction ends
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
    since = now - timedelta(seconds=limit.window_seconds)
    # The first statement writes, so on SQLite this transaction holds the write lock.
    old = [table.at < since]
    if isinstance(event, RateEvent):  # kinds have windows of their own
        old.append(RateEvent.kind == event.kind)
    session.execute(delete(table).where(*old))
    count, first = session.execute(select(func.count(), func.min(table.at)).where(*same)).one()
    if count >= limit.allowed:
        window_end = (first or now) + timedelta(seconds=limit.window_seconds)
        return Attempt(False, max(1, int((window_end - now).total_seconds()) + 1))
    session.add(event)
    return Attempt(True)


def take_turn(
    context: ServerContext, kind: str, link_id: str, client: str, limit: Limit
) -> Attempt:
    """Count one event of `kind` by `client` on `link_id`, unless the limit is reached."""
    now = utcnow()
    with context.db.session() as session:
        return count_event(
            session,
            RateEvent,
            (RateEvent.kind == kind, RateEvent.link_id == link_id, RateEvent.client == client),
            f"rate:{kind}:{link_id}|{client}",
            limit,
            RateEvent(kind=kind, link_id=link_id, client=client, at=now),
            now,
        )
