"""Benchmark: policykg's /sparql side by side with rdflib-endpoint and the Oxigraph server.

In one run, on the same data (graphs/szamr-2024.trig) and on loopback only:

1. installs the peers in their own environment, never the project's: a venv at bench/.peers/ with
   `rdflib-endpoint[cli]` and `oxigraph` (the PyPI package that ships the Oxigraph server binary),
   and wrk from Debian when it is missing;
2. starts each server in turn (policykg, rdflib-endpoint, Oxigraph `serve-read-only` on a store made
   by `oxigraph load`, Oxigraph in-memory `serve` loaded through its /store endpoint), checks that
   the targets-by-area SELECT has the same rows on each, and drives it with wrk (8 connections,
   2 threads) → requests/s, p50, p99, errors;
3. the runaway effect: two 3-way cross joins in the background, each with a client time bound, and
   meanwhile sequential cheap ASKs → their p50/p99 against the same ASKs without the runaway, the
   cross joins' HTTP status, time and bytes, and the server's CPU after the clients have gone;
4. stops every server (process groups, in `finally`) and writes bench/results/sparql.md.

Every loop and every child process is bounded in time; the defaults take about 3–4 minutes.

    .venv/bin/python bench/sparql_endpoints.py [--duration 10] [--connections 8]
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import http.client
import importlib.metadata
import json
import math
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

from hostinfo import cpu_model

ROOT = Path(__file__).resolve().parent.parent
PEERS = ROOT / "bench" / ".peers"
LOGS = PEERS / "logs"
DATA = ROOT / "graphs" / "szamr-2024.trig"
RESULTS = ROOT / "bench" / "results" / "sparql.md"
HOST = "127.0.0.1"
JSON_RESULTS = "application/sparql-results+json"

SELECT = (
    "PREFIX pk: <https://w3id.org/policykg/ontology#> SELECT ?t ?v WHERE { ?t a pk:Target ; "
    "pk:partOf ?m ; <http://qudt.org/schema/qudt/value> ?v . "
    "?m pk:partOf <https://w3id.org/policykg/id/szamr-2024/area/2> }"
)
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
ASK = "ASK { ?s ?p ?o }"
CROSS_JOIN = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
CROSS_JOIN_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"

DEADLINE = 5  # seconds: policykg --timeout and Oxigraph --timeout-s
CHEAP_REQUESTS = 200
CHEAP_TIMEOUT = 5.0  # seconds a single cheap ASK may take before the client gives up
CHEAP_BOUND = 20.0  # seconds the whole loop of cheap ASKs may take
RUNAWAY_BOUND = 12.0  # seconds a cross-join client reads before it gives up
RDFLIB_RUNAWAY_BOUND = 20.0  # rdflib-endpoint hangs on a cross join: give it this long, then kill
QUIET_BOUND = 10.0  # seconds to wait, before each wrk run, for other work on the machine to stop
QUIET_THRESHOLD = 15.0  # % of one core under which the machine counts as quiet


# ---------------------------------------------------------------- processes and the machine


class Log:
    """Progress on stderr, with the seconds since the start."""

    started = time.monotonic()

    @classmethod
    def say(cls, text: str) -> None:
        print(f"[{time.monotonic() - cls.started:6.1f}s] {text}", file=sys.stderr, flush=True)


def run(
    cmd: list[str], timeout: float, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a command to completion within `timeout` seconds, output captured."""
    return subprocess.run(
        cmd, capture_output=True, text=True, timeout=timeout, check=False, env=env
    )


def machine() -> str:
    cpu = cpu_model(platform.machine())
    memory = "?"
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory} memory, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}"
    )


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy (all cores) since boot: user, nice, system
    and steal; not interrupts, whose (loopback) work belongs to no process."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system = fields[0:3]
    steal = fields[7] if len(fields) > 7 else 0
    return (user + nice + system + steal) / os.sysconf("SC_CLK_TCK")


def cpu_busy_percent(seconds: float = 1.0) -> float:
    """How busy the whole machine is over `seconds`, in % of one core (up to 100 × cores)."""
    before = machine_busy_seconds()
    time.sleep(seconds)
    return 100 * (machine_busy_seconds() - before) / seconds


