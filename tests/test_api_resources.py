"""The resources for planners, through the ASGI app: /api/framework, areas, measures, traces,
targets, indicators, units, search and gaps; paging, Link headers and errors."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from engines import Engine
from fastapi.testclient import TestClient

from api.app import create_app
from policykg import gaps
from policykg.paths import graphs_dir
from policykg.store import Store
from policykg.trace import render_json, trace

BASE = "https://w3id.org/policykg/id/szamr-2024/"
PLANNER_PATHS = [
    "/api/documents",
    "/api/framework",
    "/api/areas",
    "/api/areas/{id}",
    "/api/measures",
    "/api/measures/{id}",
    "/api/measures/{id}/trace",
    "/api/targets",
    "/api/targets/{id}",
    "/api/indicators",
    "/api/indicators/{id}",
    "/api/units",
    "/api/units/{id}",
    "/api/search",
    "/api/gaps",
]


@pytest.fixture(scope="module")
def client(engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(engine.settings())) as client:
        yield client


@pytest.fixture(scope="module")
def store() -> Store:
    return Store.from_files(sorted(graphs_dir().glob("*.trig")))


def get(client: TestClient, path: str, **params: Any) -> Any:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


def links(response: Any) -> dict[str, str]:
    """The Link header as rel → URL."""
    found = re.findall(r'<([^>]*)>; rel="(\w+)"', response.headers["link"])
    return {rel: url for url, rel in found}


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in items]


def assert_problem(response: Any, status: int, *words: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    for word in words:
        assert word in body["detail"]
    return body


# -- framework ---------------------------------------------------------------------------------


def test_framework_counts(client: TestClient) -> None:
    data = get(client, "/api/framework")
    assert (data["id"], data["iri"], data["notation"]) == (
        "framework",
        BASE + "framework",
        "1146810",
    )
    assert data["label_en"] == "The “1146810” code for high-quality development"
    assert data["document"] == "szamr-2024"
    assert data["counts"] == {
        "work_lines": 1,
        "projects": 1,
        "aims": 6,
        "builds": 4,
        "requirements": 6,
        "areas": 8,
        "task_lists": 10,
        "measures": 29,
        "targets": 20,
    }


def test_framework_tree(client: TestClient, source_text: str) -> None:
    line = get(client, "/api/framework")["work_line"]
    assert (line["id"], line["label_zh"], line["label_en"]) == (
        "workline",
        "作风提升年",
        "Year of Work-Style Improvement",
    )
    assert source_text[line["span"]["start"] : line["span"]["end"]] == "作风提升年"
    [project] = line["projects"]
    assert (project["id"], project["label_zh"]) == ("project", "强基工程")
    assert [aim["label_zh"] for aim in project["aims"]] == [
        "一年打基础", "两年上台阶", "三年大提升", "建一流队伍", "创一流业绩", "树一流形象",
    ]  # fmt: skip
    builds = {build["id"]: build for build in project["builds"]}
    assert [(b["label_zh"], b["label_en"]) for b in builds.values()] == [
        ("党的建设", "Party building"),
        ("作风建设", "Work-style building"),
        ("业务建设", "Professional capacity building"),
        ("干部队伍建设", "Cadre team building"),
    ]
    assert ids(builds["build/3"]["areas"]) == [f"area/{n}" for n in range(1, 8)]
    for build in ("build/1", "build/2", "build/4"):  # area 8 serves three builds (curated)
        [area] = builds[build]["areas"]
        assert area["id"] == "area/8"
        assert area["builds"] == ["build/1", "build/2", "build/4"]
    area2 = builds["build/3"]["areas"][1]
    assert (area2["label_zh"], area2["label_en"]) == ("激发市场活力", "Stimulating market vitality")
    assert area2["counts"] == {"measures": 4, "targets": 3}
    assert area2["requirements"] == ["requirement/5"]
    assert ids(area2["measures"]) == [f"measure/2-2-{n}" for n in range(1, 5)]
    assert [m["targets"] for m in area2["measures"]] == [1, 0, 0, 2]
    areas = {a["id"]: a for b in project["builds"] for a in b["areas"]}
    assert len(areas) == 8
    assert sum(a["counts"]["measures"] for a in areas.values()) == 29
    assert sum(a["counts"]["targets"] for a in areas.values()) == 20
    requirements = {r["id"]: r for r in line["requirements"]}
    assert [r["label_zh"] for r in requirements.values()] == [
        "讲政治", "转作风", "强监管", "保安全", "促发展", "惠民生",
    ]  # fmt: skip
    assert requirements["requirement/5"]["areas"] == ["area/1", "area/2", "area/4", "area/5"]
    tasks = line["task_lists"]
    assert len(tasks) == 10
    assert [t["label_zh"] for t in tasks if not t["unnamed"]] == ["揭榜挂帅", "大调研", "风险排查"]
    assert sum(t["unnamed"] for t in tasks) == 7


# -- areas -------------------------------------------------------------------------------------


def test_areas_list(client: TestClient) -> None:
    response = client.get("/api/areas")
    data = response.json()
    assert (data["total"], data["limit"], data["offset"]) == (8, 50, 0)
    assert ids(data["items"]) == [f"area/{n}" for n in range(1, 9)]
    area2 = data["items"][1]
    assert area2["iri"] == BASE + "area/2"
    assert area2["section"]["id"] == "section/2-2"
    assert area2["section"]["notation"] == "P2.2"
    assert area2["builds"] == ["build/3"]
    assert area2["requirements"] == ["requirement/5"]
    assert data["items"][7]["builds"] == ["build/1", "build/2", "build/4"]
    assert sum(a["counts"]["measures"] for a in data["items"]) == 29
    assert sum(a["counts"]["targets"] for a in data["items"]) == 20
    assert set(links(response)) == {"first", "last"}


@pytest.mark.parametrize("given", ["2", "area/2"])
def test_area_with_measures_targets_and_curated_builds(client: TestClient, given: str) -> None:
    data = get(client, f"/api/areas/{given}")
    assert (data["id"], data["iri"], data["ordinal"]) == ("area/2", BASE + "area/2", 2)
    assert data["section"]["label_zh"] == "聚焦提升经营主体发展质量,着力在激发市场活力上下功夫"
    [build] = data["builds"]
    assert (build["id"], build["label_zh"], build["relation"]) == ("build/3", "业务建设", "partOf")
    assert build["evidence"]["kind"] == "curated"
    assert "business registration" in build["evidence"]["rationale"]
    [requirement] = data["requirements"]
    assert (requirement["id"], requirement["relation"]) == ("requirement/5", "contributesTo")
    assert requirement["evidence"]["kind"] == "curated"
    assert data["counts"] == {"measures": 4, "targets": 3}
    measures = {m["id"]: m for m in data["measures"]}
    assert list(measures) == [f"measure/2-2-{n}" for n in range(1, 5)]
    [target] = measures["measure/2-2-1"]["targets"]
    assert target["id"] == "target/2-2-1-1"
    assert target["surface"] == "不少于2500户"
    assert (target["value"], target["unit"], target["comparator"]) == (2500, "户", "≥")
    assert ids(measures["measure/2-2-4"]["targets"]) == ["target/2-2-4-1", "target/2-2-4-2"]


# -- measures ----------------------------------------------------------------------------------


def test_measures_page_with_link_header(client: TestClient) -> None:
    everything = get(client, "/api/measures", limit=500)
    assert everything["total"] == 29
    assert len(everything["items"]) == 29
    assert everything["items"][0]["id"] == "measure/2-1-1"
    response = client.get("/api/measures", params={"limit": 5, "offset": 5})
    assert response.status_code == 200
    page = response.json()
    assert (page["total"], page["limit"], page["offset"]) == (29, 5, 5)
    assert page["items"] == everything["items"][5:10]
    assert ids(page["items"]) == [
        "measure/2-2-2", "measure/2-2-3", "measure/2-2-4", "measure/2-3-1", "measure/2-3-2",
    ]  # fmt: skip
    rels = links(response)
    assert set(rels) >= {"next", "prev", "first"}
    assert rels["next"].endswith("/api/measures?limit=5&offset=10")
    assert rels["prev"].endswith("/api/measures?limit=5&offset=0")
    assert rels["first"].endswith("/api/measures?limit=5&offset=0")
    assert rels["last"].endswith("/api/measures?limit=5&offset=25")
    last = client.get(rels["last"])
    assert ids(last.json()["items"]) == ids(everything["items"][25:])
    assert "next" not in links(last)


def test_measures_list_fields(client: TestClient, source_text: str) -> None:
    items = get(client, "/api/measures", limit=500)["items"]
    first = items[0]
    assert first["iri"] == BASE + "measure/2-1-1"
    assert first["area"] == "area/1"
    assert first["label_zh"] == "促进知识产权与科技创新协同发展"
    assert source_text[first["span"]["start"] : first["span"]["end"]] == first["span"]["text"]
    assert sum(m["targets"] for m in items) == 20


@pytest.mark.parametrize("given", ["2-2-1", "measure/2-2-1", "P2.2.1"])
def test_measure(client: TestClient, source_text: str, given: str) -> None:
    data = get(client, f"/api/measures/{given}")
    assert (data["id"], data["iri"], data["notation"]) == (
        "measure/2-2-1",
        BASE + "measure/2-2-1",
        "P2.2.1",
    )
    assert (data["label_zh"], data["label_en"]) == (
        "持续提升商事登记便利度",
        "Making business registration ever more convenient",
    )
    assert data["text"].startswith("一是持续提升商事登记便利度。")
    assert "新增“个转企”不少于2500户。" in data["text"]
    assert source_text[data["span"]["start"] : data["span"]["end"]] == data["text"]
    assert (data["area"]["id"], data["area"]["label_zh"]) == ("area/2", "激发市场活力")
    assert (data["section"]["id"], data["section"]["notation"]) == ("section/2-2", "P2.2")
    [target] = data["targets"]
    assert (target["id"], target["surface"]) == ("target/2-2-1-1", "不少于2500户")
    assert target["indicator"]["label_zh"] == "新增个转企户数"
    assert [b["surface"] for b in target["baselines"]] == ["3582户"]
    [owner] = data["assignments"]
    assert (owner["unit"]["id"], owner["role"], owner["role_text"]) == (
        "unit/bureau",
        "owner",
        "经局党组研究决定",
    )
    assert owner["evidence"] == "stated"
    [action] = data["policy_actions"]
    assert (action["id"], action["title"], action["action"]) == ("policy/18", "公司法", "依照")
    assert (action["status"], action["year"], action["instrument_type"]) == ("planned", 2024, "Law")
    assert action["span"]["text"] == "依照《公司法》"


def test_measure_with_a_stated_role(client: TestClient) -> None:
    data = get(client, "/api/measures/P2.3.1")
    roles = {(a["unit"]["id"], a["role"]) for a in data["assignments"]}
    assert roles == {("unit/bureau", "owner"), ("unit/merger-review-window", "leveraged")}


# -- trace -------------------------------------------------------------------------------------


def test_trace_path_and_evidence(client: TestClient) -> None:
    data = get(client, "/api/measures/2-2-1/trace")
    [path] = data["paths"]
    assert ids(path) == ["measure/2-2-1", "area/2", "build/3", "project", "workline"]
    assert [step["relation"] for step in path] == [None, "partOf", "partOf", "partOf", "partOf"]
    kinds = [step["evidence"]["kind"] for step in path[1:]]
    assert kinds == ["extracted", "curated", "stated", "stated"]
    build = path[2]
    assert build["evidence"]["spans"] == []
    assert build["evidence"]["rationale"].startswith("Section 二(二) is regulatory business work")
    begin, end, anchor = path[1]["evidence"]["spans"][0]
    assert (begin, end) == (6078, 6107)
    assert anchor == "(二)聚焦提升经营主体发展质量,着力在激发市场活力上下功夫"
    assert [r["id"] for r in data["requirements"]] == ["requirement/5"]
    assert data["requirements"][0]["evidence"]["kind"] == "curated"


@pytest.mark.parametrize("given", ["measure/2-2-1", "P2.8.1", "2-5-3"])
def test_trace_is_the_cli_trace(client: TestClient, store: Store, given: str) -> None:
    node = given if "/" in given or given.startswith("P") else f"measure/{given}"
    assert get(client, f"/api/measures/{given}/trace") == json.loads(
        render_json(trace(store, node))
    )


def test_trace_of_a_measure_with_three_builds(client: TestClient) -> None:
    data = get(client, "/api/measures/P2.8.1/trace")
    assert [path[2]["id"] for path in data["paths"]] == ["build/1", "build/2", "build/4"]


# -- targets -----------------------------------------------------------------------------------


def test_targets(client: TestClient) -> None:
    data = get(client, "/api/targets")
    assert data["total"] == 20
    first = data["items"][0]
    assert first["id"] == "target/2-1-1-1"
    assert (first["comparator"], first["commitment"], first["year"]) == (">", "stretch", 2024)
    assert (first["measure"]["id"], first["area"]["id"]) == ("measure/2-1-1", "area/1")


def test_targets_with_a_baseline(client: TestClient) -> None:
    data = get(client, "/api/targets", has_baseline="true")
    found = {t["id"]: t for t in data["items"]}
    assert "target/2-1-2-1" not in found
    target = found["target/2-2-1-1"]
    assert target["indicator"]["label_zh"] == "新增个转企户数"
    assert (target["surface"], target["value"], target["unit"]) == ("不少于2500户", 2500, "户")
    assert (target["comparator"], target["commitment"]) == ("≥", "committed")
    assert target["measure"]["id"] == "measure/2-2-1"
    [baseline] = target["baselines"]
    assert baseline["id"] == "achievement/1-3-1-1"
    assert (baseline["surface"], baseline["value"], baseline["year"]) == ("3582户", 3582, 2023)
    assert (baseline["comparability"], baseline["evidence"]) == ("same", "curated")
    assert all(t["baselines"] for t in data["items"])
    without = get(client, "/api/targets", has_baseline="false")
    assert "target/2-1-2-1" in ids(without["items"])
    assert not any(t["baselines"] for t in without["items"])
    assert data["total"] + without["total"] == 20


def test_targets_by_comparator(client: TestClient) -> None:
    data = get(client, "/api/targets", comparator="≤")
    assert ids(data["items"]) == ["target/2-3-2-4", "target/2-3-2-5"]
    assert {t["surface"] for t in data["items"]} == {"保十冲五"}
    assert [(t["value"], t["commitment"]) for t in data["items"]] == [
        (10, "committed"),
        (5, "stretch"),
    ]


@pytest.mark.parametrize("area", ["3", "area/3"])
def test_targets_by_area_and_year(client: TestClient, area: str) -> None:
    data = get(client, "/api/targets", area=area, year=2024)
    assert ids(data["items"]) == [f"target/2-3-2-{n}" for n in range(1, 6)]
    assert {t["area"]["id"] for t in data["items"]} == {"area/3"}
    assert get(client, "/api/targets", area=area, year=2023)["total"] == 0


def test_targets_paging_keeps_the_filters(client: TestClient) -> None:
    response = client.get("/api/targets", params={"year": 2024, "limit": 5, "offset": 5})
    rels = links(response)
    assert rels["next"].endswith("/api/targets?year=2024&limit=5&offset=10")
    assert rels["prev"].endswith("/api/targets?year=2024&limit=5&offset=0")
    assert rels["first"].endswith("/api/targets?year=2024&limit=5&offset=0")


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"year": "abc"}, "year"),
        ({"comparator": "more"}, "comparator"),
        ({"has_baseline": "perhaps"}, "has_baseline"),
        ({"area": "two"}, "area"),
        ({"limit": "0"}, "limit"),
        ({"limit": "501"}, "limit"),
        ({"offset": "-1"}, "offset"),
    ],
)
def test_targets_bad_parameters(client: TestClient, params: dict[str, str], name: str) -> None:
    body = assert_problem(client.get("/api/targets", params=params), 422, name)
    assert [e["parameter"] for e in body["errors"]] == [name]


def test_targets_of_an_unknown_area(client: TestClient) -> None:
    assert_problem(
        client.get("/api/targets", params={"area": "99"}), 404, "area '99'", "parameter area"
    )


# -- indicators --------------------------------------------------------------------------------


def test_indicator_baseline_against_target(client: TestClient) -> None:
    target = get(client, "/api/measures/2-2-1")["targets"][0]
    indicator = target["indicator"]["id"]
    data = get(client, f"/api/indicators/{indicator}")
    assert (data["id"], data["label_zh"]) == (indicator, "新增个转企户数")
    assert [(a["surface"], a["year"]) for a in data["achievements"]] == [("3582户", 2023)]
    assert data["achievements"][0]["headline"]["notation"] == "P1.3.1"
    assert [(t["surface"], t["year"]) for t in data["targets"]] == [("不少于2500户", 2024)]
    [pair] = data["comparisons"]
    assert (pair["baseline"]["surface"], pair["baseline"]["year"]) == ("3582户", 2023)
    assert (pair["target"]["surface"], pair["target"]["year"]) == ("不少于2500户", 2024)
    assert pair["baseline"]["comparability"] == "same"
    assert get(client, f"/api/indicators/{indicator.removeprefix('indicator/')}") == data


def test_indicators_list(client: TestClient) -> None:
    data = get(client, "/api/indicators", limit=500)
    found = {i["id"]: i for i in data["items"]}
    assert data["total"] == len(found)
    assert sum(i["targets"] for i in found.values()) == 20
    target = get(client, "/api/measures/2-2-1")["targets"][0]
    assert found[target["indicator"]["id"]]["achievements"] == 1


# -- units -------------------------------------------------------------------------------------


@pytest.mark.parametrize("given", ["merger-review-window", "unit/merger-review-window"])
def test_unit_with_a_stated_role(client: TestClient, given: str) -> None:
    data = get(client, f"/api/units/{given}")
    assert (data["id"], data["label_zh"]) == ("unit/merger-review-window", "省局经营者集中深圳窗口")
    assert [u["id"] for u in data["unit_of"]] == ["unit/gd-amr"]
    assert data["unit_of"][0]["label_zh"] == "广东省市场监督管理局"
    [assignment] = data["assignments"]
    assert (assignment["measure"]["id"], assignment["role"]) == ("measure/2-3-1", "leveraged")
    assert assignment["span"]["text"] == "省局经营者集中深圳窗口"
    assert data["roles"] == {"leveraged": ["measure/2-3-1"]}
    assert [m["text"] for m in data["mentions"]] == [
        "省市共建经营者集中服务窗口",
        "省局经营者集中深圳窗口",
    ]


def test_the_bureau_owns_every_measure(client: TestClient) -> None:
    data = get(client, "/api/units/bureau")
    assert data["label_zh"] == "深圳市市场监督管理局"
    assert len(data["roles"]["owner"]) == 29
    assert data["roles"]["owner"][:2] == ["measure/2-1-1", "measure/2-1-2"]


def test_units_list(client: TestClient) -> None:
    data = get(client, "/api/units", limit=500)
    found = {u["id"]: u for u in data["items"]}
    assert data["total"] == len(found) > 10
    assert found["unit/bureau"]["measures"] == 29
    assert found["unit/bureau"]["roles"] == ["owner"]
    assert found["unit/merger-review-window"]["roles"] == ["leveraged"]
    assert found["unit/merger-review-window"]["unit_of"] == ["unit/gd-amr"]
    page = client.get("/api/units", params={"limit": 10, "offset": 10})
    assert ids(page.json()["items"]) == ids(data["items"][10:20])
    assert set(links(page)) == {"next", "prev", "first", "last"}


# -- search ------------------------------------------------------------------------------------


def test_search_finds_the_measure_and_the_target_first(client: TestClient) -> None:
    data = get(client, "/api/search", q="个转企")
    assert data["q"] == "个转企"
    assert set(ids(data["items"][:2])) == {"measure/2-2-1", "target/2-2-1-1"}
    hits = {hit["id"]: hit for hit in data["items"]}
    assert hits["target/2-2-1-1"]["matched"] == ["label"]
    assert hits["measure/2-2-1"]["matched"] == ["text"]
    assert "个转企" in hits["measure/2-2-1"]["snippet"]
    scores = [hit["score"] for hit in data["items"]]
    assert scores == sorted(scores, reverse=True)


def test_search_ranks_label_matches_first(client: TestClient) -> None:
    data = get(client, "/api/search", q="商事登记")
    assert data["items"][0]["id"] == "measure/2-2-1"
    assert data["items"][0]["matched"] == ["label", "text"]
    english = get(client, "/api/search", q="Business Registration")
    assert ids(english["items"]) == ["measure/2-2-1"]
    units = get(client, "/api/search", q="经营者集中")
    assert "unit/merger-review-window" in ids(units["items"])
    framework = get(client, "/api/search", q="强基工程")
    assert framework["items"][0]["id"] == "project"


def test_search_binds_the_text(client: TestClient) -> None:
    assert get(client, "/api/search", q='x" . ?s ?p ?o } #')["total"] == 0
    assert get(client, "/api/search", q="https://w3id.org")["total"] == 0


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "   "}])
def test_search_needs_text(client: TestClient, params: dict[str, str]) -> None:
    body = assert_problem(client.get("/api/search", params=params), 422, "q")
    assert [e["parameter"] for e in body["errors"]] == ["q"]


# -- gaps --------------------------------------------------------------------------------------


def test_gaps_are_the_cli_gaps(client: TestClient, store: Store) -> None:
    data = get(client, "/api/gaps")
    expected = gaps.find_gaps(store)
    for key, rows in expected.items():
        assert [
            {k: v for k, v in item.items() if v is not None and k != "iri"} for item in data[key]
        ] == rows
        assert all(item["iri"].endswith("/" + item["id"]) for item in data[key])
        assert data["counts"][key] == len(rows)
    assert "target/2-1-2-1" in ids(data["targets_without_baseline"])
    assert "target/2-2-1-1" not in ids(data["targets_without_baseline"])
    assert "measure/2-2-2" in ids(data["measures_without_target"])


# -- errors and documentation ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "named"),
    [
        ("/api/areas/9", "'9'"),
        ("/api/areas/measure/2-2-1", "measure/2-2-1"),
        ("/api/measures/9-9-9", "9-9-9"),
        ("/api/measures/P2.2", "P2.2"),  # a section's notation, not a measure's
        ("/api/measures/area/2", "area/2"),
        ("/api/measures/9-9-9/trace", "9-9-9"),
        ("/api/measures/P2.2/trace", "P2.2"),
        ("/api/indicators/99999", "99999"),
        ("/api/units/nobody", "nobody"),
    ],
)
def test_unknown_ids_are_404(client: TestClient, path: str, named: str) -> None:
    body = assert_problem(client.get(path), 404, named)
    assert body["title"] == "Not found"


def test_openapi_documents_every_resource(client: TestClient) -> None:
    spec = get(client, "/openapi.json")
    for path in PLANNER_PATHS:
        operation = spec["paths"][path]["get"]
        assert operation["tags"] == ["planners"]
        assert operation["description"]
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert "$ref" in schema
    targets = spec["paths"]["/api/targets"]["get"]
    params = {p["name"]: p for p in targets["parameters"]}
    assert list(params) == [
        "year",
        "area",
        "comparator",
        "has_baseline",
        "document",
        "limit",
        "offset",
    ]
    assert all(p["description"] for p in params.values())
    assert "404" in spec["paths"]["/api/measures/{id}"]["get"]["responses"]


def test_one_target(client: TestClient) -> None:
    body = client.get("/api/targets/2-2-1-1").json()
    assert body["id"] == "target/2-2-1-1" and body["value"] == 2500 and body["unit"] == "户"
    assert body["comparator"] == "≥" and body["indicator"]["label_zh"] == "新增个转企户数"
    assert [b["surface"] for b in body["baselines"]] == ["3582户"]
    assert client.get("/api/targets/target/2-2-1-1").json() == body
    missing = client.get("/api/targets/9-9-9-9")
    assert missing.status_code == 404 and "9-9-9-9" in missing.json()["detail"]


def test_search_uses_the_text_index_with_substring_semantics(client: TestClient) -> None:
    """The index finds exactly what a substring scan finds, for one character and for many."""
    from policykg.textindex import TextIndex

    for q in ("个转企", "区", "知识产权", "没有这个词"):
        body = client.get("/api/search", params={"q": q, "limit": 500}).json()
        found = {hit["id"] for hit in body["items"]}
        index: TextIndex = client.app.state.text_index  # type: ignore[attr-defined]
        scanned = {
            row["node"].split("/id/", 1)[1].split("/", 1)[1]
            if "/id/unit/" not in row["node"]
            else row["node"].split("/id/", 1)[1]
            for row in index.rows
            if q.lower() in row["value"].lower()
        }
        assert found == scanned, q
        assert body["total"] == len(scanned)
