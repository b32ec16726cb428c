"""Named queries as REST, linked-data IRIs, the dumps and the error shape, through the ASGI app."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import pytest
from engines import Engine
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS

from api import create_app
from policykg.graph import read_dataset, union_graph
from policykg.paths import graphs_dir
from policykg.queries import list_queries
from policykg.store import Store

ID = "https://w3id.org/policykg/id/szamr-2024/"
MEASURE = ID + "measure/2-2-1"
PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def client(engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(engine.settings(workers=2))) as client:
        yield client


def test_the_list_of_named_queries(client: TestClient) -> None:
    response = client.get("/api/queries")
    assert response.status_code == 200
    queries = {q["name"]: q for q in response.json()["queries"]}
    assert set(queries) == {q.name for q in list_queries()} and len(queries) >= 10
    node = queries["node"]
    assert node["title"] == "Node"
    assert node["parameters"] == [{"name": "node", "type": "iri", "description": "The node's IRI"}]
    assert node["url"].endswith("/api/queries/node")


def test_running_a_named_query(client: TestClient) -> None:
    response = client.get("/api/queries/find", params={"id": "measure/2-2-1"})
    assert response.status_code == 200
    assert response.json() == {
        "query": "find",
        "variables": ["node", "id"],
        "rows": [{"node": MEASURE, "id": "measure/2-2-1"}],
    }


def test_every_named_query_answers_as_the_library_does(client: TestClient) -> None:
    """Each named query, its parameters bound by this engine, gives the rows the library's own
    in-memory store gives: an engine that binds a parameter where it does not reach (a remote
    one binds by a VALUES clause) or answers in part shows here."""
    store = Store.from_files(sorted(graphs_dir().glob("*.trig")))
    pk = "PREFIX pk: <https://w3id.org/policykg/ontology#> "
    indicator = store.query(pk + "SELECT ?i WHERE { ?i a pk:Indicator } ORDER BY ?i LIMIT 1")
    samples = {
        "id": "measure/2-2-1",
        "s": MEASURE,
        "node": MEASURE,
        "measure": MEASURE,
        "start": MEASURE,
        "target": ID + "target/2-2-1-1",
        "indicator": indicator.rows[0]["i"],
    }
    compared = 0
    for query in list_queries():
        params = {p.name: samples[p.name] for p in query.params}
        expected = store.query(query.text, {p.name: p.term(params[p.name]) for p in query.params})
        if expected.kind != "select":
            continue  # graphs are compared as graphs by the linked-data test
        response = client.get(f"/api/queries/{query.name}", params=params)
        assert response.status_code == 200, (query.name, response.text)
        rows = response.json()["rows"]
        assert sorted(map(json.dumps, rows)) == sorted(map(json.dumps, expected.rows)), query.name
        assert rows or not expected.rows
        compared += 1
    assert compared >= 20


def test_csv_by_suffix_and_by_accept(client: TestClient) -> None:
    by_suffix = client.get("/api/queries/node.csv", params={"node": MEASURE})
    by_accept = client.get(
        "/api/queries/node", params={"node": MEASURE}, headers={"accept": "text/csv"}
    )
    for response in (by_suffix, by_accept):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert {r["label_zh"] for r in rows} == {"持续提升商事登记便利度"}
    assert by_suffix.text == by_accept.text


def test_a_parameter_cannot_change_the_query(client: TestClient) -> None:
    """grlc pasted parameters into the text; here the engine binds them as one literal."""
    hostile = 'x" . ?s ?p ?o } #'
    response = client.get("/api/queries/find", params={"id": hostile})
    assert response.status_code == 200
    assert response.json()["rows"] == []  # what a literal with that text matches: nothing
    iri_attack = client.get("/api/queries/node", params={"node": MEASURE + "> ?p ?o } #"})
    assert iri_attack.status_code == 422
    assert iri_attack.json()["errors"][0]["parameter"] == "node"


def test_missing_and_ill_typed_parameters_are_named(client: TestClient) -> None:
    missing = client.get("/api/queries/node")
    assert missing.status_code == 422 and missing.headers["content-type"] == PROBLEM
    assert missing.json()["detail"] == "invalid or missing: node"
    wrong = client.get("/api/queries/node", params={"node": "not an iri"})
    assert wrong.status_code == 422
    assert "not an absolute IRI" in wrong.json()["errors"][0]["problem"]


def test_an_unknown_query_is_404(client: TestClient) -> None:
    response = client.get("/api/queries/nope")
    assert response.status_code == 404 and response.headers["content-type"] == PROBLEM
    assert "no named query 'nope'" in response.json()["detail"]


def test_openapi_documents_each_query_and_parameter(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    operation = spec["paths"]["/api/queries/node"]["get"]
    assert operation["summary"] == "Node"
    [param] = [p for p in operation["parameters"] if p["in"] == "query"]
    assert param["name"] == "node" and param["required"] is True
    assert "The node's IRI" in param["description"]
    assert "/api/queries/find.csv" in spec["paths"]


def test_an_iri_dereferences_as_turtle_json_ld_and_html(client: TestClient) -> None:
    turtle = client.get("/id/szamr-2024/measure/2-2-1", headers={"accept": "text/turtle"})
    assert turtle.status_code == 200 and turtle.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=turtle.text, format="turtle")
    assert (URIRef(MEASURE), SKOS.prefLabel, Literal("持续提升商事登记便利度", lang="zh")) in graph
    jsonld = client.get("/id/szamr-2024/measure/2-2-1.jsonld")
    assert jsonld.headers["content-type"] == "application/ld+json"
    assert len(union_graph(read_dataset(jsonld.content, "json-ld"))) == len(graph)
    nt = client.get("/id/szamr-2024/measure/2-2-1", headers={"accept": "application/n-triples"})
    assert len(Graph().parse(data=nt.text, format="nt")) == len(graph)
    curl = client.get("/id/szamr-2024/measure/2-2-1", headers={"accept": "*/*"})
    assert curl.headers["content-type"].startswith("text/turtle")
    html = client.get(
        "/id/szamr-2024/measure/2-2-1",
        headers={"accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
    )
    assert html.headers["content-type"].startswith("text/html")
    assert "<h1>持续提升商事登记便利度 | Making business registration" in html.text
    assert 'href="/id/szamr-2024/area/2"' in html.text
    assert "http://" not in html.text.split("<body>")[0]  # no script or style from elsewhere


def test_hostile_text_stays_text_in_html(client: TestClient) -> None:
    html = client.get("/id/szamr-2024/measure/2-2-1", headers={"accept": "text/html"}).text
    assert "<script" not in html
    assert "“个转企”" in html  # the text, escaped where it must be, not dropped


def test_unknown_iris_and_unservable_types(client: TestClient) -> None:
    missing = client.get("/id/szamr-2024/measure/9-9-9")
    assert missing.status_code == 404 and missing.headers["content-type"] == PROBLEM
    assert "measure/9-9-9" in missing.json()["detail"]
    refused = client.get("/id/szamr-2024/measure/2-2-1", headers={"accept": "image/png"})
    assert refused.status_code == 406 and "text/turtle" in refused.json()["detail"]


def test_dumps_are_the_built_files(client: TestClient) -> None:
    for ext, media_type in (
        ("trig", "application/trig"),
        ("ttl", "text/turtle"),
        ("jsonld", "application/ld+json"),
    ):
        response = client.get(f"/graph.{ext}")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(media_type)
        assert response.content == (graphs_dir() / f"szamr-2024.{ext}").read_bytes()
    unknown = client.get("/graph.xml")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == PROBLEM


def test_healthz(client: TestClient) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["quads"] > 5000 and body["workers"] == 2


@pytest.mark.parametrize(
    "path",
    ["/healthz", "/api/queries", "/api/queries/nope", "/id/szamr-2024/area/2", "/graph.ttl", "/"],
)
def test_security_headers_on_every_response(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"] or (
        "default-src 'none'" in response.headers["content-security-policy"]
    )
