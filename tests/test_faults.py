"""Faults: a build killed with ``kill -9``, corrupt graphs and stores at start, a query worker
killed mid-query. Each leaves the last good state or a clear error, never a mix or a traceback."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from api import create_app
from api.settings import ServerSettings
from policykg.atomic import JOURNAL, recover, write_files
from policykg.paths import graphs_dir
from policykg.service import QueryService
from policykg.store import disk_store

ROOT = Path(__file__).resolve().parents[1]
POLICYKG = str(Path(sys.executable).parent / "policykg")
TABLE = ROOT / "tests" / "fixtures" / "tasks.csv"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
COUNT_MEASURES = (
    "PREFIX pk: <https://w3id.org/policykg/ontology#> "
    "SELECT (COUNT(?m) AS ?n) WHERE { ?m a pk:Measure }"
)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under a folder, hidden ones included, by relative name."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture
def good_build(tmp_path: Path) -> Path:
    """A folder holding a previous good build: the project's own graphs/ (the plain report)."""
    folder = tmp_path / "graphs"
    (folder / "sources").mkdir(parents=True)
    for name in ("szamr-2024.trig", "szamr-2024.ttl", "szamr-2024.jsonld"):
        shutil.copy(graphs_dir() / name, folder / name)
    for source in (graphs_dir() / "sources").glob("*.txt"):
        shutil.copy(source, folder / "sources" / source.name)
    return folder


# -- kill -9 during a build ------------------------------------------------------------------


@pytest.mark.parametrize("after", [0.2, 0.5, 1.0, 1.5])
def test_a_build_killed_leaves_the_previous_build(good_build: Path, after: float) -> None:
    """A build with a task table (so its files differ) killed at several points in time."""
    before = snapshot(good_build)
    assert len(before) == 4
    command = [POLICYKG, "build", "--assignments", str(TABLE), "--out", str(good_build)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(after)
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=10) == -signal.SIGKILL
    recover(good_build)  # what the next build or reader does first (a no-op unless mid-rename)
    assert snapshot(good_build) == before
    assert not list(good_build.rglob(".*"))


