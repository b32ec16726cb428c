"""One error shape everywhere: ``application/problem+json`` (RFC 9457).

Bad input is a 4xx that says what and where; a query past its deadline is a 503; anything
unexpected is a 500 that shows no internals.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from policykg.errors import InputError
from policykg.service import QueryFailed, QuerySyntaxError, QueryTimeout
from policykg.store import QueryRefused, RowCapExceeded

__all__ = ["PROBLEM", "install", "problem"]

PROBLEM = "application/problem+json"
log = logging.getLogger("policykg.api")


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    """A problem+json response."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    headers = {"Retry-After": "1"} if status == 503 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def install(app: FastAPI) -> None:
    """Map every error to a problem+json response."""

    @app.exception_handler(QuerySyntaxError)
    async def syntax(_: Request, error: QuerySyntaxError) -> JSONResponse:
        return problem(400, "Bad query", error.message, line=error.line, column=error.column)

    @app.exception_handler(RowCapExceeded)
    async def too_many(_: Request, error: RowCapExceeded) -> JSONResponse:
        return problem(400, "Result too large", error.message)

    @app.exception_handler(QueryRefused)
    async def refused(_: Request, error: QueryRefused) -> JSONResponse:
        return problem(400, "Query refused", error.message)

    @app.exception_handler(InputError)
    async def bad_input(_: Request, error: InputError) -> JSONResponse:
        return problem(400, "Bad request", str(error))

    @app.exception_handler(QueryTimeout)
    async def timeout(_: Request, error: QueryTimeout) -> JSONResponse:
        return problem(503, "Query timed out", str(error))

    @app.exception_handler(QueryFailed)
    async def failed(_: Request, error: QueryFailed) -> JSONResponse:
        return problem(503, "Query failed", str(error))

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
        return problem(500, "Internal error", "the server could not answer this request")
