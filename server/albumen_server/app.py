"""The app factory: builds one server process's services and routes from a ServerConfig."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from albumen_server import (
    __version__,
    api,
    arrivals,
    geonames,
    identity,
    pairing,
    picks,
    picks_form,
    tus,
    viewer,
    viewer_access,
    viewer_assets,
    viewer_downloads,
)
from albumen_server.config import ServerConfig
from albumen_server.deployment import build_context
from albumen_server.error_answers import install_error_handlers
from albumen_server.guards import Guards
from albumen_server.prerender import Prerenderer
from albumen_server.watermark_sweep import WatermarkSweeper

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"


def create_app(config: ServerConfig) -> FastAPI:
    context = build_context(config)
    # Every photo this process makes gets its thumbnail and preview rendered in the background.
    prerender = Prerenderer(context)
    prerender.watch()
    sweeper = WatermarkSweeper(context)  # pictures of a link's former watermark leave the cache
    sweeper.watch()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        viewer_access.load_templates()
        # What exists by now (modules, tables, templates: some 125,000 objects) lives as long as
        # the process. Out of the cyclic collector's sight, a full collection no longer walks it:
        # a pause of 100-250 ms that every request under way waited through (measured on a
        # first gallery view), now under a few ms.
        gc.freeze()
        geonames.load_in_background()
        prerender.start()
        sweeper.start()
        yield
        sweeper.stop()
        prerender.stop()
        context.db.dispose()

    app = FastAPI(
        title="Albumen sharing server",
        version=__version__,
        openapi_url="/api/openapi.json",
        # Swagger UI loads its scripts from a CDN: no page of this server may; the OpenAPI
        # document itself is served, for any tool to read.
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        # FastAPI traces every request once the process has an OpenTelemetry tracer provider,
        # as an admin's auto-instrumentation (`opentelemetry-instrument`, an operator's
        # injection) gives it: each span names the request's path, and a link's path is its
        # token (/s/<token>), which the access log never shows (albumen_server.logs). So no
        # spans and none of its log records (exception texts); its request metrics, which
        # name a route by its template, stay the admin's to turn on with a meter provider.
        telemetry={"tracing": False, "logs": False},
    )
    app.state.context = context
    app.state.uploads = tus.UploadState()
    app.state.identity_key = identity.load_identity_key(config.data_dir)
    install_error_handlers(app)
    app.include_router(api.router)
    app.include_router(arrivals.router)
    app.include_router(identity.router)
    app.include_router(pairing.router)
    app.include_router(tus.router)
    app.include_router(viewer.router)
    app.include_router(picks.router)
    app.include_router(picks_form.router)
    app.include_router(viewer_access.router)
    app.include_router(viewer_downloads.router)
    app.include_router(viewer_assets.router)  # before the /static mount, which it refines
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(Guards, public_url=config.public_url)
    return app
