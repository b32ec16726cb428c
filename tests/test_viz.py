"""The graph view (policykg.viz, api/graph.py, ``policykg render``): what it draws, checked
against the graph itself; its escaping; the self-contained file; the node budget."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from engines import Engine
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from policykg import viz
from policykg.cli import app as cli
from policykg.export import local_id
from policykg.paths import graphs_dir
from policykg.queries import load_query
from policykg.store import Store
from policykg.trace import UnknownNode

PK = "https://w3id.org/policykg/ontology#"
ORG = "http://www.w3.org/ns/org#"
HOSTILE = '</script><script>alert(1)</script><a href="javascript:alert(2)">href</a>\u2028\u2029<!--'
TRACE_PATH = {
    "target/2-2-1-1",
    "measure/2-2-1",
    "area/2",
    "build/3",
    "project",
    "workline",
    "requirement/5",
}


@pytest.fixture(scope="module")
def store() -> Store:
    return Store.from_files(sorted(graphs_dir().glob("*.trig")))


@pytest.fixture(scope="module")
def plan(store: Store) -> viz.PlanGraph:
    return viz.load_plan(store)


@pytest.fixture(scope="module")
def client(engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(engine.settings())) as client:
        yield client


def rows(store: Store, query: str, **bindings: object) -> list[dict[str, str]]:
    return store.query(load_query(query).text, bindings).rows


def ids(data: Any) -> set[str]:
    return {node["id"] for node in data["nodes"]}


class Page(HTMLParser):
    """The elements of a page: every src/href, the scripts with their text."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str, str]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._script: dict[str, str | None] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in {"src", "href"}:
                self.links.append((tag, name, value or ""))
        if tag == "script":
            self._script, self._text = dict(attrs), []

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._text)))
            self._script = None


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def data_blocks(html: str) -> dict[str, Any]:
    """The page's JSON data blocks, parsed as the browser would (textContent → JSON.parse)."""
    return {
        str(attrs["id"]): json.loads(text)
        for attrs, text in parse(html).scripts
        if attrs.get("type") == "application/json"
    }


# -- what the view draws, against the graph -----------------------------------------------------


def test_the_view_holds_every_node_of_the_graph_by_type(store: Store, plan: viz.PlanGraph) -> None:
    classes = {PK + kind: kind for kind in viz.NODE_TYPES if kind != "Unit"}
    classes |= {ORG + "Organization": "Unit", ORG + "OrganizationalUnit": "Unit"}
    found = store.query("SELECT DISTINCT ?node ?type WHERE { ?node a ?type }").rows
    expected = Counter(
        kind
        for kind in (
            {row["node"]: classes[row["type"]] for row in found if row["type"] in classes}.values()
        )
    )
    assert expected == {
        "WorkLine": 1,
        "Project": 1,
        "Build": 4,
        "Requirement": 6,
        "FocusArea": 8,
        "TaskList": 10,
        "Measure": 29,
        "Target": 20,
        "Achievement": 126,
        "Indicator": 137,
        "Unit": 56,
    }
    data = viz.view(plan)
    assert not data["collapsed"]
    assert Counter(node["group"] for node in data["nodes"]) == expected
    assert data["counts"] == data["totals"] == {kind: expected[kind] for kind in viz.NODE_TYPES}
    assert len(data["nodes"]) == sum(expected.values()) == len(ids(data))
    legend = {entry["type"]: entry for entry in data["legend"]}
    assert [entry["type"] for entry in data["legend"]] == list(viz.NODE_TYPES)
    assert {(e["shape"], e["color"]) for e in legend.values()} == {
        (s.shape, s.color) for s in viz.STYLES.values()
    }
    assert len({(e["shape"], e["color"]) for e in legend.values()}) == len(viz.NODE_TYPES)
    for node in data["nodes"]:
        style = viz.STYLES[node["group"]]
        assert (node["shape"], node["color"], node["level"]) == (
            style.shape,
            style.color,
            style.level,
        )


