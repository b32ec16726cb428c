"""The lean ``/sparql`` path (:mod:`api.lean`) answers as the routes do, and only what it should.

Two apps over the same engine: the server's own, and one without the lean middleware, so that the
FastAPI routes answer everything. A probe just in front of the router records each request that
reaches it: in the server's app, no query does; the service description, HEAD and OPTIONS do.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
from engines import Engine
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Receive, Scope, Send

from api import create_app
from api.lean import LeanSparql
from policykg.service import QueryEngine

PLANNER = "https://planner.example"
FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
PK = "PREFIX pk: <https://w3id.org/policykg/ontology#>\n"
TARGETS = PK + "SELECT ?t WHERE { ?t a pk:Target } ORDER BY ?t LIMIT 3"
MANY = "SELECT * WHERE { ?s ?p ?o }"  # more rows than the cap below
CONSTRUCT = PK + "CONSTRUCT { ?t a pk:Target } WHERE { ?t a pk:Target } LIMIT 2"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


class Probe:
    """Records the method and path of each request that reaches the router."""

    def __init__(self, app: ASGIApp, seen: list[tuple[str, str]]) -> None:
        self.app, self.seen = app, seen

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.seen.append((scope["method"], scope["path"]))
        await self.app(scope, receive, send)


@dataclass
class Server:
    client: TestClient
    seen: list[tuple[str, str]] = field(default_factory=list)


def server(engine: Engine, lean: bool) -> tuple[FastAPI, list[tuple[str, str]]]:
    settings = engine.settings(workers=1, max_rows=5, timeout=1.5, cors_origins=(PLANNER,))
    app = create_app(settings)
    assert any(m.cls is LeanSparql for m in app.user_middleware)
    if not lean:
        app.user_middleware = [m for m in app.user_middleware if m.cls is not LeanSparql]
    seen: list[tuple[str, str]] = []
    app.user_middleware.append(Middleware(Probe, seen=seen))  # the innermost: before the router
    return app, seen


@pytest.fixture(scope="module")
def pair(engine: Engine) -> Iterator[tuple[Server, Server]]:
    (lean_app, lean_seen), (routed_app, routed_seen) = server(engine, True), server(engine, False)
    with (
        TestClient(lean_app, raise_server_exceptions=False) as lean,
        TestClient(routed_app, raise_server_exceptions=False) as routed,
    ):
        yield Server(lean, lean_seen), Server(routed, routed_seen)


def get(query: str, extra: str = "") -> str:
    return f"/sparql?query={quote(query, safe='')}{extra}"


# (method, URL, headers, body): every kind of answer the lean path gives
QUERIES: list[tuple[str, str, dict[str, str], bytes]] = [
    ("GET", get(TARGETS), {}, b""),
    ("GET", get(TARGETS), {"accept": "application/sparql-results+xml"}, b""),
    ("GET", get(TARGETS), {"accept": "text/csv"}, b""),
    ("GET", get(TARGETS), {"accept": "text/tab-separated-values", "origin": PLANNER}, b""),
    ("GET", get("ASK { ?s ?p ?o }"), {"accept": "application/sparql-results+json"}, b""),
    ("GET", get(CONSTRUCT), {}, b""),
    ("GET", get(CONSTRUCT), {"accept": "application/ld+json"}, b""),
    ("GET", get(TARGETS, "&named-graph-uri=" + quote(PLANNER, safe="")), {}, b""),
    ("POST", "/sparql", {"content-type": FORM}, b"query=" + quote(TARGETS).encode()),
    ("POST", "/sparql", {"content-type": QUERY}, TARGETS.encode()),
    # the refusals and problems
    ("GET", get("SELECT * WHERE { ?s ?p }"), {}, b""),  # syntax: 400 with line and column
    ("GET", get(MANY), {}, b""),  # over the row cap
    ("GET", get("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"), {}, b""),
    ("GET", "/sparql?update=" + quote("CLEAR ALL"), {}, b""),  # read-only
    ("GET", get(TARGETS) + "&query=ASK%7B%7D", {}, b""),  # two queries
    ("GET", "/sparql?query=%FF", {}, b""),  # not UTF-8
    ("GET", get(TARGETS), {"accept": "image/png"}, b""),  # 406
    ("GET", get(TARGETS, "&default-graph-uri=not%20an%20iri"), {}, b""),
    ("POST", "/sparql", {"content-type": "text/plain"}, TARGETS.encode()),  # 415
    ("POST", "/sparql", {"content-type": "application/sparql-update"}, b"CLEAR ALL"),
    ("POST", "/sparql", {"content-type": QUERY}, b"ASK {}" + b" " * 1_000_000),  # 413
    ("GET", get(SLOW), {}, b""),  # past the deadline: 503
]
# What the routes answer, the lean path passing them on.
OTHERS: list[tuple[str, str, dict[str, str], bytes]] = [
    ("GET", "/sparql", {}, b""),  # the service description
    ("GET", "/sparql", {"accept": "text/html"}, b""),  # the query page
    ("HEAD", get(TARGETS), {}, b""),
    ("OPTIONS", "/sparql", {"origin": PLANNER, "access-control-request-method": "GET"}, b""),
    ("PUT", "/sparql", {}, b""),
]


def send(client: TestClient, request: tuple[str, str, dict[str, str], bytes]) -> Response:
    method, url, headers, body = request
    return client.request(method, url, headers=headers, content=body or None)


def same(lean: Response, routed: Response) -> dict[str, Any]:
    """Assert the two answers are the same (status, every header, body); return a summary."""
    assert lean.status_code == routed.status_code, lean.text
    assert lean.headers.multi_items() == routed.headers.multi_items()
    assert lean.content == routed.content
    return {"status": lean.status_code, "type": lean.headers.get("content-type", "")}


def test_queries_take_the_lean_path_and_answer_as_the_routes(pair: tuple[Server, Server]) -> None:
    lean, routed = pair
    lean.seen.clear()
    routed.seen.clear()
    answers = [same(send(lean.client, r), send(routed.client, r)) for r in QUERIES]
    assert lean.seen == []  # no query reached the router
    assert len(routed.seen) == len(QUERIES)
    statuses = [a["status"] for a in answers]
    assert statuses == [200] * 10 + [400] * 6 + [406, 400, 415, 400, 413, 503]
    types = {a["type"] for a in answers}
    assert {"application/sparql-results+xml", "text/csv; charset=utf-8"} <= types
    assert {"application/problem+json", "text/turtle; charset=utf-8"} <= types


def test_the_lean_answers_carry_the_servers_headers_and_bodies(
    pair: tuple[Server, Server],
) -> None:
    lean, _ = pair
    ok = send(lean.client, QUERIES[3])  # TSV, from an allowed origin
    assert ok.headers["access-control-allow-origin"] == PLANNER
    assert set(ok.headers["vary"].split(", ")) == {"Accept", "Origin"}
    assert ok.headers["x-content-type-options"] == "nosniff"
    assert ok.headers["content-security-policy"] == "frame-ancestors 'none'"
    assert ok.text.splitlines()[0] == "?t"
    assert len(ok.text.splitlines()) == 4
    syntax = send(lean.client, QUERIES[10]).json()
    assert syntax["title"] == "Bad query" and syntax["line"] == 1 and syntax["column"] > 1
    late = send(lean.client, QUERIES[-1])
    assert late.json()["title"] == "Query timed out"
    assert late.headers["retry-after"] == "1"
    assert late.headers["x-frame-options"] == "DENY"


def test_everything_else_goes_on_to_the_routes(pair: tuple[Server, Server]) -> None:
    lean, routed = pair
    lean.seen.clear()
    answers = [same(send(lean.client, r), send(routed.client, r)) for r in OTHERS]
    # a CORS preflight is the CORS middleware's answer (outside both): it reaches no route
    assert [method for method, _ in lean.seen] == ["GET", "GET", "HEAD", "PUT"]
    assert [a["status"] for a in answers] == [200, 200, 405, 200, 405]  # HEAD: as the routes
    assert answers[0]["type"] == "text/turtle; charset=utf-8"
    assert answers[1]["type"] == "text/html; charset=utf-8"


def test_an_unexpected_error_is_the_apps_500(
    pair: tuple[Server, Server], monkeypatch: pytest.MonkeyPatch
) -> None:
    lean, routed = pair

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals")

    for app in (lean.client.app, routed.client.app):
        service: QueryEngine = app.state.service  # type: ignore[attr-defined]
        monkeypatch.setattr(service, "serialised", broken)
    answer = send(lean.client, QUERIES[0])
    same(answer, send(routed.client, QUERIES[0]))
    assert answer.status_code == 500
    assert answer.json()["title"] == "Internal error"
    assert "secret" not in answer.text
    assert answer.headers["x-content-type-options"] == "nosniff"


def test_the_base_iri_is_the_endpoint_of_each_host(pair: tuple[Server, Server]) -> None:
    lean, _ = pair
    query = "SELECT ?x WHERE { BIND(<relative> AS ?x) }"
    for host in ("one.example", "two.example:8080", "one.example"):
        rows = send(lean.client, ("GET", get(query), {"host": host}, b"")).json()
        assert rows["results"]["bindings"][0]["x"]["value"] == f"http://{host}/relative"
