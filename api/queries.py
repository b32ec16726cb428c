"""Named queries as REST: every ``.rq`` file in ``policykg/queries`` is an endpoint.

``GET /api/queries`` lists them; ``GET /api/queries/{name}?param=…`` runs one and answers JSON, or
CSV by ``Accept: text/csv`` or the ``.csv`` suffix. Each query gets a route of its own, so the
OpenAPI document describes it and its typed parameters. Parameters are bound by a VALUES clause
whose terms the RDF library writes, never pasted into the query text. A missing or ill-typed
parameter is a 422 naming it; an unknown query a 404.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from api.app import get_service
from api.negotiate import choose, result_bytes
from api.problems import problem
from policykg.queries import NamedQuery, Param, list_queries
from policykg.service import QueryEngine

__all__ = ["router"]

router = APIRouter(prefix="/api/queries", tags=["named queries"])

PYTHON_TYPES: dict[str, type] = {
    "iri": str,
    "string": str,
    "integer": int,
    "decimal": float,
    "boolean": bool,
    "year": int,
}
FORMATS = ["application/json", "text/csv"]
FORMATS_OF: dict[str, dict[str, Any]] = {"iri": {"format": "iri"}}  # documented in OpenAPI
# A CONSTRUCT or DESCRIBE query (its first keyword after the prologue) answers N-Triples.
GRAPH_FORM = re.compile(r"^\s*(?:CONSTRUCT|DESCRIBE)\b", re.IGNORECASE | re.MULTILINE)


def _describe(query: NamedQuery, request: Request) -> dict[str, Any]:
    return {
        "name": query.name,
        "title": query.title,
        "description": query.description,
        "parameters": [
            {"name": p.name, "type": p.type, "description": p.description} for p in query.params
        ],
        "url": str(request.url_for(f"query_{query.name}")),
    }


@router.get("", summary="List the named queries")
async def index(request: Request) -> dict[str, Any]:
    """Every named query with its title, description and typed parameters."""
    return {"queries": [_describe(q, request) for q in list_queries()]}


async def run_named(
    service: QueryEngine, query: NamedQuery, values: dict[str, Any], media_type: str
) -> Response:
    """Run a named query with typed, engine-bound parameters."""
    bindings = {}
    for param in query.params:
        try:
            bindings[param.name] = param.term(_text(values[param.name]))
        except ValueError as error:
            return problem(
                422,
                "Invalid parameters",
                f"invalid or missing: {param.name}",
                errors=[{"parameter": param.name, "problem": str(error)}],
            )
    result = await service.serialised(query.text, bindings)
    if result.kind == "graph":
        return Response(result.body, media_type="application/n-triples")
    if media_type == "text/csv":
        return Response(result_bytes(result.body, "text/csv"), media_type="text/csv; charset=utf-8")
    data = json.loads(result.body)
    if "boolean" in data:
        return JSONResponse({"query": query.name, "boolean": data["boolean"]})
    variables = data["head"]["vars"]
    rows = [{v: b[v]["value"] for v in variables if v in b} for b in data["results"]["bindings"]]
    return JSONResponse({"query": query.name, "variables": variables, "rows": rows})


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _endpoint(query: NamedQuery, csv: bool) -> Callable[..., Awaitable[Response]]:
    """A handler whose signature declares the query's parameters, for validation and OpenAPI."""

    async def handler(request: Request, **values: Any) -> Response:
        service: QueryEngine = await get_service(request)
        wanted = "text/csv" if csv else choose(request.headers.get("accept"), FORMATS)
        if wanted is None:
            return problem(406, "Not acceptable", "this query answers application/json or text/csv")
        return await run_named(service, query, values, wanted)

    parameters = [
        inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request)
    ]
    for param in query.params:
        parameters.append(
            inspect.Parameter(
                param.name,
                inspect.Parameter.KEYWORD_ONLY,
                annotation=Annotated[
                    PYTHON_TYPES[param.type],
                    Query(description=_doc(param), json_schema_extra=FORMATS_OF.get(param.type)),
                ],
            )
        )
    handler.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    handler.__name__ = f"query_{query.name}{'_csv' if csv else ''}"
    handler.__doc__ = query.description
    return handler


def _responses(query: NamedQuery, csv: bool) -> dict[int | str, dict[str, Any]]:
    """What a named query's route answers besides JSON: N-Triples for a graph, CSV, a 406."""
    responses: dict[int | str, dict[str, Any]] = {}
    if GRAPH_FORM.search(query.text):
        responses[200] = {"content": {"application/n-triples": {}}}
    elif csv:
        responses[200] = {"content": {"text/csv": {}}}
    if not csv:
        responses[406] = {"description": "Neither JSON nor CSV is acceptable (problem+json)."}
    return responses


def _doc(param: Param) -> str:
    return f"{param.description} ({param.type})".strip()


def _register() -> None:
    for query in list_queries():
        router.add_api_route(
            f"/{query.name}.csv",
            _endpoint(query, csv=True),
            methods=["GET"],
            name=f"query_{query.name}_csv",
            summary=f"{query.title} (CSV)",
            response_class=Response,
            responses=_responses(query, csv=True),
        )
        router.add_api_route(
            f"/{query.name}",
            _endpoint(query, csv=False),
            methods=["GET"],
            name=f"query_{query.name}",
            summary=query.title,
            description=query.description,
            response_class=Response if GRAPH_FORM.search(query.text) else JSONResponse,
            responses=_responses(query, csv=False),
        )


_register()


@router.get("/{name}", include_in_schema=False)
async def unknown(name: str) -> Response:
    """Any other name: 404."""
    return problem(404, "Not found", f"no named query {name!r}: GET /api/queries lists them")
