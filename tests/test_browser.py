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
