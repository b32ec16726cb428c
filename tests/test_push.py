"""Loading the built graphs into a remote store (Graph Store HTTP Protocol), against a real
writable Oxigraph server process (PyPI ``oxigraph``), then serving from it with --remote."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from engines import OxigraphServer, free_port, oxigraph_binary
from starlette.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.settings import ServerSettings
from policykg.cli import app
from policykg.errors import InputError
from policykg.paths import graphs_dir
from policykg.push import graphs_of, push


def count_per_graph(base: str) -> dict[str, int]:
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    request = urllib.request.Request(
        f"{base}/query?query={urllib.parse.quote(query)}",
        headers={"Accept": "application/sparql-results+json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        rows = json.load(response)["results"]["bindings"]
    return {row["g"]["value"]: int(row["n"]["value"]) for row in rows}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary = oxigraph_binary()
    assert binary, "the oxigraph server (PyPI package oxigraph, a dev dependency) is missing"
    folder = tmp_path_factory.mktemp("oxigraph-rw")
    server = OxigraphServer(binary, folder / "store", folder / "server.log", writable=True)
    try:
        yield server.base
    finally:
        server.stop()


def test_push_replaces_each_named_graph_and_is_idempotent(server: str) -> None:
    sources = sorted(graphs_dir().glob("*.trig"))
    expected = {name: len(triples) for name, triples in graphs_of(sources).items()}
    assert expected["https://w3id.org/policykg/id/szamr-2024/graph/stated"] == 6573
    assert expected["https://w3id.org/policykg/id/szamr-2024/graph/curated"] == 544
    messages: list[str] = []
    assert push(f"{server}/store", sources, progress=messages.append) == expected
    assert len(messages) == len(expected)
    assert count_per_graph(server) == expected
    # twice: each graph is replaced, not added to
    assert push(f"{server}/store", sources) == expected
    assert count_per_graph(server) == expected


def test_the_cli_pushes_and_the_server_then_serves_from_the_store(server: str) -> None:
    result = CliRunner().invoke(app, ["push", f"{server}/store"])
    assert result.exit_code == 0, result.output
    assert "pushed 2 graphs, 7117 triples" in result.stdout
    assert "pushing https://w3id.org/policykg/id/szamr-2024/graph/stated" in result.stderr
    settings = ServerSettings(remote=f"{server}/query")
    with TestClient(create_app(settings)) as client:
        body = client.get("/api/targets/2-2-1-1").json()
    assert body["surface"] == "不少于2500户"
    assert [b["surface"] for b in body["baselines"]] == ["3582户"]


def test_refusals_and_unreachable_stores_are_clear_errors(server: str, tmp_path: Path) -> None:
    sources = sorted(graphs_dir().glob("*.trig"))
    with pytest.raises(InputError) as error:
        push(f"{server}/query", sources)  # the query endpoint takes no PUT
    assert "refused graph https://w3id.org/policykg/id/szamr-2024/graph/curated" in str(error.value)
    with pytest.raises(InputError) as error:
        push(f"http://127.0.0.1:{free_port()}/store", sources, timeout=2)
    assert "cannot reach the graph store" in str(error.value)
    with pytest.raises(InputError) as error:
        push("file:///etc/passwd", sources)
    assert "http(s) URL" in str(error.value)
    broken = tmp_path / "broken.trig"
    broken.write_text("<a> <b> .\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        push(f"{server}/store", [broken])
    assert "broken.trig" in str(error.value)
