"""``/sparql``: a read-only SPARQL 1.1 Protocol endpoint with a deadline, a row cap, request caps.

Queries
    ``GET /sparql?query=…``; ``POST`` a form (``application/x-www-form-urlencoded``, ``query=…``);
    ``POST`` the query itself (``application/sparql-query``, UTF-8). ``default-graph-uri`` and
    ``named-graph-uri`` (repeatable; in the URL, or in the form) give the dataset and win over the
    query's own ``FROM``; without them the default graph is the union of the named graphs (stated,
    curated, each assignment table), each of which ``GRAPH`` reaches by name.

Results, chosen by ``Accept`` alone (no ``format`` parameter: the protocol has none)
    SELECT and ASK: ``application/sparql-results+json`` (the default), ``…+xml``, ``text/csv``,
    ``text/tab-separated-values``. CONSTRUCT and DESCRIBE: ``text/turtle`` (the default),
    ``application/n-triples``, ``application/ld+json``, ``application/rdf+xml``.

Read-only
    SPARQL Update is refused with a 400 and nothing is evaluated: a ``POST`` of
    ``application/sparql-update``, an ``update``, ``using-graph-uri`` or ``using-named-graph-uri``
    parameter, and an update operation sent as a query. ``SERVICE`` and ``LOAD`` are refused with
    a 400 before evaluation, so the server never opens a connection on a query's behalf.

Errors, all ``application/problem+json``
    400 a syntax error (with ``line`` and ``column``), a result over the row cap (naming the cap:
    page with LIMIT and OFFSET), a query over the length cap, a missing, repeated or empty
    ``query``, a graph IRI that is not an IRI or names a local file or an internal address, a URL
    or body that is not UTF-8, an update, SERVICE, LOAD, a query nested too deep or with too many
    variables;
    405 another method (``Allow: GET, POST``); 406 an ``Accept`` no format above can serve (naming
    those that can); 413 a body over the size cap (from ``Content-Length``, and while reading);
    415 a ``POST`` that is neither a form nor a query, or a charset other than UTF-8; 503 a query
    past its deadline (its worker is killed): never a 200 with a cut body.

Without a query, ``GET /sparql`` describes the service: SPARQL 1.1 Service Description in Turtle
(or another RDF format by ``Accept``) for machines, the query page for browsers (``text/html``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qsl

import jinja2
import pyoxigraph as ox
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.staticfiles import StaticFiles

from api.app import get_service, get_settings
from api.negotiate import GRAPH_FORMATS, RESULT_FORMATS, choose, graph_bytes, result_bytes
from api.problems import problem
from api.settings import ServerSettings
from policykg.queries import list_queries
from policykg.service import QueryEngine

__all__ = ["Operation", "Refusal", "answer", "endpoint", "requested", "router"]

HERE = Path(__file__).resolve().parent
FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
HTML = "text/html"
UPDATE_FIELDS = ("update", "using-graph-uri", "using-named-graph-uri")
READ_ONLY = (
    "this endpoint is read-only: SPARQL Update is not supported; send a query "
    "(GET ?query=, a form with query=, or application/sparql-query)"
)
# Pages may load only what this server serves.
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
DCT = "http://purl.org/dc/terms/"
FORMAT_IRIS = {  # media type → W3C unique IRI of the format, for sd:resultFormat
    "application/sparql-results+json": "SPARQL_Results_JSON",
    "application/sparql-results+xml": "SPARQL_Results_XML",
    "text/csv": "SPARQL_Results_CSV",
    "text/tab-separated-values": "SPARQL_Results_TSV",
    "text/turtle": "Turtle",
    "application/n-triples": "N-Triples",
    "application/ld+json": "JSON-LD",
    "application/rdf+xml": "RDF_XML",
}
SD_PREFIXES = {"sd": SD, "formats": FORMATS, "dct": DCT}

router = APIRouter(tags=["sparql"])
router.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
templates = Jinja2Templates(
    env=jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
)


ServiceDep = Annotated[QueryEngine, Depends(get_service)]
SettingsDep = Annotated[ServerSettings, Depends(get_settings)]


class Refusal(Exception):
    """A request the protocol layer answers with a problem before any query runs."""

    def __init__(self, status: int, title: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.extra = status, title, detail, extra

    def response(self, headers: dict[str, str] | None = None) -> Response:
        answer = problem(self.status, self.title, self.detail, **self.extra)
        answer.headers.update(headers or {})
        return answer


@dataclass(frozen=True)
class Operation:
    """One query request: the query text and the dataset the protocol gives it."""

    query: str
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)


def _graphs(fields: dict[str, list[str]], name: str) -> list[str]:
    iris = fields.get(name, [])
    for iri in iris:
        try:
            ox.NamedNode(iri)
        except ValueError:
            raise Refusal(400, "Bad request", f"{name}: {iri!r} is not an absolute IRI") from None
    return iris


def operation(fields: dict[str, list[str]]) -> Operation:
    """The query operation the protocol parameters ask for, or a Refusal saying what is wrong.

    >>> operation({"query": ["ASK {}"], "named-graph-uri": ["urn:g"]})
    Operation(query='ASK {}', default_graphs=[], named_graphs=['urn:g'])
    >>> operation({"query": ["ASK {}", "ASK {}"]})
    Traceback (most recent call last):
    api.sparql.Refusal: expected one query parameter, got 2
    """
    if any(fields.get(name) for name in UPDATE_FIELDS):
        raise Refusal(400, "Read-only endpoint", READ_ONLY)
    queries = fields.get("query", [])
    if len(queries) != 1:
        detail = "expected one query parameter, got " + str(len(queries))
        raise Refusal(400, "Bad request", detail)
    if not queries[0].strip():
        raise Refusal(400, "Bad request", "the query is empty")
    return Operation(
        queries[0], _graphs(fields, "default-graph-uri"), _graphs(fields, "named-graph-uri")
    )


def _fields(*pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for items in pairs:
        for name, value in items:
            fields.setdefault(name, []).append(value)
    return fields


def _content_type(header: str | None) -> tuple[str, str | None]:
    """The media type and charset of a Content-Type header, lower-cased."""
    media, _, parameters = (header or "").partition(";")
    charset = None
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media.strip().lower(), charset


def _url(request: Request) -> list[tuple[str, str]]:
    """The parameters of the request's URL, refused unless they are UTF-8 (Starlette would put
    U+FFFD in place of the bytes that are not, and run something other than what was sent)."""
    raw = request.scope.get("query_string", b"").decode("latin-1")
    try:
        return parse_qsl(raw, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise Refusal(400, "Bad request", "the query string is not UTF-8") from None


async def _body(request: Request, limit: int) -> bytes:
    """The request body, refused past ``limit`` bytes: by Content-Length, then while reading."""
    too_large = Refusal(413, "Too large", f"the request body is over the limit of {limit} bytes")
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise Refusal(400, "Bad request", "Content-Length is not a number")
        if int(declared) > limit:
            raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise too_large
    return bytes(body)


async def _posted(request: Request, limit: int) -> Operation:
    media, charset = _content_type(request.headers.get("content-type"))
    if media == UPDATE:
        raise Refusal(400, "Read-only endpoint", READ_ONLY)
    if media not in (FORM, QUERY):
        given = f"Content-Type {media}" if media else "no Content-Type"
        raise Refusal(415, "Unsupported media type", f"{given}: send {FORM} or {QUERY}")
    if charset not in (None, "utf-8", "utf8"):
        raise Refusal(415, "Unsupported media type", f"charset {charset}: send UTF-8")
    url = _url(request)
    body = await _body(request, limit)
    try:
        text = body.decode("utf-8").removeprefix("\ufeff")
        form = parse_qsl(text, keep_blank_values=True, errors="strict") if media == FORM else []
    except UnicodeDecodeError:
        raise Refusal(400, "Bad request", "the request body is not UTF-8") from None
    if media == FORM:
        return operation(_fields(url, form))
    fields = _fields(url)
    if "query" in fields:
        raise Refusal(400, "Bad request", f"a {QUERY} body is the query: no query parameter too")
    fields["query"] = [text]
    return operation(fields)


_ENDPOINTS: dict[tuple[object, ...], str] = {}


def endpoint(request: Request) -> str:
    """This endpoint's absolute URL (the base IRI of a query), as ``request.url_for("sparql")``
    gives it, remembered for each scheme, Host, server address and root path (a bounded cache:
    the Host header is the client's to choose)."""
    scope = request.scope
    host, server = request.headers.get("host"), scope.get("server")  # a list, or a tuple
    key = (scope.get("scheme"), host, tuple(server or ()), scope.get("root_path", ""))
    known = _ENDPOINTS.get(key)
    if known is None:
        known = str(request.app.url_path_for("sparql").make_absolute_url(request.base_url))
        if len(_ENDPOINTS) >= 256:
            _ENDPOINTS.clear()
        _ENDPOINTS[key] = known
    return known


async def requested(request: Request, max_body: int) -> Operation | None:
    """The query a GET or POST asks for, or None for a GET that asks for none (the service
    description); a Refusal when the request is not one to run. Each parameter is strictly
    UTF-8; a POST body is read up to ``max_body`` bytes."""
    if request.method == "POST":
        return await _posted(request, max_body)
    fields = _fields(_url(request))
    if not any(fields.get(name) is not None for name in ("query", *UPDATE_FIELDS)):
        return None
    return operation(fields)


def _not_acceptable(accept: str | None, offers: list[str], what: str) -> Response:
    detail = f"cannot serve {what} as {accept!r}; acceptable: {', '.join(offers)}"
    return problem(406, "Not acceptable", detail, acceptable=offers)


async def answer(request: Request, service: QueryEngine, op: Operation) -> Response:
    """Run the query, then write its result in the format the request accepts."""
    accept = request.headers.get("accept")
    every = [*RESULT_FORMATS, *GRAPH_FORMATS]
    if choose(accept, every) is None:
        return _not_acceptable(accept, every, "any result")
    result = await service.serialised(
        op.query,
        default_graphs=op.default_graphs or None,  # given: the protocol's dataset
        named_graphs=op.named_graphs or None,
        base_iri=endpoint(request),
    )
    graph = result.kind == "graph"
    offers = list(GRAPH_FORMATS if graph else RESULT_FORMATS)
    media = choose(accept, offers)
    if media is None:
        what = "CONSTRUCT or DESCRIBE results" if graph else "SELECT or ASK results"
        return _not_acceptable(accept, offers, what)
    body = result.body
    native = "application/n-triples" if graph else "application/sparql-results+json"
    if media != native:  # not as the engine wrote it: convert, off the event loop
        convert = graph_bytes if graph else result_bytes
        body = await run_in_threadpool(convert, result.body, media)
    return Response(body, media_type=media, headers={"Vary": "Accept"})


def _description(endpoint: str, graphs: list[str], settings: ServerSettings) -> list[ox.Triple]:
    """The SPARQL 1.1 Service Description of this endpoint, as triples."""

    def sd(name: str) -> ox.NamedNode:
        return ox.NamedNode(SD + name)

    service = ox.NamedNode(endpoint)
    dataset, default = ox.BlankNode("dataset"), ox.BlankNode("default")
    note = (
        f"Read-only: SPARQL Update, SERVICE and LOAD are refused. A query stops at "
        f"{settings.timeout:g} s (503) and a result holds at most {settings.max_rows} rows "
        "(more is a 400: page with LIMIT and OFFSET). The default graph is the union of the "
        "named graphs."
    )
    triples = [
        ox.Triple(service, RDF_TYPE, sd("Service")),
        ox.Triple(service, sd("endpoint"), service),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(service, ox.NamedNode(DCT + "title"), ox.Literal("policykg SPARQL endpoint")),
        ox.Triple(service, ox.NamedNode(DCT + "description"), ox.Literal(note)),
    ]
    triples += [
        ox.Triple(service, sd("resultFormat"), ox.NamedNode(FORMATS + name))
        for name in FORMAT_IRIS.values()
    ]
    triples += [
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default),
        ox.Triple(default, RDF_TYPE, sd("Graph")),
    ]
    for number, iri in enumerate(graphs):
        node = ox.BlankNode(f"graph{number}")
        triples += [
            ox.Triple(dataset, sd("namedGraph"), node),
            ox.Triple(node, RDF_TYPE, sd("NamedGraph")),
            ox.Triple(node, sd("name"), ox.NamedNode(iri)),
        ]
    return triples


