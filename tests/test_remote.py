"""What only the remote engine has to promise: parameters written into the query safely, the one
configured URL contacted and nothing else (no proxy, no redirect, no URL from a query), no
credentials sent (the client's or the environment's), and a cut or malformed answer an error.

The API suite itself runs on the remote engine too (a real Oxigraph server, see ``engines.py``);
here a recording endpoint stands in for it, to see exactly what is sent.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from fastapi.testclient import TestClient

from api import create_app
from api.settings import ServerSettings
from policykg.remote import dataset_of, values_clause

SECRET = "client-secret-4711"
HOSTILE_HEADERS = {
    "Authorization": f"Bearer {SECRET}",
    "Cookie": f"session={SECRET}",
    "Proxy-Authorization": f"Basic {SECRET}",
    "X-Forwarded-For": SECRET,
}
ROW = {"n": {"type": "literal", "value": "7"}, "g": {"type": "uri", "value": "urn:g"}}
SELECT_ANSWER = {"head": {"vars": ["n", "g"]}, "results": {"bindings": [ROW]}}
ASK_ANSWER = {"head": {}, "boolean": True}


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, list[str]]


@dataclass
class Endpoint:
    """A SPARQL endpoint on a loopback port that records every request; ``mode`` says how it
    answers: ``ok``, ``redirect`` (to ``location``), ``cut`` (200 with a cut body, as Oxigraph's
    server does when its own timeout strikes) or ``cut-graph``."""

    url: str = ""
    mode: str = "ok"
    location: str = ""
    requests: list[Recorded] = field(default_factory=list)


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    state = Endpoint()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            form = parse_qs(body.decode())
            state.requests.append(
                Recorded("POST", self.path, {k.lower(): v for k, v in self.headers.items()}, form)
            )
            if state.mode == "redirect":
                self.send_response(307)
                self.send_header("Location", state.location)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            query = form["query"][0]
            if state.mode == "cut":
                media, data = "application/sparql-results+json", b'{"head":{"vars":["s"]},'
                data += b'"results":{"bindings":[The SPARQL operation has been cancelled'
            elif state.mode == "cut-graph":
                media, data = "application/n-triples", b"<urn:a> <urn:b> <urn:c> .\n<urn:a> <u"
            else:
                media = "application/sparql-results+json"
                data = json.dumps(ASK_ANSWER if "ASK" in query else SELECT_ANSWER).encode()
            self.send_response(200)
            self.send_header("Content-Type", media)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/query"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def elsewhere() -> Iterator[socket.socket]:
    """A loopback listener nobody should connect to."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        listener.settimeout(0.3)
        yield listener


def address(listener: socket.socket) -> str:
    host, port = listener.getsockname()
    return f"http://{host}:{port}/"


def test_values_are_written_by_the_rdf_library() -> None:
    clause = values_clause({"label": 'x" . ?s ?p ?o } #', "node": "https://w3id.org/x"})
    assert clause == 'VALUES (?label ?node) { ("x\\" . ?s ?p ?o } #" <https://w3id.org/x>) }'


def test_a_querys_own_dataset_is_read_with_its_prefixes() -> None:
    text = "PREFIX g: <urn:g:> SELECT * FROM g:a FROM <urn:b> FROM NAMED g:c { ?s ?p ?o }"
    assert dataset_of(text) == (["urn:g:a", "urn:b"], ["urn:g:c"])
    assert dataset_of("SELECT ?from WHERE { ?from ?p 'FROM <urn:x>' }") is None


GRAPH = "https://example.org/graph"  # a dataset IRI a client names: never fetched


def test_only_the_configured_url_is_contacted_and_no_credentials_are_sent(
    endpoint: Endpoint,
    elsewhere: socket.socket,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    other = address(elsewhere)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
        monkeypatch.setenv(name, other)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1 login planner password {SECRET}\n", encoding="utf-8")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    settings = ServerSettings(remote=endpoint.url, timeout=5.0)
    with TestClient(create_app(settings)) as client:
        client.cookies.set("session", SECRET)
        # a dataset IRI naming an internal address is refused before anything is sent …
        internal = client.get(
            "/sparql",
            params={"query": f"SELECT * FROM <{other}> WHERE {{ ?s ?p ?o }}"},
            headers=HOSTILE_HEADERS,
        )
        assert internal.status_code == 400
        assert "internal address" in internal.json()["detail"]
        # … and any other reaches the endpoint as an IRI, never as a URL to fetch
        select = client.get(
            "/sparql",
            params={"query": f"SELECT * FROM <{GRAPH}> WHERE {{ ?s ?p ?o }}"},
            headers=HOSTILE_HEADERS,
        )
        assert select.status_code == 200, select.text
        assert select.json()["results"]["bindings"] == [ROW]
        protocol = client.post(
            "/sparql",
            data={"query": "SELECT * WHERE { ?s ?p ?o }", "default-graph-uri": GRAPH},
            headers=HOSTILE_HEADERS,
        )
        assert protocol.json()["results"]["bindings"] == [ROW]
        named = client.get("/api/queries/find", params={"id": other}, headers=HOSTILE_HEADERS)
        assert named.status_code == 200 and named.json()["rows"] == [{"n": "7", "g": "urn:g"}]
        health = client.get("/healthz", headers=HOSTILE_HEADERS).json()
        assert health["status"] == "ok" and health["quads"] == 7
    sent = endpoint.requests
    assert len(sent) >= 4
    assert {(r.method, r.path) for r in sent} == {("POST", "/query")}
    for request in sent:
        assert not {"authorization", "cookie", "proxy-authorization", "x-forwarded-for"} & set(
            request.headers
        ), request.headers
        assert SECRET not in json.dumps(request.headers)
    assert sent[0].form["default-graph-uri"] == [GRAPH]
    assert sent[1].form["default-graph-uri"] == [GRAPH]
    with pytest.raises(TimeoutError):
        elsewhere.accept()


def test_a_redirect_is_not_followed(endpoint: Endpoint, elsewhere: socket.socket) -> None:
    endpoint.mode, endpoint.location = "redirect", address(elsewhere) + "query"
    with TestClient(create_app(ServerSettings(remote=endpoint.url))) as client:
        response = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "the SPARQL endpoint answered 307"
    assert len(endpoint.requests) == 1
    with pytest.raises(TimeoutError):
        elsewhere.accept()


@pytest.mark.parametrize(
    ("mode", "query", "detail"),
    [
        ("cut", "SELECT * WHERE { ?s ?p ?o }", "sent a result cut short or malformed"),
        ("cut-graph", "CONSTRUCT WHERE { ?s ?p ?o }", "sent a graph cut short or malformed"),
    ],
)
def test_a_cut_answer_is_an_error_never_a_result(
    endpoint: Endpoint, mode: str, query: str, detail: str
) -> None:
    endpoint.mode = mode
    with TestClient(create_app(ServerSettings(remote=endpoint.url))) as client:
        response = client.get("/sparql", params={"query": query})
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert detail in response.json()["detail"]
