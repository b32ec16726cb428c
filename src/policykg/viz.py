"""The graph view: the plan as an interactive network, drawn in the browser by vis-network.

networkx does the graph work. :func:`plan_graph` turns the rows of the named queries
``view-nodes``, ``view-edges``, ``view-quantities`` and ``trace-edges`` into a :class:`PlanGraph`:
a typed ``DiGraph`` of the work line, project, builds, requirements, focus areas, task lists,
measures, targets, achievements, indicators and units, whose edges run from the node below to the
node above or beside (``partOf``, ``contributesTo``, ``measures``, ``baseline``, ``unitOf``, and a
unit's ``role`` in a measure: measure → unit). What every view needs is computed there, once: the
targets beneath each node (``nx.descendants`` of each target), and the focus areas, units and
years each node belongs to (for the filters), and each node's vis-network record (colour and
shape by type, size by the targets beneath, zh and en labels, a plain-text tooltip).

:func:`view` then picks what to show and lists it for vis-network in time linear in the nodes and
edges shown: the whole plan, a node's neighbourhood (``nx.ego_graph`` on the undirected view), or
a trace (:func:`policykg.trace.climb`: the paths up to the work line and the requirements served,
highlighted); filtered by type, focus area, year and unit. Above a node budget the view opens on
the framework only and the page expands a node on click (:func:`expand`).

pyvis serves where it is good: its ``Network`` options make the two layouts (hierarchical with
the work line on top; free, with physics), and its HTML generation renders this package's own
template (``templates/graph.html``, autoescaped). Its ``add_node``/``add_edge`` (quadratic) and its
templates (which load Bootstrap and vis-network from CDNs) are not used. The page's scripts are
vis-network, vendored from the npm registry under ``assets/vis-network/``, and ``assets/graph.js``:
inlined into the self-contained file (:func:`render`), served by the API under ``/graph/assets/``.

Graph text is data, never markup: JSON in a ``<script>`` block has ``<``, ``>``, ``&``, U+2028 and
U+2029 escaped (:func:`script_json`), and tooltips are plain text that the page puts into DOM text
nodes.

>>> from policykg.paths import graphs_dir
>>> from policykg.store import Store
>>> plan = load_plan(Store.from_files(sorted(graphs_dir().glob("*.trig"))))
>>> data = view(plan, trace="target/2-2-1-1")
>>> data["highlight"]["nodes"]
['target/2-2-1-1', 'measure/2-2-1', 'area/2', 'build/3', 'project', 'workline', 'requirement/5']
>>> plan.targets["workline"], plan.targets["area/2"], plan.targets["indicator/11"]
(20, 3, 1)
"""

from __future__ import annotations

import itertools
import json
import math
import os
import re
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, NotRequired, TypedDict

import jinja2
import networkx as nx
from markupsafe import Markup

from policykg.errors import InputError
from policykg.export import document_of, local_id
from policykg.queries import load_query
from policykg.store import Store
from policykg.trace import UnknownNode, climb

__all__ = [
    "ASSETS",
    "ASSET_ROUTE",
    "BUDGET",
    "FRAMEWORK",
    "ID_BASE",
    "NODE_TYPES",
    "STYLES",
    "VIEW_QUERIES",
    "Expansion",
    "Node",
    "PlanGraph",
    "Quantity",
    "Style",
    "ViewData",
    "VisEdge",
    "VisNode",
    "expand",
    "heading_of",
    "layouts",
    "load_plan",
    "plan_graph",
    "render",
    "resolve",
    "script_json",
    "script_safe",
    "sentence_around",
    "size_of",
    "synthetic_rows",
    "to_html",
    "view",
    "write_file",
]

PK = "https://w3id.org/policykg/ontology#"
ORG = "http://www.w3.org/ns/org#"
ID_BASE = "https://w3id.org/policykg/id/"
HERE = Path(__file__).resolve().parent
ASSETS = HERE / "assets"
TEMPLATES = HERE / "templates"
TEMPLATE = "graph.html"
ASSET_ROUTE = "/graph/assets"  # where the API serves ASSETS
VIEW_QUERIES = ("view-nodes", "view-edges", "view-quantities", "trace-edges")
BUDGET = 1500  # above this many nodes a view opens on the framework and expands on click
Row = Mapping[str, str]
NaturalKey = tuple[tuple[int, int, str], ...]


@dataclass(frozen=True)
class Style:
    """How a type of node looks: legend labels, vis-network shape and colour, level, base size."""

    label_zh: str
    label_en: str
    shape: str
    color: str
    level: int  # in the hierarchical layout: 0 (the work line) on top
    size: float  # the size of a node with no target beneath
    glyph: str  # the shape as a character, for the legend


STYLES: dict[str, Style] = {
    "WorkLine": Style("工作主线", "Work line", "star", "#b2182b", 0, 22, "★"),
    "Project": Style("工程", "Project", "hexagon", "#d6604d", 1, 18, "⬢"),
    "Build": Style("建设", "Build", "square", "#f46d43", 2, 15, "■"),
    "Requirement": Style("要求", "Requirement", "triangle", "#762a83", 1, 15, "▲"),
    "FocusArea": Style("重点领域", "Focus area", "diamond", "#2166ac", 3, 15, "◆"),
    "TaskList": Style("任务清单", "Task list", "triangleDown", "#9970ab", 1, 11, "▼"),
    "Measure": Style("举措", "Measure", "dot", "#4393c3", 4, 10, "●"),
    "Target": Style("目标", "Target", "dot", "#1a9850", 5, 8, "●"),
    "Achievement": Style("成效", "Achievement", "triangleDown", "#91cf60", 7, 6, "▼"),
    "Indicator": Style("指标", "Indicator", "square", "#878787", 6, 6, "■"),
    "Unit": Style("单位", "Unit", "hexagon", "#8c510a", 5, 8, "⬢"),
}
NODE_TYPES = tuple(STYLES)
FRAMEWORK = frozenset({"WorkLine", "Project", "Build", "Requirement", "FocusArea", "TaskList"})
QUANTITIES = frozenset({"Target", "Achievement"})
RANK = {kind: rank for rank, kind in enumerate(NODE_TYPES)}
TYPE_OF = {PK + kind: kind for kind in NODE_TYPES if kind != "Unit"} | {
    ORG + "Organization": "Unit",
    ORG + "OrganizationalUnit": "Unit",
}
PREFIX = {"FocusArea": "area", "Unit": "unit", "Measure": "measure", "Target": "target"}
EDGE_STYLES: dict[str, tuple[str, bool | list[int], str, str]] = {  # colour, dashes, zh, en
    "partOf": ("#7f7f7f", False, "属于", "part of"),
    "contributesTo": ("#762a83", [8, 4], "服务于", "serves"),
    "measures": ("#b8b8b8", [2, 4], "度量", "measures"),
    "baseline": ("#1a9850", [6, 3], "基线", "baseline"),
    "unitOf": ("#8c510a", False, "隶属", "unit of"),
    "role": ("#dfc27d", False, "职责", "role"),
}
HIGHLIGHT = "#d62728"
SOURCE_CHARS = 280  # the longest source text a tooltip quotes
SENTENCE_END = "。；;！？!?\n"