def wait_for_quiet(bound: float = QUIET_BOUND, threshold: float = QUIET_THRESHOLD) -> float:
    """Wait (at most `bound` s) for a second in which the machine, our idle server included, uses
    under `threshold` % of a core; returns the last second's reading."""
    deadline = time.monotonic() + bound
    busy = cpu_busy_percent(1.0)
    while busy >= threshold and time.monotonic() < deadline:
        busy = cpu_busy_percent(1.0)
    return busy


class OthersCpu:
    """CPU used on the machine by everything but us (this script, its children such as wrk, and
    the server's process group) between `start()` and `stop()`, in % of one core."""

    def __init__(self, pgid: int | None) -> None:
        self.pgid = pgid

    def _ours(self) -> tuple[float, dict[int, float]]:
        mine = os.times()
        own = mine.user + mine.system + mine.children_user + mine.children_system
        return own, group_cpu_seconds(self.pgid) if self.pgid else {}

    def start(self) -> None:
        self.started = time.monotonic()
        self.machine = machine_busy_seconds()
        self.own, self.server = self._ours()

    def stop(self) -> float:
        elapsed = time.monotonic() - self.started
        machine = machine_busy_seconds() - self.machine
        own, server = self._ours()
        server_used = sum(server[pid] - self.server[pid] for pid in server if pid in self.server)
        others = machine - (own - self.own) - server_used
        return max(0.0, 100 * others / max(elapsed, 1e-9))


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3]) + " (1, 5, 15 min)"
    except OSError:
        return "?"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def group_cpu_seconds(pgid: int) -> dict[int, float]:
    """CPU seconds (user + system) of each live process in a process group."""
    tick = os.sysconf("SC_CLK_TCK")
    seconds = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid:
                seconds[int(stat.parent.name)] = (int(fields[11]) + int(fields[12])) / tick
    return seconds


def group_cpu_percent(pgid: int, seconds: float = 2.0) -> float:
    """How busy a process group is, in percent of one core, over `seconds`."""
    before = group_cpu_seconds(pgid)
    time.sleep(seconds)
    after = group_cpu_seconds(pgid)
    used = sum(after[pid] - before[pid] for pid in after if pid in before)
    return 100 * used / seconds


@dataclasses.dataclass
class Server:
    """One SPARQL server under test: how to start it and where its endpoint is."""

    name: str
    cmd: list[str]
    path: str  # the endpoint's path, e.g. /sparql
    port: int
    cwd: Path = ROOT
    runaway_bound: float = RUNAWAY_BOUND
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    def url(self, query: str) -> str:
        return f"http://{HOST}:{self.port}{self.path_for(query)}"

    def path_for(self, query: str) -> str:
        encoded = urllib.parse.urlencode({"query": query}, quote_via=urllib.parse.quote)
        return f"{self.path}?{encoded}"

    def start(self) -> None:
        LOGS.mkdir(parents=True, exist_ok=True)
        stem = re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")
        self.log_path = LOGS / f"{stem}-{self.port}.log"
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            self.cmd,
            cwd=self.cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, so stop() reaches its children
        )
        log.close()

    def wait_ready(self, bound: float = 90.0) -> None:
        """Until the server answers a cheap ASK with 200; raises if it died or `bound` passed."""
        deadline = time.monotonic() + bound
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"exited with {self.process.returncode}; see {self.log_path}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                status, _ = get(self, ASK, timeout=2.0)
                if status == 200:
                    return
            time.sleep(0.3)
        raise RuntimeError(f"no 200 to an ASK within {bound:.0f} s; see {self.log_path}")

    @property
    def pgid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def stop(self) -> None:
        """SIGTERM the whole process group, then SIGKILL what is left after 5 s."""
        if self.process is None:
            return
        for sig, grace in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=grace)
            if not group_cpu_seconds(self.process.pid) and self.process.poll() is not None:
                break
        self.process = None


def get(
    server: Server, query: str, timeout: float, conn: http.client.HTTPConnection | None = None
) -> tuple[int, bytes]:
    """GET the endpoint with `query`; JSON results asked for. Returns (status, body)."""
    own = conn is None
    conn = conn or http.client.HTTPConnection(HOST, server.port, timeout=timeout)
    try:
        conn.request("GET", server.path_for(query), headers={"Accept": JSON_RESULTS})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        if own:
            conn.close()


# ---------------------------------------------------------------- installing the peers


