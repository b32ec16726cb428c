"""Load built graphs into a remote store by the SPARQL 1.1 Graph Store HTTP Protocol.

Each named graph of the TriG files is sent as N-Triples with ``PUT {store}?graph={iri}``, which
replaces what the graph held, so pushing twice leaves the same store. Only the configured URL is
contacted: no redirects, no proxies or credentials from the environment. A refusal (the store is
read-only, the graph is too large) is an error naming the graph and the status.

    policykg push http://localhost:7878/store     # an Oxigraph server started with `serve`

>>> graphs_of([])
{}
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import httpx2
import pyoxigraph as ox

from policykg.errors import InputError

__all__ = ["graphs_of", "push"]


def graphs_of(sources: Sequence[Path]) -> dict[str, list[ox.Triple]]:
    """The triples of each named graph of the TriG files, by graph IRI, in a stable order."""
    graphs: dict[str, list[ox.Triple]] = {}
    for source in sources:
        try:
            quads = list(ox.parse(path=str(source), format=ox.RdfFormat.TRIG))
        except (SyntaxError, OSError) as error:
            raise InputError(f"cannot read the graph: {error}", source=str(source)) from error
        for quad in quads:
            if isinstance(quad.graph_name, ox.NamedNode):
                graphs.setdefault(quad.graph_name.value, []).append(quad.triple)
    return {name: sorted(graphs[name], key=str) for name in sorted(graphs)}


def push(
    store: str,
    sources: Sequence[Path],
    *,
    timeout: float = 60.0,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Replace each named graph of ``sources`` in the Graph Store at ``store``; the triples sent
    per graph. Raises InputError for an unreadable file, an unreachable store or a refusal."""
    if not store.startswith(("http://", "https://")):
        raise InputError(f"the graph store must be an http(s) URL, not {store!r}")
    graphs = graphs_of(sources)
    if not graphs:
        raise InputError("no named graph to push: build the graphs first (policykg build)")
    say = progress or (lambda _: None)
    sent: dict[str, int] = {}
    with httpx2.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        for name, triples in graphs.items():
            say(f"pushing {name} ({len(triples)} triples)")
            body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
            try:
                response = client.put(
                    store,
                    params={"graph": name},
                    content=body,
                    headers={"Content-Type": "application/n-triples"},
                )
            except httpx2.HTTPError as error:
                raise InputError(f"cannot reach the graph store: {error}", source=store) from None
            if response.status_code not in {200, 201, 204}:
                detail = response.text[:200].strip()
                raise InputError(
                    f"the graph store refused graph {name}: {response.status_code} {detail}",
                    source=store,
                )
            sent[name] = len(triples)
    return sent