def test_edges_are_the_graphs_links(store: Store, plan: viz.PlanGraph) -> None:
    data = viz.view(plan)
    edges = {(e["from"], e["relation"], e["to"]) for e in data["edges"]}
    part_of = store.query(
        "PREFIX pk: <https://w3id.org/policykg/ontology#> "
        "SELECT ?s ?o WHERE { ?s pk:partOf ?o . ?s a pk:Target }"
    ).rows
    assert len(part_of) == 20
    assert {(local_id(r["s"]), "partOf", local_id(r["o"])) for r in part_of} <= edges
    baselines = rows(store, "baseline")
    assert {
        (local_id(r["target"]), "baseline", local_id(r["achievement"])) for r in baselines
    } <= edges
    assert ("target/2-2-1-1", "measures", "indicator/11") in edges
    assert ("area/2", "contributesTo", "requirement/5") in edges
    roles = {(local_id(r["measure"]), local_id(r["unit"])) for r in rows(store, "api-assignments")}
    assert {(s, t) for s, relation, t in edges if relation == "role"} == roles
    assert all(e["from"] in ids(data) and e["to"] in ids(data) for e in data["edges"])
    assert len({e["id"] for e in data["edges"]}) == len(data["edges"])


def test_labels_in_both_languages_and_plain_text_tooltips(plan: viz.PlanGraph) -> None:
    nodes = {node["id"]: node for node in viz.view(plan)["nodes"]}
    measure = nodes["measure/2-2-1"]
    assert (measure["label"], measure["label_zh"], measure["label_en"]) == (
        "持续提升商事登记便利度",
        "持续提升商事登记便利度",
        "Making business registration ever more convenient",
    )
    assert "P2.2.1" in measure["title"] and "一是持续提升商事登记便利度" in measure["title"]
    target = nodes["target/2-2-1-1"]["title"].splitlines()
    assert target[0] == "新增个转企户数 不少于2500户"
    assert "值 value: ≥ 2500 户" in target
    assert "基线 baseline: 3582户 (2023), same basis · achievement/1-3-1-1" in target
    assert "原文 source: “新增“个转企”不少于2500户。”" in target  # the sentence that holds it
    unnamed = nodes["tasklist/4"]  # the source names only 3 of the 10 task lists
    assert (unnamed["label_zh"], unnamed["label_en"]) == (
        "任务清单 4（未具名）",
        "Task list 4 (unnamed)",
    )


def test_sizes_count_the_targets_beneath(store: Store, plan: viz.PlanGraph) -> None:
    targets = rows(store, "api-targets")
    per_area = Counter(local_id(r["area"]) for r in targets)
    per_measure = Counter(local_id(r["measure"]) for r in targets)
    per_indicator = Counter(local_id(r["indicator"]) for r in targets)
    nodes = {node["id"]: node for node in viz.view(plan)["nodes"]}
    assert sum(per_area.values()) == len(targets) == 20
    for node in nodes.values():
        kind, name = node["group"], node["id"]
        expected = {
            "WorkLine": len(targets),
            "Project": len(targets),
            "FocusArea": per_area[name],
            "Measure": per_measure[name],
            "Indicator": per_indicator[name],
            "Target": 0,
            "Achievement": 0,
            "TaskList": 0,
        }.get(kind)
        if expected is not None:
            assert node["targets"] == expected, name
        assert node["size"] == viz.size_of(kind, node["targets"])
    areas_of = defaultdict(set)
    for row in rows(store, "trace-edges"):
        if row["relation"] == PK + "contributesTo":
            areas_of[local_id(row["parent"])].add(local_id(row["child"]))
    for requirement, areas in areas_of.items():  # an area serving it brings its targets
        assert nodes[requirement]["targets"] == sum(per_area[a] for a in areas), requirement
    assert nodes["unit/bureau"]["targets"] == 20  # it owns every measure
    assert nodes["workline"]["size"] > nodes["area/2"]["size"] > nodes["area/8"]["size"]


