"""A remote SPARQL 1.1 endpoint as the query engine (Fuseki, GraphDB, Virtuoso, an Oxigraph server).

The same guarantees as the local pool: updates, ``SERVICE`` and ``LOAD`` refused before anything
is sent; a deadline (the HTTP timeout covers the whole exchange, and the caller gets
:class:`~policykg.service.QueryTimeout`); a row cap and a byte cap (an error, never a cut
result). Only the endpoint the operator configured is ever contacted, without redirects, proxies
or credentials from the environment, and nothing from a client's request (no header, no URL) is
passed on. The remote server may go on evaluating a query after the deadline: stopping it is its
own timeout's job.

The row cap is counted while the result arrives (its JSON read as a stream), so a large result
is stopped at the cap, not read whole; a body that is cut short or not a SPARQL result (Oxigraph's
server answers 200 with a cut body when its own timeout strikes) is a failure, never a result. A
query's own ``FROM`` and ``FROM NAMED`` are sent as the protocol's dataset, since a server whose
default graph is the union of the named graphs may ignore them (Oxigraph's does). A query the
endpoint refuses is parsed here too, to tell the line and column of the error.

Parameters are bound with a ``VALUES`` clause at the start of the query's WHERE group (so its
filters see them), whose terms are written by the RDF library (escaped), since the protocol has
no substitution; a variable used only inside a sub-query is not reached that way
(:func:`policykg.store.bind`, which the local engines use too). The endpoint's
default graph should be the union of the named graphs (Oxigraph: ``--union-default-graph``;
Fuseki: ``unionDefaultGraph``).

>>> values_clause({"id": "x\\" } #"})
'VALUES (?id) { ("x\\\\" } #") }'
>>> print(bind("SELECT ?n WHERE { ?n ?p ?id FILTER (?id != '{') }", {"id": "a"}))
SELECT ?n WHERE { VALUES (?id) { ("a") } ?n ?p ?id FILTER (?id != '{') }
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import httpx2
import ijson  # type: ignore[import-untyped]
import pyoxigraph as ox

from policykg.errors import InputError
from policykg.service import (
    SYNTAX_AT,
    QueryEngine,
    QueryFailed,
    QuerySyntaxError,
    QueryTimeout,
    Serialised,
    Settings,
)
from policykg.store import (
    RowCapExceeded,
    bind,
    has_dataset_clause,
    values_clause,
)

__all__ = ["RemoteService", "bind", "dataset_of", "values_clause"]

ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"


def dataset_of(text: str) -> tuple[list[str], list[str]] | None:
    """The IRIs of a query's ``FROM`` and ``FROM NAMED`` clauses, or None when it has none (or
    cannot be read here: the endpoint then judges it).

    >>> dataset_of("PREFIX g: <urn:g:> ASK FROM g:a FROM NAMED <urn:b> { ?s ?p ?o }")
    (['urn:g:a'], ['urn:b'])
    >>> dataset_of("ASK { ?s ?p ?o }") is None
    True
    """
    if not has_dataset_clause(text):
        return None
    from rdflib.plugins.sparql import prepareQuery  # only for the rare query with FROM

    try:
        algebra = prepareQuery(text).algebra
    except Exception:  # rdflib cannot read it: send it as it is
        return None
    defaults: list[str] = []
    named: list[str] = []
    # the dict's own get: rdflib's CompValue.get answers a missing key with the key itself
    for clause in dict.get(algebra, "datasetClause") or []:
        if "default" in clause:
            defaults.append(str(clause["default"]))
        if "named" in clause:
            named.append(str(clause["named"]))
    return (defaults, named) if defaults or named else None


def syntax_error(text: str, message: str) -> QuerySyntaxError:
    """The endpoint's refusal, with the line and column of the error where the query fails to
    parse here too (parsing is all a lazy query on an empty store does before it is read)."""
    try:
        ox.Store().query(text)
    except SyntaxError as error:
        match = SYNTAX_AT.search(str(error))
        if match:
            return QuerySyntaxError(
                f"SPARQL syntax error: {error}", int(match["line"]), int(match["column"])
            )
    except Exception:  # not a syntax error here: the endpoint's word stands
        pass
    return QuerySyntaxError(f"the endpoint refused the query: {message}", None, None)


class _Rows:
    """Counts the rows of a SPARQL JSON result, or the triples of N-Triples, as the bytes arrive."""

    def __init__(self, graph: bool) -> None:
        self.graph = graph
        self.count = 0
        self.boolean = False
        self._events: list[tuple[str, str, object]] = ijson.sendable_list()
        self._parser = None if graph else ijson.parse_coro(self._events)

    def feed(self, chunk: bytes) -> None:
        if self._parser is None:
            self.count += chunk.count(b"\n")
            return
        self._parser.send(chunk)
        for prefix, event, _ in self._events:
            if prefix == "results.bindings.item" and event == "start_map":
                self.count += 1
            elif prefix == "boolean":
                self.boolean = True
        del self._events[:]

    def close(self) -> None:
        """The end of the body: a cut or malformed one raises ijson's error."""
        if self._parser is not None:
            self._parser.close()


