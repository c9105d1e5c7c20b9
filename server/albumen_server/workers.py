"""Several server processes on one port: `albumen-server --workers N`.

One process's Python holds one core at most (its requests share one GIL): measured on two
cores, a share of 300 small photos kept the server's process busy for 7.75 s of its 8.8 s
(`bench/client_upload.py --size-mb 0.2 --photos 300`), and the client waited on it. Nothing a
request needs lives in a process (docs/SELF-HOSTING.md, "Several processes"), so processes can
take requests side by side; until now that meant one port per process and a proxy's upstream
list. Here uvicorn's supervisor opens the port once and hands it to N worker processes it
starts, watches and replaces when one dies; the kernel spreads the connections among them.

Workers are started afresh (uvicorn spawns them), so each builds its app from the parent's
settings, which travel in the environment (`CONFIG_VARIABLE`): uvicorn starts a worker from an
import string, not from an object. The parent builds the context once before (so a bad setting
fails the command at once, and the migrations have run before any worker starts).
"""

from __future__ import annotations

import json
import os
from dataclasses import fields
from pathlib import Path
from typing import Any, Final, get_args, get_type_hints

from fastapi import FastAPI

from albumen_server.config import ServerConfig

CONFIG_VARIABLE: Final = "ALBUMEN_SERVER_CONFIG"
"""The environment variable a worker process reads its ServerConfig from (JSON)."""

APP_FACTORY: Final = "albumen_server.workers:app_from_environment"
"""What uvicorn imports in each worker (with `factory=True`)."""


def config_to_environment(config: ServerConfig) -> str:
    """The settings as JSON, every field kept (paths as text)."""
    values: dict[str, Any] = {}
    for field in fields(config):
        value = getattr(config, field.name)
        values[field.name] = str(value) if isinstance(value, Path) else value
    return json.dumps(values)


def config_from_environment() -> ServerConfig:
    """The settings the parent process put in the environment."""
    text = os.environ.get(CONFIG_VARIABLE)
    if not text:
        raise RuntimeError(f"{CONFIG_VARIABLE} is not set: start workers with --workers")
    values = json.loads(text)
    # The annotations resolved to types (they are text under `from __future__ import
    # annotations`): every field that holds a Path, or Path | None, gets one back.
    for name, kind in get_type_hints(ServerConfig).items():
        if (kind is Path or Path in get_args(kind)) and values.get(name) is not None:
            values[name] = Path(values[name])
    return ServerConfig(**values)


def app_from_environment() -> FastAPI:
    """A worker's app, as `create_app` makes the single process's one."""
    from albumen_server.app import create_app

    return create_app(config_from_environment())