def test_a_trace_highlights_exactly_the_path_of_target_2_2_1_1(plan: viz.PlanGraph) -> None:
    data = viz.view(plan, trace="target/2-2-1-1")
    assert data["trace"] == "target/2-2-1-1"
    assert data["highlight"]["nodes"] == [
        "target/2-2-1-1",
        "measure/2-2-1",
        "area/2",
        "build/3",
        "project",
        "workline",
        "requirement/5",
    ]
    assert set(data["highlight"]["edges"]) == {
        "target/2-2-1-1|partOf|measure/2-2-1",
        "measure/2-2-1|partOf|area/2",
        "area/2|partOf|build/3",
        "build/3|partOf|project",
        "project|partOf|workline",
        "area/2|contributesTo|requirement/5",
    }
    assert {n["id"] for n in data["nodes"] if n.get("borderWidth") == 4} == TRACE_PATH
    assert all(n.get("opacity") == 0.25 for n in data["nodes"] if n["id"] not in TRACE_PATH)
    wide = {e["id"] for e in data["edges"] if e["width"] == 4.0}
    assert wide == set(data["highlight"]["edges"])
    assert len(data["nodes"]) == len(plan.nodes)  # the whole plan, the path highlighted
    assert data["fit"] == data["highlight"]["nodes"]
    by_measure = viz.view(plan, trace="P2.2.1")["highlight"]["nodes"]
    assert by_measure[0] == "measure/2-2-1" and set(by_measure) == TRACE_PATH - {"target/2-2-1-1"}


def test_focus_depth_1_of_area_2_holds_its_measures_and_builds(
    store: Store, plan: viz.PlanGraph
) -> None:
    area = next(r["iri"] for r in rows(store, "export-framework") if r["iri"].endswith("/area/2"))
    measures = {local_id(r["iri"]) for r in rows(store, "export-measures") if r["parent"] == area}
    up = [r for r in rows(store, "trace-edges") if r["child"] == area]
    builds = {local_id(r["parent"]) for r in up if r["relation"] == PK + "partOf"}
    served = {local_id(r["parent"]) for r in up if r["relation"] == PK + "contributesTo"}
    assert len(measures) == 4 and builds == {"build/3"} and served
    data = viz.view(plan, focus="area/2", depth=1)
    assert (data["focus"], data["depth"]) == ("area/2", 1)
    assert ids(data) == {"area/2"} | measures | builds | served
    assert {(e["from"], e["to"]) for e in data["edges"]} >= {(m, "area/2") for m in measures}
    deeper = ids(viz.view(plan, focus=area, depth=2))  # by IRI, one step further
    assert ids(data) < deeper and {"target/2-2-1-1", "project", "workline"} <= deeper
    assert ids(viz.view(plan, focus="area/2", depth=0)) == {"area/2"}


def test_filters_by_type_area_year_and_unit(store: Store, plan: viz.PlanGraph) -> None:
    only = viz.view(plan, types=["FocusArea", "Measure"])
    assert Counter(n["group"] for n in only["nodes"]) == {"FocusArea": 8, "Measure": 29}
    assert {(e["from"], e["to"]) for e in only["edges"]} == {
        (m, a) for m, a in plan.graph.edges if m.startswith("measure/") and a.startswith("area/")
    }

    area = viz.view(plan, area="area/2")
    targets = rows(store, "api-targets")
    in_area = {local_id(r["target"]) for r in targets if r["area"].endswith("/area/2")}
    groups = defaultdict(set)
    for node in area["nodes"]:
        groups[node["group"]].add(node["id"])
    assert groups["FocusArea"] == {"area/2"}
    assert groups["Measure"] == {f"measure/2-2-{i}" for i in range(1, 5)}
    assert groups["Target"] == in_area
    assert groups["Build"] == {"build/3"} and "workline" in groups["WorkLine"]
    assert not groups["TaskList"] and "unit/bureau" in groups["Unit"]
    assert "indicator/11" in groups["Indicator"] and "achievement/1-3-1-1" in groups["Achievement"]
    assert area["filters"]["area"] == "area/2"

    in_2023 = viz.view(plan, year=2023)
    assert not any(n["group"] == "Target" for n in in_2023["nodes"])
    assert sum(n["group"] == "Achievement" for n in in_2023["nodes"]) == 126
    assert sum(n["group"] == "Measure" for n in in_2023["nodes"]) == 29  # no year: kept
    assert all(2023 in n["years"] for n in in_2023["nodes"] if n["group"] == "Indicator")

    assignments = rows(store, "api-assignments")
    unit_iri = next(r["unit"] for r in assignments if not r["unit"].endswith("/bureau"))
    unit = local_id(unit_iri)
    mine = {local_id(r["measure"]) for r in assignments if r["unit"] == unit_iri}
    by_unit = viz.view(plan, unit=unit)
    assert {n["id"] for n in by_unit["nodes"] if n["group"] == "Measure"} == mine
    assert unit in ids(by_unit) and "workline" in ids(by_unit)

    with pytest.raises(UnknownNode):
        viz.view(plan, area="measure/2-2-1")  # not a focus area
    with pytest.raises(UnknownNode):
        viz.view(plan, unit="nobody")
    with pytest.raises(ValueError, match="unknown node type"):
        viz.view(plan, types=["Policy"])