def _describe(request: Request, service: QueryEngine, settings: ServerSettings) -> Response:
    """The service description for machines, the query page for browsers."""
    offers = ["text/turtle", HTML, *list(GRAPH_FORMATS)[1:]]
    media = choose(request.headers.get("accept"), offers) or "text/turtle"
    headers = {"Vary": "Accept"}
    endpoint = request.url_for("sparql")
    if media == HTML:
        context = {
            "endpoint": endpoint.path,
            "css": request.url_for("static", path="sparql.css").path,
            "js": request.url_for("static", path="sparql.js").path,
            "examples": [query for query in list_queries() if not query.params],
            "graphs": service.named_graphs(),
            "settings": settings,
            "result_formats": list(RESULT_FORMATS),
            "graph_formats": list(GRAPH_FORMATS),
        }
        headers["Content-Security-Policy"] = PAGE_POLICY
        return templates.TemplateResponse(request, "sparql.html", context, headers=headers)
    triples = _description(str(endpoint), service.named_graphs(), settings)
    ntriples = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    body = graph_bytes(ntriples, media, SD_PREFIXES)
    return Response(body, media_type=media, headers=headers)


Graphs = Annotated[
    list[str] | None,
    Query(alias="default-graph-uri", description="A graph of the default graph (repeatable)."),
]
Named = Annotated[
    list[str] | None,
    Query(alias="named-graph-uri", description="A named graph of the dataset (repeatable)."),
]


