"""The services one server process shares between its routes, built once by the app factory.

Free of the web framework (routes reach the context through `albumen_server.auth.Context`): the
administrator's commands build one too, and should not import FastAPI to do so."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.exc import IntegrityError

from albumen_server.blobs import BlobStore
from albumen_server.config import ServerConfig
from albumen_server.database import Database
from albumen_server.locks import DeploymentLock
from albumen_server.models import ServerSecret
from albumen_server.upload_parts import UploadParts


class AddressedRequest(Protocol):
    """What `public_base` reads of a request (a Starlette Request has it), named here so the
    context needs no import of the web framework."""

    @property
    def base_url(self) -> object: ...


@dataclass
class ServerContext:
    config: ServerConfig
    db: Database
    blobs: BlobStore
    parts: UploadParts  # where uploads in progress keep their bytes
    cookie_key: bytes
    # Serialises "is this blob still used?" (then delete it) against "a photo now uses this
    # blob", across every process of the deployment.
    blob_lock: DeploymentLock = field(init=False)

    def __post_init__(self) -> None:
        self.blob_lock = DeploymentLock(self.db.engine, "blobs")

    def public_base(self, request: AddressedRequest) -> str:
        if self.config.public_url:
            return self.config.public_url.rstrip("/")
        return str(request.base_url).rstrip("/")


def load_or_create_secret(db: Database, name: str) -> bytes:
    """One secret per deployment, made by whichever process starts first."""
    for _attempt in range(2):
        with db.session() as session:
            row = session.get(ServerSecret, name)
            if row is not None:
                return bytes.fromhex(row.value)
        try:
            with db.session() as session:
                session.add(ServerSecret(name=name, value=secrets.token_hex(32)))
        except IntegrityError:
            continue  # another process won the race; read its value
    raise RuntimeError(f"could not create the server secret {name!r}")
