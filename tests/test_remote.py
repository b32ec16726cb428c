"""A remote SPARQL endpoint as the engine: a real Oxigraph server process (PyPI ``oxigraph``)
started here, serving the built graph; the API keeps its guarantees in front of it."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api import create_app
from api.settings import ServerSettings
from policykg.paths import graphs_dir
from policykg.remote import values_clause

OXIGRAPH = Path(sys.executable).parent / "oxigraph"
PK = "PREFIX pk: <https://w3id.org/policykg/ontology#> "


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not OXIGRAPH.exists() and shutil.which("oxigraph") is None:
        pytest.skip("the oxigraph server (PyPI package oxigraph) is not installed")
    binary = str(OXIGRAPH if OXIGRAPH.exists() else shutil.which("oxigraph"))
    folder = tmp_path_factory.mktemp("oxigraph")
    store = folder / "store"
    subprocess.run(
        [binary, "load", "--location", str(store), "--file", str(graphs_dir() / "szamr-2024.trig")],
        check=True,
        capture_output=True,
        timeout=120,
    )
    port = free_port()
    command = [binary, "serve-read-only", "--location", str(store)]
    command += ["--bind", f"127.0.0.1:{port}", "--union-default-graph"]
    with (folder / "server.log").open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}/query"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    ask = urllib.request.Request(
                        f"{url}?query=ASK%7B%7D",
                        headers={"Accept": "application/sparql-results+json"},
                    )
                    with urllib.request.urlopen(ask, timeout=2):
                        break
                except OSError:
                    assert process.poll() is None, (folder / "server.log").read_text()
                    assert time.monotonic() < deadline, "the Oxigraph server did not come up"
                    time.sleep(0.2)
            yield url
        finally:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def client(endpoint: str) -> Iterator[TestClient]:
    with TestClient(
        create_app(ServerSettings(remote=endpoint, timeout=2.0, max_rows=1000))
    ) as client:
        yield client


def test_values_are_written_by_the_rdf_library() -> None:
    clause = values_clause({"label": 'x" . ?s ?p ?o } #', "node": "https://w3id.org/x"})
    assert clause == 'VALUES (?label ?node) { ("x\\" . ?s ?p ?o } #" <https://w3id.org/x>) }'


def test_the_remote_engine_answers_the_endpoint(client: TestClient) -> None:
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["quads"] == 7117
    result = client.get(
        "/sparql", params={"query": PK + "SELECT (COUNT(?m) AS ?n) WHERE { ?m a pk:Measure }"}
    )
    assert result.json()["results"]["bindings"][0]["n"]["value"] == "29"
    description = client.get("/sparql", headers={"Accept": "text/turtle"}).text
    assert "https://w3id.org/policykg/id/szamr-2024/graph/stated" in description


def test_bound_parameters_cannot_change_the_query(client: TestClient) -> None:
    found = client.get("/api/queries/find", params={"id": "measure/2-2-1"}).json()
    assert found["rows"] == [
        {"node": "https://w3id.org/policykg/id/szamr-2024/measure/2-2-1", "id": "measure/2-2-1"}
    ]
    hostile = client.get("/api/queries/find", params={"id": 'x" . ?s ?p ?o } #'}).json()
    assert hostile["rows"] == []


def test_resources_and_trace_through_the_remote_engine(client: TestClient) -> None:
    trace = client.get("/api/measures/2-2-1/trace").json()
    assert [s["id"] for s in trace["paths"][0]] == [
        "measure/2-2-1", "area/2", "build/3", "project", "workline",
    ]  # fmt: skip


def test_the_row_cap_and_the_refusals_hold(client: TestClient) -> None:
    many = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert many.status_code == 400 and "cap of 1000" in many.json()["detail"]
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        listener.settimeout(0.5)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
        refused = client.get(
            "/sparql", params={"query": f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"}
        )
        assert refused.status_code == 400 and "SERVICE is not allowed" in refused.json()["detail"]
        with pytest.raises(TimeoutError):
            listener.accept()


def test_a_query_past_the_deadline_is_503(client: TestClient) -> None:
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    started = time.monotonic()
    response = client.get("/sparql", params={"query": runaway})
    assert response.status_code == 503
    assert json.loads(response.content)["detail"] == "the query ran past its deadline of 2 s"
    assert time.monotonic() - started < 4
