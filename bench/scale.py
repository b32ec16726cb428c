"""How cost grows with the number of plans: load, memory and query latency on 1 to 1,000 plans.

    .venv/bin/python bench/scale.py [--plans 1,10,100,1000] [--repeat 50]

For each N, N synthetic plans shaped like graphs/szamr-2024.trig (see bench/scale_plans.py) are
written as N-Quads and as TriG, then each store is measured in fresh child processes, one at a
time:

- pyoxigraph in memory: ``policykg.store.load_store`` of the TriG (what the server's
  ``QueryService.from_files`` does: ``Store.load``); queries through policykg's ``Store.query``
  (the library's sync path), then through ``QueryService`` (the server's pool: one forked worker,
  answers as JSON over a pipe, under the service's own deadline);
- pyoxigraph on disk: ``bulk_load`` of the TriG (as ``disk_store`` does) into a temporary folder
  in one child, then a second, fresh child opens it read-only (as a restarted server does) and
  queries it through ``Store.query``;
- rdflib's own engine: ``rdflib.Dataset(default_union=True)``, ``parse(format="nquads")`` and
  ``Dataset.query`` with ``initBindings``.

Each child reports its load time, its resident memory (VmRSS, and the peak VmHWM, from
/proc/self/status) and the latency of each query over ``--repeat`` runs after one warm-up
(a warm-up slower than 0.5 s counts as a run). The API's text index (policykg.textindex) is built
in the memory child from search-corpus.rq through the pool, as /api/search builds it, then timed.

Everything is bounded: each run of a query has ``--query-timeout`` (a timer signal in the child,
the service's deadline in the pool; pyoxigraph evaluation that does not return to Python is
stopped by the child's own time limit, which kills the child), a query stops repeating once its
runs add up to ``--query-budget``, each child has ``--child-timeout``, and the whole run has
``--budget``. A query that timed out on a store is not tried on that store at a larger N; rdflib
is not loaded at an N where its previous load time scaled by the growth of N would pass
``--rdflib-load-budget``, nor any store where the scaled memory would not fit. What was skipped is
said in the results.

Writes bench/results/scale.md (tables, log-log slopes, the goals of issue 6) and
bench/results/scale.png (cost against N, log-log). The N-Quads and TriG files and on-disk stores
live in a temporary folder that is removed at the end. Needs numpy and matplotlib in the venv.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import gc
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hostinfo import cpu_model

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import scale_plans  # noqa: E402

RESULTS = HERE / "results"
QUERY_DIR = ROOT / "src" / "policykg" / "queries"
PLAN1 = scale_plans.ID + "plan-1/"
NEEDLE = scale_plans.NEEDLE

PREFIXES = """PREFIX pk: <https://w3id.org/policykg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
"""

PER_AREA = (
    PREFIXES
    + """SELECT ?area (COUNT(?target) AS ?targets) WHERE {
  ?target a pk:Target ; pk:statedIn ?measure .
  ?measure pk:partOf ?area .
  ?area a pk:FocusArea .
}
GROUP BY ?area"""
)

LABELS = (
    PREFIXES
    + """SELECT ?node ?label ?q WHERE {
  ?node skos:prefLabel|skos:altLabel ?label .
  FILTER (CONTAINS(STR(?label), ?q))
}"""
)


ALL = ("memory", "pool", "disk", "rdflib")
OXIGRAPH = ("memory", "pool", "disk")


@dataclass(frozen=True)
class Query:
    key: str
    title: str  # for the report
    plot: str  # for the plot (no CJK: the plot's font has none)
    texts: tuple[str, ...]  # run one after the other with the same bindings; rows add up
    bindings: dict[str, str] = field(default_factory=dict)
    vias: tuple[str, ...] = ALL


def _named(name: str) -> str:
    return (QUERY_DIR / name).read_text(encoding="utf-8")


TARGETS = _named("api-targets.rq")
QUERIES = [
    Query(
        "trace",
        "(a) trace one measure up to the work line (trace-links.rq + trace-parts.rq)",
        "(a) trace",
        (_named("trace-links.rq"), _named("trace-parts.rq")),
        {"start": PLAN1 + "measure/2-2-1"},
    ),
    Query(
        "area",
        "(b) targets of one focus area (api-targets.rq)",
        "(b) targets of an area",
        (TARGETS,),
        {"area": PLAN1 + "area/2"},
    ),
    Query(
        "per-area",
        "(c) targets per area, all plans (GROUP BY)",
        "(c) targets per area",
        (PER_AREA,),
    ),
    Query(
        "search",
        f"(d) labels CONTAINS {NEEDLE} (SPARQL)",
        "(d) labels CONTAINS (SPARQL)",
        (LABELS,),
        {"q": NEEDLE},
    ),
    # Not SPARQL: the API's text index over search-corpus.rq, built and timed in the memory child.
    Query(
        "index",
        f"(e) text index find {NEEDLE} (policykg.textindex)",
        "(e) text index find",
        ("search-corpus.rq", "search-labels.rq"),
        {"q": NEEDLE},
        ("memory",),
    ),
]
BY_KEY = {q.key: q for q in QUERIES}

NAMES = {
    "memory": "pyoxigraph memory, Store.query",
    "pool": "pyoxigraph memory, QueryService pool",
    "disk": "pyoxigraph disk, Store.query",
    "rdflib": "rdflib Dataset",
}
SHORT = {"memory": "oxi memory", "pool": "oxi pool", "disk": "oxi disk", "rdflib": "rdflib"}
COLOURS = {"memory": "tab:blue", "pool": "tab:cyan", "disk": "tab:green", "rdflib": "tab:red"}


# ---------------------------------------------------------------------------------------------
# The child: one store, one N, in a fresh process; one JSON record a line on stdout.


class Overrun(BaseException):  # a BaseException, so no `except Exception` eats it
    """A query ran past --query-timeout."""


def _on_alarm(signum: int, frame: object) -> None:
    raise Overrun


def _status() -> dict[str, float]:
    """VmRSS and VmHWM of this process, in MB (10^6 bytes)."""
    out = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1]) * 1024 / 1e6
    return {"rss_mb": out["VmRSS"], "hwm_mb": out["VmHWM"]}


def _emit(record: dict[str, Any]) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)


def _timed(run: Any, timeout: float) -> tuple[float, int]:
    signal.setitimer(signal.ITIMER_REAL, timeout)
    start = time.perf_counter()
    try:
        rows = run()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return time.perf_counter() - start, rows


def _measure(run: Any, repeat: int, budget: float, timeout: float) -> dict[str, Any]:
    """Time one query: a warm-up (kept if slower than 0.5 s), then runs until repeat or budget."""
    from policykg.service import QueryTimeout

    times: list[float] = []
    rows = None
    spent = 0.0
    try:
        took, rows = _timed(run, timeout)
        spent += took
        if took >= 0.5:
            times.append(took)
        while len(times) < repeat and spent < budget:
            took, again = _timed(run, timeout)
            spent += took
            times.append(took)
            if again != rows:
                return {"status": "error", "error": f"rows changed: {rows} then {again}"}
    except (Overrun, QueryTimeout):
        return {"status": "timeout", "times": times, "rows": rows}
    except Exception as error:  # a failing query is a result to report, not a crash
        return {"status": "error", "error": f"{type(error).__name__}: {error}"[:300]}
    return {"status": "ok", "times": times, "rows": rows}


def _index(service: Any, loop: Any, spec: dict[str, Any]) -> dict[str, Any]:
    """Build the API's text index as /api/search does (search-corpus.rq and search-labels.rq
    through the pool, each corpus row given its node's labels), then time the search itself:
    ``rank(index.find(q), q)``, what /api/search runs on each request."""
    import asyncio
    from collections import defaultdict

    from policykg.service import QueryTimeout

    try:
        from api.resources import rank
        from policykg.textindex import TextIndex

        corpus_q, labels_q = (_named(name) for name in BY_KEY["index"].texts)
        start = time.perf_counter()

        async def read() -> list[Any]:
            return list(
                await asyncio.gather(
                    service.rows(corpus_q, timeout=spec["corpus_timeout"], max_rows=10**8),
                    service.rows(labels_q, timeout=spec["corpus_timeout"], max_rows=10**8),
                )
            )

        corpus, labels = loop.run_until_complete(read())
        corpus_s = time.perf_counter() - start
        before = _status()["rss_mb"]
        start = time.perf_counter()
        named: dict[str, dict[str, str]] = defaultdict(dict)
        for row in labels.rows:
            if row.get("lang") in {"zh", "en"}:
                named[row["node"]].setdefault(f"label_{row['lang']}", row["label"])
        index = TextIndex([{**row, **named.get(row["node"], {})} for row in corpus.rows])
        build_s = time.perf_counter() - start
        del corpus, labels, named
        gc.collect()
        grown = _status()["rss_mb"] - before
    except QueryTimeout:
        return {"status": "timeout", "times": [], "rows": None, "note": "the corpus query"}
    except Exception as error:  # the index is another module's: report it and go on
        return {"status": "error", "error": f"{type(error).__name__}: {error}"[:300]}
    result = _measure(
        lambda: len(rank(index.find(NEEDLE), NEEDLE)),
        spec["repeat"],
        spec["budget"],
        spec["timeout"],
    )
    return {
        **result,
        "corpus_rows": len(index),
        "corpus_s": corpus_s,
        "build_s": build_s,
        "index_mb": grown,
    }


def child(spec: dict[str, Any]) -> int:
    signal.signal(signal.SIGALRM, _on_alarm)
    store, path, repeat = spec["store"], spec["path"], spec["repeat"]
    budget, timeout = spec["budget"], spec["timeout"]
    wanted: dict[str, list[str]] = spec["queries"]  # via → query keys
    _emit({"event": "base", **_status()})

    if store in ("memory", "disk-build", "disk"):
        import pyoxigraph as ox

        from policykg.store import Store, load_store

        if store == "disk-build":
            start = time.perf_counter()
            ox_store = ox.Store(spec["dir"])
            ox_store.bulk_load(path=spec["trig"], format=ox.RdfFormat.TRIG)  # as disk_store does
            ox_store.flush()
            took = time.perf_counter() - start
            del ox_store
            gc.collect()
            _emit({"event": "load", "load_s": took, **_status()})
            return 0
        start = time.perf_counter()
        if store == "memory":  # the server's path: QueryService.from_files → load_store (TriG)
            ox_store = load_store([Path(spec["trig"])])
        else:
            ox_store = ox.Store.read_only(spec["dir"])
        took = time.perf_counter() - start
        gc.collect()
        record = {"event": "load", "load_s" if store == "memory" else "open_s": took, **_status()}
        if store == "memory":  # check the copies (not timed)
            record["quads"] = len(ox_store)
            count = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?m a <{scale_plans.PK}Measure> }}"
            solutions = ox_store.query(count, use_default_graph_as_union=True)
            record["measures"] = int(next(iter(solutions))["n"].value)
        _emit(record)
        lib = Store(ox_store)
        for key in wanted.get(store, []):
            if key == "index":
                continue
            q = BY_KEY[key]
            result = _measure(
                lambda q=q: sum(len(lib.query(x, q.bindings).rows) for x in q.texts),
                repeat,
                budget,
                timeout,
            )
            _emit({"event": "query", "via": store, "key": key, **result})
        _emit({"event": "after", **_status()})
        if store == "memory" and (wanted.get("pool") or "index" in wanted.get("memory", [])):
            import asyncio

            from policykg.service import QueryService, Settings

            service = QueryService(ox_store, Settings(timeout=timeout, workers=1, max_rows=10**8))
            loop = asyncio.new_event_loop()
            try:
                if "index" in wanted.get("memory", []):
                    built = _index(service, loop, spec)
                    _emit({"event": "query", "via": "memory", "key": "index", **built})
                for key in wanted.get("pool", []):
                    q = BY_KEY[key]

                    def run(q: Query = q) -> int:
                        return sum(
                            len(loop.run_until_complete(service.rows(x, q.bindings)).rows)
                            for x in q.texts
                        )

                    result = _measure(run, repeat, budget, timeout + 5)
                    _emit({"event": "query", "via": "pool", "key": key, **result})
            finally:
                service.close()
                loop.close()
        return 0

    if store == "rdflib":
        import rdflib

        start = time.perf_counter()
        dataset = rdflib.Dataset(default_union=True)
        dataset.parse(path, format="nquads")
        took = time.perf_counter() - start
        gc.collect()
        _emit({"event": "load", "load_s": took, **_status()})
        for key in wanted.get("rdflib", []):
            q = BY_KEY[key]
            bindings = {
                k: rdflib.URIRef(v) if v.startswith("https://") else rdflib.Literal(v)
                for k, v in q.bindings.items()
            }
            result = _measure(
                lambda q=q, b=bindings: sum(
                    len(list(dataset.query(x, initBindings=b))) for x in q.texts
                ),
                repeat,
                budget,
                timeout,
            )
            _emit({"event": "query", "via": "rdflib", "key": key, **result})
        _emit({"event": "after", **_status()})
        return 0
    raise SystemExit(f"unknown store {store!r}")


# ---------------------------------------------------------------------------------------------
# The parent: generate, run the children, write the results.

CURRENT: subprocess.Popen[str] | None = None


def _kill_current() -> None:
    if CURRENT is not None and CURRENT.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(CURRENT.pid, signal.SIGKILL)
        CURRENT.wait()


def _on_stop(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def run_child(spec: dict[str, Any], timeout: float) -> tuple[list[dict[str, Any]], str, float]:
    """Run one measurement in a fresh process; its records, how it ended, and its wall time."""
    global CURRENT
    start = time.monotonic()
    CURRENT = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(spec)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        start_new_session=True,  # its own process group: a kill takes the pool's worker too
    )
    try:
        out, err = CURRENT.communicate(timeout=timeout)
        how = "ok" if CURRENT.returncode == 0 else f"exit {CURRENT.returncode}: {err[-300:]}"
    except subprocess.TimeoutExpired:
        _kill_current()
        out, err = CURRENT.communicate()
        how = f"killed at the child time limit ({timeout:.0f} s)"
    finally:
        _kill_current()
        CURRENT = None
    records = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return records, how, time.monotonic() - start


def _mem_available_mb() -> float:
    with open("/proc/meminfo", encoding="ascii") as info:
        for line in info:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024 / 1e6
    return float("inf")


def _du_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


@dataclass
class Cell:
    """One store (or the pool) at one N."""

    status: str = "not run"
    load_s: float | None = None
    open_s: float | None = None
    base_mb: float | None = None
    rss_mb: float | None = None
    after_mb: float | None = None
    hwm_mb: float | None = None
    build_hwm_mb: float | None = None
    disk_mb: float | None = None
    check: dict[str, int] | None = None
    queries: dict[str, dict[str, Any]] = field(default_factory=dict)


def _absorb(cell: Cell, records: list[dict[str, Any]], via: str, memory: bool = True) -> None:
    for r in records:
        event = r["event"]
        if event == "base" and memory and cell.base_mb is None:
            cell.base_mb = r["rss_mb"]
        elif event == "load" and memory:
            for key in ("load_s", "open_s"):
                if key in r:
                    setattr(cell, key, r[key])
            cell.rss_mb, cell.hwm_mb = r["rss_mb"], r["hwm_mb"]
            if "quads" in r:
                cell.check = {"quads": r["quads"], "measures": r["measures"]}
        elif event == "after" and memory:
            cell.after_mb, cell.hwm_mb = r["rss_mb"], r["hwm_mb"]
        elif event == "query" and r["via"] == via:
            cell.queries[r["key"]] = r


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="How load, memory and query cost grow with the number of plans."
    )
    parser.add_argument("--plans", default="1,10,100,1000", help="the Ns, comma-separated")
    parser.add_argument("--repeat", type=int, default=50, help="runs of each query (after warm-up)")
    parser.add_argument("--rdflib-repeat", type=int, default=20, help="at most this many on rdflib")
    parser.add_argument("--query-timeout", type=float, default=30.0, help="seconds, one run")
    parser.add_argument(
        "--corpus-timeout", type=float, default=180.0, help="seconds, the text index's corpus"
    )
    parser.add_argument("--query-budget", type=float, default=10.0, help="seconds, all runs")
    parser.add_argument("--child-timeout", type=float, default=420.0, help="seconds, one child")
    parser.add_argument("--rdflib-load-budget", type=float, default=200.0, help="seconds")
    parser.add_argument("--budget", type=float, default=1080.0, help="seconds, the whole run")
    parser.add_argument(
        "--stores", default="memory,disk,rdflib", help="memory (and its pool), disk, rdflib"
    )
    parser.add_argument("--workdir", type=Path, default=None, help="for the temporary folder")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(json.loads(args.child))

    signal.signal(signal.SIGTERM, _on_stop)
    signal.signal(signal.SIGHUP, _on_stop)
    started = time.monotonic()
    import pyoxigraph as ox

    when = datetime.datetime.now(datetime.UTC)
    ns = sorted({int(n) for n in args.plans.split(",")})
    stores = [s for s in ("memory", "disk", "rdflib") if s in args.stores.split(",")]
    command = " ".join(
        [".venv/bin/python", "bench/scale.py", *(sys.argv[1:] if argv is None else argv)]
    )
    vias = [v for v in ALL if v in stores or (v == "pool" and "memory" in stores)]
    cells: dict[str, dict[int, Cell]] = {v: {n: Cell() for n in ns} for v in vias}
    notes: list[str] = []
    timed_out: dict[str, dict[str, int]] = {v: {} for v in vias}  # via → query → first N
    files: dict[int, tuple[float, float, float]] = {}  # N → (N-Quads MB, seconds, TriG MB)
    workdir = Path(tempfile.mkdtemp(prefix="policykg-scale-", dir=args.workdir))

    def log(message: str) -> None:
        print(f"[{time.monotonic() - started:6.0f} s] {message}", file=sys.stderr, flush=True)

    try:
        tpl = scale_plans.templates()
        log(f"template: {tpl.quads} quads a plan ({tpl.shared_quads} about shared units)")
        for n in ns:
            path = workdir / f"plans-{n}.nq"
            start = time.monotonic()
            size = scale_plans.write_plans(path, range(1, n + 1), tpl)
            trig = path.with_suffix(".trig")  # what graphs/ holds and the server loads
            ox.serialize(
                ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS),
                output=str(trig),
                format=ox.RdfFormat.TRIG,
            )
            files[n] = (size / 1e6, time.monotonic() - start, trig.stat().st_size / 1e6)
            log(f"N={n}: wrote {n * tpl.quads:,} quads, {size / 1e6:,.0f} MB (and TriG)")
            for store in stores:
                cell = cells[store][n]
                mine = ["memory", "pool"] if store == "memory" else [store]

                def skip(why: str, store: str = store, mine: list[str] = mine, n: int = n) -> None:
                    for via in mine:
                        cells[via][n].status = f"skipped: {why}"
                    notes.append(f"{NAMES[store]} at N={n:,}: skipped, {why}")

                left = args.budget - (time.monotonic() - started)
                if left < 30:
                    skip("the run's --budget was spent")
                    continue
                smaller = [m for m in ns if m < n]
                if smaller and cells[store][smaller[-1]].rss_mb is None:
                    skip(f"not measured at N={smaller[-1]:,}")
                    continue
                if smaller:
                    prev = cells[store][smaller[-1]]
                    grow = n / smaller[-1]
                    need = max(prev.hwm_mb or 0, prev.build_hwm_mb or 0) * grow
                    if need > 0.8 * _mem_available_mb():
                        skip(f"it would need ~{need / 1000:.0f} GB")
                        continue
                    if store == "rdflib" and (prev.load_s or 0) * grow > args.rdflib_load_budget:
                        skip(
                            f"its load would take ~{(prev.load_s or 0) * grow:.0f} s (the load at "
                            f"N={smaller[-1]:,} × {grow:g}) > {args.rdflib_load_budget:.0f} s"
                        )
                        continue
                wanted: dict[str, list[str]] = {}
                for via in mine:
                    wanted[via] = []
                    for q in QUERIES:
                        if via not in q.vias:
                            continue
                        if q.key in timed_out[via]:
                            first = timed_out[via][q.key]
                            cells[via][n].queries[q.key] = {
                                "status": "skipped",
                                "note": f"timed out at N={first:,}",
                            }
                        else:
                            wanted[via].append(q.key)
                repeat = args.repeat
                if store == "rdflib":
                    repeat = min(args.repeat, args.rdflib_repeat)
                spec = {
                    "store": store,
                    "path": str(path),
                    "trig": str(trig),
                    "repeat": repeat,
                    "budget": args.query_budget,
                    "timeout": args.query_timeout,
                    "corpus_timeout": args.corpus_timeout,
                    "queries": wanted,
                    "dir": str(workdir / f"disk-{n}"),
                }
                limit = min(args.child_timeout, max(30.0, left))
                if store == "disk":
                    records, how, wall = run_child({**spec, "store": "disk-build"}, limit)
                    _absorb(cell, records, "disk")
                    cell.build_hwm_mb = cell.hwm_mb
                    log(f"N={n} disk build: {how}, {wall:.0f} s")
                    if how != "ok":
                        cell.status = f"build {how}"
                        notes.append(f"{NAMES[store]} at N={n:,}: the build {how}")
                        shutil.rmtree(spec["dir"], ignore_errors=True)
                        continue
                    cell.disk_mb = _du_mb(Path(spec["dir"]))
                    left = args.budget - (time.monotonic() - started)
                    limit = min(args.child_timeout, max(30.0, left))
                records, how, wall = run_child(spec, limit)
                shutil.rmtree(spec["dir"], ignore_errors=True)
                for via in mine:
                    _absorb(cells[via][n], records, via, memory=via != "pool")
                    cells[via][n].status = how
                    for key in wanted[via]:
                        got = cells[via][n].queries.get(key)
                        if got is None:
                            cells[via][n].queries[key] = {"status": "killed"}
                            timed_out[via].setdefault(key, n)
                        elif got["status"] == "timeout":
                            timed_out[via].setdefault(key, n)
                if how != "ok":
                    notes.append(f"{NAMES[store]} at N={n:,}: {how}")
                log(f"N={n} {store}: {how}, {wall:.0f} s")
        for n in ns:
            check = cells["memory"][n].check if "memory" in cells else None
            expected = {"quads": n * tpl.quads, "measures": n * tpl.census["Measure"]}
            if check is not None and check != expected:
                notes.append(f"N={n:,}: the memory store holds {check}, expected {expected}")
    finally:
        _kill_current()
        shutil.rmtree(workdir, ignore_errors=True)

    took = time.monotonic() - started
    args.out.mkdir(parents=True, exist_ok=True)
    report = _report(args, ns, cells, tpl, files, notes, when, took, command)
    (args.out / "scale.md").write_text(report, encoding="utf-8")
    _plot(args, ns, cells, args.out / "scale.png")
    log(f"done in {took:.0f} s: {args.out / 'scale.md'}, {args.out / 'scale.png'}")
    return 0


# ---------------------------------------------------------------------------------------------
# The report.


def _stats(result: dict[str, Any] | None) -> tuple[float, float] | None:
    import numpy as np

    times = (result or {}).get("times") or []
    if (result or {}).get("status") != "ok" or not times:
        return None
    p50, p99 = np.percentile(np.array(times) * 1000, [50, 99])
    return float(p50), float(p99)


def _p50(cell: Cell, key: str) -> float | None:
    stats = _stats(cell.queries.get(key))
    return stats[0] if stats else None


def _slope(ns: list[int], values: list[float | None]) -> tuple[float | None, float | None]:
    """The log-log slope over every measured N, and between the two largest measured."""
    import numpy as np

    points = [(n, v) for n, v in zip(ns, values, strict=True) if v is not None and v > 0]
    if len(points) < 2:
        return None, None
    x = np.log([p[0] for p in points])
    y = np.log([p[1] for p in points])
    whole = float(np.polyfit(x, y, 1)[0])
    last = float((y[-1] - y[-2]) / (x[-1] - x[-2]))
    return whole, last


def _fmt(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "—"
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.{digits}f}"


def _ms(value: float) -> str:
    if value >= 1000:
        return f"{value / 1000:.2f} s"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}" if value >= 0.1 else f"{value:.3f}"


def _query_cell(result: dict[str, Any] | None, timeout: float, status: str = "") -> str:
    if result is None:
        return status if status.startswith("skipped") else "—"
    kind = result.get("status")
    if kind == "timeout":
        what = f" ({result['note']})" if result.get("note") else ""
        return f"> {timeout:.0f} s, timed out{what}"
    if kind == "skipped":
        return f"skipped ({result['note']})"
    if kind == "killed":
        return "killed (child time limit)"
    if kind == "error":
        return f"error: {result['error'][:80]}"
    stats = _stats(result)
    if stats is None:
        return "—"
    return f"{_ms(stats[0])} / {_ms(stats[1])} ({len(result['times'])})"


def _rows(cells: dict[str, dict[int, Cell]], n: int, key: str) -> tuple[int | None, bool]:
    """The result rows of a query at N, and whether every store that answered agreed."""
    seen = {
        c[n].queries[key]["rows"]
        for c in cells.values()
        if key in c[n].queries and c[n].queries[key].get("rows") is not None
    }
    return (min(seen) if seen else None), len(seen) <= 1


def _machine() -> str:
    model = cpu_model("unknown CPU")
    with open("/proc/meminfo", encoding="ascii") as info:
        total = int(info.readline().split()[1]) / 1024 / 1024
    import pyoxigraph
    import rdflib

    return (
        f"{os.cpu_count()} cores ({model}), {total:.1f} GiB memory, Linux "
        f"{platform.release()}; Python {platform.python_version()}, pyoxigraph "
        f"{pyoxigraph.__version__}, rdflib {rdflib.__version__}"
    )


GOALS = [  # (goal, metric or query key, limit: seconds, MB or ms)
    ("load ≤ 15 s", "load_s", 15.0),
    ("≤ 2 GB resident after load", "rss_mb", 2000.0),
    ("trace p50 ≤ 1 ms: (a)", "trace", 1.0),
    ("targets of a focus area p50 ≤ 5 ms: (b) api-targets.rq", "area", 5.0),
    ("text search p50 ≤ 10 ms: (d) SPARQL CONTAINS", "search", 10.0),
    ("text search p50 ≤ 10 ms: (e) the API's text index", "index", 10.0),
]


def _report(
    args: argparse.Namespace,
    ns: list[int],
    cells: dict[str, dict[int, Cell]],
    tpl: scale_plans.Templates,
    files: dict[int, tuple[float, float, float]],
    notes: list[str],
    when: datetime.datetime,
    took: float,
    command: str,
) -> str:
    top = max(ns)
    vias = list(cells)
    out: list[str] = []
    w = out.append
    w("# How cost grows with the number of plans (bench/scale.py)\n")
    w(f"- Date: {when:%Y-%m-%d %H:%M} UTC; the run took {took / 60:.1f} min")
    w(f"- Machine: {_machine()}")
    w(f"- Command: `{command}`")
    w(
        f"- Bounds: each query run ≤ {args.query_timeout:.0f} s (the text index's corpus, read "
        f"once, ≤ {args.corpus_timeout:.0f} s); a query stops repeating once its "
        f"runs add up to {args.query_budget:.0f} s, so slow ones get fewer runs (the count is in "
        f"brackets); ≤ {args.repeat} runs ({min(args.repeat, args.rdflib_repeat)} on rdflib) "
        f"after one warm-up; each child process ≤ {args.child_timeout:.0f} s; rdflib loaded only "
        f"while its predicted load ≤ {args.rdflib_load_budget:.0f} s; the run ≤ "
        f"{args.budget:.0f} s. A query that timed out on a store is not run there at larger N."
    )
    w("")
    w("## The synthetic plans\n")
    w(
        f"Each plan is a copy of `graphs/szamr-2024.trig` ({tpl.quads:,} quads: "
        + ", ".join(f"{v:,} in the {k} graph" for k, v in tpl.graphs.items())
        + ") with the document part of every IRI and graph name rewritten to `/id/plan-{k}/`; "
        f"the units (`/id/unit/…`, {tpl.shared_quads} quads a plan) are shared by every plan. "
        "Every text literal of a plan's own nodes ends with its tag `〔k〕`, so no two plans "
        f"store the same text, and `{NEEDLE}` is kept in one plan in {scale_plans.EVERY} "
        f"(`{scale_plans.NEAR_MISS}` in the others). Nodes per plan, by type:\n"
    )
    w(" · ".join(f"{k} {v}" for k, v in tpl.census.items()) + "\n")
    w("| N | quads | N-Quads MB | TriG MB | both written in s |")
    w("|---:|---:|---:|---:|---:|")
    for n in ns:
        mb, secs, trig_mb = files.get(n, (None, None, None))
        w(f"| {n:,} | {n * tpl.quads:,} | {_fmt(mb)} | {_fmt(trig_mb)} | {_fmt(secs)} |")
    w("")

    w("## Load and memory\n")
    w(
        "RSS is the child's VmRSS right after loading (on disk: after a fresh process opened the "
        "built store read-only, as a restarted server does); 'after queries' once its queries "
        "ran; 'peak' its VmHWM; 'base' the child before loading (Python and its imports); "
        "'build peak' the VmHWM of the process that bulk-loaded the on-disk store. MB = 10^6 "
        "bytes.\n"
    )
    w(
        "| store | N | load s | open s | base MB | RSS MB | after queries MB | peak MB "
        "| build peak MB | on disk MB | status |"
    )
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for store in ("memory", "disk", "rdflib"):
        if store not in cells:
            continue
        for n in ns:
            c = cells[store][n]
            w(
                f"| {NAMES[store].split(',')[0]} | {n:,} | {_fmt(c.load_s)} | "
                f"{_fmt(c.open_s, 3)} | {_fmt(c.base_mb, 0)} | {_fmt(c.rss_mb, 0)} | "
                f"{_fmt(c.after_mb, 0)} | {_fmt(c.hwm_mb, 0)} | {_fmt(c.build_hwm_mb, 0)} | "
                f"{_fmt(c.disk_mb, 0)} | {c.status} |"
            )
    w("")

    w("## Query latency\n")
    w(
        "p50 / p99 in ms (or s), the number of timed runs in brackets; the result rows below "
        "each table. Parameters are bound as the library binds them (a `VALUES` clause written by "
        "pyoxigraph, policykg.store.bind; rdflib: initBindings), never pasted into the text. "
        "'oxi pool' goes through QueryService with "
        "one forked worker: the answer serialised as JSON, sent over a pipe and parsed again, "
        "the server's path.\n"
    )
    w(
        "- (a) the trace of `plan-1/measure/2-2-1` as policykg.trace and the API read it: "
        "trace-links.rq (each framework link above the measure with its statement's evidence, "
        "rationale and spans) and trace-parts.rq (its document links), both bound to the measure; "
        "the rows of the two added up.\n"
        "- (b) api-targets.rq with `area` bound to `plan-1/area/2`.\n"
        "- (a) and (b) are the shipped queries, standard SPARQL 1.1 (the remote engine runs them "
        "too). The run before this one measured the earlier forms linear in N (2.6 s and 1.8 s at "
        "1,000 plans): a pyoxigraph substitution picks no index, and Oxigraph 0.5 evaluates "
        "`A OPTIONAL { B }` over the whole dataset when B starts with more than one pattern after "
        "several OPTIONALs; the shipped forms bind by a `VALUES` clause and lead each OPTIONAL "
        "with one pattern (the rest nested).\n"
        "- (c) counts targets per focus area over all plans (GROUP BY ?area).\n"
        f"- (d) skos:prefLabel|skos:altLabel CONTAINS `{NEEDLE}`.\n"
        "- (e) is not SPARQL: the API's text index (policykg.textindex, character bigrams) built "
        "from search-corpus.rq's and search-labels.rq's rows fetched through the pool, as "
        f"/api/search builds it once, then the search itself, `rank(index.find('{NEEDLE}'))` as "
        "/api/search runs it on each request; measured in the memory child.\n"
    )
    for q in QUERIES:
        w(f"### {q.title}\n")
        w("| store | " + " | ".join(f"N={n:,}" for n in ns) + " |")
        w("|---|" + "---|" * len(ns))
        for via in vias:
            if via not in q.vias:
                continue
            w(
                f"| {SHORT[via]} | "
                + " | ".join(
                    _query_cell(
                        cells[via][n].queries.get(q.key), args.query_timeout, cells[via][n].status
                    )
                    for n in ns
                )
                + " |"
            )
        parts = []
        for n in ns:
            rows, agree = _rows(cells, n, q.key)
            parts.append("—" if rows is None else f"{rows:,}" + ("" if agree else " (differ!)"))
            if not agree:
                notes.append(f"N={n:,}: the stores disagree on the rows of {q.key}")
        w("| result rows | " + " | ".join(parts) + " |")
        if q.key == "index":
            built = [cells["memory"][n].queries.get("index") or {} for n in ns]
            counts = [b.get("corpus_rows") for b in built]
            w(
                "| corpus rows | "
                + " | ".join("—" if c is None else f"{c:,}" for c in counts)
                + " |"
            )
            for label, key, digits in (
                ("corpus query through the pool, s", "corpus_s", 2),
                ("index build, s", "build_s", 2),
                ("RSS the index adds, MB", "index_mb", 0),
            ):
                w(f"| {label} | " + " | ".join(_fmt(b.get(key), digits) for b in built) + " |")
        w("")

    w("## Log-log slopes against N\n")
    w(
        "The slope of log(cost) against log(N) by least squares (numpy.polyfit) over every N "
        "measured, and, after the arrow, between the two largest N measured (fixed costs flatten "
        "the first at small N). 0 is flat, 1 linear, 2 quadratic. Query costs are p50; a "
        "timed-out or skipped point is left out (so a slope over fewer points is a lower bound "
        "where the next point timed out). 'rows' is the slope of the result's size.\n"
    )
    w("| cost | " + " | ".join(SHORT[v] for v in vias) + " | rows |")
    w("|---|" + "---:|" * (len(vias) + 1))

    def slope_text(values: list[float | None]) -> str:
        whole, last = _slope(ns, values)
        return "—" if whole is None else f"{whole:.2f} → {last:.2f}"

    for label, attr in (("load s", "load_s"), ("RSS MB", "rss_mb")):
        w(
            f"| {label} | "
            + " | ".join(
                "(the memory store's)"
                if v == "pool"
                else slope_text([getattr(cells[v][n], attr) for n in ns])
                for v in vias
            )
            + " | |"
        )
    rows_slopes = {q.key: _slope(ns, [_rows(cells, n, q.key)[0] for n in ns]) for q in QUERIES}
    for q in QUERIES:
        w(
            f"| {q.title} | "
            + " | ".join(
                slope_text([_p50(cells[v][n], q.key) for n in ns]) if v in q.vias else "n/a"
                for v in vias
            )
            + f" | {slope_text([_rows(cells, n, q.key)[0] for n in ns])} |"
        )
    w("")

    w(f"## The goals of issue 6 at {top:,} plans\n")
    if top != 1000:
        w(f"(The goals are set at 1,000 plans; this run's largest N is {top:,}.)\n")
    w("| goal | " + " | ".join(SHORT[v] for v in vias) + " |")
    w("|---|" + "---|" * len(vias))
    for what, key, limit in GOALS:
        parts = []
        for v in vias:
            c = cells[v][top]
            if key in ("load_s", "rss_mb"):
                if v == "pool":
                    parts.append("(the memory store's)")
                    continue
                value = getattr(c, key)
                if value is None:
                    parts.append(f"not measured ({c.status.split(':')[0]})")
                    continue
                shown = f"{value:.1f} s" if key == "load_s" else f"{value:,.0f} MB"
                if v == "disk" and key == "load_s":
                    shown += f" (a restart opens it in {_fmt(c.open_s, 3)} s)"
            else:
                if v not in BY_KEY[key].vias:
                    parts.append("n/a")
                    continue
                value = _p50(c, key)
                if value is None:
                    result = c.queries.get(key)
                    parts.append(
                        f"**not met**: {_query_cell(result, args.query_timeout, c.status)}"
                        if result and result.get("status") in ("timeout", "skipped", "killed")
                        else f"not measured ({c.status.split(':')[0]})"
                    )
                    continue
                shown = _ms(value) if value >= 1000 else f"{_ms(value)} ms"
            parts.append(f"{'met' if value <= limit else '**not met**'}: {shown}")
        w(f"| {what} | " + " | ".join(parts) + " |")
    parts = []
    for v in vias:
        worse = []
        measured = False
        for q in QUERIES:
            if v not in q.vias:
                continue
            _, last = _slope(ns, [_p50(cells[v][n], q.key) for n in ns])
            rows = rows_slopes[q.key][1]
            measured = measured or last is not None
            if last is not None and rows is not None and last > rows + 0.25:
                worse.append(f"{q.key} {last:.2f} (rows {rows:.2f})")
        parts.append(
            "not measured"
            if not measured
            else "met"
            if not worse
            else "**not met**: " + "; ".join(worse)
        )
    w(
        "| no query's cost grows faster than its result (cost slope between the two largest N "
        "≤ the rows' slope + 0.25) | " + " | ".join(parts) + " |"
    )
    w("")

    w("## Notes\n")
    for note in notes or ["Nothing was skipped."]:
        w(f"- {note}")
    w(
        "- The pool shares the memory child's load (its worker is forked after loading and "
        "shares the pages), so it has no load or memory row of its own."
    )
    w(
        "- The memory child loads the TriG with policykg.store.load_store (`Store.load`), the "
        "server's path; `bench/results/scale-load.md` (bench/scale_load.py) compares the other "
        "ways: `bulk_load`, or N-Quads, took as long or longer and kept more memory resident."
    )
    w(
        "- rdflib parses the query text on every call, as `Dataset.query` does; its times are "
        "those to list every row. pyoxigraph's through `Store.query` include policykg's refusal "
        "check and collecting every row into Python dicts."
    )
    w(
        "- The on-disk store is bulk-loaded in one child (load s, build peak) and then opened and "
        "queried in a second, fresh child (open s, RSS, peak); its queries run on a cold cache."
    )
    w("")
    return "\n".join(out)


def _plot(
    args: argparse.Namespace, ns: list[int], cells: dict[str, dict[int, Cell]], to: Path
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels: list[tuple[str, str]] = [("load, s", "load_s"), ("RSS after load, MB", "rss_mb")]
    panels += [(f"{q.plot}: p50, ms", q.key) for q in QUERIES]
    panels.append(("result rows", "rows"))
    fig, axes = plt.subplots(2, 4, figsize=(18, 8.5))
    for ax, (title, key) in zip(axes.flat, panels, strict=True):
        if key == "rows":
            for q in QUERIES:
                points = [(n, _rows(cells, n, q.key)[0]) for n in ns]
                points = [(n, r) for n, r in points if r]
                if points:
                    ax.plot(*zip(*points, strict=True), marker="o", label=q.plot)
        for via, by_n in cells.items():
            if key == "rows" or (key in ("load_s", "rss_mb") and via == "pool"):
                continue
            if key in BY_KEY and via not in BY_KEY[key].vias:
                continue
            xs, ys, tx = [], [], []
            for n in ns:
                c = by_n[n]
                if key in ("load_s", "rss_mb"):
                    value = getattr(c, key)
                else:
                    value = _p50(c, key)
                    if (c.queries.get(key) or {}).get("status") in ("timeout", "killed"):
                        tx.append(n)
                if value:
                    xs.append(n)
                    ys.append(value)
            if xs:
                ax.plot(xs, ys, marker="o", color=COLOURS[via], label=SHORT[via])
            if tx:
                ax.plot(
                    tx,
                    [args.query_timeout * 1000] * len(tx),
                    marker="^",
                    linestyle="none",
                    markerfacecolor="none",
                    markersize=9,
                    color=COLOURS[via],
                    label=f"{SHORT[via]}: timed out (> {args.query_timeout:.0f} s)",
                )
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("plans (N)")
        ax.grid(True, which="both", alpha=0.3)
        if ax.has_data():
            ax.legend(fontsize=7)
    fig.suptitle("policykg bench/scale.py: cost against the number of plans (log-log)")
    fig.tight_layout()
    fig.savefig(to, dpi=100)
    plt.close(fig)


if __name__ == "__main__":
    raise SystemExit(main())
