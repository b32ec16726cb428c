"""Pages in a real headless Chromium against a real server: they work, and they work offline.

Screenshots go to tests/screenshots/ (git-ignored).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, LiveServer, needs_chromium, serve, watch

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    yield from serve(tmp_path_factory.mktemp("serve") / "serve.log")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def test_the_query_page_runs_a_query_with_no_other_host(page: Any, server: LiveServer) -> None:
    visit = watch(page)
    page.goto(f"{server.base}/sparql", wait_until="networkidle")
    assert page.title().startswith("SPARQL")
    page.fill(
        "#query",
        "PREFIX pk: <https://w3id.org/policykg/ontology#>\n"
        "SELECT ?m WHERE { ?m a pk:Measure } ORDER BY ?m LIMIT 3",
    )
    page.click("#run")
    page.wait_for_selector("#results table tbody tr")
    rows = page.locator("#results table tbody tr")
    assert rows.count() == 3
    assert "measure/2-1-1" in rows.nth(0).inner_text()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "sparql.png"), full_page=True)
    assert visit.hosts == {server.host}, visit.hosts
    assert visit.errors == []


def test_the_query_page_shows_a_syntax_error_where_it_is(page: Any, server: LiveServer) -> None:
    visit = watch(page)
    page.goto(f"{server.base}/sparql", wait_until="networkidle")
    page.fill("#query", "SELECT ?x WHERE {\n  ?x ?y }")
    page.click("#run")
    page.wait_for_function("document.querySelector('#status').textContent.length > 0")
    status = page.inner_text("#status")
    assert "line 2" in status or "2:" in status, status
    assert all("400" in e or "Bad Request" in e for e in visit.errors), visit.errors


def test_the_api_docs_load_from_this_server_only(page: Any, server: LiveServer) -> None:
    visit = watch(page)
    page.goto(f"{server.base}/docs", wait_until="networkidle")
    page.wait_for_selector(".swagger-ui .opblock", timeout=15000)
    assert page.locator(".swagger-ui .opblock").count() > 20
    assert visit.hosts == {server.host}, visit.hosts
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "docs.png"))


def test_a_resource_page_renders_hostile_looking_text_as_text(
    page: Any, server: LiveServer
) -> None:
    visit = watch(page)
    page.goto(f"{server.base}/id/szamr-2024/measure/2-2-1", wait_until="networkidle")
    heading = page.inner_text("h1")
    assert heading.startswith("持续提升商事登记便利度")
    assert visit.hosts == {server.host}
    assert visit.errors == []


def test_screenshots_are_not_committed() -> None:
    ignored = (Path(__file__).parents[1] / ".gitignore").read_text(encoding="utf-8")
    assert "tests/screenshots/" in ignored


def open_graph(page: Any, url: str) -> None:
    page.goto(url, wait_until="load")
    page.wait_for_function("window.policykg && window.policykg.ready === true", timeout=30000)


def test_the_graph_view_draws_the_plan_from_this_server_only(page: Any, server: LiveServer) -> None:
    visit = watch(page)
    open_graph(page, f"{server.base}/graph")
    data = page.evaluate("fetch('/api/graph').then(r => r.json())")
    drawn = page.evaluate("window.policykgNetwork.body.data.nodes.length")
    assert drawn == len(data["nodes"]) > 300
    assert page.evaluate("window.policykgNetwork.body.data.edges.length") == len(data["edges"])
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "graph.png"))
    assert visit.hosts == {server.host}, visit.hosts
    assert visit.errors == []


def test_search_selects_and_centres_the_node(page: Any, server: LiveServer) -> None:
    open_graph(page, f"{server.base}/graph")
    found = page.evaluate("policykg.search('个转企')")
    assert found == "target/2-2-1-1"
    assert page.evaluate("policykgNetwork.getSelectedNodes()") == ["target/2-2-1-1"]
    centre = page.evaluate("policykgNetwork.getViewPosition()")
    node = page.evaluate("policykgNetwork.getPositions(['target/2-2-1-1'])['target/2-2-1-1']")
    page.wait_for_timeout(800)  # the view animates to the node
    centre = page.evaluate("policykgNetwork.getViewPosition()")
    assert abs(centre["x"] - node["x"]) < 5 and abs(centre["y"] - node["y"]) < 5
    assert page.get_attribute("#pk-open", "href") == "/targets/2-2-1-1"  # its page
    page.click("#pk-open")
    page.wait_for_load_state("load")
    assert page.url.endswith("/targets/2-2-1-1")
    assert "不少于2500户" in page.inner_text("main")


def test_a_trace_highlights_its_path(page: Any, server: LiveServer) -> None:
    visit = watch(page)
    open_graph(page, f"{server.base}/graph?trace=target/2-2-1-1")
    highlighted = page.evaluate("policykg.meta.highlight.nodes")
    assert highlighted[:6] == [
        "target/2-2-1-1",
        "measure/2-2-1",
        "area/2",
        "build/3",
        "project",
        "workline",
    ]
    assert "requirement/5" in highlighted
    widths = page.evaluate(
        "Object.fromEntries(policykgNetwork.body.data.nodes.get()"
        ".map(n => [n.id, n.borderWidth || 1]))"
    )
    assert all(widths[node] == 4 for node in highlighted)
    assert max(w for node, w in widths.items() if node not in highlighted) < 4
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "graph-trace.png"))
    assert visit.errors == []


def test_the_rendered_file_works_from_disk_with_the_network_blocked(browser: Any) -> None:
    plan = Path(__file__).parents[1] / "graphs" / "plan.html"
    context = browser.new_context(offline=True)
    page = context.new_page()
    visit = watch(page)
    page.route(
        "**/*",
        lambda route: (
            route.abort() if not route.request.url.startswith("file:") else route.continue_()
        ),
    )
    try:
        open_graph(page, plan.as_uri())
        assert page.evaluate("window.policykgNetwork.body.data.nodes.length") > 300
        assert visit.hosts == {"file"}, visit.hosts
        assert visit.errors == []
    finally:
        context.close()


def test_a_hostile_label_stays_text(browser: Any, tmp_path: Path) -> None:
    from policykg import viz

    rows = viz.synthetic_rows(20)
    hostile = '</script><script>window.pwned = 1</script><a href="x">link</a>'
    rows["view-nodes"][0]["label_zh"] = hostile
    html = viz.to_html(viz.view(viz.plan_graph(rows), budget=None))
    target = tmp_path / "hostile.html"
    target.write_text(html, encoding="utf-8")
    context = browser.new_context(offline=True)
    page = context.new_page()
    visit = watch(page)
    try:
        open_graph(page, target.as_uri())
        assert page.evaluate("window.pwned") is None
        labels = page.evaluate("policykgNetwork.body.data.nodes.get().map(n => n.label)")
        assert any("</script>" in label for label in labels)
        assert page.locator("a[href='x']").count() == 0
        assert visit.errors == []
    finally:
        context.close()