def test_the_table_build_does_change_the_files(good_build: Path) -> None:
    """The killed builds above would have changed every graph file: the test can fail."""
    before = snapshot(good_build)
    command = [POLICYKG, "build", "--assignments", str(TABLE), "--out", str(good_build)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    after = snapshot(good_build)
    assert sorted(n for n in after if after[n] != before[n]) == [
        "szamr-2024.jsonld", "szamr-2024.trig", "szamr-2024.ttl",
    ]  # fmt: skip
    assert b"graph/assignments/tasks" in after["szamr-2024.trig"]


CRASH_AFTER_RENAMES = """
import os, sys
from pathlib import Path
from policykg import atomic
limit, renamed = int(sys.argv[2]), [0]
real = os.replace
def replace(source, target):
    if str(target).endswith(atomic.JOURNAL):
        return real(source, target)
    if renamed[0] == limit:
        os.kill(os.getpid(), 9)
    renamed[0] += 1
    return real(source, target)
def sync(folder):
    if renamed[0] == limit == 3:  # every rename done, the journal not yet removed
        os.kill(os.getpid(), 9)
    sync_folder(folder)
sync_folder = atomic._sync_folder
atomic.os.replace = replace
atomic._sync_folder = sync
atomic.write_files(Path(sys.argv[1]), {"a.trig": b"new a", "b.ttl": b"new b", "c.jsonld": b"c"})
"""


@pytest.mark.parametrize("renames", [0, 1, 2, 3])
def test_killed_between_renames_the_set_is_rolled_back(tmp_path: Path, renames: int) -> None:
    """The kill lands inside the rename phase (after 0…3 of 3 renames, before the commit)."""
    folder = tmp_path / "out"
    write_files(folder, {"a.trig": b"old a", "b.ttl": b"old b"})
    before = snapshot(folder)
    command = [sys.executable, "-c", CRASH_AFTER_RENAMES, str(folder), str(renames)]
    assert subprocess.run(command, timeout=60).returncode == -signal.SIGKILL
    assert (folder / JOURNAL).exists()  # the write was interrupted mid-way
    assert recover(folder) is True
    assert snapshot(folder) == before
    assert recover(folder) is False


def test_a_reader_undoes_an_interrupted_build(tmp_path: Path, good_build: Path) -> None:
    """`policykg query` (like serve) rolls back a half-renamed build before it reads."""
    before = snapshot(good_build)
    trig = good_build / "szamr-2024.trig"
    backup = good_build / ".szamr-2024.trig.0000.policykg-bak"
    os.link(trig, backup)
    (good_build / JOURNAL).write_text(
        json.dumps([{"target": "szamr-2024.trig", "backup": backup.name}]), encoding="utf-8"
    )
    half = good_build / "half"
    half.write_bytes(b"<urn:g> { <urn:half> <urn:written> ")
    os.replace(half, trig)  # a new file renamed in, then the build was killed
    result = subprocess.run(
        [POLICYKG, "query", COUNT_MEASURES, "--graphs", str(good_build), "--format", "csv"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["n", "29"]
    assert f"undid an interrupted build in {good_build}" in result.stderr
    assert snapshot(good_build) == before


# -- corrupt graphs and stores at start ------------------------------------------------------


def corrupt(kind: str, good: bytes) -> bytes:
    if kind == "truncated":
        return good[: len(good) // 3]
    if kind == "garbage":
        return bytes(range(256)) * 8
    return b""


@pytest.mark.parametrize(
    ("kind", "says"),
    [
        ("truncated", "cannot load the graph: Parser error at line"),
        ("garbage", "cannot load the graph: Parser error at line 1"),
        ("empty", "cannot load the graph: the file is empty"),
    ],
)
def test_serve_refuses_a_corrupt_graph_in_one_line(good_build: Path, kind: str, says: str) -> None:
    trig = good_build / "szamr-2024.trig"
    trig.write_bytes(corrupt(kind, trig.read_bytes()))
    command = [POLICYKG, "serve", "--graphs", str(good_build), "--port", "9"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.startswith(f"policykg: {trig}: {says}"), result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def damage(kind: str, store: Path) -> None:
    marker = store.with_name(store.name + ".json")
    if kind == "garbage CURRENT":
        (store / "CURRENT").write_bytes(b"\x00\xff" * 8)
    elif kind == "garbage tables":
        for table in store.glob("*.sst"):
            table.write_bytes(bytes(table.stat().st_size))
    elif kind == "emptied folder":
        for file in store.iterdir():
            file.unlink()
    elif kind == "a file, not a folder":
        shutil.rmtree(store)
        store.write_text("not a store", encoding="utf-8")
    elif kind == "garbage record":
        marker.write_bytes(b"\x00{not json")
    elif kind == "record of another shape":
        marker.write_text("[1, 2, 3]", encoding="utf-8")
    elif kind == "record with wrong count":
        record = json.loads(marker.read_text(encoding="utf-8"))
        marker.write_text(json.dumps({**record, "quads": 1}), encoding="utf-8")


STORE_DAMAGE = [
    "garbage CURRENT",
    "garbage tables",
    "emptied folder",
    "a file, not a folder",
    "garbage record",
    "record of another shape",
    "record with wrong count",
]


@pytest.mark.parametrize("kind", STORE_DAMAGE)
def test_a_damaged_store_is_rebuilt_from_the_graphs(
    good_build: Path, tmp_path: Path, kind: str
) -> None:
    store = tmp_path / "store"
    assert disk_store(store, good_build.glob("*.trig")) is True
    quads = len(ox.Store.read_only(str(store)))
    assert quads > 7000
    damage(kind, store)
    assert disk_store(store, good_build.glob("*.trig")) is True  # rebuilt, not kept
    assert len(ox.Store.read_only(str(store))) == quads
    assert disk_store(store, good_build.glob("*.trig")) is False  # and now kept
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graphs", "store", "store.json"]


def test_serve_rebuilds_a_damaged_store_and_serves(good_build: Path, tmp_path: Path) -> None:
    from engines import free_port

    store = tmp_path / "store"
    disk_store(store, good_build.glob("*.trig"))
    damage("garbage tables", store)
    port = free_port()
    command = [POLICYKG, "serve", "--graphs", str(good_build), "--store", str(store)]
    command += ["--port", str(port), "--workers", "1"]
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    try:
        import httpx2

        give_up = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text()
            try:
                health = httpx2.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx2.TransportError:
                assert time.monotonic() < give_up, log.read_text()
                time.sleep(0.2)
        trig = good_build / "szamr-2024.trig"
        assert health.json()["quads"] == sum(1 for _ in ox.parse(path=str(trig)))
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)
    text = log.read_text()
    assert f"built the on-disk store {store}" in text
    assert "Traceback" not in text


def test_a_store_that_cannot_be_opened_is_a_clear_error(tmp_path: Path) -> None:
    from policykg.errors import InputError

    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "CURRENT").write_bytes(b"\x00")
    with pytest.raises(InputError) as error:
        QueryService.from_disk(tmp_path / "store")
    message = str(error.value)
    assert message.startswith(f"{tmp_path / 'store'}: cannot open the store: Corruption")
    assert "\n" not in message


# -- a query worker killed -------------------------------------------------------------------


@pytest.fixture
def one_worker(good_build: Path) -> Iterator[TestClient]:
    settings = ServerSettings(graphs=good_build, workers=1, timeout=30.0)
    with TestClient(create_app(settings)) as client:
        yield client


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def test_a_worker_killed_mid_query(one_worker: TestClient) -> None:
    service = one_worker.app.state.service
    [pid] = service.worker_pids()
    answers: list[Any] = []
    runaway = threading.Thread(
        target=lambda: answers.append(one_worker.get("/sparql", params={"query": RUNAWAY}))
    )
    started = cpu_ticks(pid)
    runaway.start()
    give_up = time.monotonic() + 20
    while cpu_ticks(pid) < started + 20:  # 0.2 s of CPU: the worker is deep in the cross join
        assert time.monotonic() < give_up, "the worker never started the query"
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    runaway.join(timeout=20)
    [response] = answers
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "1"
    assert response.json()["detail"].startswith("the query's worker died")
    health = one_worker.get("/healthz").json()
    assert health["workers_replaced"] == 1
    [fresh] = service.worker_pids()
    assert fresh != pid
    result = one_worker.get("/sparql", params={"query": COUNT_MEASURES})
    [row] = result.json()["results"]["bindings"]
    assert row["n"]["value"] == "29"


def test_a_worker_killed_while_idle_costs_no_request(one_worker: TestClient) -> None:
    service = one_worker.app.state.service
    [pid] = service.worker_pids()
    os.kill(pid, signal.SIGKILL)
    time.sleep(0.2)
    result = one_worker.get("/sparql", params={"query": COUNT_MEASURES})
    assert result.status_code == 200, result.text
    assert result.json()["results"]["bindings"][0]["n"]["value"] == "29"
    assert one_worker.get("/healthz").json()["workers_replaced"] == 1
    assert service.worker_pids() != [pid]
