"""The graph view: ``/graph`` (the page), ``/api/graph`` (its data) and ``/api/graph/expand/{id}``.

Handlers are thin: they parse the request and call :mod:`policykg.viz`. The plan graph is built
once per app from the named ``view-*`` queries (and ``trace-edges``), run through the app's
:class:`~policykg.service.QueryEngine`, and kept on ``app.state``: the dataset is read-only, so
every view afterwards is built from it without a query. The page's scripts and style (vis-network,
vendored, and the view's own) are served from ``/graph/assets/``: the page loads nothing from
another host, and its Content-Security-Policy allows nothing else.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.staticfiles import StaticFiles

from api.app import get_service, get_settings
from api.resources import DOCUMENT_ID
from api.settings import ServerSettings
from policykg import viz
from policykg.errors import InputError
from policykg.queries import load_query
from policykg.service import QueryEngine
from policykg.trace import UnknownNode

__all__ = ["router"]

router = APIRouter(tags=["graph view"])
router.mount(viz.ASSET_ROUTE, StaticFiles(directory=viz.ASSETS), name="graph-assets")

EXPAND = "/api/graph/expand/"
VIEW_ROWS = 1_000_000  # the view reads the whole graph: not the row cap of users' queries
# The page loads only what this server serves; vis-network adds its own <style> element.
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
NodeType = Literal[
    "WorkLine",
    "Project",
    "Build",
    "Requirement",
    "FocusArea",
    "TaskList",
    "Measure",
    "Target",
    "Achievement",
    "Indicator",
    "Unit",
]
PROBLEMS: dict[int | str, dict[str, object]] = {
    404: {
        "description": "No node of the view has the id (problem+json).",
        "content": {"application/problem+json": {}},
    },
    422: {
        "description": "A bad parameter (problem+json).",
        "content": {"application/problem+json": {}},
    },
}

Service = Annotated[QueryEngine, Depends(get_service)]
SettingsDep = Annotated[ServerSettings, Depends(get_settings)]
Focus = Annotated[
    str | None,
    Query(description="Show this node's neighbourhood: a local id (area/2), notation or IRI."),
]
Depth = Annotated[int, Query(ge=0, le=6, description="How many steps around the focus (0–6).")]
TraceId = Annotated[
    str | None,
    Query(description="Highlight this node's paths up to the work line and its requirements."),
]
Types = Annotated[
    list[NodeType] | None, Query(alias="type", description="Only nodes of these types.")
]
Area = Annotated[str | None, Query(description="Only what belongs to this focus area (2, area/2).")]
Year = Annotated[int | None, Query(ge=1000, le=9999, description="Only quantities of this year.")]
Unit = Annotated[
    str | None, Query(description="Only what this unit has a role in (bureau, unit/bureau).")
]
Document = Annotated[
    str | None,
    Query(
        pattern=rf"^({DOCUMENT_ID})?$",  # empty: what a form sends for an unused box
        description="Only what this report states (its document id, szamr-2024), with the units.",
    ),
]
Budget = Annotated[
    int,
    Query(
        ge=1,
        le=viz.BUDGET,
        description="Past this many nodes the view holds the framework only (at most 1500).",
    ),
]


async def plan_of(request: Request, service: QueryEngine) -> viz.PlanGraph:
    """The app's plan graph, built on first use from the named view queries."""
    plan: viz.PlanGraph | None = getattr(request.app.state, "plan_graph", None)
    if plan is None:
        results = await asyncio.gather(
            *(service.rows(load_query(name).text, max_rows=VIEW_ROWS) for name in viz.VIEW_QUERIES)
        )
        plan = viz.plan_graph(
            {name: result.rows for name, result in zip(viz.VIEW_QUERIES, results, strict=True)}
        )
        request.app.state.plan_graph = plan
    return plan


def build_view(
    plan: viz.PlanGraph,
    focus: str | None,
    depth: int,
    trace: str | None,
    types: list[NodeType] | None,
    area: str | None,
    year: int | None,
    unit: str | None,
    budget: int,
    document: str | None = None,
) -> viz.ViewData:
    """The view, with the library's errors as problems: 404 for an unknown id, 422 else. An
    empty field (what an HTML form sends for an unused box) counts as absent."""
    focus, trace, area, unit, document = (v or None for v in (focus, trace, area, unit, document))
    try:
        return viz.view(
            plan,
            focus=focus,
            depth=depth,
            trace=trace,
            types=types,
            area=area,
            year=year,
            unit=unit,
            budget=budget,
            document=document,
        )
    except UnknownNode as error:
        raise HTTPException(404, str(error)) from None
    except InputError as error:  # a focus with a trace
        where = ("query", "trace" if trace is not None else "focus")
        raise RequestValidationError(
            [{"type": "value_error", "loc": where, "msg": str(error), "input": None}]
        ) from None


@router.get("/graph", response_class=HTMLResponse, responses=PROBLEMS, summary="The graph view")
async def graph_page(
    request: Request,
    service: Service,
    settings: SettingsDep,
    focus: Focus = None,
    depth: Depth = 1,
    trace: TraceId = None,
    types: Types = None,
    area: Area = None,
    year: Year = None,
    unit: Unit = None,
    document: Document = None,
    budget: Budget = viz.BUDGET,
) -> HTMLResponse:
    """The plan as an interactive network (vis-network, served by this server): legend, zh/en
    labels, hierarchical or free layout, filters, search; a click shows a node (a double click
    opens its page); ``focus`` and ``depth`` show a neighbourhood, ``trace`` a highlighted path."""
    plan = await plan_of(request, service)
    data = build_view(plan, focus, depth, trace, types, area, year, unit, budget, document)
    pages = {"base": settings.iri_base, "prefix": "/", "planner": "yes"}
    html = viz.to_html(data, inline=False, expand_url=EXPAND, pages=pages)
    return HTMLResponse(html, headers={"Content-Security-Policy": PAGE_POLICY})


@router.get("/api/graph", responses=PROBLEMS, summary="The graph view's data")
async def graph_data(
    request: Request,
    service: Service,
    focus: Focus = None,
    depth: Depth = 1,
    trace: TraceId = None,
    types: Types = None,
    area: Area = None,
    year: Year = None,
    unit: Unit = None,
    document: Document = None,
    budget: Budget = viz.BUDGET,
) -> JSONResponse:
    """What /graph draws, as JSON: vis-network ``nodes`` and ``edges`` (each node with its
    type, zh and en labels, plain-text tooltip, size by the targets beneath, and the areas,
    units and years the filters read), counts by type, the legend, the highlighted trace, the
    filters applied and their choices. Past the node budget the view holds the framework only
    (``collapsed``): expand a node with /api/graph/expand/{id}."""
    plan = await plan_of(request, service)
    view = build_view(plan, focus, depth, trace, types, area, year, unit, budget, document)
    return JSONResponse(view)


@router.get(
    "/api/graph/expand/{id:path}", responses=PROBLEMS, summary="A node's neighbours in the view"
)
async def graph_expand(
    request: Request,
    service: Service,
    id: Annotated[str, Path(description="The node: a local id (area/2), notation or IRI.")],
) -> JSONResponse:
    """A node and its neighbours (up to the node budget; ``more`` says how many were left out),
    with the edges between them, as vis-network records: what a collapsed view adds on click."""
    plan = await plan_of(request, service)
    try:
        return JSONResponse(viz.expand(plan, id))
    except UnknownNode as error:
        raise HTTPException(404, str(error)) from None
