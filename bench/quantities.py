"""Benchmark: quantity extraction over whole reports (goal: ≤ 100 ms for the Shenzhen report).

Runs policykg's extractor and, side by side in the same run, a naive one-regex extractor (a number,
an optional magnitude and one character of unit) as the floor any extractor costs. Writes
bench/results/quantities.md with the machine and the date.

    .venv/bin/python bench/quantities.py [--repeat 30]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import statistics
import time
from collections.abc import Callable

from hostinfo import cpu_model

from policykg.paths import graphs_dir, project_root
from policykg.quantities import extract

NAIVE = re.compile(r"\d+(?:\.\d+)?[万亿]?[^\d\s,，。；;、]")


def naive(text: str) -> list[str]:
    return NAIVE.findall(text)


def timed(function: Callable[[str], object], text: str, repeat: int) -> list[float]:
    function(text)  # warm up: compile regexes, fill caches
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function(text)
        times.append((time.perf_counter() - started) * 1000)
    return times


def machine() -> str:
    cpu = cpu_model()
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    reports = [graphs_dir() / "sources" / "shenzhen-amr-2023-summary-2024-plan.txt"]
    reports += sorted(
        (project_root().parent / "shared" / "sources" / "other-reports").glob("*.txt")
    )
    lines = [
        "# Quantity extraction",
        "",
        f"- date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- machine: {machine()}",
        f"- repeats: {args.repeat} per report, after one warm-up run; times in ms",
        "- goal: policykg ≤ 100 ms on the Shenzhen report",
        "",
        "| report | characters | policykg quantities | policykg median | policykg max "
        "| naive regex matches | naive median |",
        "|---|---|---|---|---|---|---|",
    ]
    for path in reports:
        text = path.read_text(encoding="utf-8")
        ours = timed(extract, text, args.repeat)
        floor = timed(naive, text, args.repeat)
        lines.append(
            f"| {path.name} | {len(text)} | {len(extract(text))} | {statistics.median(ours):.1f} "
            f"| {max(ours):.1f} | {len(naive(text))} | {statistics.median(floor):.2f} |"
        )
    out = project_root() / "bench" / "results" / "quantities.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(out.read_text(encoding="utf-8"), end="")


if __name__ == "__main__":
    main()