@dataclass(frozen=True)
class Quantity:
    """A target's or achievement's value as its tooltip states it."""

    value: str
    value_high: str | None
    unit: str | None
    comparator: str
    commitment: str | None
    change: str | None
    year: int
    surface: str
    sentence: str | None  # the sentence of the source that holds it


@dataclass(frozen=True)
class Node:
    """A node of the view: its id (local id), IRI, type and what the text says of it."""

    id: str
    iri: str
    type: str
    label_zh: str | None
    label_en: str | None
    notation: str | None
    ordinal: int | None
    year: int | None
    spans: tuple[tuple[int, int, str], ...]
    quantity: Quantity | None = None


class VisNode(TypedDict):
    """A vis-network node, with what the page's filters, search and toggles read."""

    id: str
    label: str
    label_zh: str
    label_en: str
    group: str
    shape: str
    color: str
    size: float
    level: int
    title: str  # plain text, never HTML: the page puts it in a DOM text node
    iri: str
    targets: int
    areas: list[str]
    units: list[str]
    years: list[int]
    borderWidth: NotRequired[int]
    opacity: NotRequired[float]
    expandable: NotRequired[bool]
    reserve: NotRequired[bool]


VisEdge = TypedDict(
    "VisEdge",
    {
        "id": str,
        "from": str,
        "to": str,
        "relation": str,
        "title": str,
        "color": dict[str, str | float],
        "dashes": bool | list[int],
        "arrows": str,
        "width": float,
        "label": NotRequired[str],
        "reserve": NotRequired[bool],
    },
)


class LegendEntry(TypedDict):
    type: str
    label_zh: str
    label_en: str
    shape: str
    color: str
    glyph: str
    count: int  # in this view
    total: int  # in the whole graph


class EdgeLegendEntry(TypedDict):
    relation: str
    label_zh: str
    label_en: str
    color: str
    dashes: bool | list[int]


class Choice(TypedDict):
    id: str
    label_zh: str
    label_en: str


class Choices(TypedDict):
    areas: list[Choice]
    years: list[int]
    units: list[Choice]


class Filters(TypedDict):
    types: list[str] | None
    area: str | None
    year: int | None
    unit: str | None
    document: str | None


class Highlight(TypedDict):
    nodes: list[str]
    edges: list[str]


class Reserve(TypedDict):
    nodes: list[VisNode]
    edges: list[VisEdge]


class ViewData(TypedDict):
    """What the page draws: vis-network nodes and edges, and what the page says about them."""

    nodes: list[VisNode]
    edges: list[VisEdge]
    counts: dict[str, int]  # nodes of each type in this view
    totals: dict[str, int]  # nodes of each type in the whole graph
    legend: list[LegendEntry]
    edge_legend: list[EdgeLegendEntry]
    collapsed: bool  # over the budget: the framework only, expand on click
    budget: int
    focus: str | None
    depth: int | None
    trace: str | None
    highlight: Highlight
    fit: list[str]  # what the first frame shows: the trace, or the framework and measures
    filters: Filters
    choices: Choices
    reserve: Reserve  # held back when collapsed, for a page with no server (render)


class Expansion(TypedDict):
    """A node's neighbours, to add to a collapsed view."""

    node: str
    nodes: list[VisNode]
    edges: list[VisEdge]
    more: int  # neighbours left out past the limit


@dataclass(frozen=True)
class PlanGraph:
    """The view's graph and what every view of it needs, computed once."""

    graph: nx.DiGraph[str]  # node attribute "type"; edge attributes relation, roles
    nodes: Mapping[str, Node]
    order: tuple[str, ...]  # the framework tree depth first from the work line, then by type
    position: Mapping[str, int]  # each node's place in ``order``
    targets: Mapping[str, int]  # targets beneath each node
    areas: Mapping[str, frozenset[str]]  # the focus areas a node is under, above or beside
    units: Mapping[str, frozenset[str]]  # the units whose measures a node is under or above
    years: Mapping[str, frozenset[int]]  # a quantity's year; an indicator's quantities' years
    vis_nodes: Mapping[str, VisNode]
    vis_edges: Mapping[tuple[str, str], VisEdge]
    trace_edges: tuple[Row, ...]
    by_iri: Mapping[str, str]
    by_notation: Mapping[str, str]
    totals: Mapping[str, int]  # nodes of each type
    choices: Choices  # what the filters offer


# -- building the graph ------------------------------------------------------------------------


def load_plan(store: Store) -> PlanGraph:
    """The plan graph of a store, from the named view queries."""
    return plan_graph({name: store.query(load_query(name).text).rows for name in VIEW_QUERIES})


