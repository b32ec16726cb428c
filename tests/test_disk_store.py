"""The on-disk store: built once from the graphs, kept while they do not change, served with the
same guarantees (deadline, row cap, read-only) as the in-memory one."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from api import create_app
from api.settings import ServerSettings
from policykg.errors import InputError
from policykg.paths import graphs_dir
from policykg.store import disk_store

COUNT_MEASURES = (
    "PREFIX pk: <https://w3id.org/policykg/ontology#> "
    "SELECT (COUNT(?m) AS ?n) WHERE { ?m a pk:Measure }"
)


@pytest.fixture
def graphs(tmp_path: Path) -> Path:
    folder = tmp_path / "graphs"
    folder.mkdir()
    shutil.copy(graphs_dir() / "szamr-2024.trig", folder)
    return folder


def quads(path: Path) -> int:
    store = ox.Store.read_only(str(path))
    return len(store)


def test_built_once_and_kept_while_the_graphs_do_not_change(graphs: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert disk_store(store, graphs.glob("*.trig")) is True
    record = json.loads((tmp_path / "store.json").read_text(encoding="utf-8"))
    assert record["quads"] == quads(store) > 7000
    assert set(record["sources"]) == {"szamr-2024.trig"}
    assert disk_store(store, graphs.glob("*.trig")) is False  # a restart: nothing to load
    extra = graphs / "extra.trig"
    extra.write_text("<urn:g> { <urn:a> <urn:p> 'x' . }\n", encoding="utf-8")
    assert disk_store(store, graphs.glob("*.trig")) is True  # the graphs changed: rebuilt
    assert quads(store) == record["quads"] + 1


def test_a_broken_graph_leaves_the_last_good_store(graphs: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    disk_store(store, graphs.glob("*.trig"))
    before = quads(store)
    (graphs / "broken.trig").write_text("<urn:g> { <urn:a> ", encoding="utf-8")
    with pytest.raises(InputError) as error:
        disk_store(store, graphs.glob("*.trig"))
    assert "broken.trig" in str(error.value)
    assert quads(store) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graphs", "store", "store.json"]


@pytest.fixture
def client(graphs: Path, tmp_path: Path) -> Iterator[TestClient]:
    settings = ServerSettings(graphs=graphs, store=tmp_path / "store", workers=2, timeout=1.0)
    with TestClient(create_app(settings)) as client:
        yield client


def test_the_api_serves_from_the_disk_store(client: TestClient, tmp_path: Path) -> None:
    assert (tmp_path / "store.json").is_file()
    health = client.get("/healthz").json()
    assert health["quads"] > 7000
    result = client.get("/sparql", params={"query": COUNT_MEASURES}).json()
    assert result["results"]["bindings"][0]["n"]["value"] == "29"
    trace = client.get("/api/measures/2-2-1/trace").json()
    assert [s["id"] for s in trace["paths"][0]] == [
        "measure/2-2-1", "area/2", "build/3", "project", "workline",
    ]  # fmt: skip


def test_the_deadline_and_the_refusals_hold_on_disk(client: TestClient) -> None:
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    cheap: list[int] = []

    def ask() -> None:
        cheap.append(client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).status_code)

    helper = threading.Thread(target=ask)
    helper.start()
    response = client.get("/sparql", params={"query": runaway})
    helper.join(timeout=10)
    assert response.status_code == 503
    assert response.json()["detail"] == "the query ran past its deadline of 1 s"
    assert cheap == [200]
    refused = client.get(
        "/sparql", params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}
    )
    assert refused.status_code == 400 and "SERVICE is not allowed" in refused.json()["detail"]
    assert client.get("/healthz").json()["workers_replaced"] >= 1
