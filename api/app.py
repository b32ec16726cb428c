"""The application: one :class:`~policykg.service.QueryService` owns the loaded dataset.

``create_app()`` loads the built graphs and starts the query workers when the app starts, keeps the
service on ``app.state.service`` and stops it on shutdown; handlers get it through
:func:`get_service`. Routers come from the modules beside this one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request

from api import problems
from api.settings import ServerSettings
from policykg import __version__
from policykg.service import QueryService

__all__ = ["create_app", "get_service", "get_settings"]


def get_service(request: Request) -> QueryService:
    """The app's query service (a FastAPI dependency)."""
    service: QueryService = request.app.state.service
    return service


def get_settings(request: Request) -> ServerSettings:
    """The app's settings (a FastAPI dependency)."""
    settings: ServerSettings = request.app.state.settings
    return settings


def create_app(settings: ServerSettings | None = None) -> FastAPI:
    """The policykg API over the graphs in ``settings.graphs``."""
    settings = settings or ServerSettings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        service = QueryService.from_files(
            sorted(settings.graphs.glob("*.trig")), settings.query_settings()
        )
        app.state.service = service
        try:
            yield
        finally:
            service.close()

    app = FastAPI(
        title="policykg",
        version=__version__,
        description="A government work plan as a knowledge graph: SPARQL 1.1, named queries "
        "as REST, resources for planners, linked-data IRIs.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    problems.install(app)

    @app.get("/healthz", tags=["server"])
    async def healthz(request: Request) -> dict[str, object]:
        """Liveness: the dataset is loaded and the workers answer."""
        service = get_service(request)
        result = await service.rows("ASK { ?s ?p ?o }", timeout=2.0)
        return {
            "status": "ok" if result.boolean else "empty",
            "quads": len(service),
            "workers": service.settings.workers,
            "workers_replaced": service.replaced,
        }

    # imported here: the routers import get_service from this module
    from api import linked_data, queries, resources, sparql

    app.include_router(sparql.router)
    app.include_router(queries.router)
    app.include_router(resources.router)
    app.include_router(linked_data.router)  # last: it answers for every path under the IRI base
    return app