def plan_graph(rows: Mapping[str, Sequence[Row]]) -> PlanGraph:
    """The plan graph from the rows of :data:`VIEW_QUERIES` (by query name)."""
    nodes = _nodes(rows["view-nodes"], rows.get("view-quantities", ()))
    by_iri = {node.iri: node.id for node in nodes.values()}
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from((node.id, {"type": node.type}) for node in nodes.values())
    for row in rows["view-edges"]:
        source, target = by_iri.get(row["source"]), by_iri.get(row["target"])
        if source is None or target is None or source == target:
            continue
        relation = _name(row["relation"])
        role = _name(row["role"]) if row.get("role") else None
        if graph.has_edge(source, target):
            data = graph.edges[source, target]
            if role and data["relation"] == "role" and role not in data["roles"]:
                data["roles"] = tuple(sorted((*data["roles"], role)))
            continue
        graph.add_edge(
            source,
            target,
            relation=relation,
            roles=(role,) if role else (),
            comparability=row.get("comparability"),
        )
    natural = {node: _natural(node) for node in nodes}  # sort keys, computed once
    order = _tree_order(graph, nodes, natural)
    targets = _targets_beneath(graph, nodes, order)
    areas, units, years = _scopes(graph, nodes, order)
    vis_nodes = {
        n: _vis_node(graph, nodes, n, targets[n], areas[n], units[n], years[n], natural)
        for n in order
    }
    vis_edges = {(u, v): _vis_edge(u, v, data) for u, v, data in graph.edges(data=True)}
    return PlanGraph(
        graph=graph,
        nodes=nodes,
        order=order,
        position={node: i for i, node in enumerate(order)},
        targets=targets,
        areas=areas,
        units=units,
        years=years,
        vis_nodes=vis_nodes,
        vis_edges=vis_edges,
        trace_edges=tuple(rows.get("trace-edges", ())),
        by_iri=by_iri,
        by_notation={node.notation: node.id for node in nodes.values() if node.notation},
        totals=Counter(node.type for node in nodes.values()),
        choices=_choices(nodes, years, natural),
    )


def _nodes(rows: Iterable[Row], quantity_rows: Iterable[Row]) -> dict[str, Node]:
    grouped: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        if row.get("type") in TYPE_OF:
            grouped[row["node"]].append(row)
    quantities: dict[str, Quantity] = {}
    for row in quantity_rows:
        if row["node"] in quantities:
            continue
        sentence = None
        if row.get("parent_text") and row.get("start") and row.get("parent_start"):
            offset = int(row["parent_start"])
            sentence = sentence_around(
                row["parent_text"], int(row["start"]) - offset, int(row["end"]) - offset
            )
        quantities[row["node"]] = Quantity(
            value=_number(row["value"]),
            value_high=_number(row["value_high"]) if row.get("value_high") else None,
            unit=row.get("unit"),
            comparator=row["comparator"],
            commitment=row.get("commitment"),
            change=row.get("change"),
            year=int(row["year"][:4]),
            surface=row["surface"],
            sentence=sentence,
        )
    nodes: dict[str, Node] = {}
    for iri in sorted(grouped):
        group = grouped[iri]
        kind = min((TYPE_OF[r["type"]] for r in group), key=RANK.__getitem__)
        node_id = local_id(iri)
        if node_id in nodes:  # two documents with the same local id: the IRI tells them apart
            node_id = iri
        spans = sorted({(int(r["start"]), int(r["end"]), r["text"]) for r in group if "start" in r})
        nodes[node_id] = Node(
            id=node_id,
            iri=iri,
            type=kind,
            label_zh=_first(group, "label_zh"),
            label_en=_first(group, "label_en"),
            notation=_first(group, "notation"),
            ordinal=int(ordinal) if (ordinal := _first(group, "ordinal")) else None,
            year=int(year[:4]) if (year := _first(group, "year")) else None,
            spans=tuple(spans),
            quantity=quantities.get(iri),
        )
    return nodes


def _relations(graph: nx.DiGraph[str]) -> Iterator[tuple[str, str, str]]:
    """Each edge with its relation."""
    for source, target, data in graph.edges(data=True):
        yield source, target, data["relation"]


def _tree_order(
    graph: nx.DiGraph[str], nodes: Mapping[str, Node], natural: Mapping[str, NaturalKey]
) -> tuple[str, ...]:
    """The nodes depth first down the framework from each work line (children by type, then
    natural order of ids), then the others by type and id: the order vis-network places the
    nodes of a level in, so that a focus area's measures sit together under it."""

    def key(node: str) -> tuple[int, NaturalKey]:
        return RANK[nodes[node].type], natural[node]

    down: nx.DiGraph[str] = nx.DiGraph()
    down.add_nodes_from(graph)
    down.add_edges_from(
        (v, u)
        for u, v, r in _relations(graph)
        if r in {"partOf", "contributesTo"} and nodes[u].type in FRAMEWORK | {"Measure", "Target"}
    )
    ranked = sorted(nodes, key=key)
    found: dict[str, None] = {}
    for root in (n for n in ranked if nodes[n].type == "WorkLine"):
        found.update(dict.fromkeys(nx.dfs_preorder_nodes(down, root, sort_neighbors=_sorter(key))))
    found.update(dict.fromkeys(ranked))
    return tuple(found)


def _sorter(key: Callable[[str], tuple[int, NaturalKey]]) -> Callable[[Iterable[str]], list[str]]:
    def sort(neighbours: Iterable[str]) -> list[str]:
        return sorted(neighbours, key=key)

    return sort


def _targets_beneath(
    graph: nx.DiGraph[str], nodes: Mapping[str, Node], order: Sequence[str]
) -> dict[str, int]:
    """How many targets lie beneath each node: every node a target reaches going up (its
    measure, area, builds, project, work line, requirements, indicator, the units answering
    for its measure), counted once per target however many paths lead there."""
    up: nx.DiGraph[str] = nx.DiGraph()
    up.add_nodes_from(graph)
    up.add_edges_from((u, v) for u, v, r in _relations(graph) if r != "baseline")
    counts: Counter[str] = Counter()
    for node in order:
        if nodes[node].type == "Target":
            counts.update(nx.descendants(up, node))
    return {node: counts[node] for node in order}


Scope = dict[str, set[str]]


