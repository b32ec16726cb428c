"""Linked data: every IRI of the graph dereferences on this server, and the dumps.

An IRI ``{iri_base}id/szamr-2024/measure/2-2-1`` is served at ``/id/szamr-2024/measure/2-2-1``:
HTML for browsers, Turtle (default), JSON-LD or N-Triples by Accept, or by the suffix ``.ttl``,
``.jsonld``, ``.nt``. ``/graph.trig``, ``/graph.ttl`` and ``/graph.jsonld`` are the built files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from api.app import get_service, get_settings
from api.negotiate import GRAPH_FORMATS, choose, graph_bytes
from api.pages import linked
from api.problems import problem
from api.settings import ServerSettings
from policykg.queries import load_query
from policykg.service import QueryEngine

__all__ = ["router"]

router = APIRouter(tags=["linked data"])
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")

SUFFIXES = {".ttl": "text/turtle", ".jsonld": "application/ld+json", ".nt": "application/n-triples"}
DUMPS = {"trig": "application/trig", "ttl": "text/turtle", "jsonld": "application/ld+json"}
LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"


@router.get(
    "/graph.{ext}",
    summary="The whole dataset as built",
    response_class=Response,
    responses={200: {"content": {media: {} for media in DUMPS.values()}}},
)
async def dump(ext: str, settings: Annotated[ServerSettings, Depends(get_settings)]) -> Response:
    """The built files: TriG (every named graph), Turtle (their union) or JSON-LD."""
    if ext not in DUMPS:
        return problem(404, "Not found", f"no dump /graph.{ext}: try .trig, .ttl or .jsonld")
    files = sorted(settings.graphs.glob(f"*.{ext}"))
    if len(files) != 1:
        return problem(404, "Not found", f"expected one built .{ext} file, found {len(files)}")
    return FileResponse(files[0], media_type=DUMPS[ext])


@router.get(
    "/id/{path:path}",
    summary="Dereference an IRI of the graph",
    response_class=Response,
    responses={
        200: {"content": {media: {} for media in [*GRAPH_FORMATS, "text/html"]}},
        406: {"description": "No offered format is acceptable (problem+json)."},
    },
)
async def resource(
    path: str,
    request: Request,
    service: Annotated[QueryEngine, Depends(get_service)],
    settings: Annotated[ServerSettings, Depends(get_settings)],
) -> Response:
    """The triples about one resource, as HTML, Turtle, JSON-LD or N-Triples."""
    wanted = None
    for suffix, media_type in SUFFIXES.items():
        if path.endswith(suffix):
            path, wanted = path.removesuffix(suffix), media_type
    if wanted is None:
        offers = [*GRAPH_FORMATS, "text/html"]  # */* (curl) gets Turtle; browsers ask for HTML
        wanted = choose(request.headers.get("accept"), offers)
        if wanted is None:
            return problem(406, "Not acceptable", "offered: " + ", ".join(offers))
    iri = f"{settings.iri_base}id/{path}"
    try:
        ox.NamedNode(iri)
    except ValueError:  # a backslash, NUL or U+FFFD: no IRI of the graph holds one
        return problem(404, "Not found", f"no IRI of the graph ends in {path!r}")
    result = await service.serialised(load_query("describe").text, {"s": iri})
    if not result.body.strip():
        return problem(404, "Not found", f"the graph says nothing of {iri}")
    if wanted != "text/html":
        return Response(graph_bytes(result.body, wanted), media_type=wanted)
    return _page(request, iri, result.body, settings)


def _page(request: Request, iri: str, ntriples: bytes, settings: ServerSettings) -> HTMLResponse:
    triples = list(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES))
    labels: dict[str, list[str]] = {}
    rows = []
    # engines return triples in their own order: the page's is fixed (Chinese labels first)
    for t in sorted(
        triples, key=lambda t: (getattr(t.object, "language", None) != "zh", str(t.object))
    ):
        if t.predicate.value == LABEL and isinstance(t.object, ox.Literal):
            labels.setdefault(t.subject.value, []).append(t.object.value)
        if t.subject.value == iri:
            rows.append((t.predicate.value, t.object))

    def link(term: ox.NamedNode | ox.Literal | ox.BlankNode) -> dict[str, str | None]:
        if isinstance(term, ox.NamedNode):
            href = linked(term.value, settings.iri_base)
            label = " | ".join(labels.get(term.value, [])) or term.value
            return {"text": label, "href": href, "iri": term.value}
        return {"text": term.value, "href": None, "iri": None}

    context = {
        "iri": iri,
        "title": " | ".join(labels.get(iri, [])) or iri,
        "rows": [{"predicate": p, "object": link(o)} for p, o in sorted(rows, key=lambda r: r[0])],
        "path": linked(iri, settings.iri_base),
    }
    return templates.TemplateResponse(request, "resource.html", context)
