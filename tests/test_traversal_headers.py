"""Path traversal, parameter injection, security headers and stack traces.

- Traversal: every mount and every route that takes a path or an id (static files, the graph
  view's assets, ``/id/…``, named queries, resources, pages) refuses ``..``, ``%2e%2e``, ``%2f``,
  backslashes, NUL and overlong UTF-8 with a 404 or 400 and never serves a file outside the
  package. The requests go to the ASGI app as a server would hand them over (``raw_path`` as sent,
  ``path`` percent-decoded as uvicorn does), since an HTTP client would resolve the dots first.
- Injection: no value of any typed parameter of any named query changes the query's shape: the
  answer is the 422 that names the parameter, or exactly what a value matching nothing gets.
- Headers: a Content-Security-Policy with ``frame-ancestors 'none'`` and
  ``X-Content-Type-Options: nosniff`` on every kind of response, the 500 included.
- No stack trace, file path or exception text in any response body, the 500 included.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import anyio
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api import create_app
from api.settings import ServerSettings
from policykg.queries import list_queries

PROBLEM = "application/problem+json"
HTML = {"accept": "text/html"}

# What a file outside the package would show if it were served.
SECRETS = ["root:x:0:0", "def create_app", "[project]", "[build-system]", "import ", "PRIVATE"]


@pytest.fixture(scope="module")
def app() -> FastAPI:
    app = create_app(ServerSettings(workers=1, timeout=5.0))

    async def boom() -> None:  # a test-only route: an internal error with a revealing message
        raise RuntimeError("secret at /work/wt-hostile/api/app.py line 1: password=hunter2")

    app.add_api_route("/test-only/boom", boom, include_in_schema=False)
    return app


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def raw_get(
    client: TestClient, raw_path: str, accept: str = "*/*"
) -> tuple[int, dict[str, str], bytes]:
    """GET a path exactly as given, the way uvicorn hands it to the app."""
    raw = raw_path.encode("ascii")
    path, _, query = raw_path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": unquote(path),
        "raw_path": raw.partition(b"?")[0],
        "root_path": "",
        "query_string": query.encode("ascii"),
        "headers": [(b"host", b"testserver"), (b"accept", accept.encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "app": client.app,
    }
    sent: list[dict[str, Any]] = []
    requested = False

    async def call() -> None:
        done = anyio.Event()

        async def receive() -> dict[str, Any]:
            nonlocal requested
            if not requested:  # the (empty) request, then a disconnect once the answer is sent
                requested = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await done.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                done.set()

        await client.app(scope, receive, send)

    assert client.portal is not None
    client.portal.call(call)
    start = next(m for m in sent if m["type"] == "http.response.start")
    headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], headers, body


# -- path traversal ----------------------------------------------------------------------------

ESCAPES = {
    "dots": "../",
    "dots-twice": "../../",
    "encoded-dots": "%2e%2e/",
    "encoded-slash": "..%2f",
    "encoded-both": "%2e%2e%2f",
    "double-encoded": "%252e%252e%252f",
    "backslash": "..\\",
    "encoded-backslash": "..%5c",
    "overlong-dot": "%c0%ae%c0%ae/",
    "overlong-slash": "..%c0%af",
    "mixed": ".%2e/",
    "dot-slash-dot": "./../",
}
TARGETS = {
    "app": "api/app.py",
    "pyproject": "pyproject.toml",
    "passwd": "etc/passwd",
}
ROOTS = [
    "/static/",
    "/static/swagger/",
    "/graph/assets/",
    "/graph/assets/vis-network/",
    "/id/",
    "/id/szamr-2024/",
    "/api/queries/",
    "/api/areas/",
    "/api/measures/",
    "/api/units/",
    "/areas/",
    "/measures/",
    "/units/",
    "/api/graph/expand/",
]


HTML_ROOTS = {"/id/", "/id/szamr-2024/", "/areas/", "/measures/", "/units/"}  # pages too


def _traversals() -> list[tuple[str, str, str]]:
    paths = []
    for root in ROOTS:
        for escape_name, escape in ESCAPES.items():
            for target_name, target in TARGETS.items():
                depth = escape * 6
                paths.append((f"{root}{escape_name}-{target_name}", f"{root}{depth}{target}"))
        paths += [
            (f"{root}nul", f"{root}sparql.css%00.py"),
            (f"{root}nul-dots", f"{root}%00../../api/app.py"),
            (f"{root}absolute", f"{root}%2fetc%2fpasswd"),
            (f"{root}absolute-backslash", f"{root}%5cetc%5cpasswd"),
            (f"{root}drive", f"{root}C:%5cWindows%5cwin.ini"),
        ]
    cases = [(f"any-{name}", path, "*/*") for name, path in paths]
    cases += [(f"html-{n}", p, "text/html") for n, p in paths if p.startswith(tuple(HTML_ROOTS))]
    return cases


TRAVERSALS = _traversals()


def test_the_traversal_corpus_is_large() -> None:
    assert len(TRAVERSALS) >= 700
    assert len({name for name, _, _ in TRAVERSALS}) == len(TRAVERSALS)


@pytest.mark.parametrize(
    ("raw_path", "accept"), [(p, a) for _, p, a in TRAVERSALS], ids=[n for n, _, _ in TRAVERSALS]
)
def test_a_traversal_is_refused(client: TestClient, raw_path: str, accept: str) -> None:
    status, headers, body = raw_get(client, raw_path, accept)
    assert status in (400, 404), (status, body[:300])
    text = body.decode("utf-8", "replace")
    for secret in SECRETS:
        assert secret not in text
    assert "Traceback" not in text and "/work/" not in text and ".venv" not in text
    if accept == "*/*":
        assert headers["content-type"] == PROBLEM
    assert headers["x-content-type-options"] == "nosniff"


def test_the_files_under_the_roots_are_served(client: TestClient) -> None:
    """The refusals are not blanket: what is in the package is served, as itself."""
    for path, needle in [
        ("/static/sparql.css", b"{"),
        ("/graph/assets/graph.js", b"function"),
        ("/static/swagger/swagger-ui.css", b"swagger"),
    ]:
        status, headers, body = raw_get(client, path)
        assert status == 200, path
        assert needle in body
        assert headers["x-content-type-options"] == "nosniff"


# -- named-query parameters cannot change a query's shape ---------------------------------------

HOSTILE = {
    "string": [
        'x" . ?s ?p ?o } #',
        "x' } UNION { ?s ?p ?o } #",
        'x""" } SELECT * WHERE { ?s ?p ?o } #',
        'x\\" } #',
        "x\n} UNION { ?s ?p ?o }\n#",
        "x\\u0022 } UNION { ?s ?p ?o } #",
        'measure/2-2-1" || true || "',
        "*",
        "%",
        ".*",
        "",
    ],
    "iri": [
        "urn:x> ?p ?o } #",
        "urn:x>} UNION {?s ?p ?o",
        "urn:x')} UNION {(",
        "urn:x\\u003E } #",
        "urn:x#} UNION { ?s ?p ?o } #",
        "https://w3id.org/policykg/id/szamr-2024/measure/2-2-1> . ?s ?p ?o . <urn:y",
        "<https://w3id.org/policykg/id/szamr-2024/measure/2-2-1>",
        "?s",
        "_:b0",
        "file:///etc/passwd",
        "",
    ],
    "integer": ["1 } UNION { ?s ?p ?o }", "1.5", "1e999", "-", ""],
    "decimal": ["1 } #", "NaN", "1e999999", ""],
    "boolean": ["true } #", "1", "TRUE", ""],
    "year": ["2024 } #", "99999", "20x4", ""],
}
NEUTRAL = {
    "string": "no-such-value-zz",
    "iri": "urn:policykg:no-such-node",
    "integer": "987654321",
    "decimal": "987654.5",
    "boolean": "false",
    "year": "1111",
}