def _scopes(
    graph: nx.DiGraph[str], nodes: Mapping[str, Node], order: Sequence[str]
) -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]], dict[str, frozenset[int]]]:
    """For each node, the focus areas and units whose filter keeps it, and its years.

    A focus area keeps itself, what is beneath it (measures, targets), what is above it (builds,
    project, work line, the requirements it serves), its targets' indicators and baselines, those
    indicators' achievements, and the units with a role in its measures (and their
    organisations). A unit keeps itself and its organisations, the measures it has a role in with
    what is beneath and above them, and their targets' indicators, baselines and achievements.
    """
    below: nx.DiGraph[str] = nx.DiGraph()  # partOf: what is beneath a node
    above: nx.DiGraph[str] = nx.DiGraph()  # partOf and contributesTo: what a node is under
    unit_of: nx.DiGraph[str] = nx.DiGraph()
    for u, v, relation in _relations(graph):
        if relation == "partOf":
            below.add_edge(u, v)
        if relation in {"partOf", "contributesTo"}:
            above.add_edge(u, v)
        if relation == "unitOf":
            unit_of.add_edge(u, v)

    def chain(node: str) -> set[str]:
        found = {node}
        if node in below:
            found |= nx.ancestors(below, node)
        if node in above:
            found |= nx.descendants(above, node)
        return found

    roles = [(u, v) for u, v, r in _relations(graph) if r == "role"]
    areas: Scope = defaultdict(set)
    for node in order:
        if nodes[node].type == "FocusArea":
            for member in chain(node):
                areas[member].add(node)
    _beside(graph, nodes, areas)
    for measure, unit in roles:
        areas[unit] |= areas[measure]
    for unit in order:
        if unit in unit_of and areas[unit]:
            for parent in nx.descendants(unit_of, unit):
                areas[parent] |= areas[unit]

    units: Scope = defaultdict(set)
    for measure, unit in roles:
        for member in chain(measure):
            units[member].add(unit)
    _beside(graph, nodes, units)
    for unit in order:
        if nodes[unit].type == "Unit":
            units[unit].add(unit)
            if unit in unit_of:
                for parent in nx.descendants(unit_of, unit):
                    units[parent].add(unit)

    years: dict[str, set[int]] = defaultdict(set)
    for node in order:
        quantity = nodes[node].quantity
        year = quantity.year if quantity else nodes[node].year
        if nodes[node].type in QUANTITIES and year is not None:
            years[node].add(year)
    for u, v, relation in _relations(graph):
        if relation == "measures":
            years[v] |= years[u]
    return (
        {n: frozenset(areas[n]) for n in order},
        {n: frozenset(units[n]) for n in order},
        {n: frozenset(years[n]) for n in order},
    )


def _beside(graph: nx.DiGraph[str], nodes: Mapping[str, Node], scope: Scope) -> None:
    """Spread a scope from targets to their indicators and baselines, then from indicators to
    the achievements that measure them."""
    for u, v, relation in _relations(graph):
        if relation == "baseline" or (relation == "measures" and nodes[u].type == "Target"):
            scope[v] |= scope[u]
    for u, v, relation in _relations(graph):
        if relation == "measures" and nodes[u].type == "Achievement":
            scope[u] |= scope[v]


# -- the records vis-network draws -------------------------------------------------------------


def size_of(kind: str, targets: int) -> float:
    """A node's size: its type's base size, growing with the square root of the targets beneath.

    >>> size_of("Measure", 0), size_of("Measure", 4)
    (10.0, 20.0)
    """
    return round(STYLES[kind].size + 5 * math.sqrt(targets), 1)


def _labels(node: Node) -> tuple[str, str]:
    style = STYLES[node.type]
    number = node.ordinal if node.ordinal is not None else node.id.rsplit("/", 1)[-1]
    zh = node.label_zh or (f"{style.label_zh} {number}（未具名）" if not node.label_en else "")
    en = node.label_en or (f"{style.label_en} {number} (unnamed)" if not node.label_zh else "")
    return zh or en, en or zh


def _vis_node(
    graph: nx.DiGraph[str],
    nodes: Mapping[str, Node],
    node_id: str,
    targets: int,
    areas: Collection[str],
    units: Collection[str],
    years: Collection[int],
    natural: Mapping[str, NaturalKey],
) -> VisNode:
    node = nodes[node_id]
    style = STYLES[node.type]
    zh, en = _labels(node)
    return {
        "id": node_id,
        "label": zh,
        "label_zh": zh,
        "label_en": en,
        "group": node.type,
        "shape": style.shape,
        "color": style.color,
        "size": size_of(node.type, targets),
        "level": style.level,
        "title": _tooltip(graph, nodes, node, targets),
        "iri": node.iri,
        "targets": targets,
        "areas": sorted(areas, key=natural.__getitem__),
        "units": sorted(units, key=natural.__getitem__),
        "years": sorted(years),
    }


def _tooltip(graph: nx.DiGraph[str], nodes: Mapping[str, Node], node: Node, targets: int) -> str:
    """A node's tooltip: plain text, one fact a line."""
    style = STYLES[node.type]
    lines = [node.label_zh or node.label_en or f"{style.label_zh}（未具名 unnamed）"]
    if node.label_en and node.label_zh:
        lines.append(node.label_en)
    kind = f"{style.label_zh} {style.label_en} · {node.id}"
    lines.append(kind + (f" · {node.notation}" if node.notation else ""))
    quantity = node.quantity
    if quantity:
        value = quantity.value + (f"–{quantity.value_high}" if quantity.value_high else "")
        lines.append(f"值 value: {quantity.comparator} {value} {quantity.unit or ''}".rstrip())
        facts = [quantity.surface, str(quantity.year)]
        facts += [fact for fact in (quantity.commitment, quantity.change) if fact]
        lines.append(" · ".join(facts))
        for achievement, data in sorted(graph.succ[node.id].items()):
            if data["relation"] == "baseline":
                base = nodes[achievement].quantity
                said = f"{base.surface} ({base.year})" if base else achievement
                basis = f", {data['comparability']} basis" if data.get("comparability") else ""
                lines.append(f"基线 baseline: {said}{basis} · {achievement}")
        if quantity.sentence:
            lines.append(f"原文 source: “{_clip(quantity.sentence)}”")
    elif node.spans:
        begin, end, text = node.spans[0]
        lines.append(f"原文 source: “{_clip(text)}” [{begin}, {end})")
    if node.type == "Unit" and node.spans:
        lines.append(f"提及 mentioned {len(node.spans)}×")
    if node.type not in QUANTITIES and targets:
        lines.append(f"下属目标 targets beneath: {targets}")
    return "\n".join(lines)


