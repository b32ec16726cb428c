"""The API over several reports: the documents, filters by document and year, ids that name a
report, and a target's result once a later report is loaded."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from api.app import create_app
from api.settings import ServerSettings
from policykg.build import build_all, default_source, write

SYNTHETIC = Path(__file__).parent / "fixtures" / "szamr-2025-synthetic.txt"
BASE = "https://w3id.org/policykg/id/"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    graphs = tmp_path_factory.mktemp("two-reports")
    write(build_all([default_source(), SYNTHETIC]), graphs)
    with TestClient(create_app(ServerSettings(graphs=graphs, workers=2))) as client:
        yield client


def test_documents_lists_each_report_with_its_counts(client: TestClient) -> None:
    response = client.get("/api/documents")
    assert response.status_code == 200
    assert response.json()["items"] == [
        {
            "id": "szamr-2024",
            "iri": f"{BASE}szamr-2024",
            "title": "2023年工作总结和2024年工作安排",
            "measures": 29,
            "targets": 20,
            "achievements": 126,
        },
        {
            "id": "szamr-2025-synthetic",
            "iri": f"{BASE}szamr-2025-synthetic",
            "title": "2024年工作总结和2025年工作安排",
            "measures": 1,
            "targets": 1,
            "achievements": 2,
        },
    ]


def test_lists_filter_by_document_and_year(client: TestClient) -> None:
    both = client.get("/api/targets", params={"limit": 500}).json()
    assert both["total"] == 21
    later = client.get("/api/targets", params={"document": "szamr-2025-synthetic"}).json()
    assert [(t["id"], t["document"], t["surface"], t["year"]) for t in later["items"]] == [
        ("target/2-1-1-1", "szamr-2025-synthetic", "不少于3000户", 2025)
    ]
    year = client.get("/api/targets", params={"year": 2025}).json()
    assert [t["iri"] for t in year["items"]] == [f"{BASE}szamr-2025-synthetic/target/2-1-1-1"]
    measures = client.get("/api/measures", params={"document": "szamr-2024", "limit": 500})
    body = measures.json()
    assert body["total"] == 29
    assert {m["document"] for m in body["items"]} == {"szamr-2024"}
    bad = client.get("/api/measures", params={"document": "../x"})
    assert bad.status_code == 422
    assert "document" in bad.text


def test_a_target_shows_whether_the_later_report_met_it(client: TestClient) -> None:
    body = client.get("/api/targets/2-2-1-1").json()
    assert body["document"] == "szamr-2024"
    assert body["surface"] == "不少于2500户"
    (result,) = body["results"]
    assert result["iri"] == f"{BASE}szamr-2025-synthetic/achievement/1-1-1-1"
    assert result["document"] == "szamr-2025-synthetic"
    assert (result["surface"], result["value"], result["year"]) == ("3100户", 3100, 2024)
    assert result["attainment"] == "met"
    assert "新增个转企户数" in result["rationale"]
    short = client.get("/api/targets/2-5-1-1").json()
    assert [r["attainment"] for r in short["results"]] == ["not-met"]
    page = client.get("/targets/2-2-1-1", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "3100户" in page.text and 'class="badge met"' in page.text


def test_an_id_in_two_reports_is_a_conflict_naming_both(client: TestClient) -> None:
    response = client.get("/api/targets/2-1-1-1")
    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")
    detail = response.json()["detail"]
    assert "szamr-2024, szamr-2025-synthetic" in detail
    assert "szamr-2024/target/2-1-1-1" in detail
    qualified = client.get("/api/targets/szamr-2025-synthetic/target/2-1-1-1").json()
    assert qualified["surface"] == "不少于3000户"
    assert qualified["results"] == []


def test_the_graph_view_filters_by_document(client: TestClient) -> None:
    whole = client.get("/api/graph").json()
    later = client.get("/api/graph", params={"document": "szamr-2025-synthetic"}).json()
    assert later["filters"]["document"] == "szamr-2025-synthetic"
    iris = {node["iri"] for node in later["nodes"]}
    assert f"{BASE}szamr-2025-synthetic/target/2-1-1-1" in iris
    assert all(iri.startswith((f"{BASE}szamr-2025-synthetic", f"{BASE}unit/")) for iri in iris), (
        sorted(iris)[:5]
    )
    assert 0 < len(later["nodes"]) < len(whole["nodes"])
    # two reports' nodes of one local id stay two nodes
    ids = [node["id"] for node in whole["nodes"]]
    assert len(ids) == len(set(ids))
    assert "target/2-1-1-1" in ids and f"{BASE}szamr-2025-synthetic/target/2-1-1-1" in ids


def test_search_names_each_hits_report_and_filters_by_it(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "个转企"}).json()
    hits = {(hit["id"], hit["document"]) for hit in body["items"]}
    assert ("measure/2-2-1", "szamr-2024") in hits
    assert ("measure/2-1-1", "szamr-2025-synthetic") in hits
    later = client.get("/api/search", params={"q": "个转企", "document": "szamr-2025-synthetic"})
    assert {hit["document"] for hit in later.json()["items"]} == {"szamr-2025-synthetic"}
    assert later.json()["total"] < body["total"]


def test_a_unit_two_reports_share_is_described_once(client: TestClient) -> None:
    # both reports name the bureau as publisher, so its triples stand in both reports' graphs;
    # Oxigraph 0.5 returns such a triple once per graph, and the queries must not repeat rows
    body = client.get("/api/units/bureau").json()
    tasks = [a["measure"]["iri"] for a in body["assignments"] if a["role"] == "owner"]
    assert len(tasks) == len(set(tasks)) == 30  # 29 measures of szamr-2024, 1 of the other
    units = client.get("/api/queries/export-units").json()["rows"]
    assert len(units) == len({json.dumps(row, sort_keys=True) for row in units})
    node = client.get("/api/queries/node", params={"node": f"{BASE}unit/bureau"}).json()["rows"]
    assert len(node) == len({json.dumps(row, sort_keys=True) for row in node}) >= 1