def test_the_page_script_applies_the_same_filters() -> None:
    script = (viz.ASSETS / "graph.js").read_text(encoding="utf-8")
    for field in ("node.areas", "node.units", "node.years", "state.types.has(node.group)"):
        assert field in script
    # graph text is only ever text: no HTML is written from script
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write", script)


# -- the node budget ---------------------------------------------------------------------------


def test_a_graph_past_the_budget_opens_on_the_framework_and_expands() -> None:
    big = viz.plan_graph(viz.synthetic_rows(5000))
    assert len(big.nodes) == 5000
    framework = {n for n, node in big.nodes.items() if node.type in viz.FRAMEWORK}
    data = viz.view(big)
    assert data["collapsed"] and data["budget"] == viz.BUDGET == 1500
    assert ids(data) == framework and len(framework) < viz.BUDGET
    assert data["totals"]["Measure"] == 400 and data["counts"]["Measure"] == 0
    assert all(n.get("expandable") for n in data["nodes"] if n["group"] == "FocusArea")
    assert data["reserve"] == {"nodes": [], "edges": []}

    grown = viz.expand(big, "area/5")
    measures = {n for n in big.graph.pred["area/5"] if big.nodes[n].type == "Measure"}
    assert grown["node"] == "area/5" and measures
    assert measures <= {n["id"] for n in grown["nodes"]} and grown["more"] == 0
    assert {(e["from"], e["to"]) for e in grown["edges"]} >= {(m, "area/5") for m in measures}
    capped = viz.expand(big, "unit/u0", limit=10)  # the unit that owns every measure
    assert len(capped["nodes"]) == 11 and capped["more"] == 400 + 10 - 10  # measures, units

    held = viz.view(big, reserve=True)  # for a page with no server: the rest comes along
    assert ids(held) | {n["id"] for n in held["reserve"]["nodes"]} == set(big.nodes)
    shown_edges = {e["id"] for e in held["edges"]} | {e["id"] for e in held["reserve"]["edges"]}
    assert len(shown_edges) == big.graph.number_of_edges()

    near = viz.view(big, focus="workline", depth=3, budget=100)
    assert near["collapsed"] and len(near["nodes"]) == 100 and "workline" in ids(near)
    assert viz.view(big, budget=None)["collapsed"] is False


def test_a_trace_past_the_budget_keeps_its_path() -> None:
    big = viz.plan_graph(viz.synthetic_rows(5000))
    data = viz.view(big, trace="target/7")
    assert data["collapsed"]
    path = data["highlight"]["nodes"]
    assert path[0] == "target/7" and "workline" in path and set(path) <= ids(data)


# -- escaping ----------------------------------------------------------------------------------


def hostile_plan() -> viz.PlanGraph:
    synthetic = viz.synthetic_rows(60)
    for row in synthetic["view-nodes"]:
        if row["node"].endswith("/area/2"):
            row["label_zh"] = HOSTILE
            row["label_en"] = 'title with href="https://example.org" and <b>bold</b>'
    return viz.plan_graph(synthetic)


def test_a_hostile_label_stays_text_in_the_page() -> None:
    data = viz.view(hostile_plan())
    for inline in (True, False):
        html = viz.to_html(data, inline=inline, pages={"base": viz.ID_BASE, "prefix": "/id/"})
        assert html.count("</script>") == len(parse(html).scripts)  # none opened by the label
        assert "<script>alert" not in html and "\u2028" not in html and "\u2029" not in html
        assert "<!--" not in html.replace("<!DOCTYPE", "")
        assert "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)" in html
        blocks = data_blocks(html)
        node = next(n for n in blocks["pk-nodes"] if n["id"] == "area/2")
        assert node["label"] == node["label_zh"] == HOSTILE  # the text itself, intact
        assert node["title"].startswith(HOSTILE + "\n")  # the tooltip: plain text
        assert "href" in node["label_en"]
        assert set(blocks) == {"pk-nodes", "pk-edges", "pk-config"}
        assert blocks["pk-config"]["view"]["choices"]["areas"][1]["label_zh"] == HOSTILE