@router.get(
    "/sparql",
    name="sparql",
    summary="SPARQL query (GET), or the service description and query page",
    response_class=Response,
    responses={406: {"description": "No result format is acceptable (problem+json)."}},
)
async def sparql_get(
    request: Request,
    service: ServiceDep,
    settings: SettingsDep,
    query: Annotated[list[str] | None, Query(description="The SPARQL query (once).")] = None,
    default_graph_uri: Graphs = None,
    named_graph_uri: Named = None,
    update: Annotated[list[str] | None, Query(description="Refused: read-only.")] = None,
) -> Response:
    """A query by GET; without one, the service description (Turtle) or the query page (HTML)."""
    try:
        op = await requested(request, settings.max_body)  # the parameters above, and more
    except Refusal as refusal:
        return refusal.response()
    if op is None:
        return _describe(request, service, settings)
    return await answer(request, service, op)


@router.post(
    "/sparql",
    name="sparql_post",
    summary="SPARQL query (POST a form, or the query itself)",
    response_class=Response,
    responses={
        406: {"description": "No result format is acceptable (problem+json)."},
        413: {"description": "A body over the size cap (problem+json)."},
        415: {"description": "Neither a form nor a query, or not UTF-8 (problem+json)."},
    },
    openapi_extra={
        "parameters": [
            {"name": "default-graph-uri", "in": "query", "schema": {"type": "string"}},
            {"name": "named-graph-uri", "in": "query", "schema": {"type": "string"}},
        ],
        "requestBody": {
            "required": True,
            "content": {
                FORM: {"schema": {"type": "object", "properties": {"query": {"type": "string"}}}},
                QUERY: {"schema": {"type": "string"}},
            },
        },
    },
)
async def sparql_post(request: Request, service: ServiceDep, settings: SettingsDep) -> Response:
    """A query as a form (``query=``) or as the body itself (``application/sparql-query``)."""
    try:
        op = await requested(request, settings.max_body)
    except Refusal as refusal:
        return refusal.response()
    assert op is not None  # a POST always asks for a query
    return await answer(request, service, op)


@router.api_route("/sparql", methods=["PUT", "DELETE", "PATCH", "OPTIONS"], include_in_schema=False)
async def sparql_other(request: Request) -> Response:
    """The protocol has GET and POST only."""
    refusal = Refusal(405, "Method not allowed", f"{request.method}: send GET or POST")
    return refusal.response({"Allow": "GET, POST"})
