"""The HTML pages, through the ASGI app: the landing page, the framework, a page per resource,
search and gaps; their JSON twins and Turtle, breadcrumbs, the marked quantity, the indicator
chart, 404s for browsers and for clients, nothing from another host, and a hostile label that
stays text."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from engines import Engine, Engines
from fastapi.testclient import TestClient

import api.app as api_app
from api.app import create_app
from policykg.paths import graphs_dir

HTML = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
BASE = "https://w3id.org/policykg/id/szamr-2024/"
PAGES = [
    "/",
    "/framework",
    "/areas",
    "/areas/2",
    "/measures",
    "/measures/2-2-1",
    "/targets",
    "/targets/2-2-1-1",
    "/indicators",
    "/indicators/11",
    "/units",
    "/units/merger-review-window",
    "/units/bureau",
    "/search?q=个转企",
    "/search",
    "/gaps",
]


class Page(HTMLParser):
    """The parts of a page the tests look at: tags, attributes, text and the breadcrumbs."""

    def __init__(self, body: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.trails: list[list[tuple[str | None, str]]] = []
        self._in_trails = False
        self._href: str | None = None
        self._crumb: list[str] = []
        self.feed(body)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append((tag, found))
        if tag == "nav" and found.get("class") == "trails":
            self._in_trails = True
        elif self._in_trails and tag == "ol":
            self.trails.append([])
        elif self._in_trails and tag == "li":
            self._href, self._crumb = None, []
        elif self._in_trails and tag == "a":
            self._href = found.get("href")

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav":
            self._in_trails = False
        elif self._in_trails and tag == "li":
            self.trails[-1].append((self._href, "".join(self._crumb).strip()))

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._in_trails:
            self._crumb.append(data)

    def links(self, kind: str = "") -> list[str]:
        """The href of every <a> and <link> (of one type, if given)."""
        found = []
        for tag, attrs in self.tags:
            href = attrs.get("href")
            if tag in {"a", "link"} and href and (not kind or attrs.get("type") == kind):
                found.append(href)
        return found

    def alternate(self, kind: str) -> str | None:
        """The <link rel="alternate"> of a media type in the head."""
        hrefs = [
            a["href"]
            for tag, a in self.tags
            if tag == "link" and a.get("rel") == "alternate" and a.get("type") == kind
        ]
        return hrefs[0] if hrefs else None

    @property
    def all_text(self) -> str:
        return "".join(self.text)


@pytest.fixture(scope="module")
def client(engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(engine.settings())) as client:
        yield client


def page(client: TestClient, path: str) -> tuple[str, Page]:
    response = client.get(path, headers=HTML)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return response.text, Page(response.text)


def api(client: TestClient, path: str) -> dict[str, object]:
    response = client.get(path)
    assert response.status_code == 200, response.text
    result: dict[str, object] = response.json()
    return result


def section(body: str, element_id: str) -> str:
    """The HTML of the section an id labels, or else of the element that carries the id (up to
    the first end tag of its kind)."""
    labelled = re.search(rf'<section aria-labelledby="{re.escape(element_id)}"', body)
    if labelled:
        return body[labelled.start() : body.find("</section>", labelled.end())]
    match = re.search(rf'<(\w+)[^>]*\bid="{re.escape(element_id)}"', body)
    assert match, element_id
    tag = match.group(1)
    end = body.find(f"</{tag}>", match.end())
    return body[match.start() : end]


# -- the landing page and the framework --------------------------------------------------------


def test_landing_page_shows_the_framework_at_a_glance(client: TestClient) -> None:
    body, parsed = page(client, "/")
    assert "1146810" in body
    counts = {
        "count-work-lines": 1,
        "count-projects": 1,
        "count-builds": 4,
        "count-requirements": 6,
        "count-areas": 8,
        "count-task-lists": 10,
    }
    for element, n in counts.items():
        assert f'<p class="n">{n}</p>' in section(body, element), element
    for label in ["作风提升年", "强基工程", "一年打基础", "两年上台阶", "三年大提升", "建一流队伍"]:
        assert label in section(body, "count-projects") + section(body, "count-work-lines")
    for label in ["党的建设", "作风建设", "业务建设", "干部队伍建设"]:
        assert label in section(body, "count-builds")
    for label in ["讲政治", "转作风", "强监管", "保安全", "促发展", "惠民生"]:
        assert label in section(body, "count-requirements")
    # each focus area with its measure and target counts, as the JSON twin counts them
    framework = api(client, "/api/framework")
    areas = section(body, "count-areas")
    rows = re.findall(r'<tr><td>\d+</td><td><a href="(/areas/\d)">.*?</tr>', areas, re.S)
    assert rows == [f"/areas/{n}" for n in range(1, 9)]
    projects = framework["work_line"]["projects"]  # type: ignore[index]
    seen = set()
    for build in projects[0]["builds"]:
        for area in build["areas"]:
            if area["id"] in seen:
                continue
            seen.add(area["id"])
            row = re.search(rf'<a href="/areas/{area["id"].split("/")[1]}">.*?</tr>', areas, re.S)
            assert row, area["id"]
            numbers = re.findall(r'<td class="num">(\d+)</td>', row.group(0))
            assert numbers == [str(area["counts"]["measures"]), str(area["counts"]["targets"])]
    assert len(seen) == 8
    assert "4</td>" in areas and ">29</a>" in areas and ">20</a>" in areas
    tasks = section(body, "count-task-lists")
    assert "7 unnamed" in tasks
    for label in ["揭榜挂帅", "大调研", "风险排查"]:
        assert label in tasks
    # the search box and the ways in
    assert re.search(r'<form class="search big" method="get" action="/search"', body)
    assert 'name="q"' in body
    for path in ["/graph", "/sparql", "/docs", "/framework"]:
        assert path in parsed.links(), path


def test_framework_page_is_the_tree_with_anchors(client: TestClient) -> None:
    body, parsed = page(client, "/framework")
    for anchor in ["workline", "project", "build/1", "build/3", "requirement/6", "tasklist/10"]:
        assert f'id="{anchor}"' in body, anchor
    assert body.count("unnamed in the source") == 7
    assert "揭榜挂帅" in section(body, "tasklist/1")
    links = parsed.links()
    assert {f"/areas/{n}" for n in range(1, 9)} <= set(links)
    assert "/measures/2-2-1" in links and "/measures/2-8-4" in links
    assert "持续提升商事登记便利度" in body


# -- a page per resource ------------------------------------------------------------------------


def test_measure_page(client: TestClient) -> None:
    body, parsed = page(client, "/measures/2-2-1")
    assert '<h1><span lang="zh">持续提升商事登记便利度</span>' in body
    assert "Making business registration ever more convenient" in body
    # the source text with the quantity marked, the rest of the text around it
    assert "新增“个转企”<mark>不少于2500户</mark>。全力推动招商引资目标企业尽早落地。" in body
    assert body.count("<mark>") == 1
    # the breadcrumbs climb from the work line down to the measure
    assert parsed.trails == [
        [
            ("/", "policykg"),
            ("/framework#workline", "WorkLine 作风提升年"),
            ("/framework#project", "Project 强基工程"),
            ("/framework#build/3", "Build 业务建设"),
            ("/areas/2", "FocusArea 激发市场活力"),
            (None, "Measure 持续提升商事登记便利度"),
        ]
    ]
    links = parsed.links()
    for path in ["/targets/2-2-1-1", "/indicators/11", "/units/bureau", "/framework#requirement/5"]:
        assert path in links, path
    assert "经局党组研究决定" in body and "owner" in body
    assert "公司法" in body and "依照" in body


def test_target_page(client: TestClient) -> None:
    body, parsed = page(client, "/targets/2-2-1-1")
    # the sentence that states it, the quantity marked
    assert '<blockquote class="source" lang="zh">新增“个转企”<mark>不少于2500户</mark>。' in body
    facts = section(body, "facts")
    assert "2,500" in body and "≥" in body and "户" in body and "committed" in body
    assert "2024" in body and facts
    links = parsed.links()
    assert "/measures/2-2-1" in links and "/indicators/11" in links and "/areas/2" in links
    # its baseline: the 2023 result on the same basis
    assert "/id/szamr-2024/achievement/1-3-1-1" in links
    assert "3582户" in body and "same" in body and "curated" in body
    assert [href for href, _ in parsed.trails[0]] == [
        "/",
        "/framework#workline",
        "/framework#project",
        "/framework#build/3",
        "/areas/2",
        "/measures/2-2-1",
        None,
    ]


def indicator_id(client: TestClient, label: str) -> str:
    items = api(client, "/api/indicators?limit=500")["items"]
    found = [i["id"] for i in items if i["label_zh"] == label]  # type: ignore[attr-defined]
    assert len(found) == 1
    return str(found[0])


def test_indicator_page_charts_baseline_against_target(client: TestClient) -> None:
    local = indicator_id(client, "新增个转企户数")
    body, parsed = page(client, "/" + local.replace("indicator/", "indicators/"))
    assert '<h1><span lang="zh">新增个转企户数</span>' in body
    svg = re.search(r"<svg\b.*?</svg>", body, re.S)
    assert svg, "no chart"
    chart = svg.group(0)
    assert "3582" in chart and "2500" in chart
    assert chart.count("<rect ") == 2
    labels = re.findall(r'<text class="(value|year|kind)"[^>]*>([^<]*)</text>', chart)
    assert labels == [
        ("value", "3582户"),
        ("year", "2023"),
        ("kind", "result"),
        ("value", "不少于2500户"),
        ("year", "2024"),
        ("kind", "target"),
    ]
    # the taller bar is the larger value
    heights = [float(h) for h in re.findall(r'<rect [^>]*height="([\d.]+)"', chart)]
    assert heights[0] > heights[1] > 0
    # through its target's measure up to the work line
    assert [href for href, _ in parsed.trails[0]][-3:] == ["/areas/2", "/measures/2-2-1", None]
    assert "/targets/2-2-1-1" in parsed.links()


def test_indicator_of_results_only_trails_through_the_summary(client: TestClient) -> None:
    local = indicator_id(client, "经营主体户数")
    body, parsed = page(client, "/" + local.replace("indicator/", "indicators/"))
    assert "422.6万户" in body
    assert parsed.trails, "no breadcrumbs"
    assert parsed.trails[0][-1] == (None, "Indicator 经营主体户数")
    chart = re.search(r"<svg\b.*?</svg>", body, re.S)
    assert chart and chart.group(0).count("<rect ") == 1


def test_unit_page(client: TestClient) -> None:
    body, parsed = page(client, "/units/merger-review-window")
    assert "省局经营者集中深圳窗口" in body
    roles = section(body, "roles")
    assert "/measures/2-3-1" in roles and "measure/2-3-1" in roles
    assert "leveraged" in roles and "发挥" in roles
    assert "规范公平竞争市场环境" in roles
    assert [href for href, _ in parsed.trails[0]] == ["/", "/units", "/units/gd-amr", None]
    assert "6700" in body and "省市共建经营者集中服务窗口" in body


def test_area_page(client: TestClient) -> None:
    body, parsed = page(client, "/areas/2")
    assert "激发市场活力" in body and "Stimulating market vitality" in body
    links = parsed.links()
    for n in range(1, 5):
        assert f"/measures/2-2-{n}" in links
    assert "/framework#build/3" in links and "/framework#requirement/5" in links
    assert "curated" in body and "Section 二(二) is regulatory business work" in body
    assert [href for href, _ in parsed.trails[0]] == [
        "/",
        "/framework#workline",
        "/framework#project",
        "/framework#build/3",
        None,
    ]
    # an area curated into three builds has three trails
    _, eight = page(client, "/areas/8")
    assert [trail[3][0] for trail in eight.trails] == [
        "/framework#build/1",
        "/framework#build/2",
        "/framework#build/4",
    ]


def test_search_page(client: TestClient) -> None:
    body, parsed = page(client, "/search?q=个转企")
    assert 'value="个转企"' in body
    links = parsed.links()
    assert links.index("/targets/2-2-1-1") < links.index("/measures/2-2-1")  # label first
    assert "<mark>个转企</mark>" in body
    assert parsed.alternate("application/json") == "/api/search?q=%E4%B8%AA%E8%BD%AC%E4%BC%81"
    blank, _ = page(client, "/search?q=+")
    assert "match" not in blank and 'action="/search"' in blank
    nothing, _ = page(client, "/search?q=没有这种东西")
    assert "0 matches" in nothing
    too_long = client.get("/search", params={"q": "x" * 201})
    assert too_long.status_code == 422
    assert too_long.headers["content-type"] == "application/problem+json"
    html = client.get("/search", params={"q": "x" * 201}, headers=HTML)
    assert html.status_code == 422
    assert html.headers["content-type"].startswith("text/html")
    assert "invalid or missing: q" in html.text  # names the parameter


def test_gaps_page(client: TestClient) -> None:
    body, parsed = page(client, "/gaps")
    gaps = api(client, "/api/gaps")
    links = parsed.links()
    for key, element in [
        ("targets_without_baseline", "no-baseline"),
        ("measures_without_target", "no-target"),
        ("measures_bureau_only", "bureau-only"),
    ]:
        items = gaps[key]
        assert isinstance(items, list) and items
        assert f'<span class="count">{len(items)}</span>' in section(body, element)
        for item in items:
            kind, _, rest = item["id"].partition("/")
            assert f"/{kind}s/{rest}" in links, item["id"]


@pytest.mark.parametrize(
    ("path", "twin", "links"),
    [
        ("/areas", "/api/areas", "/areas/"),
        ("/measures", "/api/measures", "/measures/"),
        ("/targets", "/api/targets", "/targets/"),
        ("/indicators", "/api/indicators", "/indicators/"),
        ("/units", "/api/units", "/units/"),
    ],
)
def test_list_pages_hold_every_item(client: TestClient, path: str, twin: str, links: str) -> None:
    _, parsed = page(client, path + "?limit=500")
    total = api(client, twin + "?limit=1")["total"]
    assert isinstance(total, int) and total > 0
    items = {href for href in parsed.links() if href.startswith(links)}
    assert len(items) == total
    assert parsed.alternate("application/json") == twin


def test_list_pages_page(client: TestClient) -> None:
    _, first = page(client, "/measures?limit=10")
    assert "/measures?limit=10&offset=10" in first.links()
    _, last = page(client, "/measures?limit=10&offset=20")
    assert "/measures?limit=10&offset=10" in last.links()
    assert not any("offset=30" in href for href in last.links())


# -- twins, Turtle, hosts, errors ---------------------------------------------------------------


TWINS = {
    "/": ("/api/framework", "/id/szamr-2024/framework.ttl"),
    "/framework": ("/api/framework", "/id/szamr-2024/framework.ttl"),
    "/areas/2": ("/api/areas/2", "/id/szamr-2024/area/2.ttl"),
    "/measures/2-2-1": ("/api/measures/2-2-1", "/id/szamr-2024/measure/2-2-1.ttl"),
    "/targets/2-2-1-1": (None, "/id/szamr-2024/target/2-2-1-1.ttl"),
    "/indicators/11": ("/api/indicators/11", "/id/szamr-2024/indicator/11.ttl"),
    "/units/merger-review-window": (
        "/api/units/merger-review-window",
        "/id/unit/merger-review-window.ttl",
    ),
    "/gaps": ("/api/gaps", None),
}


@pytest.mark.parametrize("path", list(TWINS))
def test_each_page_links_its_json_twin_and_turtle(client: TestClient, path: str) -> None:
    _, parsed = page(client, path)
    twin, turtle = TWINS[path]
    found = parsed.alternate("application/json")
    assert found is not None
    if twin is not None:
        assert found == twin
    assert found in parsed.links("application/json")  # shown on the page, too
    response = client.get(found)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    if path == "/targets/2-2-1-1":  # the target is in its twin
        assert "target/2-2-1-1" in response.text
    if turtle is None:
        assert parsed.alternate("text/turtle") is None
        return
    assert parsed.alternate("text/turtle") == turtle
    assert turtle in parsed.links("text/turtle")
    response = client.get(turtle)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    assert turtle.removesuffix(".ttl").removeprefix("/id/") in response.text


def test_no_page_loads_or_links_another_host(client: TestClient) -> None:
    assert PAGES
    for path in PAGES:
        response = client.get(path, headers=HTML)
        assert response.status_code == 200, path
        policy = response.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "script-src" not in policy
        parsed = Page(response.text)
        assert parsed.tags
        references = [
            value
            for _, attrs in parsed.tags
            for name, value in attrs.items()
            if name in {"href", "src", "action", "srcset", "data", "poster"}
        ]
        assert references, path
        for value in references:
            assert value is not None and value.startswith(("/", "#")), (path, value)
            assert not value.startswith("//"), (path, value)
        assert not any(tag == "script" for tag, _ in parsed.tags), path
        assert not any(
            name.startswith("on") or name == "style" for _, attrs in parsed.tags for name in attrs
        ), path
        assert '<link rel="stylesheet" href="/static/site.css">' in response.text
    css = client.get("/static/site.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert css.content == (Path(api_app.__file__).parent / "static" / "site.css").read_bytes()


def test_templates_never_mark_text_safe() -> None:
    templates = sorted((Path(__file__).parents[1] / "api" / "templates" / "pages").glob("*.html"))
    assert templates
    for template in templates:
        text = template.read_text(encoding="utf-8")
        assert "|safe" not in text.replace(" ", "") and "autoescape false" not in text, template


@pytest.mark.parametrize(
    "path",
    [
        "/areas/99",
        "/measures/9-9-9",
        "/targets/9-9-9-9",
        "/targets/P2.2.1",  # a measure's code, not a target
        "/indicators/99999",
        "/units/nobody",
    ],
)
def test_unknown_ids_are_404_html_for_browsers_problem_json_otherwise(
    client: TestClient, path: str
) -> None:
    browser = client.get(path, headers=HTML)
    assert browser.status_code == 404
    assert browser.headers["content-type"] == "text/html; charset=utf-8"
    assert "<h1>Not found</h1>" in browser.text
    for accept in ["*/*", "application/json", None]:
        headers = {"accept": accept} if accept else {}
        response = client.get(path, headers=headers)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == 404


# -- a hostile label stays text -----------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
QUANTITY = "5户<img src=x onerror=alert(2)>"
TEXT = f'{SCRIPT}新增{QUANTITY}。<a href="//evil.example/">看这里</a>。'
HOSTILE_UNIT = '<a href="//evil.example/">单位</a>'


def literal(text: str, lang: str | None = None) -> str:
    """A TriG string literal (JSON's escapes are Turtle's for these characters)."""
    return json.dumps(text, ensure_ascii=False) + (f"@{lang}" if lang else "")


def hostile_trig() -> str:
    start = 90000
    at = start + TEXT.index(QUANTITY)
    measure, target = f"<{BASE}measure/2-2-9>", f"<{BASE}target/2-2-9-1>"
    area, indicator = f"<{BASE}area/2>", f"<{BASE}indicator/666>"
    return f"""\
