"""One error shape everywhere: ``application/problem+json`` (RFC 9457).

Bad input is a 4xx that says what and where; a query past its deadline is a 503; anything
unexpected is a 500 that shows no internals.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from api.headers import SECURITY_HEADERS
from policykg.errors import InputError
from policykg.service import QueryFailed, QuerySyntaxError, QueryTimeout
from policykg.store import QueryRefused, RowCapExceeded

__all__ = [
    "PROBLEM",
    "PROBLEM_SCHEMA",
    "QUERY_ERRORS",
    "document",
    "install",
    "problem",
    "query_problem",
]

PROBLEM = "application/problem+json"
log = logging.getLogger("policykg.api")

# The body of every error response, as the OpenAPI document describes it.
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "An error (RFC 9457): what went wrong, in `title` and `detail`.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "line": {"type": ["integer", "null"], "description": "Of a query's syntax error."},
        "column": {"type": ["integer", "null"], "description": "Of a query's syntax error."},
        "acceptable": {"type": "array", "items": {"type": "string"}},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["parameter", "problem"],
                "properties": {"parameter": {"type": "string"}, "problem": {"type": "string"}},
            },
        },
    },
}
# What any operation may answer, besides what its route declares.
ALWAYS = {
    400: "Bad input: a query or parameter the server will not run (problem+json).",
    500: "An unexpected error; the body shows no internals (problem+json).",
    503: "A query past its deadline or a failed query worker (problem+json).",
}
WITH_PATH = {404: "Nothing has this id or path (problem+json)."}


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    """A problem+json response."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    headers = {"Retry-After": "1"} if status == 503 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def _syntax(error: QuerySyntaxError) -> JSONResponse:
    return problem(400, "Bad query", error.message, line=error.line, column=error.column)


# How each error of the library becomes a problem; the most specific class wins.
QUERY_ERRORS: dict[type[Exception], Callable[[Any], JSONResponse]] = {
    QuerySyntaxError: _syntax,
    RowCapExceeded: lambda error: problem(400, "Result too large", error.message),
    QueryRefused: lambda error: problem(400, "Query refused", error.message),
    InputError: lambda error: problem(400, "Bad request", str(error)),
    QueryTimeout: lambda error: problem(503, "Query timed out", str(error)),
    QueryFailed: lambda error: problem(503, "Query failed", str(error)),
}


def query_problem(error: Exception) -> JSONResponse | None:
    """The problem a query's error answers with (as the app's handlers write it), or None for
    an error that is not the library's: the same lookup as Starlette's, by the class's MRO.

    >>> query_problem(QueryTimeout("late")).status_code
    503
    >>> query_problem(KeyError("x")) is None
    True
    """
    for cls in type(error).__mro__:
        write = QUERY_ERRORS.get(cls)
        if write is not None:
            return write(error)
    return None


def install(app: FastAPI) -> None:
    """Map every error to a problem+json response, and say so in the OpenAPI document."""
    document(app)

    async def library(_: Request, error: Exception) -> JSONResponse:
        answer = query_problem(error)
        assert answer is not None  # registered for QUERY_ERRORS' classes only
        return answer

    for cls in QUERY_ERRORS:
        app.add_exception_handler(cls, library)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "parameter": ".".join(str(p) for p in e["loc"][1:]) or str(e["loc"][0]),
                "problem": e["msg"],
            }
            for e in error.errors()
        ]
        names = ", ".join(e["parameter"] for e in errors)
        return problem(422, "Invalid parameters", f"invalid or missing: {names}", errors=errors)

    @app.exception_handler(HTTPException)
    async def http(_: Request, error: HTTPException) -> JSONResponse:
        titles = {
            404: "Not found",
            405: "Method not allowed",
            406: "Not acceptable",
            413: "Too large",
        }
        response = problem(
            error.status_code, titles.get(error.status_code, "Error"), str(error.detail)
        )
        response.headers.update(error.headers or {})  # such as Allow on a 405
        return response

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        response = problem(500, "Internal error", "the server could not answer this request")
        response.headers.update(SECURITY_HEADERS)  # no middleware sees this response
        return response


def document(app: FastAPI) -> None:
    """Describe the error responses in the app's OpenAPI document: every 4xx and 5xx is
    problem+json with :data:`PROBLEM_SCHEMA`, and each operation lists 400, 500 and 503 (and 404
    when its path has a parameter) besides those its route declares."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            _problems(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _problems(schema: dict[str, Any]) -> None:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    components["Problem"] = PROBLEM_SCHEMA
    content = {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path, operations in schema.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            extra = ALWAYS | (WITH_PATH if "{" in path else {})
            for status, description in extra.items():
                responses.setdefault(str(status), {"description": description})
            for status, response in responses.items():
                if status[0] in "45":
                    response["content"] = content
