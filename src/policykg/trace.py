"""Trace a measure (or headline) up to the top of its hierarchy, and the requirements it serves.

A measure climbs the framework (``pk:partOf``: measure → focus area → build → project → work line);
a headline, which belongs to the summary and to no framework node, climbs the document
(``dct:isPartOf``: headline → section → part → report). Every step carries the evidence of the
relation that leads to it: *stated* or *extracted* with the spans of the text, or *curated* with
the curator's rationale. A focus area may serve several builds, so a trace may have several paths.

:func:`trace` runs the named queries on a :class:`~policykg.store.Store`; the work on their rows is
pure (:func:`pick`, :func:`climb`, :func:`assemble`), so a caller with another way to run queries
(the API's query service) builds the same trace from the same rows.

>>> from policykg.paths import graphs_dir
>>> from policykg.store import Store
>>> store = Store.from_files(sorted(graphs_dir().glob("*.trig")))
>>> result = trace(store, "measure/2-2-1")
>>> [step.id for step in result.paths[0]]
['measure/2-2-1', 'area/2', 'build/3', 'project', 'workline']
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace

import networkx as nx

from policykg.errors import InputError
from policykg.export import local_id
from policykg.queries import load_query
from policykg.store import Store

__all__ = [
    "TRACE_QUERIES",
    "BaselineStep",
    "Climb",
    "Evidence",
    "Step",
    "Trace",
    "UnknownNode",
    "assemble",
    "climb",
    "describe",
    "evidence_of",
    "pick",
    "render_json",
    "render_text",
    "resolve",
    "trace",
    "trace_edges",
]

PK = "https://w3id.org/policykg/ontology#"
FRAMEWORK = PK + "partOf"
SERVES = PK + "contributesTo"
TRACE_QUERIES = ("trace-links", "trace-parts")  # bound to a start, their rows are what climb needs


@dataclass(frozen=True)
class Evidence:
    """Why a relation holds: its kind, and the spans that state it or the curator's rationale."""

    kind: str  # stated | extracted | curated
    spans: tuple[tuple[int, int, str], ...] = ()
    rationale: str | None = None


@dataclass(frozen=True)
class Step:
    """A node on a trace, with the relation (and its evidence) that leads to it from below."""

    id: str
    iri: str
    type: str
    label_zh: str | None
    label_en: str | None
    relation: str | None = None  # "partOf", "isPartOf" or "contributesTo"; None for the start
    evidence: Evidence | None = None


@dataclass(frozen=True)
class BaselineStep:
    """The earlier achievement a target is set against."""

    id: str
    iri: str
    surface: str
    value: str
    year: str
    comparability: str  # same | different
    evidence: Evidence


@dataclass(frozen=True)
class Trace:
    """The paths from a node to the top, the requirements served, and a target's baselines."""

    start: Step
    paths: tuple[tuple[Step, ...], ...]
    requirements: tuple[Step, ...]
    baselines: tuple[BaselineStep, ...] = ()


class UnknownNode(InputError):
    """No node has the given IRI, local id or notation."""


def pick(node: str, iris: Iterable[str]) -> str:
    """The one IRI found for ``node`` (the ``find`` query's matches); InputError otherwise.

    >>> pick("area/2", ["https://w3id.org/policykg/id/szamr-2024/area/2"])
    'https://w3id.org/policykg/id/szamr-2024/area/2'
    >>> pick("nope/1", [])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    policykg.trace.UnknownNode: no node 'nope/1': give an IRI, a local id such as ...
    """
    found = sorted(set(iris))
    if not found:
        raise UnknownNode(
            f"no node {node!r}: give an IRI, a local id such as measure/2-2-1, "
            "or a notation such as P2.2.1"
        )
    if len(found) > 1:
        raise InputError(f"{node!r} is ambiguous: " + ", ".join(found))
    return found[0]


def resolve(store: Store, node: str) -> str:
    """The IRI of a node given as an IRI, local id (``measure/2-2-1``) or notation (``P2.2.1``)."""
    if node.startswith(("http://", "https://")):
        found = store.query("SELECT ?node WHERE { ?node ?p ?o } LIMIT 1", {"node": node}).rows
    else:
        found = store.query(load_query("find").text, {"id": node}).rows
    return pick(node, (row["node"] for row in found))


