"""The query engines the API suite runs on: in memory, an on-disk store, and a real Oxigraph server.

:class:`Engines` (one per test session, made by the ``engines`` fixture in ``conftest.py``) hands
out an :class:`Engine` per name and folder of graphs: the on-disk store is built once into a
temporary folder, and an Oxigraph server (``oxigraph serve-read-only`` from the PyPI ``oxigraph``
package) is started once on a free loopback port with the graphs loaded and its default graph the
union of the named graphs; every server is stopped when the session ends. A test whose query
would keep a server busy past its deadline (the remote server goes on evaluating it) asks for a
:meth:`Engines.fresh` one, stopped when the test ends.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from api.settings import ServerSettings
from policykg.paths import graphs_dir
from policykg.store import disk_store

ENGINES = ("memory", "disk", "remote")
OXIGRAPH = Path(sys.executable).parent / "oxigraph"
# the server's own timeout bounds a query nobody waits for any more (it stops counting joins,
# not sorting ones: those need a fresh server)
SERVER_TIMEOUT_S = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def oxigraph_binary() -> str | None:
    """The ``oxigraph`` command of this environment (PyPI ``oxigraph``), or on the PATH."""
    return str(OXIGRAPH) if OXIGRAPH.exists() else shutil.which("oxigraph")


@dataclass(frozen=True)
class Engine:
    """One engine over one folder of built graphs, as the settings of an app that uses it."""

    name: str  # memory | disk | remote
    graphs: Path
    store: Path | None = None
    remote: str | None = None

    @property
    def pool(self) -> bool:
        """Queries run in the server's own pool of worker processes (not in a remote server)."""
        return self.remote is None

    def settings(self, **overrides: Any) -> ServerSettings:
        """The settings of an app over this engine (``overrides`` as ServerSettings fields)."""
        return ServerSettings(graphs=self.graphs, store=self.store, remote=self.remote, **overrides)

    def options(self) -> list[str]:
        """The ``policykg serve`` options that choose this engine."""
        if self.store is not None:
            return ["--graphs", str(self.graphs), "--store", str(self.store)]
        if self.remote is not None:
            return ["--graphs", str(self.graphs), "--remote", self.remote]
        return ["--graphs", str(self.graphs)]

    def environment(self) -> dict[str, str]:
        """The ``POLICYKG_*`` variables that choose this engine."""
        found = {"POLICYKG_GRAPHS": str(self.graphs)}
        if self.store is not None:
            found["POLICYKG_STORE"] = str(self.store)
        if self.remote is not None:
            found["POLICYKG_REMOTE"] = self.remote
        return found


class OxigraphServer:
    """``oxigraph serve-read-only`` over a loaded store (``serve``, taking writes, with
    ``writable``), on a free loopback port."""

    def __init__(self, binary: str, location: Path, log: Path, writable: bool = False) -> None:
        port = free_port()
        mode = "serve" if writable else "serve-read-only"
        command = [binary, mode, "--location", str(location)]
        command += ["--bind", f"127.0.0.1:{port}", "--union-default-graph"]
        command += ["--timeout-s", str(SERVER_TIMEOUT_S)]
        self.log = log
        self.base = f"http://127.0.0.1:{port}"
        self.url = f"{self.base}/query"
        with log.open("wb") as output:
            self.process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
        try:
            self._wait()
        except BaseException:
            self.stop()
            raise

    def _wait(self) -> None:
        give_up = time.monotonic() + 30
        ask = urllib.request.Request(
            f"{self.url}?query=ASK%7B%7D", headers={"Accept": "application/sparql-results+json"}
        )
        while True:
            try:
                with urllib.request.urlopen(ask, timeout=2):
                    return
            except OSError:
                assert self.process.poll() is None, self.log.read_text()
                assert time.monotonic() < give_up, "the Oxigraph server did not come up"
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()  # a read-only server: nothing to lose
        self.process.wait(timeout=10)


class Engines:
    """The engines of one test session, each made once and kept until :meth:`close`."""

    def __init__(self, folder: pytest.TempPathFactory) -> None:
        self._folder = folder
        self._made: dict[tuple[str, Path], Engine] = {}
        self._loaded: dict[Path, Path] = {}  # graphs folder → Oxigraph store folder
        self._servers: list[OxigraphServer] = []

    def get(self, name: str, graphs: Path | None = None) -> Engine:
        """The engine ``name`` over ``graphs`` (default: the built ``graphs/``)."""
        graphs = graphs or graphs_dir()
        key = (name, graphs)
        if key not in self._made:
            self._made[key] = self._make(name, graphs)
        return self._made[key]

    @contextmanager
    def fresh(self, name: str, graphs: Path | None = None) -> Iterator[Engine]:
        """An engine of its own for a test that leaves work behind; a remote one is stopped after.

        The pool kills a query at its deadline, so the shared engine serves; a remote server
        goes on evaluating it (a sorted cross join grows by 200 MB a second), so it gets its own
        server, stopped when the test ends.
        """
        if name != "remote":
            yield self.get(name, graphs)
            return
        graphs = graphs or graphs_dir()
        server = self._serve(graphs)
        try:
            yield Engine(name, graphs, remote=server.url)
        finally:
            server.stop()
            self._servers.remove(server)

    def _make(self, name: str, graphs: Path) -> Engine:
        sources = sorted(graphs.glob("*.trig"))
        assert sources, f"no graphs in {graphs}: run 'policykg build' first"
        if name == "memory":
            return Engine(name, graphs)
        if name == "disk":
            store = self._folder.mktemp("disk-store") / "store"
            assert disk_store(store, sources) is True
            return Engine(name, graphs, store=store)
        if name == "remote":
            return Engine(name, graphs, remote=self._serve(graphs).url)
        raise ValueError(f"no engine {name!r}; the engines are {', '.join(ENGINES)}")

    def _serve(self, graphs: Path) -> OxigraphServer:
        binary = oxigraph_binary()
        if binary is None:
            pytest.skip("the Oxigraph server (PyPI package oxigraph) is not installed")
        if graphs not in self._loaded:
            folder = self._folder.mktemp("oxigraph")
            command = [binary, "load", "--location", str(folder / "store"), "--file"]
            command += [str(path) for path in sorted(graphs.glob("*.trig"))]
            subprocess.run(command, check=True, capture_output=True, timeout=120)
            self._loaded[graphs] = folder / "store"
        location = self._loaded[graphs]
        log = self._folder.mktemp("oxigraph-log") / "server.log"
        server = OxigraphServer(binary, location, log)
        self._servers.append(server)
        return server

    def close(self) -> None:
        """Stop every server started."""
        while self._servers:
            self._servers.pop().stop()