@dataclasses.dataclass
class Peers:
    python: Path | None = None
    oxigraph: Path | None = None
    rdflib_endpoint: Path | None = None
    wrk: str | None = None
    notes: list[str] = dataclasses.field(default_factory=list)
    versions: dict[str, str] = dataclasses.field(default_factory=dict)


def install_peers() -> Peers:
    peers = Peers()
    python = PEERS / "bin" / "python"
    try:
        if not python.exists():
            Log.say(f"creating the peers' venv at {PEERS.relative_to(ROOT)}/")
            done = run([sys.executable, "-m", "venv", "--clear", str(PEERS)], timeout=120)
            if done.returncode:
                raise RuntimeError(done.stderr.strip()[-500:])
        Log.say("pip install 'rdflib-endpoint[cli]' oxigraph (in the peers' venv)")
        done = run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "-q",
                "rdflib-endpoint[cli]",
                "oxigraph",
            ],
            timeout=300,
        )
        LOGS.mkdir(parents=True, exist_ok=True)
        (LOGS / "pip.log").write_text(done.stdout + done.stderr, encoding="utf-8")
        if done.returncode:
            errors = [line for line in done.stderr.splitlines() if "ERROR" in line]
            peers.notes.append(f"pip install failed: {' / '.join(errors[-3:]) or done.returncode}")
        peers.python = python
    except (OSError, RuntimeError, subprocess.TimeoutExpired) as error:
        peers.notes.append(f"could not make the peers' venv: {error}")
    if peers.python is not None:
        for attr, exe in (("oxigraph", "oxigraph"), ("rdflib_endpoint", "rdflib-endpoint")):
            path = PEERS / "bin" / exe
            if path.exists():
                setattr(peers, attr, path)
            else:
                peers.notes.append(f"{exe} is not installed in the peers' venv")
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            done = run(
                [
                    str(peers.python),
                    "-c",
                    "import importlib.metadata as m; print(m.version('rdflib-endpoint'),"
                    " m.version('rdflib'), m.version('fastapi'), m.version('uvicorn'))",
                ],
                timeout=30,
            )
            if done.returncode == 0:
                endpoint, rdflib, fastapi, uvicorn = done.stdout.split()
                peers.versions["rdflib-endpoint"] = (
                    f"rdflib-endpoint {endpoint} (rdflib {rdflib}, FastAPI {fastapi}, "
                    f"uvicorn {uvicorn})"
                )
        if peers.oxigraph is not None:
            with contextlib.suppress(OSError, subprocess.TimeoutExpired):
                peers.versions["oxigraph"] = run(
                    [str(peers.oxigraph), "--version"], timeout=30
                ).stdout.strip()
    peers.wrk = shutil.which("wrk")
    if peers.wrk is None:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for step in (
            ["apt-get", "install", "-y", "wrk"],
            ["apt-get", "update"],
            ["apt-get", "install", "-y", "wrk"],
        ):
            Log.say(" ".join(step))
            with contextlib.suppress(OSError, subprocess.TimeoutExpired):
                run(step, timeout=180, env=env)
            peers.wrk = shutil.which("wrk")
            if peers.wrk:
                break
        if peers.wrk is None:
            peers.notes.append("wrk could not be installed from Debian: no throughput table")
    if peers.wrk:
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            first = run([peers.wrk, "-v"], timeout=10)
            peers.versions["wrk"] = (first.stdout + first.stderr).strip().splitlines()[0]
    return peers


# ---------------------------------------------------------------- measuring


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile of `values` (p in 0..100)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def to_ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * UNITS[unit]


@dataclasses.dataclass
class Throughput:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int
    socket_errors: str
    busy_before: float = math.nan  # % of one core the machine used in the second before wrk
    others_cpu: float = math.nan  # % of one core used by other processes while wrk ran


def drive(wrk: str, server: Server, duration: int, connections: int, threads: int) -> Throughput:
    cmd = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--latency",
        "--timeout",
        "10s",
        "-H",
        f"Accept: {JSON_RESULTS}",
        server.url(SELECT),
    ]
    out = run(cmd, timeout=duration + 30).stdout
    (LOGS / f"wrk-{server.log_path.stem if server.log_path else server.name}.txt").write_text(out)
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", out, re.M))
    total = re.search(r"^\s+(\d+) requests in", out, re.M)
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", out, re.M)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: (.+)$", out, re.M)
    if not (latency and total and rate):
        raise RuntimeError(f"could not read wrk's output:\n{out}")
    return Throughput(
        requests_per_s=float(rate.group(1)),
        p50_ms=to_ms(latency["50"]),
        p99_ms=to_ms(latency["99"]),
        requests=int(total.group(1)),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sockets.group(1) if sockets else "none",
    )