def _injections() -> list[tuple[str, str, str, str]]:
    cases = []
    for query in list_queries():
        for param in query.params:
            for value in HOSTILE[param.type]:
                for suffix in ("", ".csv"):
                    cases.append((f"{query.name}{suffix}", param.name, param.type, value))
    return cases


INJECTIONS = _injections()


def test_every_typed_parameter_is_tried() -> None:
    typed = {(q.name, p.name) for q in list_queries() for p in q.params}
    assert len(typed) >= 6
    assert {(name.removesuffix(".csv"), p) for name, p, _, _ in INJECTIONS} == typed
    assert len(INJECTIONS) >= 100


def _answer(client: TestClient, route: str, params: dict[str, str]) -> tuple[int, Any]:
    response = client.get(f"/api/queries/{route}", params=params)
    if response.status_code != 200:
        return response.status_code, response.json()
    if route.endswith(".csv") or "json" not in response.headers["content-type"]:
        return 200, response.text
    body = response.json()
    return 200, {k: v for k, v in body.items() if k != "query"}


@pytest.mark.parametrize(
    ("route", "name", "kind", "value"),
    INJECTIONS,
    ids=[f"{r}-{n}-{i}" for i, (r, n, _, _) in enumerate(INJECTIONS)],
)
def test_a_parameter_cannot_change_the_query(
    client: TestClient, route: str, name: str, kind: str, value: str
) -> None:
    query = next(q for q in list_queries() if q.name == route.removesuffix(".csv"))
    others = {p.name: NEUTRAL[p.type] for p in query.params if p.name != name}
    status, body = _answer(client, route, {**others, name: value})
    if status == 422:
        assert body["errors"][0]["parameter"] == name
        assert name in body["detail"]
        return
    assert status == 200, body
    assert body == _answer(client, route, {**others, name: NEUTRAL[kind]})[1]


