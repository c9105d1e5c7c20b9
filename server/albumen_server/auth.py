"""Bearer-token authentication of the owner API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import select

from albumen_server.context import ServerContext
from albumen_server.errors import ApiError
from albumen_server.models import ApiToken, Owner
from albumen_server.security import hash_api_token


@dataclass(frozen=True)
class CurrentOwner:
    id: int
    name: str
    quota_bytes: int | None = None  # read with the token, so the quota costs no query of its own


def get_context(request: Request) -> ServerContext:
    """The process's services, which the app factory put in the app's state."""
    context: ServerContext = request.app.state.context
    return context


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, "unauthorized", message, {"WWW-Authenticate": "Bearer"})


def current_owner(
    request: Request, context: Annotated[ServerContext, Depends(get_context)]
) -> CurrentOwner:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized("send the owner token as 'Authorization: Bearer <token>'")
    with context.db.session() as session:
        row = session.execute(
            select(Owner.id, Owner.name, Owner.quota_bytes)
            .join(ApiToken, ApiToken.owner_id == Owner.id)
            .where(ApiToken.token_hash == hash_api_token(token.strip()))
        ).first()
    if row is None:
        raise _unauthorized("the owner token is not known to this server")
    return CurrentOwner(id=row.id, name=row.name, quota_bytes=row.quota_bytes)


Owned = Annotated[CurrentOwner, Depends(current_owner)]
Context = Annotated[ServerContext, Depends(get_context)]