def _vis_edge(source: str, target: str, data: Mapping[str, Any]) -> VisEdge:
    relation: str = data["relation"]
    color, dashes, zh, en = EDGE_STYLES.get(relation, ("#999999", False, relation, relation))
    roles: tuple[str, ...] = data.get("roles") or ()
    what = f"{zh} {en}" + (f": {', '.join(roles)}" if roles else "")
    if data.get("comparability"):
        what += f" ({data['comparability']} basis)"
    edge: VisEdge = {
        "id": f"{source}|{relation}|{target}",
        "from": source,
        "to": target,
        "relation": relation,
        "title": f"{what}\n{source} → {target}",
        "color": {"color": color, "opacity": 1.0},
        "dashes": dashes,
        "arrows": "to",
        "width": 1.0,
    }
    shown = [role for role in roles if role != "owner"]
    if shown:
        edge["label"] = ", ".join(shown)
    return edge


# -- views -------------------------------------------------------------------------------------


def resolve(plan: PlanGraph, given: str, kind: str | None = None) -> str:
    """The id of a node given as a local id (``area/2``), a notation (``P2.2.1``), an IRI, or,
    with ``kind``, a bare local name (``2`` for a focus area, ``bureau`` for a unit).

    >>> plan = plan_graph(synthetic_rows(60))
    >>> resolve(plan, "2", "FocusArea"), resolve(plan, "P1.1")
    ('area/2', 'measure/1-1')
    >>> resolve(plan, "area/99")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    policykg.trace.UnknownNode: no node 'area/99' in the graph view: give a local id such as ...
    """
    found = plan.by_iri.get(given) or plan.by_notation.get(given)
    if found is None and given in plan.nodes:
        found = given
    if found is None and kind in PREFIX and f"{PREFIX[kind]}/{given}" in plan.nodes:
        found = f"{PREFIX[kind]}/{given}"
    if found is None or (kind is not None and plan.nodes[found].type != kind):
        what = STYLES[kind].label_en.lower() if kind else "node"
        example = "unit/bureau" if kind == "Unit" else "area/2"
        raise UnknownNode(
            f"no {what} {given!r} in the graph view: give a local id such as {example}, "
            "a notation such as P2.2.1, or an IRI"
        )
    return found


def view(
    plan: PlanGraph,
    *,
    focus: str | None = None,
    depth: int = 1,
    trace: str | None = None,
    types: Collection[str] | None = None,
    area: str | None = None,
    year: int | None = None,
    unit: str | None = None,
    budget: int | None = BUDGET,
    reserve: bool = False,
    document: str | None = None,
) -> ViewData:
    """What vis-network draws: the whole plan, ``focus``'s neighbourhood within ``depth`` steps,
    or the whole plan with ``trace``'s paths up highlighted; only the nodes that pass the
    filters (``types``, ``area``, ``year``, ``unit``, and ``document``: the nodes of one report,
    with the units, which reports share). Past ``budget`` nodes (None: no budget)
    the view opens on the framework (or, for a focus, on the nearest nodes) and is marked
    ``collapsed``; with ``reserve`` the nodes held back come along for the page to expand from.

    Raises :class:`~policykg.trace.UnknownNode` for an id that names no node of the view, and
    :class:`~policykg.errors.InputError` for a bad depth, an unknown type or a focus with a trace.
    """
    if focus is not None and trace is not None:
        raise InputError("give a focus or a trace, not both")
    if depth < 0:
        raise InputError(f"depth must be 0 or more, not {depth}")
    unknown = sorted(set(types or ()) - set(NODE_TYPES))
    if unknown:
        raise InputError(f"unknown node type {unknown[0]!r}: expected one of {NODE_TYPES}")
    focus_id = resolve(plan, focus) if focus is not None else None
    trace_id = resolve(plan, trace) if trace is not None else None
    wanted = set(types or ())
    filters: Filters = {
        "types": [t for t in NODE_TYPES if t in wanted] if types else None,
        "area": resolve(plan, area, "FocusArea") if area is not None else None,
        "year": year,
        "unit": resolve(plan, unit, "Unit") if unit is not None else None,
        "document": document,
    }
    keep = _keeper(plan, filters)
    lit_nodes, lit_edges = _traced(plan, trace_id) if trace_id else ([], [])

    undirected = plan.graph.to_undirected(as_view=True)
    if focus_id is not None:
        ego = nx.ego_graph(undirected, focus_id, radius=depth)
        candidates = sorted(
            (n for n in ego if n == focus_id or keep(n)), key=plan.position.__getitem__
        )
    else:
        lit = set(lit_nodes)
        candidates = [n for n in plan.order if keep(n) or n in lit]
    collapsed = budget is not None and len(candidates) > budget
    chosen = candidates
    if collapsed and budget is not None:
        if focus_id is not None:
            distance = nx.single_source_shortest_path_length(undirected, focus_id, cutoff=depth)
            chosen = sorted(candidates, key=lambda n: (distance[n], plan.position[n]))[:budget]
            chosen.sort(key=plan.position.__getitem__)
        else:
            lit = set(lit_nodes)
            room = max(0, budget - len(lit))
            opening = [n for n in candidates if plan.nodes[n].type in FRAMEWORK and n not in lit]
            keep_set = set(opening[:room]) | lit
            chosen = [n for n in candidates if n in keep_set]
    shown = set(chosen)
    lit_node_set, lit_edge_set = set(lit_nodes), set(lit_edges)

    nodes_out = [_styled(plan.vis_nodes[n], lit_node_set) for n in chosen]
    edges_out = [
        _styled_edge(plan.vis_edges[n, m], lit_edge_set)
        for n in chosen
        for m in plan.graph.succ[n]
        if m in shown
    ]
    if collapsed:
        for record in nodes_out:
            neighbours = plan.graph.pred[record["id"]].keys() | plan.graph.succ[record["id"]].keys()
            if not neighbours <= shown:
                record["expandable"] = True
    held: Reserve = {"nodes": [], "edges": []}
    if collapsed and reserve:
        rest = [n for n in candidates if n not in shown]
        pool = set(candidates)
        held["nodes"] = [plan.vis_nodes[n] for n in rest]
        held["edges"] = [
            plan.vis_edges[n, m]
            for n in candidates
            for m in plan.graph.succ[n]
            if m in pool and not (n in shown and m in shown)
        ]
    counts = Counter(plan.nodes[n].type for n in chosen)
    totals = plan.totals
    return {
        "nodes": nodes_out,
        "edges": edges_out,
        "counts": {kind: counts[kind] for kind in NODE_TYPES},
        "totals": {kind: totals.get(kind, 0) for kind in NODE_TYPES},
        "legend": [
            {
                "type": kind,
                "label_zh": style.label_zh,
                "label_en": style.label_en,
                "shape": style.shape,
                "color": style.color,
                "glyph": style.glyph,
                "count": counts[kind],
                "total": totals.get(kind, 0),
            }
            for kind, style in STYLES.items()
        ],
        "edge_legend": [
            {"relation": name, "label_zh": zh, "label_en": en, "color": color, "dashes": dashes}
            for name, (color, dashes, zh, en) in EDGE_STYLES.items()
        ],
        "collapsed": collapsed,
        "budget": budget if budget is not None else len(plan.nodes),
        "focus": focus_id,
        "depth": depth if focus_id is not None else None,
        "trace": trace_id,
        "highlight": {"nodes": lit_nodes, "edges": lit_edges},
        "fit": _fit(plan, chosen, lit_nodes, focus_id),
        "filters": filters,
        "choices": plan.choices,
        "reserve": held,
    }


