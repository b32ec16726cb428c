"""Queries with a real deadline: a pool of worker processes, each holding the loaded dataset.

pyoxigraph's ``Store.query`` has no timeout and cannot be interrupted, so the only hard stop is to
kill the process that runs it. :class:`QueryService` loads the dataset once, then forks a pool of
workers (which share its memory); every query goes to an idle worker under one deadline that
covers waiting for a worker too. At the deadline the worker is killed and replaced, and the caller
gets :class:`QueryTimeout`: never a cut result. Meanwhile the other workers keep answering, so a
cheap query is not stuck behind a runaway one. Updates, ``SERVICE`` and ``LOAD`` are refused
before any worker sees the query; a result over the row cap is an error, never cut short.

>>> import asyncio
>>> service = QueryService.from_trig(b'<urn:g> { <urn:a> <urn:p> "x" . }', Settings(workers=1))
>>> asyncio.run(service.rows("SELECT ?o WHERE { ?s ?p ?o }")).rows
[{'o': 'x'}]
>>> service.close()
"""

from __future__ import annotations

import abc
import asyncio
import gc
import io
import itertools
import json
import multiprocessing
import os
import re
import signal
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from policykg.errors import InputError
from policykg.store import (
    QueryRefused,
    QueryResult,
    RowCapExceeded,
    bind,
    has_dataset_clause,
    load_store,
    refuse_forbidden,
    refuse_graphs,
    to_term,
)

__all__ = [
    "QueryEngine",
    "QueryFailed",
    "QueryService",
    "QuerySyntaxError",
    "QueryTimeout",
    "Serialised",
    "Settings",
]

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
SYNTAX_AT = re.compile(r"(?P<line>\d+):(?P<column>\d+)")


@dataclass(frozen=True)
class Settings:
    """How queries run: the deadline, the row cap, the pool size and the longest query text."""

    timeout: float = 10.0
    max_rows: int = 10_000
    workers: int = 3
    max_query_length: int = 100_000
    max_result_bytes: int = 256 * 1024 * 1024


class QueryTimeout(RuntimeError):
    """The query did not finish before its deadline; its worker was killed."""


class QueryFailed(RuntimeError):
    """The query's worker died or could not answer (the pool replaces it)."""


class QuerySyntaxError(QueryRefused):
    """A query that does not parse, with the line and column the engine reports."""

    def __init__(self, message: str, line: int | None, column: int | None) -> None:
        super().__init__(message, line=line, column=column)


@dataclass(frozen=True)
class Serialised:
    """A query's result as the engine wrote it: SPARQL results JSON, or N-Triples for graphs."""

    kind: str  # "select", "ask" or "graph"
    body: bytes
    count: int  # rows or triples


class _Capped(io.RawIOBase):
    """A byte buffer that refuses to grow past a limit."""

    def __init__(self, limit: int) -> None:
        self.buffer = bytearray()
        self.limit = limit

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        if len(self.buffer) + len(data) > self.limit:
            raise RowCapExceeded.size(self.limit)
        self.buffer += data
        return len(data)


def _wire(value: object) -> tuple[str, str, str | None, str | None]:
    """A binding as plain data: (kind, value, datatype, language); a blank node is refused."""
    term = to_term(value)
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value, None, None)
    if isinstance(term, ox.Literal):
        return ("literal", term.value, term.datatype.value, term.language)
    raise InputError("a parameter cannot be a blank node")