@dataclasses.dataclass
class Cheap:
    sent: int
    answered: int
    p50_ms: float
    p99_ms: float
    statuses: dict[int, int]

    def show(self) -> str:
        if not self.answered:
            return f"no answer ({self.sent} sent, each given {CHEAP_TIMEOUT:.0f} s)"
        text = f"{fmt_ms(self.p50_ms)} / {fmt_ms(self.p99_ms)}"
        if self.answered < self.sent:
            text += f" ({self.answered} of {self.sent} answered; p99 ≥ {CHEAP_TIMEOUT:.0f} s)"
        if set(self.statuses) - {200}:
            text += " statuses " + ", ".join(f"{k}×{v}" for k, v in sorted(self.statuses.items()))
        return text


def cheap_latency(server: Server, count: int = CHEAP_REQUESTS, bound: float = CHEAP_BOUND) -> Cheap:
    """`count` sequential ASKs on one keep-alive connection, the whole loop bounded by `bound`."""
    deadline = time.monotonic() + bound
    times: list[float] = []
    statuses: dict[int, int] = {}
    sent = 0
    conn = http.client.HTTPConnection(HOST, server.port, timeout=CHEAP_TIMEOUT)
    try:
        while sent < count and time.monotonic() < deadline:
            sent += 1
            started = time.perf_counter()
            try:
                status, _ = get(server, ASK, CHEAP_TIMEOUT, conn)
            except (OSError, http.client.HTTPException):
                times.append(CHEAP_TIMEOUT * 1000)  # counts as a miss at the client's limit
                conn.close()
                conn = http.client.HTTPConnection(HOST, server.port, timeout=CHEAP_TIMEOUT)
                continue
            times.append((time.perf_counter() - started) * 1000)
            statuses[status] = statuses.get(status, 0) + 1
    finally:
        conn.close()
    answered = sum(statuses.values())
    return Cheap(
        sent=sent,
        answered=answered,
        p50_ms=percentile(times, 50) if times else math.nan,
        p99_ms=percentile(times, 99) if times else math.nan,
        statuses=statuses,
    )


@dataclasses.dataclass
class Runaway:
    """One cross-join client: what the server answered, when, and how much."""

    status: int | None = None
    status_s: float | None = None  # seconds until the status line
    total_s: float | None = None
    bytes: int = 0
    outcome: str = "not started"
    body_head: str = ""

    def show(self) -> str:
        status = self.status if self.status is not None else "no status"
        when = f"{self.status_s:.1f} s" if self.status_s is not None else "—"
        size = f", {human_bytes(self.bytes)}" if self.bytes else ""
        return f"{status} at {when}; {self.outcome} at {self.total_s or 0:.1f} s{size}"


def human_bytes(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000  # type: ignore[assignment]
    return str(n)


def run_away(server: Server, query: str, bound: float, record: Runaway) -> None:
    """Send `query` and read the whole answer, discarding it, for at most `bound` seconds."""
    started = time.monotonic()
    conn = http.client.HTTPConnection(HOST, server.port, timeout=bound)
    record.outcome = "running"
    try:
        conn.request("GET", server.path_for(query), headers={"Accept": JSON_RESULTS})
        response = conn.getresponse()  # the socket's timeout bounds the wait for a status
        record.status = response.status
        record.status_s = time.monotonic() - started
        while True:
            left = bound - (time.monotonic() - started)
            if left <= 0:
                record.outcome = "client cut the body"
                return
            conn.sock.settimeout(left)
            chunk = response.read1(1 << 20)
            if not chunk:
                record.outcome = "body complete"
                return
            if len(record.body_head) < 300:
                record.body_head += chunk[:300].decode("utf-8", "replace")
            record.bytes += len(chunk)
    except TimeoutError:
        record.outcome = (
            "client gave up waiting for a status"
            if record.status is None
            else "client cut the body"
        )
    except (OSError, http.client.HTTPException) as error:
        record.outcome = f"connection ended ({type(error).__name__})"
    finally:
        record.total_s = time.monotonic() - started
        conn.close()


@dataclasses.dataclass
class RunawayResult:
    query: str
    clients: list[Runaway]
    during: Cheap
    cpu_after: float | None  # % of one core, the server's process group, after the clients left
    alive_after: str


def runaway_effect(server: Server, query: str, bound: float) -> RunawayResult:
    records = [Runaway() for _ in range(2)]
    threads = [
        threading.Thread(target=run_away, args=(server, query, bound, record), daemon=True)
        for record in records
    ]
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # let both reach the engine
    during = cheap_latency(server, bound=max(1.0, bound - 1.0))
    for thread in threads:
        thread.join(timeout=bound + 10)
    cpu = group_cpu_percent(server.pgid, 2.0) if server.pgid else None
    try:
        status, _ = get(server, ASK, timeout=CHEAP_TIMEOUT)
        alive = f"ASK → {status}"
    except (OSError, http.client.HTTPException) as error:
        alive = f"ASK failed ({type(error).__name__})"
    return RunawayResult(query, records, during, cpu, alive)


# ---------------------------------------------------------------- one server, start to stop


@dataclasses.dataclass
class Outcome:
    name: str
    version: str
    how: str
    rows: int | None = None
    quads: int | None = None
    throughput: Throughput | None = None
    without: Cheap | None = None
    runaways: list[RunawayResult] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)


