"""A remote SPARQL 1.1 endpoint as the query engine (Fuseki, GraphDB, Virtuoso, an Oxigraph server).

The same guarantees as the local pool: updates, ``SERVICE`` and ``LOAD`` refused before anything
is sent; a deadline (the HTTP timeout covers the whole exchange, and the caller gets
:class:`~policykg.service.QueryTimeout`); a row cap and a byte cap (an error, never a cut
result). Only the endpoint the operator configured is ever contacted, without redirects, proxies
or credentials from the environment, and nothing from a client's request (no header, no URL) is
passed on. The remote server may go on evaluating a query after the deadline: stopping it is its
own timeout's job.

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
import pyoxigraph as ox

from policykg.errors import InputError
from policykg.service import (
    QueryEngine,
    QueryFailed,
    QuerySyntaxError,
    QueryTimeout,
    Serialised,
    Settings,
)
from policykg.store import RowCapExceeded, bind, values_clause

__all__ = ["RemoteService", "bind", "values_clause"]

ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"


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
        self.refuse(text)
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
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > limit:
                        raise RowCapExceeded(
                            f"the result is larger than {limit} bytes; page with LIMIT"
                        )
        except httpx2.TimeoutException:
            self.replaced += 1
            raise QueryTimeout(f"the query ran past its deadline of {seconds:g} s") from None
        except httpx2.HTTPError as error:
            raise QueryFailed(f"the SPARQL endpoint could not answer: {error}") from None
        if response.status_code == 400:
            message = bytes(body[:500]).decode("utf-8", "replace").strip()
            raise QuerySyntaxError(f"the endpoint refused the query: {message}", None, None)
        if response.status_code != 200:
            raise QueryFailed(f"the SPARQL endpoint answered {response.status_code}")
        kind_type = response.headers.get("content-type", "").split(";")[0].strip()
        data = bytes(body)
        if kind_type == "application/n-triples":
            count = data.count(b"\n")
            kind = "graph"
        else:
            parsed = json.loads(data)
            if "boolean" in parsed:
                return Serialised("ask", data, 1)
            count = len(parsed["results"]["bindings"])
            kind = "select"
        if count > cap:
            raise RowCapExceeded(
                f"the result has more rows (or triples) than the cap of {cap}: "
                "page through it with LIMIT and OFFSET"
            )
        return Serialised(kind, data, count)

    def close(self) -> None:
        self._sync.close()

    async def aclose(self) -> None:
        await self._client.aclose()
        self._sync.close()