def _answer(store: ox.Store, request: dict[str, Any]) -> tuple[Any, ...]:
    """Run one request in a worker; every outcome is plain data."""
    try:
        options: dict[str, Any] = {"base_iri": request["base_iri"]}
        defaults, named = request["default_graphs"], request["named_graphs"]
        if defaults is not None or named is not None:  # the protocol's dataset is the dataset
            options["default_graph"] = [ox.NamedNode(g) for g in defaults or []]
            options["named_graphs"] = [ox.NamedNode(g) for g in named or []]
        elif not request["own_dataset"]:  # no FROM: the default graph is the union
            options["use_default_graph_as_union"] = True
        result = store.query(request["text"], **options)
        cap = request["max_rows"]
        if isinstance(result, ox.QueryBoolean):
            out: Any = _Capped(request["max_bytes"])  # pyoxigraph writes to any binary writer
            result.serialize(out, format=ox.QueryResultsFormat.JSON)
            return ("ok", "ask", bytes(out.buffer), 1)
        rows = list(itertools.islice(result, cap + 1))  # never more than the cap is read
        if len(rows) > cap:
            return ("cap", cap)
        if isinstance(result, ox.QuerySolutions):
            variables = [v.value for v in result.variables]
            return ("ok", "select", _results_json(variables, rows), len(rows))
        return ("ok", "graph", ox.serialize(rows, format=ox.RdfFormat.N_TRIPLES) or b"", len(rows))
    except SyntaxError as error:
        match = SYNTAX_AT.search(str(error))
        line = int(match["line"]) if match else None
        column = int(match["column"]) if match else None
        return ("syntax", str(error), line, column)
    except RowCapExceeded as error:
        return ("bytes", str(error))
    except Exception as error:  # anything the engine raises is the query's failure, not ours
        return ("failed", f"{type(error).__name__}: {error}")


def _json_term(term: Any) -> dict[str, Any]:
    """One RDF term in the SPARQL 1.1 results JSON format."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        parts = {"subject": term.subject, "predicate": term.predicate, "object": term.object}
        return {"type": "triple", "value": {k: _json_term(v) for k, v in parts.items()}}
    out: dict[str, Any] = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


def _results_json(variables: list[str], solutions: list[Any]) -> bytes:
    """Solutions already read (at most the cap) as SPARQL results JSON.

    pyoxigraph serialises a whole result stream but not solutions once read, and reading them
    first is what lets the cap stop a runaway result early; the format is small and fixed.
    """
    bindings = [{v: _json_term(s[v]) for v in variables if s[v] is not None} for s in solutions]
    document = {"head": {"vars": variables}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def _serve(conn: Connection, store: ox.Store, disk: str | None) -> None:
    """A worker's loop: answer requests until the pipe closes.

    An in-memory store is the parent's, shared by the fork; an on-disk store is opened afresh,
    read-only, by each worker (a database handle is not to be shared across a fork).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The inherited heap never becomes garbage here: freeze it, or the worker's first full
    # collection writes to every object and copies the pages it shares with the front (measured:
    # about 20 MiB per worker at once, some 50 s into a load test).
    gc.freeze()
    if disk is not None:
        store = ox.Store.read_only(disk)
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(_answer(store, request))


class _Worker:
    def __init__(self, process: BaseProcess, conn: Connection) -> None:
        self.process = process
        self.conn = conn


class QueryEngine(abc.ABC):
    """What answers queries for the app: the worker pool here, or a remote endpoint."""

    settings: Settings
    replaced: int  # queries stopped at their deadline (workers replaced), for /healthz

    @abc.abstractmethod
    async def serialised(
        self,
        text: str,
        bindings: Mapping[str, object] | None = None,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        base_iri: str | None = None,
        timeout: float | None = None,
        max_rows: int | None = None,
    ) -> Serialised:
        """Run a read-only query under the deadline and row cap (see QueryService)."""

    def refuse(self, text: str, graphs: Iterable[str] = ()) -> None:
        """Refuse, before anything runs, a query too long, too deep or with too many variables,
        one that updates, calls SERVICE or LOADs, and a dataset naming a file or internal host."""
        if len(text) > self.settings.max_query_length:
            raise QueryRefused(
                f"the query is {len(text)} characters long; the limit is "
                f"{self.settings.max_query_length}"
            )
        refuse_forbidden(text)
        refuse_graphs(graphs)

    @abc.abstractmethod
    def named_graphs(self) -> list[str]:
        """The IRIs of the dataset's named graphs, sorted."""

    @abc.abstractmethod
    def __len__(self) -> int:
        """The number of quads."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release what the engine holds."""

    async def aclose(self) -> None:
        """Release what the engine holds, from async code."""
        self.close()

    async def rows(
        self,
        text: str,
        bindings: Mapping[str, object] | None = None,
        *,
        timeout: float | None = None,
        max_rows: int | None = None,
    ) -> QueryResult:
        """Run a SELECT or ASK query and return its rows (variable → lexical value)."""
        result = await self.serialised(text, bindings, timeout=timeout, max_rows=max_rows)
        if result.kind == "graph":
            raise QueryRefused("expected a SELECT or ASK query")
        parsed = ox.parse_query_results(result.body, ox.QueryResultsFormat.JSON)
        if isinstance(parsed, ox.QueryBoolean):
            return QueryResult("ask", (), [], [], boolean=bool(parsed))
        variables = tuple(v.value for v in parsed.variables)
        terms = [{v: s[v] for v in variables if s[v] is not None} for s in parsed]
        rows = [{k: t.value for k, t in row.items()} for row in terms]
        return QueryResult("select", variables, rows, terms)