def count_rows(body: bytes) -> int:
    return len(json.loads(body)["results"]["bindings"])


def measure(
    server: Server,
    outcome: Outcome,
    args: argparse.Namespace,
    wrk: str | None,
    runaway_queries: list[str],
    load_trig: bool = False,
) -> None:
    Log.say(f"{server.name}: starting on port {server.port}")
    server.start()
    try:
        server.wait_ready()
        if load_trig:  # Oxigraph in memory: PUT the TriG into its graph store
            load_store(server)
        status, body = get(server, COUNT, timeout=30)
        if status == 200:
            outcome.quads = int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
        status, body = get(server, SELECT, timeout=30)
        if status != 200:
            outcome.notes.append(f"the SELECT answered {status}: {body[:200]!r}")
            return
        outcome.rows = count_rows(body)
        if not outcome.rows:
            outcome.notes.append("the SELECT has no rows here: the union default graph is missing")
        warm_deadline = time.monotonic() + 10
        for _ in range(30):  # warm up: caches, first requests in each worker
            if time.monotonic() > warm_deadline:
                break
            get(server, SELECT, timeout=10)
        if wrk:
            busy = wait_for_quiet()
            Log.say(f"{server.name}: wrk, {args.connections} connections, {args.duration} s")
            others = OthersCpu(server.pgid)
            others.start()
            outcome.throughput = drive(wrk, server, args.duration, args.connections, args.threads)
            outcome.throughput.others_cpu = others.stop()
            outcome.throughput.busy_before = busy
            Log.say(f"{server.name}: {outcome.throughput}")
            if server.process is not None and server.process.poll() is not None:
                outcome.notes.append(
                    f"the server died under wrk (exit {server.process.returncode}); "
                    f"its log ends: {log_tail(server)}"
                )
                return
        if runaway_queries:
            Log.say(f"{server.name}: cheap ASK latency without a runaway")
            outcome.without = cheap_latency(server)
        for query in runaway_queries:
            Log.say(f"{server.name}: runaway {query!r} × 2, bound {server.runaway_bound:.0f} s")
            result = runaway_effect(server, query, server.runaway_bound)
            outcome.runaways.append(result)
            Log.say(
                f"{server.name}: "
                + " | ".join(r.show() for r in result.clients)
                + f" | cheap during {result.during.show()} | CPU after {result.cpu_after or 0:.0f}%"
            )
    except (
        OSError,
        RuntimeError,
        http.client.HTTPException,
        subprocess.TimeoutExpired,
        ValueError,
        KeyError,
    ) as error:
        outcome.notes.append(f"{type(error).__name__}: {error}")
        Log.say(f"{server.name}: {type(error).__name__}: {error}")
    finally:
        server.stop()
        Log.say(f"{server.name}: stopped")


def log_tail(server: Server) -> str:
    """The server's last distinct log lines, for a note."""
    if server.log_path is None or not server.log_path.exists():
        return "(no log)"
    lines = server.log_path.read_text(errors="replace").splitlines()
    seen: list[str] = []
    for line in reversed(lines):
        line = line.strip()
        if line and line not in seen and not line.startswith("note:"):
            seen.append(line)
        if len(seen) == 3:
            break
    quoted = (line[:160].replace("`", "'") for line in reversed(seen))
    return " / ".join(f"`{line}`" for line in quoted)


