"""The short reliability run (``bench/reliability.py --short``) as part of the suite: a real
server under 8 clients for 10 s, then with runaways, and every fault. No timing is asserted:
only that nothing failed and every fault was survived (the figures are the bench's job)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.reliability
def test_the_short_reliability_run(tmp_path: Path) -> None:
    figures_path = tmp_path / "figures.json"
    command = [sys.executable, str(ROOT / "bench" / "reliability.py"), "--short"]
    command += ["--out", str(tmp_path / "reliability.md"), "--json", str(figures_path)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    figures = json.loads(figures_path.read_text(encoding="utf-8"))

    quiet, loaded = figures["phases"]
    assert [quiet["name"], loaded["name"]] == ["cheap mix", "cheap mix + runaways"]
    for phase in (quiet, loaded):
        assert phase["errors"] == 0, phase["error_examples"]
        assert set(phase["kinds"]) == {"named query", "sparql", "resource", "page", "graph"}
        assert all(kind["requests"] > 0 for kind in phase["kinds"].values())
        assert len(phase["memory"]) >= 5
        assert all(rss > pss > uss > 0 and 3 <= n <= 5 for _, rss, pss, uss, n in phase["memory"])
    assert quiet["runaway"] == {}
    assert set(loaded["runaway"]) == {"503"} and loaded["runaway"]["503"] >= 1

    faults = figures["faults"]
    kinds = {fault["fault"] for fault in faults}
    assert kinds == {
        "kill -9 during policykg build",
        "corrupt graph at serve start",
        "damaged on-disk store",
        "query worker killed mid-query",
    }
    assert [f for f in faults if not f["survived"]] == []
    assert len(faults) >= 14
    report = (tmp_path / "reliability.md").read_text(encoding="utf-8")
    assert f"{len(faults)} of {len(faults)} survived." in report
