"""The rewritten named queries give the rows of their earlier forms on the real graph.

The forms before (``tests/data/queries-before``) are run as the store ran them then: parameters
bound by pyoxigraph's substitution. The shipped forms run through :class:`policykg.store.Store`
(parameters bound by a ``VALUES`` clause). The trace's ``trace-links`` and ``trace-parts``, bound
to a node, give the ``trace-edges`` rows of the links out of that node and the nodes above it,
and the same climb.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pyoxigraph as ox
import pytest

from policykg.paths import graphs_dir
from policykg.queries import load_query
from policykg.store import Store, load_store
from policykg.trace import climb, trace_edges

BEFORE = Path(__file__).parent / "data" / "queries-before"
PK = "https://w3id.org/policykg/ontology#"
ORG = "http://www.w3.org/ns/org#"


@pytest.fixture(scope="module")
def dataset() -> ox.Store:
    return load_store(sorted(graphs_dir().glob("*.trig")))


@pytest.fixture(scope="module")
def store(dataset: ox.Store) -> Store:
    return Store(dataset)


def nodes(store: Store, cls: str) -> list[str]:
    rows = store.query(f"SELECT ?n WHERE {{ ?n a <{cls}> }}").rows
    return sorted(row["n"] for row in rows)


def before(dataset: ox.Store, name: str, bindings: Mapping[str, str]) -> list[dict[str, str]]:
    """The earlier form's rows, bound by substitution as the store did."""
    text = (BEFORE / f"{name}.rq").read_text(encoding="utf-8")
    substitutions = {ox.Variable(k): ox.NamedNode(v) for k, v in bindings.items()}
    result = dataset.query(
        text, use_default_graph_as_union=True, substitutions=substitutions or None
    )
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{v: s[v].value for v in names if s[v] is not None} for s in result]


# (query, parameter, class of the nodes it is bound to; None: run once unbound)
CASES = [
    ("api-achievements", "indicator", PK + "Indicator"),
    ("api-areas", None, None),
    ("api-areas", "area", PK + "FocusArea"),
    ("api-assignments", None, None),
    ("api-assignments", "measure", PK + "Measure"),
    ("api-assignments", "unit", ORG + "OrganizationalUnit"),
    ("api-framework", None, None),
    ("api-measure", "measure", PK + "Measure"),
    ("api-targets", None, None),
    ("api-targets", "area", PK + "FocusArea"),
    ("api-targets", "measure", PK + "Measure"),
    ("api-targets", "indicator", PK + "Indicator"),
    ("api-targets", "target", PK + "Target"),
    ("export-units", None, None),
    ("export-units", "iri", ORG + "Organization"),
    ("search-corpus", None, None),
]


def unordered(rows: list[dict[str, str]]) -> list[tuple[tuple[str, str], ...]]:
    return sorted(tuple(sorted(row.items())) for row in rows)


@pytest.mark.parametrize(("name", "param", "cls"), CASES)
def test_rewritten_query_gives_the_rows_it_gave(
    dataset: ox.Store, store: Store, name: str, param: str | None, cls: str | None
) -> None:
    shipped = load_query(name).text
    bindings = [{}] if param is None or cls is None else [{param: n} for n in nodes(store, cls)]
    assert bindings, f"no {cls} in the graph to bind {param} to"
    found = 0
    for bound in bindings:
        old = before(dataset, name, bound)
        new = store.query(shipped, bound).rows
        if "\nORDER BY" in shipped:  # the query's own clause, not a comment's words
            assert new == old, (name, bound)
        else:  # the same rows, as many times each, in any order
            assert unordered(new) == unordered(old), (name, bound)
        found += len(new)
    assert found > 0, f"{name} gave no rows at all: the comparison proved nothing"


def above(start: str, every: list[dict[str, str]]) -> set[str]:
    """The node and every node above it over trace-edges rows (pk:partOf, dct:isPartOf)."""
    up: dict[str, set[str]] = {}
    for row in every:
        if not row["relation"].endswith("#contributesTo"):
            up.setdefault(row["child"], set()).add(row["parent"])
    seen, todo = {start}, [start]
    while todo:
        for parent in up.get(todo.pop(), set()) - seen:
            seen.add(parent)
            todo.append(parent)
    return seen


def test_trace_queries_give_the_trace_edges_above_a_node(store: Store) -> None:
    every = store.query(load_query("trace-edges").text).rows
    starts = sorted({row["child"] for row in every})
    assert len(starts) > 50  # measures, targets, areas, headlines, sections …
    relations = set()
    for start in starts:
        rows = trace_edges(store, start)
        assert {row["start"] for row in rows} == {start}
        got = sorted(tuple(sorted((k, v) for k, v in r.items() if k != "start")) for r in rows)
        nodes_up = above(start, every)
        expected = sorted(tuple(sorted(r.items())) for r in every if r["child"] in nodes_up)
        assert got == expected, start
        assert climb(start, rows) == climb(start, every), start
        relations.update(row["relation"] for row in rows)
    assert relations == {PK + "partOf", PK + "contributesTo", "http://purl.org/dc/terms/isPartOf"}


def test_find_looks_up_the_nodes_it_scanned_for(dataset: ox.Store, store: Store) -> None:
    """``find`` looks up each candidate IRI (a document's IRI or the id base, then the id) and
    the notation, where it scanned every triple for an IRI ending with the id: the same nodes
    for every local id, every notation, a qualified id and ids that name nothing."""
    base = "https://w3id.org/policykg/id/"
    iris = [row["n"] for row in store.query("SELECT DISTINCT ?n WHERE { ?n ?p ?o }").rows]
    ids = {iri[len(base) :] for iri in iris if iri.startswith(base + "unit/")}
    ids |= {iri[len(base) :].partition("/")[2] for iri in iris if iri.startswith(base + "szamr")}
    notations = store.query(
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "SELECT DISTINCT ?c WHERE { ?n skos:notation ?c }"
    ).rows
    # a notation P2.2.1 (a bare digit notation, the groups' 4 6 8 10, was also the ending of
    # every …/10 IRI to the old form: not an id either form is asked for)
    ids |= {row["c"] for row in notations if row["c"].startswith("P")}
    ids |= {"szamr-2024/measure/2-2-1", "measure/9-9-9", "nope", "P9.9"}
    ids.discard("")
    assert len(ids) > 1000
    text = (BEFORE / "find.rq").read_text(encoding="utf-8")
    shipped = load_query("find").text
    found = 0
    for given in sorted(ids):
        old = dataset.query(
            text,
            use_default_graph_as_union=True,
            substitutions={ox.Variable("id"): ox.Literal(given)},
        )
        assert isinstance(old, ox.QuerySolutions)
        expected = sorted(s["node"].value for s in old)
        if given == "szamr-2024/measure/2-2-1":  # the old form found it by its ending too
            assert expected == [base + given]
        got = sorted(row["node"] for row in store.query(shipped, {"id": given}).rows)
        assert got == expected, given
        found += len(got)
    assert found > 1000