def _fit(plan: PlanGraph, chosen: Sequence[str], lit: list[str], focus: str | None) -> list[str]:
    """The nodes the first frame fits: a trace's; all of a neighbourhood (none listed); else the
    framework and measures, whose tree the plan's many small islands would otherwise shrink."""
    if lit:
        return lit
    if focus is not None:
        return []
    core = [n for n in chosen if plan.nodes[n].type in FRAMEWORK | {"Measure"}]
    return core if len(core) < len(chosen) else []


def _keeper(plan: PlanGraph, filters: Filters) -> Callable[[str], bool]:
    """The filters as one test on a node id (the page's script applies the same test)."""
    types = set(filters["types"]) if filters["types"] else None
    area, year, unit = filters["area"], filters["year"], filters["unit"]
    document = filters.get("document")

    def keep(node: str) -> bool:
        if types is not None and plan.nodes[node].type not in types:
            return False
        if document is not None and document_of(plan.nodes[node].iri) not in {document, None}:
            return False
        if area is not None and area not in plan.areas[node]:
            return False
        if year is not None and plan.years[node] and year not in plan.years[node]:
            return False
        return unit is None or unit in plan.units[node]

    return keep


def _traced(plan: PlanGraph, start: str) -> tuple[list[str], list[str]]:
    """The nodes and edges of a trace, in order: the paths up (policykg.trace.climb), then the
    requirements served, each reached from the node on a path that serves it."""
    steps = climb(plan.nodes[start].iri, plan.trace_edges)
    found: dict[str, None] = {start: None}
    edges: dict[str, None] = {}
    for path in steps.paths:
        ids = [plan.by_iri.get(iri) for iri, _, _ in path]
        for child, parent in itertools.pairwise(ids):
            if parent is None:
                break
            found[parent] = None
            if child is not None and plan.graph.has_edge(child, parent):
                edges[plan.vis_edges[child, parent]["id"]] = None
    on_paths = list(found)
    for iri, _, _ in steps.requirements:
        requirement = plan.by_iri.get(iri)
        if requirement is None:
            continue
        found[requirement] = None
        for node in on_paths:
            if plan.graph.has_edge(node, requirement):
                edges[plan.vis_edges[node, requirement]["id"]] = None
    return list(found), list(edges)


def _styled(record: VisNode, lit: set[str]) -> VisNode:
    styled = record.copy()
    if lit:
        if record["id"] in lit:
            styled["borderWidth"] = 4
        else:
            styled["opacity"] = 0.25
    return styled


def _styled_edge(record: VisEdge, lit: set[str]) -> VisEdge:
    if not lit:
        return record
    styled = record.copy()
    if record["id"] in lit:
        styled["color"] = {"color": HIGHLIGHT, "highlight": HIGHLIGHT, "opacity": 1.0}
        styled["width"] = 4.0
    else:
        styled["color"] = {**record["color"], "opacity": 0.2}
    return styled


def _choices(
    nodes: Mapping[str, Node],
    years: Mapping[str, frozenset[int]],
    natural: Mapping[str, NaturalKey],
) -> Choices:
    def of(kind: str) -> list[Choice]:
        found = sorted(
            (n for n, node in nodes.items() if node.type == kind), key=natural.__getitem__
        )
        return [
            {"id": n, "label_zh": zh, "label_en": en}
            for n in found
            for zh, en in [_labels(nodes[n])]
        ]

    return {
        "areas": of("FocusArea"),
        "years": sorted({y for ys in years.values() for y in ys}),
        "units": of("Unit"),
    }


def expand(plan: PlanGraph, node: str, *, limit: int = BUDGET) -> Expansion:
    """A node and its neighbours (either direction), at most ``limit`` of them, with the edges
    between the node and each: what a collapsed view adds when a node is clicked."""
    start = resolve(plan, node)
    around = sorted(
        plan.graph.pred[start].keys() | plan.graph.succ[start].keys(),
        key=plan.position.__getitem__,
    )
    more = max(0, len(around) - limit)
    around = around[:limit]
    records = [plan.vis_nodes[start]]
    for neighbour in around:
        record = plan.vis_nodes[neighbour].copy()
        if plan.graph.degree(neighbour) > 1:
            record["expandable"] = True
        records.append(record)
    edges = [
        plan.vis_edges[pair]
        for neighbour in around
        for pair in ((start, neighbour), (neighbour, start))
        if pair in plan.vis_edges
    ]
    return {"node": start, "nodes": records, "edges": edges, "more": more}


# -- HTML --------------------------------------------------------------------------------------

SCRIPT_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def script_safe(json_text: str) -> Markup:
    """JSON text made safe inside an HTML ``<script>`` block: ``<``, ``>``, ``&``, U+2028 and
    U+2029 as ``\\u`` escapes (they can stand only inside JSON strings, where an escape means the
    same character), so no text can close the block or open a comment."""
    return Markup(json_text.translate(SCRIPT_ESCAPES))  # escaped just now