# -- security headers on every kind of response -------------------------------------------------

KINDS = {
    "html-page": ("/", HTML, 200, "text/html"),
    "html-404": ("/measures/9-9-9", HTML, 404, "text/html"),
    "json": ("/api/areas", {}, 200, "application/json"),
    "sparql-results": ("/sparql?query=ASK%20%7B%7D", {}, 200, "application/sparql-results+json"),
    "sparql-page": ("/sparql", HTML, 200, "text/html"),
    "turtle": ("/id/szamr-2024/measure/2-2-1", {}, 200, "text/turtle"),
    "static-asset": ("/static/sparql.css", {}, 200, "text/css"),
    "graph-asset": ("/graph/assets/graph.js", {}, 200, "text/javascript"),
    "openapi": ("/openapi.json", {}, 200, "application/json"),
    "docs": ("/docs", HTML, 200, "text/html"),
    "404": ("/no/such/path", {}, 404, PROBLEM),
    "405": ("/api/areas", {"x-method": "POST"}, 405, PROBLEM),
    "422": ("/api/areas?limit=0", {}, 422, PROBLEM),
    "400": ("/sparql?query=SELEC", {}, 400, PROBLEM),
    "500": ("/test-only/boom", {}, 500, PROBLEM),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_security_headers_on_every_kind_of_response(client: TestClient, kind: str) -> None:
    path, headers, status, media = KINDS[kind]
    method = headers.get("x-method", "GET")
    response = client.request(
        method, path, headers={k: v for k, v in headers.items() if k != "x-method"}
    )
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"].split(";")[0] == media
    assert response.headers["x-content-type-options"] == "nosniff"
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert response.headers["x-frame-options"] == "DENY"


# -- no stack traces ---------------------------------------------------------------------------


def test_an_internal_error_shows_no_internals(client: TestClient) -> None:
    response = client.get("/test-only/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM
    assert response.json() == {
        "type": "about:blank",
        "title": "Internal error",
        "status": 500,
        "detail": "the server could not answer this request",
    }
    for leak in ("Traceback", "RuntimeError", "secret", "hunter2", "/work/", ".py", "line 1"):
        assert leak not in response.text


def test_an_error_in_the_library_shows_no_internals(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure deep in a handler (here the named-query list) is the same bare 500."""
    import api.queries

    def broken() -> list[Any]:
        raise KeyError("/work/wt-hostile/src/policykg/queries/secret.rq")

    monkeypatch.setattr(api.queries, "list_queries", broken)
    response = client.get("/api/queries")
    assert response.status_code == 500
    assert response.json()["detail"] == "the server could not answer this request"
    assert "secret" not in response.text and "KeyError" not in response.text
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
