"""HTML pages for planners: the landing page, the framework, and a page for each resource.

Each page is the HTML twin of a JSON resource (``/areas/2`` of ``/api/areas/2``): its handler calls
the same handler the JSON route runs (:mod:`api.resources`), so both show the same models, and
renders them through autoescaped templates (``templates/pages/``) that link the JSON twin and the
node's Turtle (``/id/….ttl``). Graph text is never joined into markup here: a quantity in its
sentence is split into plain and marked :class:`Piece` s, and the template escapes each.

An unknown id is a 404: an HTML page when the client prefers ``text/html`` (a browser), else the
API's problem+json (see :class:`PageRoute`). The pages hold no script and load nothing from
another host; their Content-Security-Policy says so.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, NamedTuple

import jinja2
import pyoxigraph as ox
from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from starlette.routing import NoMatchFound

from api.app import get_service, get_settings
from api.negotiate import choose
from api.problems import PROBLEM
from api.resources import (
    DocumentFilter,
    Framework,
    IndicatorDetail,
    MeasureDetail,
    Target,
    get_area,
    get_framework,
    get_gaps,
    get_indicator,
    get_measure,
    get_unit,
    list_areas,
    list_indicators,
    list_measures,
    list_targets,
    list_units,
    not_found,
    resolve,
    results_by_target,
    search,
    select,
    trace_measure,
    trace_nodes,
)
from api.settings import ServerSettings
from policykg.export import qualified_id
from policykg.service import QueryEngine
from policykg.trace import Trace

__all__ = [
    "Bar",
    "Chart",
    "Crumb",
    "PageRoute",
    "Piece",
    "chart",
    "marked",
    "page_of",
    "router",
    "sentence",
    "trails",
]

HERE = Path(__file__).parent
HTML = "text/html"
# No script at all, style and images from this server only, forms post back here.
PAGE_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
PAGES = {"area": "/areas/", "measure": "/measures/", "target": "/targets/"}
PAGES |= {"indicator": "/indicators/", "unit": "/units/"}
FRAMEWORK_KINDS = {"workline", "project", "aim", "build", "requirement", "tasklist"}
SENTENCE_END = re.compile(r"[。；;！!？?]")

Service = Annotated[QueryEngine, Depends(get_service)]
Settings = Annotated[ServerSettings, Depends(get_settings)]
Limit = Annotated[int, Query(ge=1, le=500, description="How many items to show.")]
Offset = Annotated[int, Query(ge=0, description="How many items to skip.")]


# -- pieces of text, links, trails ------------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    """A stretch of text to show as it is, or marked (a quantity, a search match)."""

    text: str
    mark: bool = False


def marked(text: str, spans: Iterable[tuple[int, int]]) -> list[Piece]:
    """``text`` cut into plain and marked pieces at the spans ``[start, end)`` (offsets into
    ``text``); a span out of range or overlapping an earlier one is left unmarked.

    >>> [(p.text, p.mark) for p in marked("新增“个转企”不少于2500户。", [(7, 15)])]
    [('新增“个转企”', False), ('不少于2500户', True), ('。', False)]
    >>> [p.text for p in marked("abc", [(2, 9), (0, 1)])]
    ['a', 'bc']
    """
    pieces: list[Piece] = []
    at = 0
    for start, end in sorted(spans):
        if start < at or start >= end or end > len(text):
            continue
        if start > at:
            pieces.append(Piece(text[at:start]))
        pieces.append(Piece(text[start:end], mark=True))
        at = end
    if at < len(text) or not pieces:
        pieces.append(Piece(text[at:]))
    return pieces


def sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """The bounds of the sentence of ``text`` that holds ``[start, end)``: from after the
    previous 。；！？ (or the start) to its own end mark (or the end of the text).

    >>> text = "一是持续提升商事登记便利度。新增“个转企”不少于2500户。全力推动。"
    >>> at = text.index("不少于2500户")
    >>> begin, stop = sentence(text, at, at + 8)
    >>> text[begin:stop]
    '新增“个转企”不少于2500户。'
    """
    begin = max((m.end() for m in SENTENCE_END.finditer(text, 0, start)), default=0)
    after = SENTENCE_END.search(text, end)
    return begin, after.end() if after else len(text)


def occurrences(text: str, needle: str) -> list[tuple[int, int]]:
    """Where ``needle`` occurs in ``text``, ignoring case.

    >>> occurrences("A个转企a", "a")
    [(0, 1), (4, 5)]
    """
    if not needle:
        return []
    found, haystack, lowered = [], text.lower(), needle.lower()
    at = haystack.find(lowered)
    while at >= 0:
        found.append((at, at + len(lowered)))
        at = haystack.find(lowered, at + len(lowered))
    return found


def page_of(local: str) -> str | None:
    """The page of a node given its local id, if it has one (framework nodes are anchors on
    the framework page); None for the others (link them to their IRI's page).

    >>> page_of("measure/2-2-1"), page_of("unit/bureau"), page_of("build/3"), page_of("workline")
    ('/measures/2-2-1', '/units/bureau', '/framework#build/3', '/framework#workline')
    >>> page_of("framework"), page_of("headline/1-3-1") is None
    ('/framework', True)
    """
    kind, _, rest = local.partition("/")
    if kind in PAGES and rest:
        return PAGES[kind] + rest
    if kind in FRAMEWORK_KINDS:
        return "/framework#" + local
    if local == "framework":
        return "/framework"
    return None


def linked(node_iri: str, base: str) -> str | None:
    """The path at which this server dereferences an IRI under ``{base}id/``, or None.

    >>> linked("https://w3id.org/policykg/id/unit/bureau", "https://w3id.org/policykg/")
    '/id/unit/bureau'
    >>> linked("http://example.org/x", "https://w3id.org/policykg/") is None
    True
    """
    prefix = f"{base}id/"
    return "/id/" + node_iri[len(prefix) :] if node_iri.startswith(prefix) else None


@dataclass(frozen=True)
class Crumb:
    """A step of a breadcrumb trail: the node's id, type, label and page."""

    id: str
    type: str
    label: str
    href: str | None


def trails(trace: Trace, base: str) -> list[list[Crumb]]:
    """The trace's paths as breadcrumb trails, each from the top (the work line) down to the
    node; one trail per path (a focus area may serve several builds)."""

    def crumb(step: Any) -> Crumb:
        label = step.label_zh or step.label_en or step.id
        return Crumb(step.id, step.type, label, page_of(step.id) or linked(step.iri, base))

    return [[crumb(step) for step in reversed(path)] for path in trace.paths]


# -- the indicator chart ----------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    """One value on the chart: where its bar stands, and what its labels say."""

    x: float
    y: float
    width: float
    height: float
    top: float  # y of the upper value of a range (== y when there is none)
    kind: str  # achievement, target or baseline
    year: int
    label: str  # the value as the text states it
    href: str | None
    note: str  # the tooltip


@dataclass(frozen=True)
class Chart:
    """A bar chart of an indicator's values by year, in SVG user units."""

    width: int
    height: int
    axis: float  # y of the zero line
    bars: tuple[Bar, ...]
    units: tuple[str, ...]
    rank: bool  # the values are ranks: lower is better


WIDTH, HEIGHT, TOP, BOTTOM, SIDE, SLOT = 640, 260, 34, 46, 24, 120
KINDS = ("achievement", "baseline", "target")  # the order of one year's bars


class Point(NamedTuple):
    """A value to chart, before it is laid out."""

    year: int
    kind: str
    id: str
    iri: str
    surface: str
    value: float
    high: float | None
    note: str
    unit: str | None = None


def chart(indicator: IndicatorDetail, base: str) -> Chart | None:
    """The chart of an indicator: its achievements, its targets and the baselines they are set
    against (from the comparisons), one bar each, by year; None when there is nothing to draw.

    >>> from api.resources import Achievement, Ref
    >>> ref = Ref(id="indicator/1", iri="urn:i")
    >>> done = Achievement(id="achievement/1", iri="urn:a", label=None, indicator=ref,
    ...     value=3582, value_high=None, unit="户", comparator="=", year=2023, change=None,
    ...     surface="3582户", span=None, headline=None)
    >>> one = chart(IndicatorDetail(id="indicator/1", iri="urn:i", label_zh="x", label_en=None,
    ...     achievements=[done], targets=[], comparisons=[]), "https://w3id.org/policykg/")
    >>> [(bar.label, bar.year, bar.kind, bar.height) for bar in one.bars]
    [('3582户', 2023, 'achievement', 180.0)]
    """
    points: list[Point] = []
    for a in indicator.achievements:
        note = f"{a.year} result: {a.surface} ({a.comparator} {a.value:g} {a.unit or ''})"
        points.append(
            Point(
                a.year, "achievement", a.id, a.iri, a.surface, a.value, a.value_high, note, a.unit
            )
        )
    seen = {point.id for point in points}
    for c in indicator.comparisons:
        b = c.baseline
        if b.id not in seen:
            seen.add(b.id)
            note = f"{b.year} baseline of {c.target.id}: {b.surface} ({b.comparability} basis)"
            points.append(Point(b.year, "baseline", b.id, b.iri, b.surface, b.value, None, note))
    for t in indicator.targets:
        note = f"{t.year} target: {t.surface} ({t.comparator} {t.value:g} {t.unit or ''}"
        note += f", {t.commitment})" if t.commitment else ")"
        points.append(
            Point(t.year, "target", t.id, t.iri, t.surface, t.value, t.value_high, note, t.unit)
        )
    if not points:
        return None
    points.sort(key=lambda p: (p.year, KINDS.index(p.kind)))
    scale = max(max(p.value, p.high or 0) for p in points) or 1
    plot = HEIGHT - TOP - BOTTOM
    slot = min(SLOT, (WIDTH - 2 * SIDE) / len(points))
    left = (WIDTH - slot * len(points)) / 2  # the bars centred
    axis = HEIGHT - BOTTOM
    bars = []
    for n, p in enumerate(points):
        height = round(max(p.value, 0) / scale * plot, 1)
        bars.append(
            Bar(
                x=round(left + n * slot + slot * 0.2, 1),
                y=round(axis - height, 1),
                width=round(slot * 0.6, 1),
                height=max(height, 1.0),
                top=round(axis - max(p.high or p.value, 0) / scale * plot, 1),
                kind=p.kind,
                year=p.year,
                label=p.surface,
                href=page_of(p.id) or linked(p.iri, base),
                note=p.note,
            )
        )
    units = tuple(sorted({p.unit for p in points if p.unit}))
    rank = "名" in units or any(t.comparator == "rank" for t in indicator.targets)
    return Chart(WIDTH, HEIGHT, axis, tuple(bars), units, rank)


# -- rendering and errors ---------------------------------------------------------------------


@jinja2.pass_context
def _turtle(context: Mapping[str, Any], node_iri: str) -> str | None:
    path = linked(node_iri, context["iri_base"])
    return f"{path}.ttl" if path else None


@jinja2.pass_context
def _href(context: Mapping[str, Any], local: str, node_iri: str | None = None) -> str | None:
    return page_of(local) or (linked(node_iri, context["iri_base"]) if node_iri else None)


def _number(value: float | int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.6g}"


def _counted(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


templates = Jinja2Templates(
    env=jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
)
templates.env.globals.update(turtle=_turtle, href=_href)
templates.env.filters["number"] = _number
templates.env.filters["counted"] = _counted


def render(
    request: Request, name: str, context: Mapping[str, Any], status_code: int = 200
) -> HTMLResponse:
    """A page from its template; every page has the server's IRI base for its links."""
    settings: ServerSettings = request.app.state.settings
    return templates.TemplateResponse(
        request,
        f"pages/{name}",
        {"iri_base": settings.iri_base, "path": request.url.path, **context},
        status_code=status_code,
        headers={"Content-Security-Policy": PAGE_POLICY, "Vary": "Accept"},
    )


def wants_html(request: Request) -> bool:
    """Whether the client prefers an HTML page to problem+json (a browser does; curl and
    API clients, sending ``*/*`` or nothing, do not)."""
    return choose(request.headers.get("accept"), [PROBLEM, HTML]) == HTML


class PageRoute(APIRoute):
    """A page's route: an HTTP error or invalid parameters answer an HTML page to browsers and
    problem+json (the app's handlers) to everyone else."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except (HTTPException, RequestValidationError) as error:
                if not wants_html(request):
                    raise
                if isinstance(error, HTTPException):
                    status, detail = error.status_code, str(error.detail)
                else:
                    status = 422
                    detail = "invalid or missing: " + ", ".join(
                        ".".join(str(p) for p in e["loc"][1:]) for e in error.errors()
                    )
                titles = {404: "Not found", 422: "Invalid parameters"}
                context = {"status": status, "title": titles.get(status, "Error"), "detail": detail}
                return render(request, "error.html", context, status_code=status)

        return route


router = APIRouter(route_class=PageRoute, include_in_schema=False)


def pager(request: Request, total: int, limit: int, offset: int) -> dict[str, str | None]:
    """Links to the previous and next pages of a list (paths with their query, on this host)."""

    def at(where: int) -> str:
        url = request.url.include_query_params(limit=limit, offset=where)
        return f"{url.path}?{url.query}"

    return {
        "prev": at(max(0, offset - limit)) if offset > 0 else None,
        "next": at(offset + limit) if offset + limit < total else None,
    }


def framework_nodes(framework: Framework) -> dict[str, Any]:
    """Every node of the framework by id (an area once, though it sits under several builds)."""
    line = framework.work_line
    nodes: dict[str, Any] = {line.id: line}
    for project in line.projects:
        nodes[project.id] = project
        nodes.update((aim.id, aim) for aim in project.aims)
        for build in project.builds:
            nodes[build.id] = build
            nodes.update((area.id, area) for area in build.areas)
    nodes.update((r.id, r) for r in line.requirements)
    nodes.update((t.id, t) for t in line.task_lists)
    return nodes


def areas_of(framework: Framework) -> list[Any]:
    """The framework's focus areas, each once, in order."""
    nodes = framework_nodes(framework).values()
    return sorted(
        (n for n in nodes if n.type == "FocusArea"), key=lambda a: int(a.id.split("/")[1])
    )


def quantity_pieces(measure: MeasureDetail) -> list[Piece]:
    """The measure's full text with each of its targets' quantities marked (their spans are
    offsets into the source; the measure's text starts at its own span)."""
    text = measure.text or ""
    if measure.span is None:
        return [Piece(text)]
    start = measure.span.start
    return marked(
        text,
        [
            (t.span.start - start, t.span.end - start)
            for t in measure.targets
            if t.span and text[t.span.start - start : t.span.end - start] == t.surface
        ],
    )


def target_sentence(measure: MeasureDetail, target: Target) -> list[Piece]:
    """The sentence of the measure that states the target, its quantity marked."""
    text = measure.text or ""
    if measure.span is None or target.span is None:
        return [Piece(target.surface, mark=True)]
    start, end = target.span.start - measure.span.start, target.span.end - measure.span.start
    if text[start:end] != target.surface:
        return [Piece(target.surface, mark=True)]
    begin, stop = sentence(text, start, end)
    return marked(text[begin:stop], [(start - begin, end - begin)])


def twin_of_target(request: Request, target: Target) -> str:
    """The JSON twin of a target: ``/api/targets/{id}`` where the API has that route, else the
    JSON of the measure that states it (which holds the target)."""
    try:
        return str(request.app.url_path_for("get_target", id=target.id.removeprefix("target/")))
    except NoMatchFound:
        return "/api/measures/" + target.measure.id.removeprefix("measure/")


# -- routes -----------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, service: Service) -> HTMLResponse:
    """The landing page: the 1146810 framework at a glance, search, and the ways in."""
    framework = await get_framework(service)
    return render(request, "index.html", {"framework": framework, "areas": areas_of(framework)})


@router.get("/framework", response_class=HTMLResponse)
async def framework_page(request: Request, service: Service) -> HTMLResponse:
    """The framework as a tree: work line, project and aims, builds, areas, measures;
    requirements with the areas that serve them; the task lists."""
    framework = await get_framework(service)
    context = {
        "framework": framework,
        "nodes": framework_nodes(framework),
        "areas": areas_of(framework),
    }
    return render(request, "framework.html", context)


@router.get("/areas", response_class=HTMLResponse)
async def areas_page(
    request: Request, service: Service, limit: Limit = 100, offset: Offset = 0
) -> HTMLResponse:
    """The focus areas, with their counts."""
    page = await list_areas(request, Response(), service, limit, offset)
    context = {"page": page, "pager": pager(request, page.total, limit, offset)}
    return render(request, "areas.html", context)


@router.get("/areas/{id:path}", response_class=HTMLResponse)
async def area_page(
    request: Request, service: Service, settings: Settings, id: str
) -> HTMLResponse:
    """A focus area: its builds and requirements with their evidence, measures and targets."""
    area = await get_area(service, id)
    (trace,) = await trace_nodes(service, [area.iri])
    context = {"area": area, "trails": trails(trace, settings.iri_base)}
    return render(request, "area.html", context)


@router.get("/measures", response_class=HTMLResponse)
async def measures_page(
    request: Request,
    service: Service,
    document: DocumentFilter = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> HTMLResponse:
    """The measures in the order of the text (of one report, with ``document``)."""
    page = await list_measures(request, Response(), service, document, limit, offset)
    context = {"page": page, "pager": pager(request, page.total, limit, offset)}
    return render(request, "measures.html", context)


@router.get("/measures/{id:path}", response_class=HTMLResponse)
async def measure_page(
    request: Request, service: Service, settings: Settings, id: str
) -> HTMLResponse:
    """A measure: its text with the quantities marked, targets, units and policy actions."""
    measure, trace = await asyncio.gather(get_measure(service, id), trace_measure(service, id))
    context = {
        "measure": measure,
        "trace": trace,
        "trails": trails(trace, settings.iri_base),
        "pieces": quantity_pieces(measure),
    }
    return render(request, "measure.html", context)


@router.get("/targets", response_class=HTMLResponse)
async def targets_page(
    request: Request,
    service: Service,
    document: DocumentFilter = None,
    year: Annotated[int | None, Query(ge=1000, le=9999, description="The target's year.")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> HTMLResponse:
    """The targets of the plan with their baselines and results (of one report, one year)."""
    page = await list_targets(
        request, Response(), service, year=year, document=document, limit=limit, offset=offset
    )
    context = {"page": page, "pager": pager(request, page.total, limit, offset)}
    return render(request, "targets.html", context)


@router.get("/targets/{id:path}", response_class=HTMLResponse)
async def target_page(
    request: Request, service: Service, settings: Settings, id: str
) -> HTMLResponse:
    """A target: value, unit, comparator, commitment, indicator, baselines, and the sentence
    of its measure that states it. The target is its measure's (``/api/measures/{id}``)."""
    start = await resolve(service, "target", id)
    (trace,) = await trace_nodes(service, [start])
    measures = [step for step in trace.paths[0] if step.type == "Measure"] if trace.paths else []
    if trace.start.type != "Target" or not measures:
        raise not_found("target", id)
    measure = await get_measure(service, qualified_id(measures[0].iri))
    target = next((t for t in measure.targets if t.iri == start), None)
    if target is None:
        raise not_found("target", id)
    results = results_by_target(await select(service, "result", target=ox.NamedNode(start)))
    target = target.model_copy(update={"results": results.get(start, [])})
    context = {
        "target": target,
        "measure": measure,
        "trails": trails(trace, settings.iri_base),
        "pieces": target_sentence(measure, target),
        "twin": twin_of_target(request, target),
    }
    return render(request, "target.html", context)


@router.get("/indicators", response_class=HTMLResponse)
async def indicators_page(
    request: Request, service: Service, limit: Limit = 200, offset: Offset = 0
) -> HTMLResponse:
    """The indicators, with how many targets and achievements measure each."""
    page = await list_indicators(request, Response(), service, limit, offset)
    context = {"page": page, "pager": pager(request, page.total, limit, offset)}
    return render(request, "indicators.html", context)


@router.get("/indicators/{id:path}", response_class=HTMLResponse)
async def indicator_page(
    request: Request, service: Service, settings: Settings, id: str
) -> HTMLResponse:
    """An indicator: its achievements and targets, each target against its baselines, and a
    chart of the values by year. Its trails run through the measures of its targets."""
    indicator = await get_indicator(service, id)
    starts = list(dict.fromkeys(t.iri for t in indicator.targets))
    if not starts:  # a result of the summary: trail up the document from its headline
        starts = list(dict.fromkeys(a.headline.iri for a in indicator.achievements if a.headline))
    here = Crumb(indicator.id, "Indicator", indicator.label_zh or indicator.id, None)
    found: dict[tuple[str, ...], list[Crumb]] = {}
    for trace in await trace_nodes(service, starts):
        for trail in trails(trace, settings.iri_base):
            up = [crumb for crumb in trail if crumb.type != "Target"]  # one trail per measure
            found.setdefault(tuple(crumb.id for crumb in up), [*up, here])
    context = {
        "indicator": indicator,
        "trails": list(found.values()),
        "chart": chart(indicator, settings.iri_base),
    }
    return render(request, "indicator.html", context)


@router.get("/units", response_class=HTMLResponse)
async def units_page(
    request: Request, service: Service, limit: Limit = 200, offset: Offset = 0
) -> HTMLResponse:
    """The organisations and units the plan names."""
    page = await list_units(request, Response(), service, limit, offset)
    context = {"page": page, "pager": pager(request, page.total, limit, offset)}
    return render(request, "units.html", context)


@router.get("/units/{id:path}", response_class=HTMLResponse)
async def unit_page(request: Request, service: Service, id: str) -> HTMLResponse:
    """A unit: what it belongs to, where the text names it, and its measures by role."""
    return render(request, "unit.html", {"unit": await get_unit(service, id)})


@router.get("/search", response_class=HTMLResponse)
async def search_page(
    request: Request,
    service: Service,
    q: Annotated[str, Query(max_length=200, description="The text to look for.")] = "",
    document: DocumentFilter = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> HTMLResponse:
    """Text search over measures, targets, units, policy instruments and the framework (of one
    report, with ``document``); a blank query shows the form alone."""
    q = q.strip()
    page = await search(request, Response(), service, q, document, limit, offset) if q else None
    context = {
        "q": q,
        "page": page,
        "snippets": {
            hit.iri: marked(hit.snippet, occurrences(hit.snippet, q)) for hit in page.items
        }
        if page
        else {},
        "pager": pager(request, page.total, limit, offset) if page else None,
    }
    return render(request, "search.html", context)


@router.get("/gaps", response_class=HTMLResponse)
async def gaps_page(request: Request, service: Service) -> HTMLResponse:
    """What a planner should look at: targets without a baseline, measures without a target,
    measures only the bureau answers for."""
    return render(request, "gaps.html", {"gaps": await get_gaps(service)})