Link = tuple[str, str | None, Evidence | None]  # a node's IRI, the relation to it, its evidence


@dataclass(frozen=True)
class Climb:
    """A trace before its nodes are described: the IRIs on each path and the requirements served,
    each with the relation (and its evidence) that leads to it."""

    start: str
    paths: tuple[tuple[Link, ...], ...]
    requirements: tuple[Link, ...]

    @property
    def nodes(self) -> list[str]:
        """Every node the trace names (to describe with the ``node`` query), sorted."""
        links = [link for path in self.paths for link in path] + list(self.requirements)
        return sorted({self.start} | {iri for iri, _, _ in links})


def climb(start_iri: str, edges: Sequence[Mapping[str, str]]) -> Climb:
    """The paths up from a node over ``trace-edges`` rows (all of them, or those of the links above
    it: :func:`trace_edges`), and the requirements it serves.

    >>> edges = [{"child": "urn:m", "parent": "urn:a", "relation": FRAMEWORK,
    ...           "evidence": PK + "stated"}]
    >>> [[iri for iri, _, _ in path] for path in climb("urn:m", edges).paths]
    [['urn:m', 'urn:a']]
    """
    up: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for row in edges:
        key = (row["child"], row["parent"], row["relation"])
        if up.has_edge(*key):
            up.edges[key]["rows"].append(row)
        else:
            up.add_edge(*key, rows=[row])
    if start_iri not in up:
        up.add_node(start_iri)
    ladder: nx.DiGraph[str] = nx.DiGraph()
    for child in up.nodes:
        relations = {key for _, _, key in up.out_edges(child, keys=True)}
        follow = FRAMEWORK if FRAMEWORK in relations else None
        for _, parent, key in up.out_edges(child, keys=True):
            if key == SERVES:
                continue
            if follow is None or key == follow:
                ladder.add_edge(child, parent, relation=key)
    if start_iri not in ladder:
        ladder.add_node(start_iri)
    reachable = nx.descendants(ladder, start_iri) | {start_iri}
    tops = sorted(n for n in reachable if ladder.out_degree(n) == 0)

    def link(iri: str, relation: str, child: str) -> Link:
        rows = up.edges[child, iri, relation]["rows"] if up.has_edge(child, iri, relation) else []
        return (iri, _name(relation), evidence_of(rows))

    paths = []
    for top in tops:
        for path in (
            nx.all_simple_paths(ladder, start_iri, top) if top != start_iri else [[start_iri]]
        ):
            links: list[Link] = [(path[0], None, None)]
            for child, parent in itertools.pairwise(path):
                links.append(link(parent, ladder.edges[child, parent]["relation"], child))
            paths.append(tuple(links))
    paths.sort(key=lambda p: [local_id(iri) for iri, _, _ in p])
    served = []
    on_paths = sorted({iri for p in paths for iri, _, _ in p})
    for iri in on_paths:
        for _, requirement, key in sorted(up.out_edges(iri, keys=True)):
            if key == SERVES:
                served.append(link(requirement, SERVES, iri))
    return Climb(start_iri, tuple(paths), tuple(served))


def assemble(
    plan: Climb,
    nodes: Mapping[str, Sequence[Mapping[str, str]]],
    baselines: Sequence[Mapping[str, str]] = (),
) -> Trace:
    """The trace from a climb, the ``node`` rows of each of its nodes and the ``baseline`` rows of
    its start."""
    described = {iri: describe(iri, nodes.get(iri, ())) for iri in plan.nodes}

    def step(link: Link) -> Step:
        iri, relation, evidence = link
        return replace(described[iri], relation=relation, evidence=evidence)

    return Trace(
        described[plan.start],
        tuple(tuple(step(link) for link in path) for path in plan.paths),
        tuple(step(link) for link in plan.requirements),
        tuple(
            BaselineStep(
                local_id(row["achievement"]),
                row["achievement"],
                row["surface"],
                row["value"],
                row["year"],
                row["comparability"],
                Evidence(_name(row["evidence"]), (), row.get("rationale")),
            )
            for row in baselines
        ),
    )


