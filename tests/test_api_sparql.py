"""``/sparql`` through the ASGI app: the W3C SPARQL 1.1 Protocol query cases, then what the design
asks beyond them (deadline, SERVICE, caps, CORS, service description, query page).

The W3C cases (``sparql/sparql11/protocol/manifest.ttl`` of w3c/rdf-tests) are one test each,
named after the case, with the request the manifest gives. Their data is adapted to the built graph
in ``graphs/``: the manifest's ``data1.rdf``, ``data2.rdf`` and ``data3.rdf`` become two named
graphs and three resources, each typed ``rdf:Statement`` (the ``?type`` the cases share):

- ``data1`` → ``IN_STATED``, found only in the stated graph ``STATED``;
- ``data2`` → ``IN_CURATED``, found only in the curated graph ``CURATED``;
- ``data3`` → ``ALSO_CURATED``, another resource found only in ``CURATED``.

Each dataset case also asks the complementary question, whose answer is false unless the protocol
dataset was really applied. The update cases are refused: this endpoint is read-only.
"""

from __future__ import annotations

import csv
import gc
import io
import json
import socket
import threading
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox
import pytest
import rdflib
from engines import Engine, Engines
from fastapi.testclient import TestClient
from httpx2 import Response
from rdflib.compare import isomorphic

from api import create_app
from policykg.queries import list_queries

ID = "https://w3id.org/policykg/id/szamr-2024/"
STATED = ID + "graph/stated"
CURATED = ID + "graph/curated"
IN_STATED = ID + "link/area-1--treatedIn--section-2-1"
IN_CURATED = ID + "link/area-1--partOf--build-3"
ALSO_CURATED = ID + "link/area-1--contributesTo--requirement-5"
MEASURE = ID + "measure/2-3-2"
DATA0 = "http://kasei.us/2009/09/sparql/data/data0.rdf"  # the manifest's graph that is not there

RESULTS_JSON = "application/sparql-results+json"
PROBLEM = "application/problem+json"
FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
PLANNER = "https://planner.example"
SKOS = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
PK = "PREFIX pk: <https://w3id.org/policykg/ontology#>\n"

BOTH_TYPED = f"ASK {{ <{IN_STATED}> a ?type . <{IN_CURATED}> a ?type . }}"
BOTH_NAMED = (
    f"ASK {{ GRAPH ?g1 {{ <{IN_STATED}> a ?type }} GRAPH ?g2 {{ <{IN_CURATED}> a ?type }} }}"
)


@pytest.fixture(scope="module")
def client(engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(engine.settings(workers=2))) as client:
        yield client


@pytest.fixture(scope="module")
def tight(engine: Engine) -> Iterator[TestClient]:
    """An app with small caps and one allowed CORS origin."""
    settings = engine.settings(
        workers=1, max_rows=5, max_query_length=300, max_body=2_000, cors_origins=(PLANNER,)
    )
    with TestClient(create_app(settings)) as client:
        yield client


def url(params: list[tuple[str, str]]) -> str:
    """``/sparql`` with percent-encoded (repeatable) parameters, as the manifest writes them."""
    return "/sparql?" + "&".join(f"{name}={quote(value, safe='')}" for name, value in params)


def direct(client: TestClient, text: str, path: str = "/sparql", **headers: str) -> Response:
    """POST the query itself."""
    return client.post(path, content=text.encode(), headers={"content-type": QUERY, **headers})


def boolean(response: Response) -> bool:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == RESULTS_JSON
    body = response.json()
    assert set(body) == {"head", "boolean"}
    result: bool = body["boolean"]
    return result


