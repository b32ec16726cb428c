"""The application: one :class:`~policykg.service.QueryService` owns the loaded dataset.

``create_app()`` loads the built graphs and starts the query workers when the app starts, keeps the
service on ``app.state.service`` and stops it on shutdown; handlers get it through
:func:`get_service`. Routers come from the modules beside this one.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse
from starlette.middleware.cors import CORSMiddleware

from api import problems
from api.headers import SecurityHeaders
from api.settings import ServerSettings
from policykg import __version__
from policykg.atomic import recover
from policykg.remote import RemoteService
from policykg.service import QueryEngine, QueryService
from policykg.store import disk_store

__all__ = ["create_app", "get_service", "get_settings"]


async def get_service(request: Request) -> QueryEngine:
    """The app's query service (a FastAPI dependency; async, so no thread hop per request)."""
    service: QueryEngine = request.app.state.service
    return service


async def get_settings(request: Request) -> ServerSettings:
    """The app's settings (a FastAPI dependency; async, so no thread hop per request)."""
    settings: ServerSettings = request.app.state.settings
    return settings


def create_app(settings: ServerSettings | None = None) -> FastAPI:
    """The policykg API over the graphs in ``settings.graphs``."""
    settings = settings or ServerSettings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        recover(settings.graphs)  # undo a build killed while it wrote the graphs
        sources = sorted(settings.graphs.glob("*.trig"))
        service: QueryEngine
        if settings.remote is not None:  # another engine answers; the same guarantees hold
            service = RemoteService(settings.remote, settings.query_settings())
        elif settings.store is not None:  # on disk: built once, then opened at once on restart
            disk_store(settings.store, sources)
            service = QueryService.from_disk(settings.store, settings.query_settings())
        else:
            service = QueryService.from_files(sources, settings.query_settings())
        app.state.service = service
        # The start-up heap (graph, templates, libraries) never becomes garbage: freeze it, so
        # that collections stay short and cheap queries are not held up behind them.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            await service.aclose()

    app = FastAPI(
        title="policykg",
        version=__version__,
        description="A government work plan as a knowledge graph: SPARQL 1.1, named queries "
        "as REST, resources for planners, linked-data IRIs.",
        lifespan=lifespan,
        docs_url=None,  # served below from the project's own copy of Swagger UI, not a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    problems.install(app)
    from api.lean import LeanSparql  # here: it imports the routes, which import this module

    app.add_middleware(LeanSparql)  # innermost: its answers get the headers below
    app.add_middleware(SecurityHeaders)
    if settings.cors_origins:  # CORS is off unless origins are listed; never with credentials
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Accept", "Content-Type"],
            allow_credentials=False,
        )

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> FileResponse:
        """The icon browsers ask every site for."""
        return FileResponse(
            Path(__file__).parent / "static" / "favicon.png", media_type="image/png"
        )

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        """Swagger UI for the OpenAPI document, its script and style served by this server."""
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="policykg API",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/swagger/favicon.png",
        )

    @app.get("/healthz", tags=["server"])
    async def healthz(request: Request) -> dict[str, object]:
        """Liveness: the dataset is loaded and the workers answer."""
        service = await get_service(request)
        result = await service.rows("ASK { ?s ?p ?o }", timeout=2.0)
        return {
            "status": "ok" if result.boolean else "empty",
            "quads": len(service),
            "workers": service.settings.workers,
            "workers_replaced": service.replaced,
        }

    # imported here: the routers import get_service from this module
    from api import graph, linked_data, pages, queries, resources, sparql

    app.include_router(sparql.router)
    app.include_router(queries.router)
    app.include_router(resources.router)
    app.include_router(graph.router)
    app.include_router(pages.router)
    app.include_router(linked_data.router)  # last: it answers for every path under the IRI base
    return app