def trace(store: Store, node: str) -> Trace:
    """Trace a node up to the top of its hierarchy; InputError when there is no such node."""
    start_iri = resolve(store, node)
    plan = climb(start_iri, trace_edges(store, start_iri))
    nodes = {iri: store.query(load_query("node").text, {"node": iri}).rows for iri in plan.nodes}
    baselines = store.query(load_query("baseline").text, {"target": start_iri}).rows
    return assemble(plan, nodes, baselines)


def trace_edges(store: Store, start_iri: str) -> list[dict[str, str]]:
    """The ``trace-edges`` rows a climb from ``start_iri`` needs: those of the links out of the
    node and of every node above it, read by ``trace-links`` and ``trace-parts`` bound to it (so
    their cost does not grow with the dataset, where ``trace-edges`` reads every link)."""
    return [
        row
        for name in TRACE_QUERIES
        for row in store.query(load_query(name).text, {"start": start_iri}).rows
    ]


def _name(relation: str) -> str:
    return relation.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def evidence_of(rows: Sequence[Mapping[str, str]]) -> Evidence:
    """The evidence of one relation from its ``trace-edges`` rows (kind, spans, rationale)."""
    kind = _name(rows[0]["evidence"]) if rows else "stated"
    spans = sorted({(int(r["begin"]), int(r["end"]), r["anchor"]) for r in rows if "begin" in r})
    rationale = next((r["rationale"] for r in rows if "rationale" in r), None)
    return Evidence(kind, tuple(spans), rationale)


def describe(iri: str, rows: Sequence[Mapping[str, str]]) -> Step:
    """A node as a step from its ``node`` rows: its own type (not a SKOS one) and labels."""
    types = [_name(r["type"]) for r in rows]
    own = (
        [t for t in types if t not in {"Concept", "ConceptScheme", "Collection"}] or types or ["?"]
    )
    zh = next((r["label_zh"] for r in rows if "label_zh" in r), None)
    en = next((r["label_en"] for r in rows if "label_en" in r), None)
    return Step(local_id(iri), iri, own[0], zh, en)


def render_json(result: Trace) -> str:
    """The trace as JSON: start, paths (lists of steps) and requirements."""
    return json.dumps(asdict(result), ensure_ascii=False, indent=2) + "\n"


def render_text(result: Trace) -> str:
    """The trace as indented text, one step a line, with its evidence beneath."""
    lines = []
    for n, path in enumerate(result.paths, 1):
        if len(result.paths) > 1:
            lines.append(f"path {n}:")
        for depth, step in enumerate(path):
            lines.extend(_step_lines(step, depth))
    if result.requirements:
        lines.append("serves the requirements:")
        for step in result.requirements:
            lines.extend(_step_lines(step, 1))
    if result.baselines:
        lines.append("baseline:")
        for base in result.baselines:
            lines.append(f"  {base.id}  {base.surface} ({base.year})")
            why = f": {base.evidence.rationale}" if base.evidence.rationale else ""
            lines.append(f"      {base.comparability} basis, {base.evidence.kind}{why}")
            lines.append(f"      {base.iri}")
    return "\n".join(lines) + "\n"


def _step_lines(step: Step, depth: int) -> list[str]:
    pad = "  " * depth
    label = " | ".join(x for x in (step.label_zh, step.label_en) if x) or "(unnamed)"
    arrow = "↑ " if step.relation and step.relation != "contributesTo" else ""
    head = f"{pad}{arrow}{step.id}  [{step.type}]  {label}"
    lines = [head]
    if step.evidence:
        ev = step.evidence
        where = f"{pad}    {step.relation}, {ev.kind}"
        if ev.rationale:
            where += f": {ev.rationale}"
        lines.append(where)
        for begin, end, anchor in ev.spans:
            shown = anchor if len(anchor) <= 60 else anchor[:57] + "…"
            lines.append(f"{pad}    [{begin}, {end}) “{shown}”")
    lines.append(f"{pad}    {step.iri}")
    return lines
