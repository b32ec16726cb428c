"""Benchmark: time to the first drawn frame of the graph view in headless Chromium.

For plan-shaped synthetic graphs of 500 and 5,000 nodes drawn whole (no node budget), the
self-contained view (``policykg.viz.to_html``) is opened from disk in Debian's Chromium, driven by
Playwright; the time is ``performance.now()`` when vis-network has drawn its first frame (the
page sets ``policykg.ready`` then), from navigation start. (pyvis's own pages cannot be set
beside it here: every one loads vis-network from a CDN, which this machine cannot reach; its
view-data cost is in bench/viz.py.) Writes bench/results/viz-frame.md with the machine and date.

    .venv/bin/python bench/viz_frame.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import tempfile
from pathlib import Path

from hostinfo import cpu_model
from playwright.sync_api import sync_playwright

from policykg import viz
from policykg.paths import project_root

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def machine() -> str:
    cpu = cpu_model(platform.machine())
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def first_frame(browser: object, url: str) -> float:
    context = browser.new_context(offline=True)  # type: ignore[attr-defined]
    page = context.new_page()
    try:
        page.goto(url, wait_until="commit")
        page.wait_for_function(
            "() => window.policykg && window.policykg.ready === true", timeout=120_000
        )
        return float(page.evaluate("performance.now()"))
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("needs Debian's chromium (apt-get install chromium)")
    lines = [
        "# Graph view: time to the first drawn frame in Chromium",
        "",
        f"- date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- machine: {machine()}",
        f"- browser: Debian chromium ({chromium}), headless, software rendering; "
        f"median of {args.repeat} cold page loads from disk, network blocked",
        "- graph: `viz.synthetic_rows(n)`, plan-shaped, hierarchical layout; drawn whole, and as",
        "  `/graph` shows it (above the 1,500-node budget: the framework, expanded on click)",
        "",
        "| graph | nodes drawn | edges drawn | HTML size | first frame (median) | runs |",
        "|---|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=ARGS)
        cases = [(500, None, "whole"), (5000, None, "whole"), (5000, 1500, "budgeted")]
        for n, budget, how in cases:
            view = viz.view(viz.plan_graph(viz.synthetic_rows(n)), budget=budget)
            html = viz.to_html(view)
            path = Path(folder) / f"view-{n}-{how}.html"
            path.write_text(html, encoding="utf-8")
            times = [first_frame(browser, path.as_uri()) for _ in range(args.repeat)]
            nodes, edges = len(view["nodes"]), len(view["edges"])
            lines.append(
                f"| {n:,} nodes, {how} | {nodes:,} | {edges:,} | {len(html.encode()) / 1e6:.1f} MB "
                f"| {statistics.median(times):,.0f} ms | {', '.join(f'{t:,.0f}' for t in times)} |"
            )
        browser.close()
    out = project_root() / "bench" / "results" / "viz-frame.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(out.read_text(encoding="utf-8"), end="")


if __name__ == "__main__":
    main()
