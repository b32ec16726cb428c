"""What the in-memory loading path costs at N plans: format, ``load`` or ``bulk_load``, the check.

    .venv/bin/python bench/scale_load.py [--plans 1000] [--out bench/results/scale-load.md]

N synthetic plans (bench/scale_plans.py) are written once as N-Quads and once as TriG (the format
of ``graphs/``); each way of loading then runs in a fresh child process, one at a time: pyoxigraph
``Store.load`` and ``Store.bulk_load`` of each file, and ``policykg.store.load_store`` (what
``QueryService.from_files`` and ``Store.from_files`` call) of the TriG; plus
``policykg.store.check_files`` of the TriG, the parse ``policykg serve`` runs before the app loads
the files again. Each child reports its wall time, the resident memory it added (VmRSS after
minus before) and its peak (VmHWM). Writes a Markdown table with the machine and the date.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import scale_plans  # noqa: E402
from hostinfo import cpu_model  # noqa: E402

WAYS = [
    ("bulk_load", "nq", "pyoxigraph Store.bulk_load, N-Quads (bench/scale.py's memory child)"),
    ("load", "nq", "pyoxigraph Store.load, N-Quads"),
    ("bulk_load", "trig", "pyoxigraph Store.bulk_load, TriG"),
    ("load_store", "trig", "policykg.store.load_store, TriG (Store.load: the server's path)"),
    ("check_files", "trig", "policykg.store.check_files, TriG (parse only: `serve`'s check)"),
]


def _status() -> dict[str, float]:
    out = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1]) * 1024 / 1e6
    return out


def child(how: str, path: str) -> None:
    import pyoxigraph as ox

    from policykg.store import check_files, load_store

    fmt = ox.RdfFormat.TRIG if path.endswith(".trig") else ox.RdfFormat.N_QUADS
    before = _status()["VmRSS"]
    start = time.perf_counter()
    count: int
    if how == "check_files":
        count = check_files([Path(path)])
    elif how == "load_store":
        count = len(load_store([Path(path)]))
    else:
        store = ox.Store()
        getattr(store, how)(path=path, format=fmt)
        count = len(store)
    took = time.perf_counter() - start
    gc.collect()
    after = _status()
    record = {"s": took, "added_mb": after["VmRSS"] - before, "hwm_mb": after["VmHWM"]}
    print(json.dumps({**record, "quads": count}))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plans", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "scale-load.md")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds, one child")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    import pyoxigraph as ox

    when = datetime.datetime.now(datetime.UTC)
    rows = []
    with tempfile.TemporaryDirectory(prefix="policykg-scale-load-") as tmp:
        nq = Path(tmp) / f"plans-{args.plans}.nq"
        trig = nq.with_suffix(".trig")
        scale_plans.write_plans(nq, range(1, args.plans + 1), scale_plans.templates())
        ox.serialize(
            ox.parse(path=str(nq), format=ox.RdfFormat.N_QUADS),
            output=str(trig),
            format=ox.RdfFormat.TRIG,
        )
        files = {"nq": nq, "trig": trig}
        for how, ext, label in WAYS:
            print(f"{label} …", file=sys.stderr, flush=True)
            done = subprocess.run(
                [sys.executable, __file__, "--child", how, str(files[ext])],
                capture_output=True,
                text=True,
                timeout=args.timeout,
                check=False,
            )
            if done.returncode != 0:
                rows.append((label, None, done.stderr[-200:]))
                continue
            rows.append((label, json.loads(done.stdout.splitlines()[-1]), ""))
        sizes = {ext: f.stat().st_size / 1e6 for ext, f in files.items()}
    model = cpu_model("?")
    out = [
        "# Loading N plans in memory (bench/scale_load.py)\n",
        f"- Date: {when:%Y-%m-%d %H:%M} UTC",
        f"- Machine: {os.cpu_count()} cores ({model}), Linux {platform.release()}; Python "
        f"{platform.python_version()}, pyoxigraph {ox.__version__}; load average "
        f"{os.getloadavg()[0]:.1f} at the end (the machine is shared)",
        f"- Command: `.venv/bin/python bench/scale_load.py --plans {args.plans}`",
        f"- {args.plans:,} synthetic plans (bench/scale_plans.py): N-Quads "
        f"{sizes['nq']:,.0f} MB, TriG {sizes['trig']:,.0f} MB. Each way in a fresh process; "
        "'added' is VmRSS after minus before (the store, or nothing for a parse), 'peak' VmHWM. "
        "MB = 10^6 bytes.\n",
        "| way | s | quads | added MB | peak MB |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, record, error in rows:
        if record is None:
            out.append(f"| {label} | failed: {error} | | | |")
        else:
            out.append(
                f"| {label} | {record['s']:.1f} | {record['quads']:,} | "
                f"{record['added_mb']:,.0f} | {record['hwm_mb']:,.0f} |"
            )
    args.out.write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