def bindings(response: Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == RESULTS_JSON
    rows = response.json()["results"]["bindings"]
    return [{name: term["value"] for name, term in row.items()} for row in rows]


def problem(response: Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"] and body["detail"]
    return body


def ask(client: TestClient, text: str, params: list[tuple[str, str]] | None = None) -> bool:
    return boolean(client.get(url([("query", text), *(params or [])])))


# --- W3C SPARQL 1.1 Protocol: query cases ---------------------------------------------------


def test_query_get(client: TestClient) -> None:
    """query_get: GET ?query=ASK {} (with a default graph that does not exist) → true."""
    response = client.get(f"/sparql?query=ASK%20%7B%7D&default-graph-uri={quote(DATA0, safe='')}")
    assert boolean(response) is True


def test_query_post_form(client: TestClient) -> None:
    """query_post_form: a URL-encoded form; the graph parameter is in the URL."""
    response = client.post(
        f"/sparql?default-graph-uri={quote(DATA0, safe='')}",
        content=b"query=ASK%20%7B%7D",
        headers={"content-type": FORM},
    )
    assert boolean(response) is True


def test_query_post_direct(client: TestClient) -> None:
    """query_post_direct: the body is the query."""
    assert boolean(direct(client, "ASK {}")) is True


def test_query_dataset_default_graph(client: TestClient) -> None:
    """query-dataset-default-graph (the 2009 draft suite): one protocol default graph."""
    path = url([("default-graph-uri", STATED)])
    assert boolean(direct(client, f"ASK {{ <{IN_STATED}> ?p ?o }}", path)) is True
    assert boolean(direct(client, f"ASK {{ <{IN_CURATED}> ?p ?o }}", path)) is False


def test_query_dataset_default_graphs_get(client: TestClient) -> None:
    """query_dataset_default_graphs_get: the default graph is the merge of the two given."""
    assert ask(client, BOTH_TYPED, [("default-graph-uri", STATED), ("default-graph-uri", CURATED)])
    assert not ask(client, BOTH_TYPED, [("default-graph-uri", STATED)])


def test_query_dataset_default_graphs_post(client: TestClient) -> None:
    """query_dataset_default_graphs_post: the same, the query POSTed directly."""
    both = url([("default-graph-uri", STATED), ("default-graph-uri", CURATED)])
    assert boolean(direct(client, BOTH_TYPED, both)) is True
    one = url([("default-graph-uri", CURATED)])
    assert boolean(direct(client, BOTH_TYPED, one)) is False


def test_query_dataset_named_graphs_post(client: TestClient) -> None:
    """query_dataset_named_graphs_post: GRAPH reaches exactly the named graphs given."""
    both = url([("named-graph-uri", STATED), ("named-graph-uri", CURATED)])
    assert boolean(direct(client, BOTH_NAMED, both)) is True
    assert boolean(direct(client, BOTH_NAMED, url([("named-graph-uri", STATED)]))) is False
    select = BOTH_NAMED.replace("ASK", "SELECT ?g1 ?g2 WHERE", 1)
    assert bindings(direct(client, select, both)) == [{"g1": STATED, "g2": CURATED}]


def test_query_dataset_named_graphs_get(client: TestClient) -> None:
    """query_dataset_named_graphs_get: the same by GET."""
    assert ask(client, BOTH_NAMED, [("named-graph-uri", STATED), ("named-graph-uri", CURATED)])
    assert not ask(client, BOTH_NAMED, [("named-graph-uri", CURATED)])


def test_query_dataset_full(client: TestClient) -> None:
    """query_dataset_full: a protocol default graph and two named graphs together."""
    dataset = url(
        [
            ("default-graph-uri", CURATED),
            ("named-graph-uri", STATED),
            ("named-graph-uri", CURATED),
        ]
    )
    text = f"""ASK {{
  <{ALSO_CURATED}> a ?type
  GRAPH ?g1 {{ <{IN_STATED}> a ?type }}
  GRAPH ?g2 {{ <{IN_CURATED}> a ?type }}
}}"""
    assert boolean(direct(client, text, dataset)) is True
    assert boolean(direct(client, f"ASK {{ <{IN_STATED}> a ?type }}", dataset)) is False


def test_query_multiple_dataset(client: TestClient) -> None:
    """query_multiple_dataset: the protocol's named graphs win over the query's FROM.

    The manifest percent-encodes the ``&`` between its two named-graph-uri parameters (one
    parameter whose value is not an IRI); the intent, two named graphs, is tested here.
    """
    text = BOTH_NAMED.replace("ASK", f"ASK FROM <{CURATED}>", 1)
    dataset = url([("named-graph-uri", STATED), ("named-graph-uri", CURATED)])
    assert boolean(direct(client, text, dataset)) is True
    # the query's own dataset has no named graph: without the protocol's, GRAPH finds nothing
    assert boolean(direct(client, text)) is False


def test_query_content_type_select(client: TestClient) -> None:
    """query_content_type_select: SELECT answers in SPARQL results JSON by default."""
    response = direct(client, "SELECT (1 AS ?value) {}", url([("default-graph-uri", DATA0)]))
    assert response.json()["head"] == {"vars": ["value"]}
    assert response.json()["results"]["bindings"] == [
        {
            "value": {
                "type": "literal",
                "value": "1",
                "datatype": "http://www.w3.org/2001/XMLSchema#integer",
            }
        }
    ]
    assert bindings(response) == [{"value": "1"}]


def test_query_content_type_ask(client: TestClient) -> None:
    """query_content_type_ask: ASK answers in SPARQL results JSON, or XML by Accept."""
    assert boolean(direct(client, "ASK {}", url([("default-graph-uri", DATA0)]))) is True
    xml = direct(client, "ASK {}", accept="application/sparql-results+xml")
    assert xml.headers["content-type"] == "application/sparql-results+xml"
    assert bool(ox.parse_query_results(xml.content, ox.QueryResultsFormat.XML)) is True


def test_query_content_type_describe(client: TestClient) -> None:
    """query_content_type_describe: DESCRIBE is an RDF graph (Turtle), never a results table."""
    empty = direct(client, "DESCRIBE <http://example.org/>", url([("default-graph-uri", DATA0)]))
    assert empty.status_code == 200
    assert empty.headers["content-type"] == "text/turtle; charset=utf-8"
    assert len(rdflib.Graph().parse(data=empty.text, format="turtle")) == 0
    measure = direct(client, f"DESCRIBE <{MEASURE}>")
    assert measure.headers["content-type"] == "text/turtle; charset=utf-8"
    graph = rdflib.Graph().parse(data=measure.text, format="turtle")
    notation = rdflib.URIRef("http://www.w3.org/2004/02/skos/core#notation")
    assert graph.value(rdflib.URIRef(MEASURE), notation) == rdflib.Literal("P2.3.2")


def test_query_content_type_construct(client: TestClient) -> None:
    """query_content_type_construct, with absolute IRIs (relative ones in the next test)."""
    response = direct(client, "CONSTRUCT { <urn:s> <urn:p> 1 } WHERE {}")
    assert response.headers["content-type"] == "text/turtle; charset=utf-8"
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    assert set(graph) == {(rdflib.URIRef("urn:s"), rdflib.URIRef("urn:p"), rdflib.Literal(1))}


def test_query_content_type_construct_relative_iris(client: TestClient) -> None:
    """query_content_type_construct verbatim: relative IRIs resolve against the endpoint."""
    response = direct(client, "CONSTRUCT { <s> <p> 1 } WHERE {}")
    assert response.status_code == 200, response.text
    assert "<http://testserver/s>" in response.text


def test_bad_query_method(client: TestClient) -> None:
    """bad_query_method: PUT (and other methods) → 405 naming the methods there are."""
    path = f"/sparql?query=ASK%20%7B%7D&default-graph-uri={quote(DATA0, safe='')}"
    for method in ("PUT", "DELETE", "PATCH"):
        response = client.request(method, path, headers={"content-type": FORM})
        assert problem(response, 405)["detail"] == f"{method}: send GET or POST"
        assert response.headers["allow"] == "GET, POST"


def test_bad_multiple_queries(client: TestClient) -> None:
    """bad_multiple_queries: two query parameters, by GET or in a form."""
    response = client.get("/sparql?query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D")
    assert problem(response, 400)["detail"] == "expected one query parameter, got 2"
    form = client.post(
        "/sparql", content=b"query=ASK%20%7B%7D&query=ASK%20%7B%7D", headers={"content-type": FORM}
    )
    assert problem(form, 400)["detail"] == "expected one query parameter, got 2"
    both = direct(client, "ASK {}", "/sparql?query=ASK%20%7B%7D")
    assert "no query parameter too" in problem(both, 400)["detail"]


def test_bad_query_wrong_media_type(client: TestClient) -> None:
    """bad_query_wrong_media_type: text/plain → 415 naming the media types accepted."""
    response = client.post("/sparql", content=b"ASK {}", headers={"content-type": "text/plain"})
    detail = problem(response, 415)["detail"]
    assert detail == f"Content-Type text/plain: send {FORM} or {QUERY}"


def test_bad_query_missing_form_type(client: TestClient) -> None:
    """bad_query_missing_form_type: a form body without its Content-Type → 415."""
    response = client.post("/sparql", content=b"query=ASK%20%7B%7D")
    assert problem(response, 415)["detail"] == f"no Content-Type: send {FORM} or {QUERY}"


def test_bad_query_missing_direct_type(client: TestClient) -> None:
    """bad_query_missing_direct_type: a query body without its Content-Type → 415."""
    response = client.post("/sparql", content=b"ASK {}")
    assert problem(response, 415)["detail"] == f"no Content-Type: send {FORM} or {QUERY}"


def test_bad_query_non_utf8(client: TestClient) -> None:
    """bad_query_non_utf8: UTF-16 (with a BOM), declared → 415; undeclared → 400."""
    body = "ASK {}".encode("utf-16")
    declared = client.post(
        "/sparql", content=body, headers={"content-type": f"{QUERY}; charset=UTF-16"}
    )
    assert problem(declared, 415)["detail"] == "charset utf-16: send UTF-8"
    undeclared = client.post("/sparql", content=body, headers={"content-type": QUERY})
    assert problem(undeclared, 400)["detail"] == "the request body is not UTF-8"
    form = client.post("/sparql", content=b"query=ASK%20%7B%FF%7D", headers={"content-type": FORM})
    assert problem(form, 400)["detail"] == "the request body is not UTF-8"


def test_bad_query_syntax(client: TestClient) -> None:
    """bad_query_syntax: GET ?query=ASK { → 400 with the line and column of the error."""
    body = problem(client.get("/sparql?query=ASK%20%7B"), 400)
    assert (body["line"], body["column"]) == (1, 6)
    assert body["detail"].startswith("SPARQL syntax error")
    later = problem(client.get(url([("query", "SELECT ?s\nWHERE { ?s ?p }")])), 400)
    assert later["line"] == 2 and later["column"] > 10  # the engine's column, near the "}"


# --- W3C SPARQL 1.1 Protocol: update cases, refused (read-only) -----------------------------

READ_ONLY = "this endpoint is read-only"
# (case, method, path, content type, body, status): the manifest's requests, verbatim but for
# the endpoint path. bad_update_wrong_media_type and bad_update_missing_form_type are refused
# for their media type first (415).
UPDATE_CASES = [
    (
        "update_dataset_default_graph",
        "POST",
        "/sparql?using-graph-uri=http%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata1.rdf",
        UPDATE,
        "PREFIX dc: <http://purl.org/dc/terms/>\nCLEAR ALL ;\nINSERT DATA { GRAPH "
        "<http://kasei.us/2009/09/sparql/data/data1.rdf> { <http://kasei.us/2009/09/sparql/"
        "data/data1.rdf> a <http://xmlns.com/foaf/0.1/Document> } }",
        400,
    ),
    (
        "update_dataset_default_graphs",
        "POST",
        "/sparql?using-graph-uri=http%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata1.rdf"
        "&using-graph-uri=http%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata2.rdf",
        UPDATE,
        "INSERT { GRAPH <http://example.org/protocol-update-dataset-graphs-test/> { ?s ?p ?o } }"
        " WHERE { ?s ?p ?o }",
        400,
    ),
    (
        "update_dataset_named_graphs",
        "POST",
        "/sparql?using-named-graph-uri=http%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2F"
        "data1.rdf",
        UPDATE,
        "INSERT { GRAPH <http://example.org/protocol-update-dataset-named-graphs-test/> "
        "{ ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }",
        400,
    ),
    (
        "update_dataset_full",
        "POST",
        "/sparql?using-graph-uri=http%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata3.rdf"
        "&using-named-graph-uri=http%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata1.rdf",
        UPDATE,
        "INSERT { GRAPH <http://example.org/protocol-update-dataset-full-test/> { ?s ?p ?o } }"
        " WHERE { ?s ?p ?o }",
        400,
    ),
    ("update_post_form", "POST", "/sparql", FORM, "update=CLEAR+ALL", 400),
    ("update_post_direct", "POST", "/sparql", UPDATE, "CLEAR ALL", 400),
    (
        "update_base_uri",
        "POST",
        "/sparql",
        UPDATE,
        "CLEAR GRAPH <http://example.org/protocol-base-test/> ;\nINSERT DATA { GRAPH "
        "<http://example.org/protocol-base-test/> { <http://example.org/s> "
        "<http://example.org/p> <test> } }",
        400,
    ),
    ("bad_update_get", "GET", "/sparql?update=CLEAR%20ALL", None, "", 400),
    (
        "bad_multiple_updates",
        "POST",
        "/sparql",
        FORM,
        "update=CLEAR%20NAMED&update=CLEAR%20DEFAULT",
        400,
    ),
    ("bad_update_wrong_media_type", "POST", "/sparql", "text/plain", "CLEAR NAMED", 415),
    ("bad_update_missing_form_type", "POST", "/sparql", None, "update=CLEAR%20NAMED", 415),
    ("bad_update_non_utf8", "POST", "/sparql", f"{UPDATE}; charset=UTF-16", "CLEAR NAMED", 400),
    ("bad_update_syntax", "POST", "/sparql", FORM, "update=CLEAR%20XYZ", 400),
    (
        "bad_update_dataset_conflict",
        "POST",
        "/sparql?using-named-graph-uri=http%3A%2F%2Fexample%2Fpeople",
        UPDATE,
        "PREFIX foaf: <http://xmlns.com/foaf/0.1/>\nWITH <http://example/addresses>\n"
        "DELETE { ?person foaf:givenName 'Bill' }\nINSERT { ?person foaf:givenName 'William' }\n"
        "WHERE { ?person foaf:givenName 'Bill' }",
        400,
    ),
]


@pytest.mark.parametrize(
    ("case", "method", "path", "media", "body", "status"),
    UPDATE_CASES,
    ids=[case[0] for case in UPDATE_CASES],
)
def test_update_cases_are_refused(
    client: TestClient,
    case: str,
    method: str,
    path: str,
    media: str | None,
    body: str,
    status: int,
) -> None:
    """Every update case of the manifest is refused, and the dataset stays as it was."""
    before = client.get("/healthz").json()["quads"]
    encoded = body.encode("utf-16") if "UTF-16" in (media or "") else body.encode()
    headers = {"content-type": media} if media else {}
    response = client.request(method, path, content=encoded or None, headers=headers)
    detail = problem(response, status)["detail"]
    if status == 400:
        assert detail.startswith(READ_ONLY) or "not allowed" in detail
        assert "read-only" in detail
    assert client.get("/healthz").json()["quads"] == before
    assert ask(client, f"ASK {{ <{IN_STATED}> ?p ?o }}")


def test_updates_sent_as_queries_are_refused(client: TestClient) -> None:
    """An update in the query parameter or a query body is refused before evaluation."""
    for text in ("CLEAR ALL", "INSERT DATA { <urn:a> <urn:b> <urn:c> }", "DROP GRAPH <urn:g>"):
        for response in (
            client.get(url([("query", text)])),
            direct(client, text),
            client.post("/sparql", data={"query": text}),
        ):
            detail = problem(response, 400)["detail"]
            assert detail.endswith(
                "not allowed: this store is read-only and never leaves the machine"
            )
    assert not ask(client, "ASK { <urn:a> <urn:b> <urn:c> }")


# --- the dataset --------------------------------------------------------------------------


def test_default_graph_is_the_union_of_the_named_graphs(client: TestClient) -> None:
    assert ask(client, BOTH_TYPED)
    graphs = client.get(
        url([("query", "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g")])
    )
    assert bindings(graphs) == [{"g": CURATED}, {"g": STATED}]


def test_get_select_bindings(client: TestClient) -> None:
    text = f"{SKOS}SELECT ?label WHERE {{ <{MEASURE}> skos:prefLabel ?label "
    text += 'FILTER (lang(?label) = "zh") }'
    assert bindings(client.get(url([("query", text)]))) == [{"label": "营造安全放心消费环境"}]
    form = client.post("/sparql", data={"query": text})
    assert bindings(form) == [{"label": "营造安全放心消费环境"}]


def test_from_is_honoured_without_a_protocol_dataset(client: TestClient) -> None:
    assert not ask(client, f"ASK FROM <{CURATED}> {{ <{IN_STATED}> ?p ?o }}")


def test_named_graphs_alone_give_an_empty_default_graph(client: TestClient) -> None:
    assert not ask(client, f"ASK {{ <{IN_STATED}> ?p ?o }}", [("named-graph-uri", STATED)])


def test_graph_parameters_must_be_iris(client: TestClient) -> None:
    response = client.get(url([("query", "ASK {}"), ("named-graph-uri", "not an iri")]))
    assert (
        problem(response, 400)["detail"] == "named-graph-uri: 'not an iri' is not an absolute IRI"
    )


def test_empty_query_is_a_bad_request(client: TestClient) -> None:
    assert problem(client.get("/sparql?query="), 400)["detail"] == "the query is empty"
    assert problem(direct(client, "  \n"), 400)["detail"] == "the query is empty"


# --- formats and negotiation ----------------------------------------------------------------

SELECT_TWO = (
    f"{SKOS}SELECT ?notation ?label WHERE {{ <{MEASURE}> skos:notation ?notation ; "
    "skos:prefLabel ?label } ORDER BY ?label"
)
CONSTRUCT_MEASURE = f"CONSTRUCT {{ <{MEASURE}> ?p ?o }} WHERE {{ <{MEASURE}> ?p ?o }}"


def rows_of(media: str, body: bytes) -> list[tuple[str, str]]:
    """(notation, label) rows, whatever the results format."""
    if media == "text/csv":
        return [
            (row["notation"], row["label"]) for row in csv.DictReader(io.StringIO(body.decode()))
        ]
    if media == "text/tab-separated-values":
        lines = body.decode().splitlines()
        assert lines[0] == "?notation\t?label"
        cells = [line.split("\t") for line in lines[1:]]
        return [(n[1 : n.rindex('"')], label[1 : label.rindex('"')]) for n, label in cells]
    fmt = {
        RESULTS_JSON: ox.QueryResultsFormat.JSON,
        "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    }[media]
    parsed: Any = ox.parse_query_results(body, fmt)
    return [(s["notation"].value, s["label"].value) for s in parsed]


@pytest.mark.parametrize(
    "media",
    [RESULTS_JSON, "application/sparql-results+xml", "text/csv", "text/tab-separated-values"],
)
def test_select_results_formats(client: TestClient, media: str) -> None:
    response = direct(client, SELECT_TWO, accept=media)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media
    assert "Accept" in response.headers["vary"]
    assert rows_of(media, response.content) == [
        ("P2.3.2", "Creating a safe and reassuring consumer environment"),
        ("P2.3.2", "营造安全放心消费环境"),
    ]


@pytest.mark.parametrize(
    ("media", "rdflib_format"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_graph_results_formats(client: TestClient, media: str, rdflib_format: str) -> None:
    reference = direct(client, CONSTRUCT_MEASURE, accept="application/n-triples")
    expected = rdflib.Graph().parse(data=reference.text, format="nt")
    assert len(expected) == 12
    response = direct(client, CONSTRUCT_MEASURE, accept=media)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media
    if rdflib_format == "json-ld":  # rdflib's JSON-LD parser warns (ConjunctiveGraph): pyoxigraph's
        triples = ox.parse(response.content, format=ox.RdfFormat.JSON_LD)
        nt = ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES) or b""
        parsed = rdflib.Graph().parse(data=nt.decode(), format="nt")
    else:
        parsed = rdflib.Graph().parse(data=response.content, format=rdflib_format)
    assert isomorphic(parsed, expected)


def test_accept_quality_values_choose(client: TestClient) -> None:
    accept = "text/csv;q=0.5, application/sparql-results+xml, */*;q=0.1"
    response = direct(client, "ASK {}", accept=accept)
    assert response.headers["content-type"] == "application/sparql-results+xml"
    graph = direct(client, CONSTRUCT_MEASURE, accept=accept)
    assert graph.headers["content-type"] == "text/turtle; charset=utf-8"  # only */* is left


def test_not_acceptable(client: TestClient) -> None:
    """406 when no format can serve the Accept, naming the ones that can."""
    body = problem(direct(client, "ASK {}", accept="image/png"), 406)
    assert body["acceptable"][0] == RESULTS_JSON and "text/turtle" in body["acceptable"]
    select = problem(direct(client, SELECT_TWO, accept="application/n-triples"), 406)
    assert select["acceptable"] == [
        RESULTS_JSON,
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ]
    assert "SELECT or ASK results" in select["detail"]
    graph = problem(direct(client, CONSTRUCT_MEASURE, accept="text/csv"), 406)
    assert graph["acceptable"] == [
        "text/turtle",
        "application/n-triples",
        "application/ld+json",
        "application/rdf+xml",
    ]


# --- caps ------------------------------------------------------------------------------------


def test_row_cap_is_an_error_naming_the_cap(tight: TestClient) -> None:
    measures = f"{PK}SELECT ?m WHERE {{ ?m a pk:Measure }}"
    detail = problem(tight.get(url([("query", measures)])), 400)["detail"]
    assert detail == (
        "the result has more rows (or triples) than the cap of 5: "
        "page through it with LIMIT and OFFSET"
    )
    assert len(bindings(tight.get(url([("query", measures + " LIMIT 5")])))) == 5
    graph = problem(direct(tight, CONSTRUCT_MEASURE), 400)["detail"]
    assert "than the cap of 5" in graph


def test_row_cap_stops_a_large_result_early(tight: TestClient) -> None:
    started = time.perf_counter()
    response = tight.get(url([("query", "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }")]))
    assert "than the cap of 5" in problem(response, 400)["detail"]
    assert time.perf_counter() - started < 0.5


def test_query_length_cap(tight: TestClient) -> None:
    text = "ASK {}" + " " * 295
    assert len(text) == 301
    detail = problem(direct(tight, text), 400)["detail"]
    assert detail == "the query is 301 characters long; the limit is 300"
    assert boolean(direct(tight, text[:300])) is True


def test_body_cap_by_content_length_and_while_reading(tight: TestClient) -> None:
    text = "ASK {} #" + "x" * 2_000
    declared = direct(tight, text)
    assert problem(declared, 413)["detail"] == "the request body is over the limit of 2000 bytes"

    def chunks() -> Iterator[bytes]:
        for _ in range(5):
            yield b"#" + b"x" * 499 + b"\n"

    streamed = tight.post("/sparql", content=chunks(), headers={"content-type": QUERY})
    assert "content-length" not in streamed.request.headers
    assert problem(streamed, 413)["detail"] == "the request body is over the limit of 2000 bytes"


# --- the deadline --------------------------------------------------------------------------

CROSS_JOIN = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture
def deadline(engine: Engine, engines: Engines) -> Iterator[TestClient]:
    """An app with a 1 s deadline and three workers.

    The pool kills a runaway query at the deadline; a remote server goes on evaluating it, so
    the remote engine is a server of the test's own, stopped when the test ends.

    The server's front process is this test process, whose heap holds pytest and every test
    module: a full garbage collection of it stalls the event loop for 60-250 ms on a busy 2-core
    machine. Startup's objects are frozen out of the collector, as a server process would do.
    """
    with (
        engines.fresh(engine.name) as own,
        TestClient(create_app(own.settings(timeout=1.0, workers=3))) as client,
    ):
        client.get("/healthz")
        gc.collect()
        gc.freeze()
        try:
            yield client
        finally:
            gc.unfreeze()


@pytest.mark.parametrize(
    "runaway",
    [
        CROSS_JOIN + " ORDER BY ?a",
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    ],
    ids=["ordered-cross-join", "count-of-cross-join"],
)
def test_runaway_query_gets_503_while_cheap_queries_answer(
    deadline: TestClient, engine: Engine, runaway: str
) -> None:
    before = deadline.get("/healthz").json()["workers_replaced"]
    outcome: dict[str, Any] = {}
    done = threading.Event()

    def run_away() -> None:
        started = time.perf_counter()
        outcome["response"] = deadline.get(url([("query", runaway)]))
        outcome["elapsed"] = time.perf_counter() - started
        done.set()

    latencies: list[float] = []

    def cheap() -> None:
        while not done.is_set():
            started = time.perf_counter()
            answer = deadline.get(url([("query", f"ASK {{ <{MEASURE}> ?p ?o }}")]))
            latencies.append(time.perf_counter() - started)
            assert boolean(answer) is True

    threads = [threading.Thread(target=run_away)]
    threads += [threading.Thread(target=cheap) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    response: Response = outcome["response"]
    body = problem(response, 503)
    assert body["detail"] == "the query ran past its deadline of 1 s"
    assert response.headers["retry-after"] == "1"
    assert outcome["elapsed"] < 1.5
    assert len(latencies) >= 10
    # a remote server evaluates the runaway on this machine's two cores too: its cheap answers
    # are slower, but never wait for the runaway's deadline
    assert max(latencies) < (0.1 if engine.pool else 0.75), sorted(latencies)[-5:]
    health = deadline.get("/healthz").json()
    assert health["status"] == "ok"
    if engine.pool:  # the worker that ran it was killed and replaced
        assert health["workers_replaced"] >= before + 1
    assert ask(deadline, f"ASK {{ <{MEASURE}> ?p ?o }}")


# --- SERVICE and LOAD -------------------------------------------------------------------------


def test_service_and_load_are_refused_and_nothing_connects(client: TestClient) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        listener.settimeout(0.5)
        remote = f"<http://127.0.0.1:{listener.getsockname()[1]}/sparql>"
        queries = [
            f"SELECT * WHERE {{ SERVICE {remote} {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ SERVICE SILENT {remote} {{ ?s ?p ?o }} }}",
            f"select * where {{ service silent {remote} {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ \\u0053ERVICE {remote} {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ \\U00000053ervice {remote} {{ ?s ?p ?o }} }}",
        ]
        for text in queries:
            for response in (
                client.get(url([("query", text)])),
                client.post("/sparql", data={"query": text}),
                direct(client, text),
            ):
                assert problem(response, 400)["detail"] == (
                    "SERVICE is not allowed: this store is read-only and never leaves the machine"
                )
        load = f"LOAD {remote} INTO GRAPH <urn:g>"
        assert "LOAD is not allowed" in problem(direct(client, load), 400)["detail"]
        assert READ_ONLY in problem(client.post("/sparql", data={"update": load}), 400)["detail"]
        with pytest.raises(TimeoutError):
            listener.accept()


# --- CORS -------------------------------------------------------------------------------------


def test_cors_is_off_by_default(client: TestClient) -> None:
    response = client.get(url([("query", "ASK {}")]), headers={"origin": PLANNER})
    assert boolean(response) is True
    assert not [name for name in response.headers if name.startswith("access-control-")]
    preflight = client.options(
        "/sparql",
        headers={"origin": PLANNER, "access-control-request-method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers


def test_cors_allows_exactly_the_listed_origins(tight: TestClient) -> None:
    allowed = direct(tight, "ASK {}", origin=PLANNER)
    assert boolean(allowed) is True
    assert allowed.headers["access-control-allow-origin"] == PLANNER
    assert "Origin" in allowed.headers["vary"]
    assert "access-control-allow-credentials" not in allowed.headers
    other = direct(tight, "ASK {}", origin="https://evil.example")
    assert boolean(other) is True
    assert "access-control-allow-origin" not in other.headers
    preflight = tight.options(
        "/sparql",
        headers={
            "origin": PLANNER,
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == PLANNER
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "access-control-allow-credentials" not in preflight.headers
    refused = tight.options(
        "/sparql",
        headers={"origin": "https://evil.example", "access-control-request-method": "POST"},
    )
    assert "access-control-allow-origin" not in refused.headers
    for response in (allowed, other, preflight, refused):
        assert response.headers.get("access-control-allow-origin") != "*"


# --- service description and query page -------------------------------------------------------

SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = rdflib.Namespace("http://www.w3.org/ns/formats/")


def test_service_description_for_machines(client: TestClient) -> None:
    response = client.get("/sparql")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/turtle; charset=utf-8"
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    endpoint = rdflib.URIRef("http://testserver/sparql")
    assert (endpoint, SD.endpoint, endpoint) in graph
    assert (endpoint, rdflib.RDF.type, SD.Service) in graph
    assert (endpoint, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert set(graph.objects(endpoint, SD.resultFormat)) == {
        FORMATS[name]
        for name in (
            "SPARQL_Results_JSON",
            "SPARQL_Results_XML",
            "SPARQL_Results_CSV",
            "SPARQL_Results_TSV",
            "Turtle",
            "N-Triples",
            "JSON-LD",
            "RDF_XML",
        )
    }
    dataset = graph.value(endpoint, SD.defaultDataset)
    assert graph.value(dataset, SD.defaultGraph) is not None
    names = {graph.value(node, SD.name) for node in graph.objects(dataset, SD.namedGraph)}
    assert names == {rdflib.URIRef(STATED), rdflib.URIRef(CURATED)}
    ntriples = client.get("/sparql", headers={"accept": "application/n-triples"})
    assert ntriples.headers["content-type"] == "application/n-triples"
    assert isomorphic(rdflib.Graph().parse(data=ntriples.text, format="nt"), graph)


class Assets(HTMLParser):
    """What a page loads (script src, link href) and its example buttons."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []
        self.examples: list[str] = []
        self.example_queries: list[str] = []
        self._in_example = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script" and found.get("src"):
            self.loads.append(found["src"] or "")
        if tag == "link" and found.get("href"):
            self.loads.append(found["href"] or "")
        if tag == "button" and "example" in (found.get("class") or ""):
            self._in_example = True
            self.example_queries.append(found.get("data-query") or "")

    def handle_data(self, data: str) -> None:
        if self._in_example:
            self.examples.append(data)
            self._in_example = False


def test_query_page_for_browsers(client: TestClient) -> None:
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get("/sparql", headers={"accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = response.text
    assert '<textarea id="query" name="query"' in page
    assert '<form id="query-form" method="post" action="/sparql">' in page
    parsed = Assets()
    parsed.feed(page)
    examples = [query for query in list_queries() if not query.params]
    assert examples
    assert parsed.examples == [query.title for query in examples]
    assert parsed.example_queries == [query.text for query in examples]
    assert "Baseline of a target" not in parsed.examples  # it needs a parameter
    assert len(parsed.loads) == 2
    for path in parsed.loads:
        assert path.startswith("/") and not path.startswith("//") and "http" not in path
        asset = client.get(path)
        assert asset.status_code == 200 and asset.content
        assert asset.headers["content-type"].split(";")[0] in {"text/css", "text/javascript"}
        assert "http" not in asset.text.replace("http://www.w3.org/2001/XMLSchema#", "").replace(
            "https?:", ""
        )
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "http" not in policy
    # autoescaped: the query texts' IRIs are text, never markup
    assert "&lt;https://w3id.org/policykg/ontology#&gt;" in page
    assert "<https://w3id.org/policykg/ontology#>" not in page
    for graph in (STATED, CURATED):
        assert f"<code>{graph}</code>" in page


def test_openapi_documents_the_endpoint(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    operations = spec["paths"]["/sparql"]
    assert set(operations) == {"get", "post"}
    names = {parameter["name"] for parameter in operations["get"]["parameters"]}
    assert {"query", "default-graph-uri", "named-graph-uri"} <= names
    assert set(operations["post"]["requestBody"]["content"]) == {FORM, QUERY}
    assert json.dumps(spec)  # serialisable