def test_the_template_never_switches_tooltips_to_html() -> None:
    template = (viz.TEMPLATES / "graph.html").read_text(encoding="utf-8")
    assert "tooltip_link" not in template  # pyvis's switch to raw-HTML tooltips on "href"
    assert "|safe" not in template.replace(" ", "")  # only script_json/script_safe emit markup
    assert not re.search(r"https?://", template)


def test_script_json_escapes_what_could_end_a_script() -> None:
    text = str(viz.script_json({"a": HOSTILE, "b": "&<>"}))
    assert not set(text) & {"<", ">", "&", "\u2028", "\u2029"}
    assert json.loads(text) == {"a": HOSTILE, "b": "&<>"}


def test_an_asset_that_would_close_its_element_is_not_inlined() -> None:
    with pytest.raises(ValueError, match="cannot be inlined"):
        viz._raw("var a = '</SCRIPT>';", "script")


# -- the self-contained file -------------------------------------------------------------------


def test_the_vendored_vis_network_is_what_its_version_file_says() -> None:
    folder = viz.ASSETS / "vis-network"
    version = (folder / "VERSION").read_text(encoding="utf-8")
    script = (folder / "vis-network.min.js").read_bytes()
    assert "vis-network 10.1.5" in version and "npm" in version
    assert hashlib.sha256(script).hexdigest() in version
    assert b"@version 10.1.5" in script[:400]
    assert (folder / "LICENSE-MIT").is_file() and (folder / "LICENSE-APACHE-2.0").is_file()


def test_the_rendered_file_needs_no_server_and_no_network(store: Store) -> None:
    html = viz.render(store)
    page = parse(html)
    assert page.links == []  # no src, no href at all: nothing to fetch
    assert not [attrs for attrs, _ in page.scripts if "src" in attrs]
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.IGNORECASE)
    assert "<link" not in html
    vis = (viz.ASSETS / "vis-network" / "vis-network.min.js").read_text(encoding="utf-8")
    assert vis in html and (viz.ASSETS / "graph.js").read_text(encoding="utf-8") in html
    assert "default-src 'none'" in html  # the page's own CSP forbids every request
    blocks = data_blocks(html)
    assert len(blocks["pk-nodes"]) == 398 and blocks["pk-config"]["view"]["expand"] is None
    assert set(blocks["pk-config"]["layouts"]) == {"hierarchical", "free"}
    hierarchical = blocks["pk-config"]["layouts"]["hierarchical"]["layout"]["hierarchical"]
    assert hierarchical["enabled"] and hierarchical["direction"] == "UD"
    assert blocks["pk-config"]["layouts"]["free"]["physics"]["enabled"] is True


def test_the_committed_plan_html_matches_a_fresh_render(store: Store) -> None:
    committed = graphs_dir() / "plan.html"
    assert committed.is_file(), "run 'policykg render' to write graphs/plan.html"
    fresh = viz.render(store)
    assert fresh == viz.render(store)  # deterministic
    assert committed.read_text(encoding="utf-8") == fresh, "graphs/plan.html is stale: render"