class RemoteService(QueryEngine):
    """Queries answered by a remote SPARQL endpoint."""

    def __init__(self, endpoint: str, settings: Settings | None = None) -> None:
        if not endpoint.startswith(("http://", "https://")):
            raise InputError(f"the remote endpoint must be an http(s) URL, not {endpoint!r}")
        self.endpoint = endpoint
        self.settings = settings or Settings()
        self.replaced = 0
        options = {"follow_redirects": False, "trust_env": False}
        self._client = httpx2.AsyncClient(**options)  # type: ignore[arg-type]
        self._sync = httpx2.Client(timeout=self.settings.timeout, **options)  # type: ignore[arg-type]
        self._graphs: list[str] | None = None
        self._quads: int | None = None

    def _ask_now(self, text: str) -> list[dict[str, str]]:
        """A small query sent at once (start-up facts: graphs, size)."""
        try:
            response = self._sync.post(
                self.endpoint, data={"query": text}, headers={"Accept": ACCEPT}
            )
        except httpx2.HTTPError as error:
            raise InputError(
                f"cannot reach the SPARQL endpoint: {error}", source=self.endpoint
            ) from error
        if response.status_code != 200:
            raise InputError(
                f"the SPARQL endpoint answered {response.status_code}", source=self.endpoint
            )
        bindings = json.loads(response.content)["results"]["bindings"]
        return [{k: v["value"] for k, v in row.items()} for row in bindings]

    def named_graphs(self) -> list[str]:
        if self._graphs is None:
            rows = self._ask_now("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
            self._graphs = sorted(row["g"] for row in rows)
        return self._graphs

    def __len__(self) -> int:
        if self._quads is None:
            rows = self._ask_now("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
            self._quads = int(rows[0]["n"]) if rows else 0
        return self._quads

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
        self.refuse(text, [*(default_graphs or []), *(named_graphs or [])])
        original = text
        if default_graphs is None and named_graphs is None:
            own = dataset_of(text)
            if own is not None:
                default_graphs, named_graphs = own
        if bindings:
            text = bind(text, bindings)
        if base_iri:
            text = f"BASE <{ox.NamedNode(base_iri).value}>\n{text}"
        form: dict[str, str | list[str]] = {"query": text}
        if default_graphs:
            form["default-graph-uri"] = default_graphs
        if named_graphs:
            form["named-graph-uri"] = named_graphs
        cap = max_rows if max_rows is not None else self.settings.max_rows
        limit = self.settings.max_result_bytes
        seconds = timeout if timeout is not None else self.settings.timeout
        try:
            async with self._client.stream(
                "POST",
                self.endpoint,
                data=form,
                headers={"Accept": ACCEPT},
                timeout=httpx2.Timeout(seconds),
            ) as response:
                if response.status_code != 200:
                    body = await response.aread()
                    message = body[:500].decode("utf-8", "replace").strip()
                    if response.status_code == 400:
                        raise syntax_error(original, message)
                    raise QueryFailed(f"the SPARQL endpoint answered {response.status_code}")
                media = response.headers.get("content-type", "").split(";")[0].strip()
                rows = _Rows(graph=media == "application/n-triples")
                data = bytearray()
                async for chunk in response.aiter_bytes():
                    data += chunk
                    if len(data) > limit:
                        raise RowCapExceeded.size(limit)
                    rows.feed(chunk)
                    if rows.count > cap:  # stop reading: the rest is not wanted
                        raise RowCapExceeded.rows(cap)
                rows.close()
        except httpx2.TimeoutException:
            self.replaced += 1
            raise QueryTimeout(f"the query ran past its deadline of {seconds:g} s") from None
        except httpx2.HTTPError as error:
            raise QueryFailed(f"the SPARQL endpoint could not answer: {error}") from None
        except ijson.JSONError as error:
            raise QueryFailed(
                f"the SPARQL endpoint sent a result cut short or malformed: {error}"
            ) from None
        if rows.graph:
            try:
                count = sum(1 for _ in ox.parse(bytes(data), format=ox.RdfFormat.N_TRIPLES))
            except SyntaxError as error:
                raise QueryFailed(
                    f"the SPARQL endpoint sent a graph cut short or malformed: {error}"
                ) from None
            if count > cap:
                raise RowCapExceeded.rows(cap)
            return Serialised("graph", bytes(data), count)
        if rows.boolean:
            return Serialised("ask", bytes(data), 1)
        return Serialised("select", bytes(data), rows.count)

    def close(self) -> None:
        self._sync.close()

    async def aclose(self) -> None:
        await self._client.aclose()
        self._sync.close()