@prefix pk: <https://w3id.org/policykg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix qudt: <http://qudt.org/schema/qudt/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<{BASE}graph/hostile> {{
  {measure} a skos:Concept, pk:Measure ; pk:partOf {area} ;
      skos:prefLabel {literal(SCRIPT, "zh")}, {literal("href=x " + SCRIPT, "en")} ;
      pk:fullText {literal(TEXT)} ; prov:wasDerivedFrom <{BASE}span/hostile-m> .
  <{BASE}span/hostile-m> nif:beginIndex {start} ; nif:endIndex {start + len(TEXT)} ;
      nif:anchorOf {literal(TEXT)} .
  <{BASE}link/hostile-m> a rdf:Statement ; rdf:subject {measure} ; rdf:predicate pk:partOf ;
      rdf:object {area} ; pk:evidence pk:extracted .
  {indicator} a skos:Concept, pk:Indicator ; skos:prefLabel {literal(SCRIPT, "zh")} .
  {target} a skos:Concept, pk:Target ; pk:partOf {measure} ; pk:statedIn {measure} ;
      pk:measures {indicator} ; qudt:value 5.0 ; pk:comparator "≥" ;
      pk:year "2024"^^xsd:gYear ; pk:valueText {literal(QUANTITY)} ;
      pk:unitText {literal("<b>户</b>", "zh")} ; pk:commitment "committed" ;
      skos:prefLabel {literal(SCRIPT + " href=x", "zh")} ;
      prov:wasDerivedFrom <{BASE}span/hostile-t> .
  <{BASE}span/hostile-t> nif:beginIndex {at} ; nif:endIndex {at + len(QUANTITY)} ;
      nif:anchorOf {literal(QUANTITY)} .
  <{BASE}link/hostile-t> a rdf:Statement ; rdf:subject {target} ; rdf:predicate pk:partOf ;
      rdf:object {measure} ; pk:evidence pk:extracted .
  <https://w3id.org/policykg/id/unit/hostile> a org:Organization ;
      skos:prefLabel {literal(HOSTILE_UNIT, "zh")}, {literal(SCRIPT, "en")} ;
      skos:altLabel {literal("href=javascript:alert(3)", "zh")} .
}}
"""


@pytest.fixture(scope="module")
def hostile(
    tmp_path_factory: pytest.TempPathFactory, engine: Engine, engines: Engines
) -> Iterator[TestClient]:
    graphs = tmp_path_factory.mktemp("hostile-graphs")
    built = sorted(graphs_dir().glob("*.trig"))
    assert built
    for path in built:
        shutil.copy(path, graphs / path.name)
    (graphs / "hostile.trig").write_text(hostile_trig(), encoding="utf-8")
    with TestClient(create_app(engines.get(engine.name, graphs).settings())) as client:
        yield client


HOSTILE_PAGES = [
    "/measures/2-2-9",
    "/targets/2-2-9-1",
    "/indicators/666",
    "/units/hostile",
    "/areas/2",
    "/framework",
    "/measures",
    "/targets",
    "/indicators",
    "/units",
    "/search?q=script",
    "/search?q=href",
]


@pytest.mark.parametrize("path", HOSTILE_PAGES)
def test_a_hostile_label_renders_as_text(hostile: TestClient, path: str) -> None:
    response = hostile.get(path, headers=HTML)
    assert response.status_code == 200, response.text
    body = response.text
    parsed = Page(body)
    assert not any(tag in {"script", "img", "b"} for tag, _ in parsed.tags)
    for _, attrs in parsed.tags:
        assert not any(name.startswith("on") for name in attrs)
        for name in ("href", "src", "action"):
            value = attrs.get(name)
            assert value is None or value.startswith(("/", "#")), (name, value)
    assert SCRIPT not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert SCRIPT in parsed.all_text or HOSTILE_UNIT in parsed.all_text


def test_the_hostile_quantity_is_marked_and_escaped(hostile: TestClient) -> None:
    body = hostile.get("/measures/2-2-9", headers=HTML).text
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt;新增"
        "<mark>5户&lt;img src=x onerror=alert(2)&gt;</mark>"
        "。&lt;a href=&#34;//evil.example/&#34;&gt;看这里&lt;/a&gt;。"
    ) in body
    target = hostile.get("/targets/2-2-9-1", headers=HTML).text
    assert "<mark>5户&lt;img src=x onerror=alert(2)&gt;</mark>" in target
    assert [href for href, _ in Page(target).trails[0]][-2:] == ["/measures/2-2-9", None]
    chart = re.search(r"<svg\b.*?</svg>", hostile.get("/indicators/666", headers=HTML).text, re.S)
    assert chart and "5户&lt;img src=x onerror=alert(2)&gt;" in chart.group(0)
    unit = hostile.get("/units/hostile", headers=HTML).text
    assert "&lt;a href=&#34;//evil.example/&#34;&gt;单位&lt;/a&gt;" in unit
