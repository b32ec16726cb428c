"""A lean path for the SPARQL protocol's hot case: a query by GET or POST to ``/sparql``.

FastAPI's routing (a match against every route), dependency injection and parameter validation
cost more per request than a cheap query does in its worker. This pure ASGI middleware answers a
GET with a query and every POST to ``/sparql`` itself, with the functions the ``/sparql`` routes
use (:func:`api.sparql.requested`, :func:`api.sparql.answer`, the same refusals, deadline, row cap
and problems), so its answers are theirs byte for byte. Everything else goes on to the app: the
service description and the query page (a GET without a query), HEAD, OPTIONS and the other
methods, and every other path.

It sits inside the security-headers and CORS middlewares, so its responses get their headers; an
error that is not the library's goes on up to the app's 500 handler, as from a route.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from api.problems import query_problem
from api.sparql import Refusal, answer, requested

__all__ = ["LeanSparql"]

PATH = "/sparql"


class LeanSparql:
    """Answer queries sent to ``/sparql`` without FastAPI's per-request machinery."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "POST")
            or scope["path"].removeprefix(scope.get("root_path", "")) != PATH
        ):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        state = request.app.state
        try:
            op = await requested(request, state.settings.max_body)
            if op is None:  # the service description or the query page: the route's work
                await self.app(scope, receive, send)
                return
            response = await answer(request, state.service, op)
        except Refusal as refusal:
            response = refusal.response()
        except Exception as error:
            problem = query_problem(error)
            if problem is None:
                raise
            response = problem
        await response(scope, receive, send)