def test_render_command_writes_the_file(tmp_path: Path, store: Store) -> None:
    runner = CliRunner()
    out = tmp_path / "area.html"
    result = runner.invoke(cli, ["render", "--focus", "area/2", "--depth", "1", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == viz.render(store, focus="area/2", depth=1)
    assert len(data_blocks(out.read_text(encoding="utf-8"))["pk-nodes"]) == 7
    traced = runner.invoke(cli, ["render", "--trace", "target/2-2-1-1", "-o", str(out)])
    assert traced.exit_code == 0
    lit = data_blocks(out.read_text(encoding="utf-8"))["pk-config"]["view"]["highlight"]
    assert set(lit["nodes"]) == TRACE_PATH
    unknown = runner.invoke(cli, ["render", "--trace", "nope", "-o", str(out)])
    assert unknown.exit_code == 2 and "no node 'nope'" in unknown.stderr
    both = runner.invoke(cli, ["render", "--focus", "area/2", "--trace", "area/2", "-o", str(out)])
    assert both.exit_code == 2
    assert runner.invoke(cli, ["render", "--depth", "-1", "-o", str(out)]).exit_code == 2


# -- the API -----------------------------------------------------------------------------------


def test_the_graph_page(client: TestClient) -> None:
    response = client.get("/graph")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "default-src 'none'" in policy
    page = parse(response.text)
    sources = sorted(value for tag, name, value in page.links)
    assert sources == [
        "/graph/assets/graph.css",
        "/graph/assets/graph.js",
        "/graph/assets/vis-network/vis-network.min.js",
    ]
    for source in sources:
        asset = client.get(source)
        assert asset.status_code == 200 and asset.content
    blocks = data_blocks(response.text)
    assert len(blocks["pk-nodes"]) == 398
    view = blocks["pk-config"]["view"]
    assert view["expand"] == "/api/graph/expand/"
    assert view["pages"] == {"base": "https://w3id.org/policykg/", "prefix": "/", "planner": "yes"}
    for element in ('id="pk-network"', 'id="pk-search"', 'id="pk-lang"', 'id="pk-layout"'):
        assert element in response.text
    focused = data_blocks(client.get("/graph", params={"focus": "area/2", "depth": 1}).text)
    assert len(focused["pk-nodes"]) == 7
    traced = data_blocks(client.get("/graph", params={"trace": "target/2-2-1-1"}).text)
    assert set(traced["pk-config"]["view"]["highlight"]["nodes"]) == TRACE_PATH


def test_the_graph_data(client: TestClient, plan: viz.PlanGraph) -> None:
    data = client.get("/api/graph").json()
    assert data == json.loads(json.dumps(viz.view(plan)))
    focused = client.get("/api/graph", params={"focus": "area/2", "depth": 1}).json()
    assert ids(focused) == ids(viz.view(plan, focus="area/2", depth=1))
    traced = client.get("/api/graph", params={"trace": "target/2-2-1-1"}).json()
    assert set(traced["highlight"]["nodes"]) == TRACE_PATH
    filtered = client.get("/api/graph", params=[("type", "Measure"), ("type", "FocusArea")]).json()
    assert set(filtered["filters"]["types"]) == {"Measure", "FocusArea"}
    assert len(filtered["nodes"]) == 37
    small = client.get("/api/graph", params={"budget": 40}).json()
    assert small["collapsed"] and {n["group"] for n in small["nodes"]} <= viz.FRAMEWORK
    grown = client.get("/api/graph/expand/area/2").json()
    assert {f"measure/2-2-{i}" for i in range(1, 5)} <= ids(grown)


@pytest.mark.parametrize(
    ("path", "params", "status", "parameter"),
    [
        ("/api/graph", {"trace": "nope"}, 404, None),
        ("/api/graph", {"focus": "measure/9-9-9"}, 404, None),
        ("/api/graph", {"area": "99"}, 404, None),
        ("/graph", {"trace": "nope"}, 404, None),
        ("/api/graph/expand/nope", {}, 404, None),
        ("/api/graph", {"focus": "area/2", "depth": -1}, 422, "depth"),
        ("/api/graph", {"focus": "area/2", "depth": "deep"}, 422, "depth"),
        ("/api/graph", {"focus": "area/2", "depth": 7}, 422, "depth"),
        ("/graph", {"focus": "area/2", "depth": 99}, 422, "depth"),
        ("/api/graph", {"type": "Policy"}, 422, "type.0"),
        ("/api/graph", {"focus": "area/2", "trace": "area/2"}, 422, "trace"),
        ("/api/graph", {"budget": 0}, 422, "budget"),
    ],
)
def test_problems(
    client: TestClient, path: str, params: dict[str, Any], status: int, parameter: str | None
) -> None:
    response = client.get(path, params=params)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    if parameter:
        assert [e["parameter"] for e in body["errors"]] == [parameter]
    else:
        assert "no " in body["detail"]


def test_empty_form_fields_count_as_absent(client: TestClient) -> None:
    # an HTML form sends its unused boxes as empty fields: focus=&trace=&area=&unit=
    params = {"focus": "", "trace": "", "area": "", "unit": "", "document": ""}
    body = client.get("/api/graph", params=params).json()
    whole = client.get("/api/graph").json()
    assert [n["id"] for n in body["nodes"]] == [n["id"] for n in whole["nodes"]]
    assert body["filters"]["area"] is None and body["filters"]["document"] is None
    traced = client.get("/api/graph", params={"focus": "", "trace": "target/2-2-1-1"}).json()
    assert "target/2-2-1-1" in traced["highlight"]["nodes"]
