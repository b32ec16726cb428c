"""Benchmark: building the graph view's data (goal: ≤ 1 s at 5,000 nodes).

For plan-shaped synthetic graphs (policykg.viz.synthetic_rows: one framework, focus areas,
measures, targets, achievements, indicators, units) of 500, 5,000 and 50,000 nodes, it times:

- **graph**: the named queries' rows → :class:`policykg.viz.PlanGraph` (networkx: the typed
  DiGraph, the targets beneath each node, the filters' scopes, each node's vis-network record);
  done once per app;
- **full view**: the vis-network nodes and edges of every node (``view(plan, budget=None)``);
- **budgeted view**: what ``/api/graph`` answers (past 1,500 nodes: the framework only);
- **JSON**: the full view serialised;

and, side by side on the same node and edge records, pyvis's own path (``Network.add_node`` for
each node, then ``add_edge`` for each edge), whose membership checks scan lists (quadratic). pyvis
is skipped where its time, extrapolated from the size below as the square of the size, would pass
a minute; the table says so. Writes bench/results/viz.md with the machine and the date.

    .venv/bin/python bench/viz.py [--repeat 5] [--sizes 500 5000 50000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from hostinfo import cpu_model
from pyvis.network import Network  # type: ignore[import-untyped]

from policykg import viz
from policykg.paths import project_root

T = TypeVar("T")
PYVIS_LIMIT = 60.0  # seconds: skip pyvis where it would take longer


def timed(action: Callable[[], T], repeat: int) -> tuple[float, T]:
    """The median time of ``repeat`` runs after one warm-up, in seconds, and the last result."""
    result = action()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def with_pyvis(data: viz.ViewData) -> Network:
    """The same records through pyvis's add_node and add_edge."""
    network = Network(directed=True)
    for node in data["nodes"]:
        options: dict[str, Any] = {
            k: v for k, v in node.items() if k not in {"id", "label", "shape", "color"}
        }
        network.add_node(
            node["id"], label=node["label"], shape=node["shape"], color=node["color"], **options
        )
    for edge in data["edges"]:
        network.add_edge(
            edge["from"], edge["to"], **{k: v for k, v in edge.items() if k not in {"from", "to"}}
        )
    return network


def machine() -> str:
    cpu = cpu_model()
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 5000, 50000])
    args = parser.parse_args()
    rows = []
    last_pyvis: tuple[int, float] | None = None
    for size in args.sizes:
        synthetic = viz.synthetic_rows(size)
        repeat = args.repeat if size <= 5000 else max(1, args.repeat // 2)
        graph_s, plan = timed(partial(viz.plan_graph, synthetic), repeat)
        full_s, full = timed(partial(viz.view, plan, budget=None), repeat)
        budget_s, budgeted = timed(partial(viz.view, plan), repeat)
        json_s, text = timed(partial(json.dumps, full, ensure_ascii=False), repeat)
        nodes, edges = len(full["nodes"]), len(full["edges"])
        if last_pyvis is None:
            estimate = 0.0
        else:
            smaller, seconds = last_pyvis
            estimate = seconds * (nodes / smaller) ** 2
        if estimate > PYVIS_LIMIT:
            pyvis = f"skipped: ≈ {estimate:,.0f} s extrapolated (n²) from {smaller:,} nodes"
            ratio = f"≈ {estimate / full_s:,.0f}× (extrapolated)"
            total = f"≈ {(graph_s + estimate) / (graph_s + full_s):,.1f}× (extrapolated)"
        else:
            started = time.perf_counter()
            network = with_pyvis(full)
            pyvis_s = time.perf_counter() - started
            assert len(network.nodes) == nodes and len(network.edges) == edges
            last_pyvis = (nodes, pyvis_s)
            pyvis = ms(pyvis_s)
            ratio = f"{pyvis_s / full_s:,.0f}×"
            total = f"{(graph_s + pyvis_s) / (graph_s + full_s):,.1f}×"
        rows.append(
            [
                f"{nodes:,}",
                f"{edges:,}",
                ms(graph_s),
                ms(full_s),
                ms(graph_s + full_s),
                f"{ms(budget_s)} ({len(budgeted['nodes']):,} nodes"
                + (", collapsed)" if budgeted["collapsed"] else ")"),
                f"{ms(json_s)} ({len(text.encode()) / 1e6:,.1f} MB)",
                pyvis,
                ratio,
                total,
            ]
        )
        print(" | ".join(rows[-1]), flush=True)
    header = [
        "nodes",
        "edges",
        "graph (rows → PlanGraph)",
        "full view data",
        "graph + full view",
        "budgeted view (/api/graph)",
        "JSON of the full view",
        "pyvis add_node + add_edge",
        "pyvis ÷ full view",
        "(graph + pyvis) ÷ (graph + full view)",
    ]
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Graph view data",
        "",
        f"- date: {now}",
        f"- machine: {machine()}",
        f"- repeats: median of {args.repeat} runs after a warm-up (of {max(1, args.repeat // 2)}"
        " above 5,000 nodes); pyvis once; times in ms",
        "- data: `policykg.viz.synthetic_rows(n)`, plan-shaped (one framework, n/50 focus areas, "
        "8 % measures, 8 % targets, 30 % achievements, 10 % units, the rest indicators)",
        "- goal: graph + full view ≤ 1 s at 5,000 nodes",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *("| " + " | ".join(row) + " |" for row in rows),
        "",
        "The graph is built once per app (the API keeps it on `app.state`), with every node's "
        "and edge's vis-network record; each request then builds only a view from them "
        "(**full view**, or the **budgeted view** `/api/graph` answers). pyvis is handed the very "
        "records the full view holds, so its column is pyvis's own cost of adding them: its "
        "`add_node` and `add_edge` check membership in lists, so its time grows with the square "
        "of the size. The last column compares whole paths, the graph work included on both "
        "sides. pyvis is skipped where its extrapolated time passes "
        f"{PYVIS_LIMIT:.0f} s; the table says where.",
        "",
    ]
    out = project_root() / "bench" / "results" / "viz.md"
    out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