def load_store(server: Server) -> None:
    """Load the TriG into a running in-memory Oxigraph through its Graph Store endpoint."""
    conn = http.client.HTTPConnection(HOST, server.port, timeout=60)
    try:
        conn.request(
            "POST", "/store", body=DATA.read_bytes(), headers={"Content-Type": "application/trig"}
        )
        response = conn.getresponse()
        body = response.read()
        if response.status not in (200, 201, 204):
            raise RuntimeError(f"POST /store answered {response.status}: {body[:200]!r}")
    finally:
        conn.close()


# ---------------------------------------------------------------- the report


def fmt_ms(ms: float) -> str:
    if math.isnan(ms):
        return "—"
    return f"{ms:.2f} ms" if ms < 10 else f"{ms:.0f} ms" if ms < 10_000 else f"{ms / 1000:.1f} s"


def ratio(a: Outcome, b: Outcome) -> str:
    if a.throughput and b.throughput and b.throughput.requests_per_s:
        return f"{a.throughput.requests_per_s / b.throughput.requests_per_s:.2f}×"
    return "n/a (a side has no measurement)"


def report(outcomes: list[Outcome], peers: Peers, args: argparse.Namespace, took: float) -> str:
    by = {o.name: o for o in outcomes}
    lines = [
        "# SPARQL endpoints side by side",
        "",
        f"- date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- machine: {machine()}",
        f"- load average at the end: {load_average()}",
        f"- data: {DATA.relative_to(ROOT)} ({DATA.stat().st_size // 1000} kB); each server answers "
        "with its default graph the union of the named graphs",
        f"- load: wrk, {args.connections} connections, {args.threads} threads, {args.duration} s, "
        f"--latency, loopback; `Accept: {JSON_RESULTS}`; one server running at a time",
        f"- the SELECT (targets of area 2): `{SELECT}`",
        f"- wrk: {peers.versions.get('wrk', 'not available')}",
        f"- this run took {took:.0f} s: `.venv/bin/python bench/sparql_endpoints.py "
        f"--duration {args.duration} --connections {args.connections}`",
        "",
        "## Servers",
        "",
        "| server | version | how it ran | quads (COUNT in its default graph) | SELECT rows |",
        "|---|---|---|---|---|",
    ]
    for o in outcomes:
        lines.append(
            f"| {o.name} | {o.version} | {o.how} | {o.quads if o.quads is not None else '—'} "
            f"| {o.rows if o.rows is not None else '—'} |"
        )
    lines += [
        "",
        f"## Throughput: the SELECT at concurrency {args.connections}",
        "",
        "| server | requests/s | p50 | p99 | requests | non-2xx | socket errors "
        "| others' CPU before / during |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for o in outcomes:
        t = o.throughput
        if t is None:
            lines.append(f"| {o.name} | not measured | | | | | | |")
        else:
            lines.append(
                f"| {o.name} | {t.requests_per_s:,.0f} | {fmt_ms(t.p50_ms)} | {fmt_ms(t.p99_ms)} "
                f"| {t.requests:,} | {t.non_2xx} | {t.socket_errors} "
                f"| {t.busy_before:.0f}% / {t.others_cpu:.0f}% |"
            )
    lines += [
        "",
        '"Others\' CPU" is what other work on this shared machine used, in % of one core '
        f"({os.cpu_count()} cores): before, the whole machine in the second before wrk started "
        f"(the run waits up to {QUIET_BOUND:.0f} s for it to fall under {QUIET_THRESHOLD:.0f}%); "
        "during, the machine (user, system and steal time) less this script, wrk and the "
        "server's process group. Anything well above 0 took cores from the server and from wrk.",
    ]
    pk = by.get("policykg")
    lines += ["", "Ratios of requests/s (goal: ≥ 1.0× read-only, ≥ 0.6× in memory):", ""]
    for name in (
        "Oxigraph serve-read-only",
        f"Oxigraph serve-read-only --timeout-s {DEADLINE}",
        "Oxigraph serve (in memory)",
    ):
        peer = by.get(name)
        if pk and peer:
            caveat = ""
            if peer.throughput and (peer.throughput.non_2xx or peer.notes):
                caveat = (
                    f" (but {peer.throughput.non_2xx:,} of its {peer.throughput.requests:,} "
                    "answers were errors: see the notes)"
                )
            lines.append(f"- policykg / {name}: {ratio(pk, peer)}{caveat}")
    lines += [
        "",
        "For reference, issue 4 measured on a 2-core machine: rdflib-endpoint 36 requests/s "
        "(p50 217 ms); Oxigraph serve-read-only 5,900–6,400; Oxigraph in-memory serve "
        "9,600–10,500; a pool-of-workers prototype 0.96× serve-read-only.",
        "",
        "## The runaway effect",
        "",
        f"Two clients each send a runaway query at once and read the answer (discarding it) for "
        f"at most {RUNAWAY_BOUND:.0f} s ({RDFLIB_RUNAWAY_BOUND:.0f} s for rdflib-endpoint, which "
        f"is then killed); 0.5 s later, {CHEAP_REQUESTS} sequential `{ASK}` on one keep-alive "
        "connection "
        f"(each given {CHEAP_TIMEOUT:.0f} s, the loop at most {CHEAP_BOUND:.0f} s) give the cheap "
        f"p50 / p99 during the runaway. The same ASKs on the idle server give it without. "
        f"policykg runs with `--timeout {DEADLINE}`, Oxigraph with `--timeout-s {DEADLINE}`; "
        'rdflib-endpoint has no timeout. "CPU after" is the server\'s whole process group, '
        "in % of one core, over 2 s after both clients have gone.",
        "",
        "| server | runaway query | cross-join clients: status at time; end | cheap p50 / p99 "
        "during | cheap p50 / p99 without | p99 ratio | CPU after | then |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for o in outcomes:
        for r in o.runaways:
            without = o.without
            p99_ratio = (
                f"{r.during.p99_ms / without.p99_ms:.1f}×"
                if without and without.answered and r.during.answered
                else "—"
            )
            lines.append(
                f"| {o.name} | `{r.query}` | "
                + "<br>".join(c.show() for c in r.clients)
                + f" | {r.during.show()} | {without.show() if without else '—'} | {p99_ratio} "
                f"| {'—' if r.cpu_after is None else f'{r.cpu_after:.0f}%'} | {r.alive_after} |"
            )
    heads = [
        (o.name, r.query, c.body_head)
        for o in outcomes
        for r in o.runaways
        for c in r.clients[:1]
        if c.body_head and (c.status != 200 or c.bytes < 2000)
    ]
    if heads:
        lines += ["", "The first runaway client's answer, where it was short or not a 200:", ""]
        for name, query, head in heads:
            head = head[:200].replace("`", "'")
            lines.append(f"- {name}, `{query}`: `{head}`")
    notes = list(peers.notes) + [f"{o.name}: {n}" for o in outcomes for n in o.notes]
    lines += ["", "## What did not work or was left out", ""]
    lines += [f"- {n}" for n in notes] or ["- nothing: every server ran every measurement"]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- main


@contextlib.contextmanager
def stopped_on_signals() -> Iterator[None]:
    """SIGTERM and SIGHUP unwind like Ctrl-C, so every `finally` stops its server."""

    def raise_exit(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = {s: signal.signal(s, raise_exit) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per server")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument(
        "--only", action="append", help="run only servers whose name contains this (repeatable)"
    )
    args = parser.parse_args()
    started = time.monotonic()
    with stopped_on_signals():
        peers = install_peers()
        outcomes: list[Outcome] = []
        with tempfile.TemporaryDirectory(prefix="oxigraph-", dir=PEERS) as store:
            for step in plan(peers, Path(store), outcomes):
                name = step.outcome.name
                if args.only and not any(s.lower() in name.lower() for s in args.only):
                    continue
                if step.outcome not in outcomes:
                    outcomes.append(step.outcome)
                if step.failed:
                    continue
                wrk = peers.wrk if step.wrk else None
                measure(step.server, step.outcome, args, wrk, step.runaways, step.load_trig)
        text = report(outcomes, peers, args, time.monotonic() - started)
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(text, encoding="utf-8")
        print(text, end="")


@dataclasses.dataclass
class Step:
    """One server process, started fresh, and what to measure on it."""

    server: Server
    outcome: Outcome
    wrk: bool
    runaways: list[str]
    load_trig: bool = False
    failed: bool = False  # its set-up failed: recorded in the outcome's notes, nothing to run


def plan(peers: Peers, store: Path, outcomes: list[Outcome]) -> list[Step]:
    """The servers, one process at a time: throughput and runaways, each on a fresh process.

    Oxigraph's `--timeout-s` starts a thread per query that lives as long as the timeout, so under
    wrk it runs out of threads; its throughput is measured both without a timeout (its best case)
    and with `--timeout-s 5` (policykg's deadline), and its runaways on a fresh process.
    """
    steps: list[Step] = []
    runaways = [CROSS_JOIN, CROSS_JOIN_COUNT]
    version = f"policykg {importlib.metadata.version('policykg')}"
    with contextlib.suppress(importlib.metadata.PackageNotFoundError):
        version += f" (pyoxigraph {importlib.metadata.version('pyoxigraph')})"
    policykg = [str(ROOT / ".venv" / "bin" / "policykg"), "serve", "--host", HOST]
    port = free_port()
    cmd = [*policykg, "--port", str(port), "--workers", "3", "--timeout", str(DEADLINE)]
    how = f"`policykg serve --workers 3 --timeout {DEADLINE}`"
    outcome = Outcome("policykg", version, how)
    steps.append(Step(Server("policykg", cmd, "/sparql", port), outcome, True, runaways))

    if peers.oxigraph is None:
        for name in ("Oxigraph serve-read-only", "Oxigraph serve (in memory)"):
            outcomes.append(Outcome(name, "not installed", "—"))
    else:
        ox = str(peers.oxigraph)
        version = peers.versions.get("oxigraph", "?")
        loaded = run([ox, "load", "--location", str(store), "--file", str(DATA)], timeout=120)
        timeout = ["--timeout-s", str(DEADLINE)]
        for suffix, extra, wrk, queries in (
            ("", [], True, []),
            (f" --timeout-s {DEADLINE}", timeout, True, []),
            (f" --timeout-s {DEADLINE}", timeout, False, runaways),
        ):
            name = f"Oxigraph serve-read-only{suffix}"
            outcome = next((o.outcome for o in steps if o.outcome.name == name), None) or Outcome(
                name,
                version,
                "`oxigraph load` into a temp dir, then `oxigraph serve-read-only "
                f"--union-default-graph{suffix}`",
            )
            port = free_port()
            cmd = [ox, "serve-read-only", "--location", str(store), "--bind", f"{HOST}:{port}"]
            cmd += ["--union-default-graph", *extra]
            step = Step(Server(name, cmd, "/query", port), outcome, wrk, queries)
            if loaded.returncode:
                step.failed = True
                if not outcome.notes:
                    outcome.notes.append(f"oxigraph load failed: {loaded.stderr.strip()[-300:]}")
            steps.append(step)
        for suffix, extra, wrk, queries in (
            ("", [], True, []),
            (f" --timeout-s {DEADLINE}", timeout, False, runaways),
        ):
            name = f"Oxigraph serve (in memory){suffix}"
            how = (
                f"`oxigraph serve --union-default-graph{suffix}` (no --location: in memory); "
                "the TriG loaded by POST /store (Content-Type application/trig)"
            )
            port = free_port()
            cmd = [ox, "serve", "--bind", f"{HOST}:{port}", "--union-default-graph", *extra]
            outcome = Outcome(name, version, how)
            server = Server(name, cmd, "/query", port)
            steps.append(Step(server, outcome, wrk, queries, load_trig=True))

    if peers.rdflib_endpoint is None:
        outcomes.append(Outcome("rdflib-endpoint", "not installed", "—"))
    else:
        port = free_port()
        cmd = [str(peers.rdflib_endpoint), "serve", str(DATA), "--host", HOST, "--port", str(port)]
        how = (
            "`rdflib-endpoint serve graphs/szamr-2024.trig` (its CLI: an rdflib Dataset with "
            "default_union=True, uvicorn, one process, no timeout)"
        )
        outcome = Outcome("rdflib-endpoint", peers.versions.get("rdflib-endpoint", "?"), how)
        server = Server("rdflib-endpoint", cmd, "/", port, runaway_bound=RDFLIB_RUNAWAY_BOUND)
        # It hangs on the first cross join; the server is killed after the bound.
        steps.append(Step(server, outcome, True, [CROSS_JOIN]))
    return steps


if __name__ == "__main__":
    main()
