"""One real server: ``uvicorn api:create_app --factory`` on a loopback port, with two query
workers, queried over HTTP by GET, POST form and POST direct, then stopped; on each engine."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx2
import pytest
import rdflib
from engines import Engine, free_port

ROOT = Path(__file__).resolve().parents[1]
ID = "https://w3id.org/policykg/id/szamr-2024/"
STATED = ID + "graph/stated"
CURATED = ID + "graph/curated"
MEASURE = ID + "measure/2-3-2"
RESULTS_JSON = "application/sparql-results+json"
MEASURES = "PREFIX pk: <https://w3id.org/policykg/ontology#>\n" + (
    "SELECT (COUNT(?m) AS ?n) WHERE { ?m a pk:Measure }"
)
LABEL = (
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
    f'SELECT ?label WHERE {{ <{MEASURE}> skos:prefLabel ?label FILTER (lang(?label) = "zh") }}'
)


@dataclass(frozen=True)
class Server:
    base: str
    process: subprocess.Popen[bytes]
    log: Path


def children(pid: int) -> set[int]:
    """The processes a process started (Linux /proc), e.g. uvicorn's query workers."""
    found: set[int] = set()
    for listing in Path(f"/proc/{pid}/task").glob("*/children"):
        found |= {int(child) for child in listing.read_text().split()}
    return found


def alive(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status")
    try:
        return "State:\tZ" not in status.read_text()
    except FileNotFoundError:
        return False


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, engine: Engine) -> Iterator[Server]:
    port = free_port()
    log = tmp_path_factory.mktemp("uvicorn") / "server.log"
    env = {name: value for name, value in os.environ.items() if not name.startswith("POLICYKG_")}
    env["POLICYKG_WORKERS"] = "2"
    env.update(engine.environment())
    command = [sys.executable, "-m", "uvicorn", "api:create_app", "--factory"]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
        base = f"http://127.0.0.1:{port}"
        try:
            give_up = time.monotonic() + 60
            while True:
                if process.poll() is not None:
                    pytest.fail(f"uvicorn exited with {process.returncode}:\n{log.read_text()}")
                try:
                    if httpx2.get(f"{base}/healthz", timeout=2).status_code == 200:
                        break
                except httpx2.TransportError:
                    pass
                if time.monotonic() > give_up:
                    pytest.fail(f"uvicorn did not answer /healthz in 60 s:\n{log.read_text()}")
                time.sleep(0.1)
            yield Server(base, process, log)
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def values(response: httpx2.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == RESULTS_JSON
    rows = response.json()["results"]["bindings"]
    return [{name: term["value"] for name, term in row.items()} for row in rows]


def test_uvicorn_serves_the_sparql_protocol(server: Server, engine: Engine) -> None:
    base, process = server.base, server.process
    health = httpx2.get(f"{base}/healthz").json()
    assert health["status"] == "ok" and health["workers"] == 2 and health["quads"] > 7000

    with httpx2.Client(base_url=base, timeout=10) as client:
        got = client.get("/sparql", params={"query": MEASURES})
        assert values(got) == [{"n": "29"}]

        form = client.post("/sparql", data={"query": LABEL})
        assert form.request.headers["content-type"] == "application/x-www-form-urlencoded"
        assert values(form) == [{"label": "营造安全放心消费环境"}]

        named = client.post(
            "/sparql",
            params=[("named-graph-uri", STATED), ("named-graph-uri", CURATED)],
            content=b"SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g",
            headers={"content-type": "application/sparql-query"},
        )
        assert values(named) == [{"g": CURATED}, {"g": STATED}]

        construct = client.post(
            "/sparql",
            content=f"CONSTRUCT {{ <{MEASURE}> ?p ?o }} WHERE {{ <{MEASURE}> ?p ?o }}".encode(),
            headers={"content-type": "application/sparql-query", "accept": "text/turtle"},
        )
        assert construct.headers["content-type"] == "text/turtle; charset=utf-8"
        graph = rdflib.Graph().parse(data=construct.text, format="turtle")
        notation = rdflib.URIRef("http://www.w3.org/2004/02/skos/core#notation")
        assert graph.value(rdflib.URIRef(MEASURE), notation) == rdflib.Literal("P2.3.2")

        refused = client.post(
            "/sparql", content=b"CLEAR ALL", headers={"content-type": "application/sparql-update"}
        )
        assert refused.status_code == 400
        assert refused.headers["content-type"] == "application/problem+json"

    workers = children(process.pid)
    assert len(workers) == (2 if engine.pool else 0)  # a remote engine has no worker pool
    process.terminate()
    # uvicorn shuts down gracefully, then exits by the signal it caught
    assert process.wait(timeout=20) in (0, -signal.SIGTERM)
    assert "Application shutdown complete" in server.log.read_text()
    assert not [pid for pid in workers if alive(pid)]


def test_policykg_serve_serves_its_settings(tmp_path: Path, engine: Engine) -> None:
    """The console script: options reach the app (here --max-rows), and it stops cleanly."""
    port = free_port()
    command = [
        str(Path(sys.executable).parent / "policykg"), "serve", "--port", str(port),
        "--workers", "1", "--max-rows", "3", "--timeout", "5", *engine.options(),
    ]  # fmt: skip
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                health = httpx2.get(f"{base}/healthz", timeout=2)
                break
            except httpx2.TransportError:
                assert time.monotonic() < deadline, "policykg serve did not come up"
                time.sleep(0.2)
        assert health.json()["workers"] == 1
        query = (
            "PREFIX pk: <https://w3id.org/policykg/ontology#> SELECT ?m WHERE { ?m a pk:Measure }"
        )
        capped = httpx2.get(f"{base}/sparql", params={"query": query}, timeout=10)
        assert capped.status_code == 400
        assert "cap of 3" in capped.json()["detail"]
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=15)
        log.close()


def test_policykg_serve_without_graphs_is_an_error(tmp_path: Path) -> None:
    command = [str(Path(sys.executable).parent / "policykg"), "serve", "--graphs", str(tmp_path)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "no graph to serve: run 'policykg build' first" in result.stderr


def test_large_answers_cross_the_pipe_under_uvloop(tmp_path: Path, engine: Engine) -> None:
    """uvicorn runs uvloop, which makes the worker pipe non-blocking: a large answer (far more
    than a pipe's 64 KiB, or than a remote server's chunks) must still arrive whole."""
    import uvloop  # noqa: F401  (the test is about the loop a real server picks)
    from browser import serve

    for live in serve(tmp_path / "serve.log", engine.options()):
        query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 5000"
        response = httpx2.get(f"{live.base}/sparql", params={"query": query}, timeout=30)
        assert response.status_code == 200, response.text[:300]
        assert len(response.content) > 500_000
        assert len(response.json()["results"]["bindings"]) == 5000
        framework = httpx2.get(f"{live.base}/api/framework", timeout=30)
        assert framework.status_code == 200
        assert framework.json()["counts"]["measures"] == 29


def test_policykg_serve_with_a_broken_graph_says_where(tmp_path: Path) -> None:
    (tmp_path / "broken.trig").write_text("<urn:g> { <urn:a> <urn:p> \n", encoding="utf-8")
    command = [str(Path(sys.executable).parent / "policykg"), "serve", "--graphs", str(tmp_path)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.startswith(f"policykg: {tmp_path / 'broken.trig'}: cannot load the graph")
    assert "Traceback" not in result.stderr