def script_json(value: object) -> Markup:
    """A value as JSON safe inside an HTML ``<script>`` block.

    >>> print(script_json({"label": "</script><script>alert(1)</script>"}))
    {"label":"\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"}
    >>> print(script_json(["a & b", "\\u2028"]))
    ["a \\u0026 b","\\u2028"]
    """
    return script_safe(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def layouts(edges: int = 0) -> dict[str, dict[str, Any]]:
    """vis-network options for the two layouts, from pyvis's ``Network`` options: hierarchical
    (the work line on top, levels by type, no physics) and free (forceAtlas2 physics, a fixed
    seed so that the layout repeats)."""
    from pyvis.network import Network  # type: ignore[import-untyped]

    hierarchical = Network(directed=True, layout=True)
    tree = hierarchical.options.layout.hierarchical
    tree.direction = "UD"
    tree.sortMethod = "directed"
    tree.levelSeparation = 150
    tree.nodeSpacing = 110
    tree.treeSpacing = 120
    hierarchical.toggle_physics(False)
    free = Network(directed=True)
    free.force_atlas_2based(
        gravity=-50,
        central_gravity=0.03,  # pulls the plan's many small islands (indicator, achievement) in
        spring_length=80,
        spring_strength=0.08,
        damping=0.4,
        overlap=0.2,
    )
    free.options.physics.stabilization.iterations = 300 if edges <= 2000 else 100
    options: dict[str, dict[str, Any]] = {}
    for name, network in (("hierarchical", hierarchical), ("free", free)):
        found: dict[str, Any] = json.loads(network.options.to_json())
        found["interaction"].update(
            hover=True, tooltipDelay=120, hideEdgesOnDrag=edges > 2000, keyboard=False
        )
        found["nodes"] = {"font": {"size": 14}, "widthConstraint": {"maximum": 170}}
        found["edges"] = {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
            "font": {"size": 11, "align": "middle"},
            "smooth": {"enabled": False},
        }
        options[name] = found
    options["hierarchical"]["edges"]["smooth"] = {
        "enabled": edges <= 2000,
        "type": "cubicBezier",
        "forceDirection": "vertical",
        "roundness": 0.4,
    }
    options["free"]["edges"]["smooth"] = {"enabled": edges <= 2000, "type": "continuous"}
    options["free"]["layout"] = {
        "hierarchical": {"enabled": False},
        "improvedLayout": False,
        "randomSeed": 7,
    }
    return options


@cache
def _asset_text(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8")


def _raw(text: str, tag: str) -> Markup:
    """An asset to inline in a ``<script>`` or ``<style>`` element, which it must not close."""
    if re.search(rf"</{tag}|<!--", text, re.IGNORECASE):
        raise InputError(f"an asset holds </{tag} or <!--: it cannot be inlined")
    return Markup(text)  # the project's own files, checked


@cache
def _environment(inline: bool) -> jinja2.Environment:
    """The template's environment: autoescaped, and with the page's assets either inlined or
    named by their path on the server."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    environment.filters["script_json"] = script_json
    environment.filters["script_safe"] = script_safe
    environment.globals["inline"] = inline
    if inline:
        environment.globals["assets"] = {
            "vis": _raw(_asset_text("vis-network/vis-network.min.js"), "script"),
            "script": _raw(_asset_text("graph.js"), "script"),
            "style": _raw(_asset_text("graph.css"), "style"),
        }
    else:
        environment.globals["assets"] = {
            "vis": f"{ASSET_ROUTE}/vis-network/vis-network.min.js",
            "script": f"{ASSET_ROUTE}/graph.js",
            "style": f"{ASSET_ROUTE}/graph.css",
        }
    return environment


def heading_of(data: ViewData) -> str:
    """The page's heading: what the view shows."""
    if data["focus"]:
        return f"policykg 图谱 graph · {data['focus']} ±{data['depth']}"
    if data["trace"]:
        return f"policykg 图谱 graph · trace {data['trace']}"
    return "policykg 图谱 graph"


def to_html(
    data: ViewData,
    *,
    inline: bool = True,
    expand_url: str | None = None,
    pages: Mapping[str, str] | None = None,
) -> str:
    """The page of a view, generated by pyvis through this package's template. ``inline``: one
    self-contained file (vis-network and the page's script inlined; a CSP that allows no
    request); otherwise the scripts and style are named by their path on the server.
    ``expand_url`` is the API path a collapsed view expands nodes from (else from its reserve);
    ``pages`` ({"base": IRI base, "prefix": path}) maps a node's IRI to its page."""
    from pyvis.network import Network

    network = Network(height="100%", width="100%", directed=True, heading=heading_of(data))
    network.nodes = [*data["nodes"], *({**n, "reserve": True} for n in data["reserve"]["nodes"])]
    network.edges = [*data["edges"], *({**e, "reserve": True} for e in data["reserve"]["edges"])]
    meta = {k: v for k, v in data.items() if k not in {"nodes", "edges", "reserve"}}
    meta["expand"] = expand_url
    meta["pages"] = dict(pages) if pages else None
    network.options = {"layouts": layouts(len(network.edges)), "view": meta}
    network.templateEnv = _environment(inline)
    network.path = TEMPLATE
    html: str = network.generate_html()
    return html


def render(
    store: Store, *, focus: str | None = None, depth: int = 1, trace: str | None = None
) -> str:
    """The graph view as one self-contained HTML file: it opens from disk with no server and no
    network (everything inlined; a collapsed view expands from the nodes it carries)."""
    plan = load_plan(store)
    return to_html(view(plan, focus=focus, depth=depth, trace=trace, reserve=True), inline=True)


def write_file(path: Path, text: str) -> None:
    """Write text to ``path`` atomically (a temporary file beside it, then a rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# -- helpers -----------------------------------------------------------------------------------


def sentence_around(text: str, begin: int, end: int) -> str:
    """The sentence of ``text`` that holds ``text[begin:end]`` (sentences end with 。；！？).

    >>> sentence_around("提升效率。全年新增个转企不少于2500户。清理主体。", 12, 20)
    '全年新增个转企不少于2500户。'
    """
    begin, end = max(0, min(begin, len(text))), max(0, min(end, len(text)))
    left = max(text.rfind(mark, 0, begin) for mark in SENTENCE_END) + 1
    rights = [found for mark in SENTENCE_END if (found := text.find(mark, end)) >= 0]
    right = min(rights) + 1 if rights else len(text)
    return text[left:right].strip()


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SOURCE_CHARS else text[: SOURCE_CHARS - 1] + "…"


def _first(rows: Iterable[Row], key: str) -> str | None:
    return next((row[key] for row in rows if row.get(key)), None)


def _name(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _number(text: str) -> str:
    """A lexical number without a needless ``.0``.

    >>> _number("2500.0"), _number("9.40"), _number("1e8")
    ('2500', '9.4', '100000000')
    """
    try:
        value = float(text)
    except ValueError:
        return text
    if value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return repr(value)


def _natural(text: str) -> NaturalKey:
    """A sort key that puts measure/2-10-1 after measure/2-9-1."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"[/.-]", text)
    )


# -- synthetic plans, for the benchmark and the tests ------------------------------------------


def synthetic_rows(size: int) -> dict[str, list[dict[str, str]]]:
    """The rows of :data:`VIEW_QUERIES` for a plan-shaped graph of about ``size`` nodes: one
    framework (work line, project, 4 builds, 6 requirements, 10 task lists) with ``size / 50``
    focus areas (at least 8), and, in this plan's proportions, measures (8 %), targets (8 %),
    achievements (30 %), indicators (the rest) and units (10 %), each measure owned by the first
    unit and led by another; every second target has a baseline.

    >>> plan = plan_graph(synthetic_rows(500))
    >>> len(plan.nodes), plan.targets["workline"] == sum(
    ...     node.type == "Target" for node in plan.nodes.values())
    (500, True)
    """
    doc = ID_BASE + "synthetic/"
    areas = max(8, size // 50)
    measures = max(areas, size * 8 // 100)
    targets = max(1, size * 8 // 100)
    achievements = size * 30 // 100
    units = max(3, size // 10)
    indicators = max(1, size - 22 - areas - measures - targets - achievements - units)
    nodes: list[dict[str, str]] = []
    edges: list[dict[str, str]] = []
    quantities: list[dict[str, str]] = []
    trace: list[dict[str, str]] = []

    def node(path: str, kind: str, zh: str, **extra: str) -> str:
        iri = (ID_BASE if path.startswith("unit/") else doc) + path
        nodes.append({"node": iri, "type": kind, "label_zh": zh, **extra})
        return iri

    def edge(source: str, relation: str, target: str, **extra: str) -> None:
        edges.append({"source": source, "relation": relation, "target": target, **extra})
        if relation in {PK + "partOf", PK + "contributesTo"}:
            trace.append(
                {"child": source, "relation": relation, "parent": target, "evidence": PK + "stated"}
            )

    part, serves, measured = PK + "partOf", PK + "contributesTo", PK + "measures"
    workline = node("workline", PK + "WorkLine", "作风提升年", label_en="Work line")
    project = node("project", PK + "Project", "强基工程")
    edge(project, part, workline)
    builds = [node(f"build/{i}", PK + "Build", f"建设{i}") for i in range(1, 5)]
    requirements = [node(f"requirement/{i}", PK + "Requirement", f"要求{i}") for i in range(1, 7)]
    for iri in builds:
        edge(iri, part, project)
    for iri in requirements:
        edge(iri, part, workline)
    for i in range(1, 11):
        edge(node(f"tasklist/{i}", PK + "TaskList", f"清单{i}"), part, workline)
    area_iris = []
    for i in range(1, areas + 1):
        iri = node(f"area/{i}", PK + "FocusArea", f"领域{i}", ordinal=str(i))
        area_iris.append(iri)
        edge(iri, part, builds[i % 4])
        if i % 3 == 0:
            edge(iri, part, builds[(i + 1) % 4])
        edge(iri, serves, requirements[i % 6])
        edge(iri, serves, requirements[(i + 2) % 6])
    unit_iris = [node(f"unit/u{i}", ORG + "Organization", f"单位{i}") for i in range(units)]
    for i in range(1, units):
        edge(unit_iris[i], ORG + "unitOf", unit_iris[(i - 1) // 10])
    measure_iris = []
    for i in range(measures):
        area_no = i % areas + 1
        path = f"{area_no}-{i // areas + 1}"
        iri = node(
            f"measure/{path}",
            PK + "Measure",
            f"举措{path}",
            notation=f"P{path.replace('-', '.')}",
            start=str(1000 + 100 * i),
            end=str(1090 + 100 * i),
            text=f"一是举措{path}。新增经营主体不少于{i}户。",
        )
        measure_iris.append(iri)
        edge(iri, part, area_iris[area_no - 1])
        edge(iri, PK + "role", unit_iris[0], role=PK + "owner")
        edge(iri, PK + "role", unit_iris[1 + i % (units - 1)], role=PK + "lead")
    indicator_iris = [
        node(f"indicator/{i}", PK + "Indicator", f"指标{i}") for i in range(1, indicators + 1)
    ]
    achievement_iris = []
    for i in range(achievements):
        iri = node(f"achievement/{i}", PK + "Achievement", f"成效{i} {i}户", year="2023")
        achievement_iris.append(iri)
        edge(iri, measured, indicator_iris[i % indicators])
        quantities.append(_synthetic_quantity(iri, i, "2023"))
    for i in range(targets):
        iri = node(f"target/{i}", PK + "Target", f"目标{i} 不少于{i}户", year="2024")
        edge(iri, part, measure_iris[i % measures])
        edge(iri, measured, indicator_iris[i % indicators])
        if i % 2 == 0 and achievement_iris:
            edge(iri, PK + "baseline", achievement_iris[i % achievements], comparability="same")
        quantities.append(_synthetic_quantity(iri, i, "2024"))
    return {
        "view-nodes": nodes,
        "view-edges": edges,
        "view-quantities": quantities,
        "trace-edges": trace,
    }


def _synthetic_quantity(iri: str, i: int, year: str) -> dict[str, str]:
    return {
        "node": iri,
        "value": str(i),
        "unit": "户",
        "comparator": "≥",
        "year": year,
        "surface": f"不少于{i}户",
        "start": str(10 + i),
        "end": str(16 + i),
        "parent_start": "0",
        "parent_text": "一是举措。" + "新增经营主体不少于" * 2 + "户。",
    }