class QueryService(QueryEngine):
    """Owns the loaded dataset and the pool of worker processes that query it."""

    def __init__(
        self, store: ox.Store, settings: Settings | None = None, disk: Path | None = None
    ) -> None:
        self.settings = settings or Settings()
        self._store = store
        self._quads = len(store)  # read-only: counted once, not on every /healthz
        self._disk = str(disk) if disk is not None else None
        self._context = multiprocessing.get_context("fork")
        self._workers = [self._spawn() for _ in range(max(1, self.settings.workers))]
        self._idle: asyncio.Queue[_Worker] | None = None
        self.replaced = 0  # workers killed at their deadline or found dead, for /healthz

    @classmethod
    def from_trig(cls, data: bytes, settings: Settings | None = None) -> QueryService:
        """A service over a TriG document."""
        store = ox.Store()
        store.load(data, format=ox.RdfFormat.TRIG)
        return cls(store, settings)

    @classmethod
    def from_files(cls, paths: Iterable[Path], settings: Settings | None = None) -> QueryService:
        """A service over TriG files; a missing or broken file is an InputError naming it."""
        return cls(load_store(paths), settings)

    @classmethod
    def from_disk(cls, path: Path, settings: Settings | None = None) -> QueryService:
        """A service over an on-disk store (see :func:`policykg.store.disk_store`), read-only."""
        try:
            store = ox.Store.read_only(str(path))
        except (OSError, RuntimeError) as error:  # RocksDB says "Corruption: …" as RuntimeError
            message = " ".join(str(error).split())
            raise InputError(f"cannot open the store: {message}", source=str(path)) from error
        return cls(store, settings, disk=path)

    def __len__(self) -> int:
        return self._quads

    def named_graphs(self) -> list[str]:
        """The IRIs of the dataset's named graphs, sorted."""
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def worker_pids(self) -> list[int]:
        """The process ids of the query workers, in pool order (for monitoring and fault tests)."""
        return [w.process.pid for w in self._workers if w.process.pid is not None]

    def _spawn(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=_serve, args=(child, self._store, self._disk), daemon=True
        )
        process.start()
        child.close()
        return _Worker(process, parent)

    def _queue(self) -> asyncio.Queue[_Worker]:
        if self._idle is None:
            self._idle = asyncio.Queue()
            for worker in self._workers:
                self._idle.put_nowait(worker)
        return self._idle

    def _replace(self, worker: _Worker) -> None:
        """Kill a worker (it may be mid-query) and put a fresh one in the pool.

        The kill is immediate; reaping the old process and forking the new one (tens of
        milliseconds with a large heap) happen on a thread, so the event loop keeps answering.
        """
        if worker.process.is_alive():
            os.kill(worker.process.pid or 0, signal.SIGKILL)
        self.replaced += 1
        loop = asyncio.get_running_loop()
        idle = self._queue()

        def respawn() -> None:
            worker.process.join(timeout=5)
            worker.conn.close()
            fresh = self._spawn()
            self._workers = [fresh if w is worker else w for w in self._workers]
            loop.call_soon_threadsafe(idle.put_nowait, fresh)

        loop.run_in_executor(None, respawn)

    async def _receive(self, worker: _Worker) -> tuple[Any, ...]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[tuple[Any, ...]] = loop.create_future()
        fd = worker.conn.fileno()

        def readable() -> None:
            loop.remove_reader(fd)
            if future.done():
                return
            try:
                # uvloop makes a watched fd non-blocking; a large answer arrives in pieces
                os.set_blocking(fd, True)
                future.set_result(worker.conn.recv())
            except (EOFError, OSError) as error:
                future.set_exception(QueryFailed(f"the query's worker died: {error}"))

        loop.add_reader(fd, readable)
        try:
            return await future
        finally:
            loop.remove_reader(fd)

    @staticmethod
    def _answered(worker: _Worker) -> bool:
        """Is the worker's whole answer waiting in the pipe? Then it met the deadline, and
        killing it (and forking a new one) would only add load to a server already behind."""
        try:
            if not worker.conn.poll():
                return False
            os.set_blocking(worker.conn.fileno(), True)  # see _receive
            return True
        except (EOFError, OSError):
            return False

    async def _run(self, request: dict[str, Any], timeout: float) -> tuple[Any, ...]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        idle = self._queue()
        while True:
            try:
                worker = await asyncio.wait_for(idle.get(), max(0.0, deadline - loop.time()))
            except TimeoutError:
                raise QueryTimeout(
                    f"no worker was free within the deadline of {timeout:g} s"
                ) from None
            try:
                os.set_blocking(worker.conn.fileno(), True)  # see _receive: uvloop may unset it
                worker.conn.send(request)
            except OSError:  # the worker died while idle: it never saw the query, so try another
                self._replace(worker)
                continue
            except BaseException:  # a cancelled request
                self._replace(worker)
                raise
            break
        try:
            answer = await asyncio.wait_for(self._receive(worker), max(0.0, deadline - loop.time()))
        except TimeoutError:
            if self._answered(worker):  # in time, but a busy event loop read it late
                answer = tuple(worker.conn.recv())
                idle.put_nowait(worker)
                return answer
            self._replace(worker)
            raise QueryTimeout(f"the query ran past its deadline of {timeout:g} s") from None
        except BaseException:  # a dead worker, or a cancelled request: the worker may be busy
            self._replace(worker)
            raise
        idle.put_nowait(worker)
        return answer

    async def serialised(
        self,
        text: str,
        bindings: Mapping[str, object] | None = None,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        base_iri: str | None = None,
        timeout: float | None = None,
        max_rows: int | None = None,
    ) -> Serialised:
        """Run a read-only query under the deadline and row cap.

        The dataset is the protocol's when ``default_graphs`` or ``named_graphs`` is given
        (either may be empty), else the query's own ``FROM``, else the union of all graphs.
        """
        self.refuse(text, [*(default_graphs or []), *(named_graphs or [])])
        for value in (bindings or {}).values():
            _wire(value)  # refuses a blank node
        request = {
            "text": bind(text, bindings) if bindings else text,
            "default_graphs": default_graphs,
            "named_graphs": named_graphs,
            "own_dataset": has_dataset_clause(text),
            "base_iri": base_iri,
            "max_rows": max_rows if max_rows is not None else self.settings.max_rows,
            "max_bytes": self.settings.max_result_bytes,
        }
        answer = await self._run(request, timeout if timeout is not None else self.settings.timeout)
        status = answer[0]
        if status == "ok":
            return Serialised(answer[1], answer[2], answer[3])
        if status == "syntax":
            raise QuerySyntaxError(f"SPARQL syntax error: {answer[1]}", answer[2], answer[3])
        if status == "cap":
            raise RowCapExceeded.rows(answer[1])
        if status == "bytes":
            raise RowCapExceeded(str(answer[1]))
        raise QueryFailed(f"cannot evaluate the query: {answer[1]}")

    def close(self) -> None:
        """Stop every worker."""
        for worker in self._workers:
            worker.conn.close()
            if worker.process.is_alive():
                worker.process.kill()
            worker.process.join(timeout=5)
        self._workers = []
