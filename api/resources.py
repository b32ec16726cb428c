"""Resources for planners: the framework, areas, measures, targets, indicators, units, search, gaps.

Each handler is thin: it parses the request, runs named queries (``src/policykg/queries/*.rq``)
through the app's :class:`~policykg.service.QueryEngine`, shapes the rows (with the library's own
shaping where there is one: :func:`policykg.trace.climb`, :func:`policykg.export.shape_rows`,
:func:`policykg.gaps.gaps_from_rows`) and answers JSON. Every item carries its local ``id``
(``measure/2-2-1``) and its ``iri``; an id that names nothing of the kind asked for is a 404.

Lists page with ``limit`` and ``offset`` and say where the other pages are in a ``Link`` header
(RFC 8288); the page holds the items and ``total``, ``limit``, ``offset``.

>>> header = links(URL("http://x/api/targets?year=2024"), total=12, limit=5, offset=5)
>>> print(header.replace(", ", "\\n"))
<http://x/api/targets?year=2024&limit=5&offset=10>; rel="next"
<http://x/api/targets?year=2024&limit=5&offset=0>; rel="prev"
<http://x/api/targets?year=2024&limit=5&offset=0>; rel="first"
<http://x/api/targets?year=2024&limit=5&offset=10>; rel="last"
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Annotated, Literal, TypedDict, TypeVar, cast

import pyoxigraph as ox
from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response
from pydantic import BaseModel, Field
from starlette.datastructures import URL

from api.app import get_service
from policykg.errors import InputError
from policykg.export import document_of, local_id, shape_rows
from policykg.gaps import GAPS, gaps_from_rows
from policykg.queries import load_query
from policykg.service import QueryEngine
from policykg.textindex import TextIndex
from policykg.trace import (
    FRAMEWORK,
    SERVES,
    TRACE_QUERIES,
    Step,
    Trace,
    UnknownNode,
    assemble,
    climb,
    describe,
    evidence_of,
    pick,
)

__all__ = ["links", "rank", "router"]

router = APIRouter(prefix="/api", tags=["planners"])

XSD = "http://www.w3.org/2001/XMLSchema#"
NOTATION = re.compile(r"P\d+(?:\.\d+)*")  # a code such as P2.2.1
Row = Mapping[str, str]
Term = ox.NamedNode | ox.Literal
Number = int | float
T = TypeVar("T")


Service = Annotated[QueryEngine, Depends(get_service)]
Limit = Annotated[int, Query(ge=1, le=500, description="How many items to return (at most 500).")]
Offset = Annotated[int, Query(ge=0, description="How many items to skip.")]
Comparator = Literal["≥", ">", "≤", "<", "=", "≈", "range", "rank"]
Attainment = Literal["met", "not-met", "undetermined"]
DOCUMENT_ID = r"[0-9a-z][0-9a-z-]*"  # a document id: szamr-2024
DocumentFilter = Annotated[
    str | None,
    Query(
        pattern=rf"^{DOCUMENT_ID}$",
        description="Only what this report states: its document id (szamr-2024).",
    ),
]
PROBLEM: dict[str, object] = {"application/problem+json": {}}
NOT_FOUND: dict[int | str, dict[str, object]] = {
    404: {"description": "No node of this kind has the id (problem+json).", "content": PROBLEM},
    409: {
        "description": "The id is in several reports: give it with its document, "
        "szamr-2024/measure/2-2-1 (problem+json).",
        "content": PROBLEM,
    },
}


# -- models ----------------------------------------------------------------------------------


class Span(BaseModel):
    """A stretch of the source text: code-point offsets and the exact text."""

    start: int
    end: int
    text: str | None = None


class Ref(BaseModel):
    """A node named by another: its local id, IRI, notation and labels."""

    id: str
    iri: str
    notation: str | None = None
    label_zh: str | None = None
    label_en: str | None = None


class Baseline(BaseModel):
    """An earlier achievement a target is set against."""

    id: str
    iri: str
    surface: str = Field(description="The achievement's value as the text states it.")
    value: Number
    year: int
    comparability: str = Field(description="same or different: whether the bases are alike.")
    evidence: str = Field(description="extracted or curated")
    rationale: str | None = None


class Result(BaseModel):
    """The achievement a later report states for a target's indicator and year."""

    id: str
    iri: str
    document: str = Field(description="The report that states the result.")
    surface: str = Field(description="The achievement's value as the text states it.")
    value: Number
    year: int
    attainment: Attainment = Field(
        description="Whether the result met the target, by the target's comparator."
    )
    rationale: str | None = None


class Target(BaseModel):
    """A target the plan sets, with its indicator, measure, focus area, baselines and, once a
    later report is loaded, its results."""

    id: str
    iri: str
    document: str | None = Field(default=None, description="The report that sets the target.")
    label: str | None
    indicator: Ref
    value: Number
    value_high: Number | None = Field(description="The upper value of a range.")
    unit: str | None
    comparator: str = Field(description="≥ > ≤ < = ≈ range rank")
    commitment: str | None = Field(
        description="committed (确保, plain) or stretch (力争, 争取, 冲)"
    )
    year: int
    surface: str = Field(description="The quantity as the text states it.")
    span: Span | None
    measure: Ref
    area: Ref
    baselines: list[Baseline]
    results: list[Result] = Field(
        default_factory=list, description="Later reports' results for its year (pk:result)."
    )


class TargetBrief(BaseModel):
    """A target's value and year, beside a baseline."""

    id: str
    iri: str
    surface: str
    value: Number
    unit: str | None
    comparator: str
    commitment: str | None
    year: int


class Comparison(BaseModel):
    """A target set against one of its baselines."""

    target: TargetBrief
    baseline: Baseline


class Achievement(BaseModel):
    """A result the summary reports, with the headline that states it."""

    id: str
    iri: str
    label: str | None
    indicator: Ref
    value: Number
    value_high: Number | None
    unit: str | None
    comparator: str
    year: int
    change: str | None = Field(description="increase or decrease, for a change")
    surface: str
    span: Span | None
    headline: Ref | None


class Assignment(BaseModel):
    """A unit's part in a measure: its role, the words that state it, deadline and evidence."""

    id: str
    iri: str
    measure: Ref
    unit: Ref
    role: str = Field(description="owner, lead, cooperating, or a role the text states")
    role_text: str | None
    deadline: str | None
    evidence: str | None
    span: Span | None


class PolicyAction(BaseModel):
    """An action a measure takes on a policy instrument (出台, 修订 …); id and IRI are the
    instrument's."""

    id: str
    iri: str
    title: str
    instrument_type: str
    action: str
    status: str = Field(description="done or planned")
    year: int
    span: Span | None


class MeasureSummary(BaseModel):
    """A measure in a list."""

    id: str
    iri: str
    document: str | None = Field(default=None, description="The report that states it.")
    label_zh: str | None
    label_en: str | None
    area: str = Field(description="The focus area's id.")
    span: Span | None
    targets: int


class MeasureDetail(BaseModel):
    """A measure: full text, span, area, section, targets, units and policy actions."""

    id: str
    iri: str
    notation: str | None
    ordinal: int | None
    label_zh: str | None
    label_en: str | None
    text: str | None
    span: Span | None
    area: Ref
    section: Ref | None
    targets: list[Target]
    assignments: list[Assignment]
    policy_actions: list[PolicyAction]


class Counts(BaseModel):
    """How many measures and targets."""

    measures: int
    targets: int


class AreaSummary(BaseModel):
    """A focus area in a list: the builds it is curated into and the requirements it serves."""

    id: str
    iri: str
    ordinal: int
    label_zh: str | None
    label_en: str | None
    span: Span | None
    section: Ref | None
    builds: list[str]
    requirements: list[str]
    counts: Counts


class AreaMeasure(BaseModel):
    """A measure of an area with its targets."""

    id: str
    iri: str
    label_zh: str | None
    label_en: str | None
    span: Span | None
    targets: list[Target]


class AreaDetail(BaseModel):
    """A focus area: its section, builds and requirements (each link with its evidence),
    measures and their targets."""

    id: str
    iri: str
    ordinal: int
    label_zh: str | None
    label_en: str | None
    span: Span | None
    section: Ref | None
    builds: list[Step]
    requirements: list[Step]
    counts: Counts
    measures: list[AreaMeasure]


class FrameworkNode(BaseModel):
    """A node of the framework."""

    id: str
    iri: str
    type: str
    label_zh: str | None
    label_en: str | None
    span: Span | None


class MeasureBrief(BaseModel):
    """A measure in the framework tree, with how many targets it states."""

    id: str
    iri: str
    label_zh: str | None
    label_en: str | None
    targets: int


class AreaNode(FrameworkNode):
    """A focus area in the framework tree (under each build it is curated into)."""

    builds: list[str]
    requirements: list[str]
    counts: Counts
    measures: list[MeasureBrief]


class BuildNode(FrameworkNode):
    """A build and its focus areas."""

    areas: list[AreaNode]


class ProjectNode(FrameworkNode):
    """The project, its aims and its builds."""

    aims: list[FrameworkNode]
    builds: list[BuildNode]


class RequirementNode(FrameworkNode):
    """A requirement and the focus areas that serve it."""

    areas: list[str]


class TaskListNode(FrameworkNode):
    """A task list; the text names only some of them."""

    unnamed: bool


class WorkLineNode(FrameworkNode):
    """The work line: its project, requirements and task lists."""

    projects: list[ProjectNode]
    requirements: list[RequirementNode]
    task_lists: list[TaskListNode]


class FrameworkCounts(BaseModel):
    """How many nodes of each kind the framework has (each node once)."""

    work_lines: int
    projects: int
    aims: int
    builds: int
    requirements: int
    areas: int
    task_lists: int
    measures: int
    targets: int


class Framework(BaseModel):
    """The plan's framework (1146810) as a tree, with counts."""

    id: str
    iri: str
    notation: str | None
    label_zh: str | None
    label_en: str | None
    span: Span | None
    document: str | None
    counts: FrameworkCounts
    work_line: WorkLineNode


class IndicatorSummary(BaseModel):
    """An indicator in a list, with how many targets and achievements measure it."""

    id: str
    iri: str
    label_zh: str | None
    label_en: str | None
    targets: int
    achievements: int


class IndicatorDetail(BaseModel):
    """An indicator: its achievements and targets, and each target against its baselines."""

    id: str
    iri: str
    label_zh: str | None
    label_en: str | None
    achievements: list[Achievement]
    targets: list[Target]
    comparisons: list[Comparison]


class UnitSummary(BaseModel):
    """A unit in a list."""

    id: str
    iri: str
    type: str
    label_zh: str | None
    label_en: str | None
    unit_of: list[str]
    mentions: int
    measures: int = Field(description="How many measures the unit has a role in.")
    roles: list[str]


class UnitDetail(BaseModel):
    """A unit and the measures it owns, leads, joins or has a stated role in."""

    id: str
    iri: str
    type: str
    label_zh: str | None
    label_en: str | None
    unit_of: list[Ref]
    mentions: list[Span]
    assignments: list[Assignment]
    roles: dict[str, list[str]] = Field(description="Each role with the ids of its measures.")


class SearchHit(BaseModel):
    """A node whose labels or text contain the query."""

    id: str
    iri: str
    document: str | None = Field(default=None, description="The report that states it.")
    type: str
    label_zh: str | None
    label_en: str | None
    matched: list[str] = Field(description="Where the text was found: label, text or both.")
    occurrences: int
    score: float = Field(
        description="Label matches first, then more occurrences, then a shorter label."
    )
    snippet: str


class GapItem(BaseModel):
    """A node a planner should look at."""

    id: str
    iri: str
    label: str | None = None
    surface: str | None = None
    parent: str | None = None
    notation: str | None = None


class Gaps(BaseModel):
    """Targets without a baseline, measures without a target, measures only the bureau owns."""

    targets_without_baseline: list[GapItem]
    measures_without_target: list[GapItem]
    measures_bureau_only: list[GapItem]
    counts: dict[str, int]


class Page(BaseModel):
    """A page of a list: ``total`` items in all, ``limit`` from ``offset``."""

    total: int
    limit: int
    offset: int


class MeasurePage(Page):
    items: list[MeasureSummary]


class AreaPage(Page):
    items: list[AreaSummary]


class TargetPage(Page):
    items: list[Target]


class IndicatorPage(Page):
    items: list[IndicatorSummary]


class UnitPage(Page):
    items: list[UnitSummary]


class SearchPage(Page):
    q: str
    items: list[SearchHit]


# -- running queries -------------------------------------------------------------------------


async def select(service: QueryEngine, name: str, **bindings: Term) -> list[dict[str, str]]:
    """The rows of a named query, its variables bound by the engine."""
    return (await service.rows(load_query(name).text, bindings)).rows


async def resolve(service: QueryEngine, kind: str, given: str, parameter: str | None = None) -> str:
    """The IRI of a node of ``kind`` given as ``2``, ``area/2``, a notation or, where several
    reports are loaded, ``szamr-2024/area/2``; 404 when there is none, 409 naming the candidates
    when the id is in more than one report."""
    qualified = f"/{kind}/" in given
    local = (
        given
        if given.startswith(f"{kind}/") or qualified or NOTATION.fullmatch(given)
        else f"{kind}/{given}"
    )
    rows = await select(service, "find", id=ox.Literal(local))
    try:
        return pick(local, (row["node"] for row in rows))
    except UnknownNode:
        raise not_found(kind, given, parameter) from None
    except InputError:
        documents = sorted({document_of(row["node"]) or "" for row in rows})
        where = f" (parameter {parameter})" if parameter else ""
        raise HTTPException(
            409,
            f"{kind} {given!r}{where} is in several reports ({', '.join(documents)}): "
            f"give it as {documents[0]}/{local}",
        ) from None


def not_found(kind: str, given: str, parameter: str | None = None) -> HTTPException:
    where = f" (parameter {parameter})" if parameter else ""
    return HTTPException(404, f"no {kind} {given!r}{where}")


def iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


# -- shaping ---------------------------------------------------------------------------------


def name(value: str) -> str:
    """The local name of an IRI: ``…#owner`` → ``owner``."""
    return value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def number(text: str) -> Number:
    """A lexical number as an int where it is whole, else a float."""
    value = float(text)
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def natural(text: str) -> tuple[tuple[int, int, str], ...]:
    """A sort key that puts measure/2-10-1 after measure/2-9-1."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"[/.-]", text)
    )


def span(row: Row, start: str = "start", end: str = "end", text: str | None = None) -> Span | None:
    if not row.get(start) or not row.get(end):
        return None
    return Span(start=int(row[start]), end=int(row[end]), text=row.get(text) if text else None)


def ref(
    row: Row, key: str, notation: str | None = None, zh: str | None = None, en: str | None = None
) -> Ref:
    return Ref(
        id=local_id(row[key]),
        iri=row[key],
        notation=row.get(notation) if notation else None,
        label_zh=row.get(zh) if zh else None,
        label_en=row.get(en) if en else None,
    )


def baselines_by_target(rows: Iterable[Row]) -> dict[str, list[Baseline]]:
    """The ``baseline`` query's rows as each target's baselines."""
    found: dict[str, list[Baseline]] = defaultdict(list)
    for row in rows:
        found[row["target"]].append(
            Baseline(
                id=local_id(row["achievement"]),
                iri=row["achievement"],
                surface=row["surface"],
                value=number(row["value"]),
                year=int(row["year"]),
                comparability=row["comparability"],
                evidence=name(row["evidence"]),
                rationale=row.get("rationale"),
            )
        )
    return found


def results_by_target(rows: Iterable[Row]) -> dict[str, list[Result]]:
    """The ``result`` query's rows by target IRI."""
    found: dict[str, list[Result]] = defaultdict(list)
    for row in rows:
        found[row["target"]].append(
            Result(
                id=local_id(row["achievement"]),
                iri=row["achievement"],
                document=document_of(row["achievement"]) or "",
                surface=row["surface"],
                value=number(row["value"]),
                year=int(row["year"]),
                attainment=cast(Attainment, name(row["attainment"])),
                rationale=row.get("rationale"),
            )
        )
    return found


def targets_of(
    rows: Iterable[Row],
    baselines: Mapping[str, list[Baseline]],
    results: Mapping[str, list[Result]] | None = None,
) -> list[Target]:
    """The ``api-targets`` query's rows as targets, each with its baselines (and results)."""
    return [
        Target(
            id=local_id(row["target"]),
            iri=row["target"],
            document=document_of(row["target"]),
            label=row.get("label"),
            indicator=ref(row, "indicator", zh="indicator_label"),
            value=number(row["value"]),
            value_high=number(row["value_high"]) if row.get("value_high") else None,
            unit=row.get("unit"),
            comparator=row["comparator"],
            commitment=row.get("commitment"),
            year=int(row["year"]),
            surface=row["surface"],
            span=Span(start=int(row["start"]), end=int(row["end"]), text=row["surface"])
            if row.get("start")
            else None,
            measure=ref(row, "measure", "measure_notation", "measure_label_zh", "measure_label_en"),
            area=ref(row, "area", zh="area_label_zh", en="area_label_en"),
            baselines=baselines.get(row["target"], []),
            results=(results or {}).get(row["target"], []),
        )
        for row in rows
    ]


def assignments_of(rows: Iterable[Row]) -> list[Assignment]:
    """The ``api-assignments`` query's rows as assignments, in the order of their measures."""
    shaped = [
        Assignment(
            id=local_id(row["assignment"]),
            iri=row["assignment"],
            measure=ref(row, "measure", "notation", "measure_label_zh", "measure_label_en"),
            unit=ref(row, "unit", zh="unit_label_zh", en="unit_label_en"),
            role=name(row["role"]),
            role_text=row.get("role_text"),
            deadline=row.get("deadline"),
            evidence=name(row["evidence"]) if row.get("evidence") else None,
            span=span(row, text="anchor"),
        )
        for row in rows
    ]
    return sorted(shaped, key=lambda a: (natural(a.measure.id), a.role != "owner", a.unit.id))


def policy_actions_of(rows: Sequence[Row]) -> list[PolicyAction]:
    """The ``export-policies`` query's rows as actions on instruments."""
    return [
        PolicyAction(
            id=row["id"],
            iri=row["iri"],
            title=row["label_zh"],
            instrument_type=row["instrument_type"],
            action=row["action"],
            status=row["status"],
            year=int(row["year"]),
            span=span(row, text="text"),
        )
        for row in shape_rows("policies", rows)
    ]


def links(url: URL, *, total: int, limit: int, offset: int) -> str:
    """The RFC 8288 ``Link`` header of a page: next, prev, first and last, the request's other
    query parameters kept."""

    def link(at: int, rel: str) -> str:
        return f'<{url.include_query_params(limit=limit, offset=at)}>; rel="{rel}"'

    found = []
    if offset + limit < total:
        found.append(link(offset + limit, "next"))
    if offset > 0:
        found.append(link(max(0, min(offset, total) - limit), "prev"))
    found.append(link(0, "first"))
    found.append(link((total - 1) // limit * limit if total else 0, "last"))
    return ", ".join(found)


def paged(
    request: Request, response: Response, items: Sequence[T], limit: int, offset: int
) -> list[T]:
    """One page of ``items``; the ``Link`` header says where the others are."""
    response.headers["Link"] = links(request.url, total=len(items), limit=limit, offset=offset)
    return list(items[offset : offset + limit])


def rank(rows: Iterable[Row], q: str) -> list[SearchHit]:
    """The matching rows of the search corpus (``search-corpus.rq``) as hits, best first: a
    match in a label before a match in text only, then more occurrences, then a shorter label.

    >>> rows = [
    ...     {"node": "urn:a", "type": "urn:t#Measure", "label_zh": "甲", "field": "text",
    ...      "value": "xx个转企xx个转企"},
    ...     {"node": "urn:b", "type": "urn:t#Target", "label_zh": "个转企户数", "field": "label",
    ...      "value": "个转企户数"},
    ... ]
    >>> [(hit.id, hit.matched, hit.occurrences) for hit in rank(rows, "个转企")]
    [('urn:b', ['label'], 1), ('urn:a', ['text'], 2)]
    """
    needle = q.lower()
    grouped: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        grouped[row["node"]].append(row)
    hits = []
    for node, group in grouped.items():
        counts = Counter[str]()
        for row in group:
            counts[row["field"]] += row["value"].lower().count(needle)
        matched = sorted(field for field, n in counts.items() if n)
        label = group[0].get("label_zh") or group[0].get("label_en") or ""
        occurrences = sum(counts.values())
        score = (1000.0 if counts["label"] else 0.0) + 10 * min(occurrences, 99)
        first = min(group, key=lambda r: (r["field"] != "label", len(r["value"])))
        hits.append(
            SearchHit(
                id=local_id(node),
                iri=node,
                document=document_of(node),
                type=name(group[0]["type"]),
                label_zh=group[0].get("label_zh"),
                label_en=group[0].get("label_en"),
                matched=matched,
                occurrences=occurrences,
                score=round(score + 1 / (1 + len(label)), 6),
                snippet=snippet(first["value"], needle),
            )
        )
    return sorted(hits, key=lambda hit: (-hit.score, natural(hit.id)))


def snippet(text: str, needle: str, width: int = 20) -> str:
    """The text around the first occurrence of ``needle``.

    >>> snippet("一二三四五六七八九十", "五", width=2)
    '…三四五六七…'
    """
    at = text.lower().find(needle)
    if at < 0:
        return text[: 2 * width]
    begin, end = max(0, at - width), min(len(text), at + len(needle) + width)
    return ("…" if begin else "") + text[begin:end] + ("…" if end < len(text) else "")


# -- the framework and its areas ---------------------------------------------------------------


def serving(edges: Iterable[Row]) -> dict[str, list[str]]:
    """Each node's requirements served (``pk:contributesTo``), from ``trace-edges`` rows."""
    served: dict[str, set[str]] = defaultdict(set)
    for row in edges:
        if row["relation"] == SERVES:
            served[row["child"]].add(local_id(row["parent"]))
    return {child: sorted(ids, key=natural) for child, ids in served.items()}


def count_targets(targets: Iterable[Row]) -> Counter[str]:
    """How many targets each measure (IRI) states."""
    return Counter(row["measure"] for row in targets)


class NodeFields(TypedDict):
    id: str
    iri: str
    type: str
    label_zh: str | None
    label_en: str | None
    span: Span | None


def framework_of(
    scheme: Row,
    nodes: Sequence[Row],
    measures: Sequence[Row],
    targets: Sequence[Row],
    edges: Sequence[Row],
) -> Framework:
    """The framework tree from the rows of api-framework (one scheme), export-framework,
    export-measures, api-targets and trace-edges."""
    shaped = shape_rows("framework", nodes)
    by_type: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in shaped:
        by_type[row["type"]].append(row)
    measure_rows = shape_rows("measures", measures)
    per_measure = count_targets(targets)
    served = serving(edges)

    def under(kind: str, parent: str) -> list[dict[str, str]]:
        return [row for row in by_type[kind] if parent in row["parent"].split()]

    def node(row: Mapping[str, str]) -> NodeFields:
        return {
            "id": row["id"],
            "iri": row["iri"],
            "type": row["type"],
            "label_zh": row["label_zh"] or None,
            "label_en": row["label_en"] or None,
            "span": span(row, text="text"),
        }

    def area(row: Mapping[str, str]) -> AreaNode:
        briefs = [
            MeasureBrief(
                id=m["id"],
                iri=m["iri"],
                label_zh=m["label_zh"] or None,
                label_en=m["label_en"] or None,
                targets=per_measure[m["iri"]],
            )
            for m in measure_rows
            if m["parent"] == row["id"]
        ]
        return AreaNode(
            **node(row),
            builds=row["parent"].split(),
            requirements=served.get(row["iri"], []),
            counts=Counts(measures=len(briefs), targets=sum(b.targets for b in briefs)),
            measures=briefs,
        )

    def project(row: Mapping[str, str]) -> ProjectNode:
        return ProjectNode(
            **node(row),
            aims=[FrameworkNode(**node(aim)) for aim in under("Aim", row["id"])],
            builds=[
                BuildNode(**node(build), areas=[area(a) for a in under("FocusArea", build["id"])])
                for build in under("Build", row["id"])
            ],
        )

    serving_areas: dict[str, list[str]] = defaultdict(list)
    for a in by_type["FocusArea"]:
        for requirement in served.get(a["iri"], []):
            serving_areas[requirement].append(a["id"])
    top = next(row for row in by_type["WorkLine"] if row["iri"] == scheme["top"])
    work_line = WorkLineNode(
        **node(top),
        projects=[project(p) for p in under("Project", top["id"])],
        requirements=[
            RequirementNode(**node(r), areas=serving_areas[r["id"]])
            for r in under("Requirement", top["id"])
        ],
        task_lists=[
            TaskListNode(**node(t), unnamed=not t["label_zh"]) for t in under("TaskList", top["id"])
        ],
    )
    counts = FrameworkCounts(
        work_lines=len(by_type["WorkLine"]),
        projects=len(by_type["Project"]),
        aims=len(by_type["Aim"]),
        builds=len(by_type["Build"]),
        requirements=len(by_type["Requirement"]),
        areas=len(by_type["FocusArea"]),
        task_lists=len(by_type["TaskList"]),
        measures=len(measure_rows),
        targets=len({row["target"] for row in targets}),
    )
    return Framework(
        id=local_id(scheme["framework"]),
        iri=scheme["framework"],
        notation=scheme.get("notation"),
        label_zh=scheme.get("label_zh"),
        label_en=scheme.get("label_en"),
        span=span(scheme, text="text"),
        document=local_id(scheme["document"]) if scheme.get("document") else None,
        counts=counts,
        work_line=work_line,
    )


class AreaFields(TypedDict):
    id: str
    iri: str
    ordinal: int
    label_zh: str | None
    label_en: str | None
    span: Span | None
    section: Ref | None


def area_fields(row: Row) -> AreaFields:
    """The fields an area has in a list and alone, from an ``api-areas`` row."""
    return {
        "id": local_id(row["area"]),
        "iri": row["area"],
        "ordinal": int(row["ordinal"]),
        "label_zh": row.get("label_zh"),
        "label_en": row.get("label_en"),
        "span": span(row, text="text"),
        "section": ref(row, "section", "section_notation", "section_label_zh", "section_label_en")
        if row.get("section")
        else None,
    }


def first_rows(rows: Iterable[Row], key: str) -> list[Row]:
    """The first row of each node (rows repeat a node once per span, label …)."""
    seen: dict[str, Row] = {}
    for row in rows:
        seen.setdefault(row[key], row)
    return list(seen.values())


# -- routes ----------------------------------------------------------------------------------


class Document(BaseModel):
    """A report the dataset holds."""

    id: str = Field(description="The document id (szamr-2024).")
    iri: str
    title: str | None = Field(description="Its zh title.")
    measures: int
    targets: int
    achievements: int


class DocumentList(BaseModel):
    """The reports the dataset holds, by id."""

    items: list[Document]


@router.get("/documents", response_model=DocumentList, summary="Reports")
async def list_documents(service: Service) -> DocumentList:
    """The reports built into the dataset, each with its title and how many measures, targets
    and achievements it states; filter other lists with ``document=`` its id."""
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    first: dict[str, Row] = {}
    for row in await select(service, "documents"):
        first.setdefault(row["document"], row)
        if row.get("kind"):
            counts[row["document"]][name(row["kind"])] = int(row["count"])
    return DocumentList(
        items=[
            Document(
                id=row["identifier"],
                iri=document,
                title=row.get("title"),
                measures=counts[document].get("Measure", 0),
                targets=counts[document].get("Target", 0),
                achievements=counts[document].get("Achievement", 0),
            )
            for document, row in first.items()
        ]
    )


@router.get("/framework", response_model=Framework, summary="The framework as a tree")
async def get_framework(service: Service) -> Framework:
    """The 1146810 framework: work line → project (with its aims) → builds → focus areas →
    measures, the requirements (with the areas that serve them) and the task lists; zh and en
    labels, spans, and counts of measures and targets per area and in all."""
    schemes, nodes, measures, targets, edges = await asyncio.gather(
        select(service, "api-framework"),
        select(service, "export-framework"),
        select(service, "export-measures"),
        select(service, "api-targets"),
        select(service, "trace-edges"),
    )
    if not schemes:
        raise HTTPException(404, "no framework in the loaded graphs")
    return framework_of(first_rows(schemes, "framework")[0], nodes, measures, targets, edges)


@router.get("/areas", response_model=AreaPage, summary="Focus areas")
async def list_areas(
    request: Request, response: Response, service: Service, limit: Limit = 50, offset: Offset = 0
) -> AreaPage:
    """The focus areas in order, each with its section, builds, requirements and counts."""
    areas, measures, targets, edges = await asyncio.gather(
        select(service, "api-areas"),
        select(service, "export-measures"),
        select(service, "api-targets"),
        select(service, "trace-edges"),
    )
    per_area = Counter(row["parent"] for row in measures)
    targets_per_area = Counter(row["area"] for row in targets)
    served = serving(edges)
    builds: dict[str, set[str]] = defaultdict(set)
    for row in edges:
        if row["relation"] == FRAMEWORK:
            builds[row["child"]].add(local_id(row["parent"]))
    items = [
        AreaSummary(
            **area_fields(row),
            builds=sorted(builds[row["area"]], key=natural),
            requirements=served.get(row["area"], []),
            counts=Counts(measures=per_area[row["area"]], targets=targets_per_area[row["area"]]),
        )
        for row in first_rows(areas, "area")
    ]
    page = paged(request, response, items, limit, offset)
    return AreaPage(items=page, total=len(items), limit=limit, offset=offset)


@router.get(
    "/areas/{id:path}", response_model=AreaDetail, responses=NOT_FOUND, summary="A focus area"
)
async def get_area(
    service: Service,
    id: Annotated[str, Path(description="The area: 2 or area/2.")],
) -> AreaDetail:
    """A focus area: its section, the builds it is curated into and the requirements it serves
    (each link with its evidence and rationale), its measures and their targets."""
    area = await resolve(service, "area", id)
    rows, measures, targets, baselines, edges = await asyncio.gather(
        select(service, "api-areas", area=iri(area)),
        select(service, "export-measures", parent=iri(area)),
        select(service, "api-targets", area=iri(area)),
        select(service, "baseline"),
        trace_edges(service, area),
    )
    if not rows:
        raise not_found("area", id)
    links_by: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for row in (row for row in edges if row["child"] == area):
        links_by[row["parent"], row["relation"]].append(row)
    parents = sorted({parent for parent, _ in links_by}, key=lambda p: natural(local_id(p)))
    described = dict(
        zip(
            parents,
            await asyncio.gather(*(select(service, "node", node=iri(p)) for p in parents)),
            strict=True,
        )
    )

    def steps(relation: str) -> list[Step]:
        return [
            replace(
                describe(parent, described[parent]),
                relation=name(relation),
                evidence=evidence_of(links_by[parent, rel]),
            )
            for parent, rel in sorted(links_by, key=lambda k: natural(local_id(k[0])))
            if rel == relation
        ]

    shaped_targets = targets_of(targets, baselines_by_target(baselines))
    area_measures = [
        AreaMeasure(
            id=m["id"],
            iri=m["iri"],
            label_zh=m["label_zh"] or None,
            label_en=m["label_en"] or None,
            span=span(m, text="text"),
            targets=[t for t in shaped_targets if t.measure.iri == m["iri"]],
        )
        for m in shape_rows("measures", measures)
    ]
    return AreaDetail(
        **area_fields(rows[0]),
        builds=steps(FRAMEWORK),
        requirements=steps(SERVES),
        counts=Counts(measures=len(area_measures), targets=len(shaped_targets)),
        measures=area_measures,
    )


@router.get("/measures", response_model=MeasurePage, summary="Measures")
async def list_measures(
    request: Request,
    response: Response,
    service: Service,
    document: DocumentFilter = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> MeasurePage:
    """The measures of the plan in the order of the text, each with its report, area, span and
    how many targets it states."""
    measures, targets = await asyncio.gather(
        select(service, "export-measures"), select(service, "api-targets")
    )
    per_measure = count_targets(targets)
    items = [
        MeasureSummary(
            id=row["id"],
            iri=row["iri"],
            document=document_of(row["iri"]),
            label_zh=row["label_zh"] or None,
            label_en=row["label_en"] or None,
            area=row["parent"],
            span=span(row, text="text"),
            targets=per_measure[row["iri"]],
        )
        for row in shape_rows("measures", measures)
    ]
    if document is not None:
        items = [item for item in items if item.document == document]
    page = paged(request, response, items, limit, offset)
    return MeasurePage(items=page, total=len(items), limit=limit, offset=offset)


MeasureId = Annotated[str, Path(description="The measure: 2-2-1, measure/2-2-1 or P2.2.1.")]


@router.get(
    "/measures/{id:path}/trace",
    response_model=Trace,
    responses=NOT_FOUND,
    summary="Trace a measure",
)
async def trace_measure(service: Service, id: MeasureId) -> Trace:
    """The paths from a measure up to the work line (measure → focus area → build → project →
    work line) and the requirements it serves; each step with the evidence of the link that
    leads to it (stated or extracted with spans, curated with a rationale). The same content as
    ``policykg trace --format json``."""
    start = await resolve(service, "measure", id)
    (result,) = await trace_nodes(service, [start])
    if result.start.type != "Measure":
        raise not_found("measure", id)
    return result


async def trace_edges(service: QueryEngine, start: str) -> list[Row]:
    """The ``trace-edges`` rows of the links out of a node and of every node above it (see
    :func:`policykg.trace.trace_edges`)."""
    rows = await asyncio.gather(*(select(service, q, start=iri(start)) for q in TRACE_QUERIES))
    return [row for part in rows for row in part]


async def trace_nodes(service: QueryEngine, starts: Sequence[str]) -> list[Trace]:
    """Traces from several nodes at once: each start's ``trace-edges`` rows climbed with
    :func:`policykg.trace.climb`, each node described once by the ``node`` query, each trace
    assembled by :func:`policykg.trace.assemble` (no baselines: only a target has them, and
    the API traces measures; a target's page shows its own)."""
    if not starts:
        return []
    edges = await asyncio.gather(*(trace_edges(service, start) for start in starts))
    plans = [climb(start, rows) for start, rows in zip(starts, edges, strict=True)]
    nodes = sorted({node for plan in plans for node in plan.nodes})
    rows = await asyncio.gather(*(select(service, "node", node=iri(n)) for n in nodes))
    described = dict(zip(nodes, rows, strict=True))
    return [assemble(plan, described) for plan in plans]


@router.get(
    "/measures/{id:path}", response_model=MeasureDetail, responses=NOT_FOUND, summary="A measure"
)
async def get_measure(service: Service, id: MeasureId) -> MeasureDetail:
    """A measure: its full text and span, area and section, targets (with baselines), the units
    with a role in it (assignments) and the actions it takes on policy instruments."""
    measure = await resolve(service, "measure", id)
    rows, targets, baselines, assignments, policies = await asyncio.gather(
        select(service, "api-measure", measure=iri(measure)),
        select(service, "api-targets", measure=iri(measure)),
        select(service, "baseline"),
        select(service, "api-assignments", measure=iri(measure)),
        select(service, "export-policies", parent=iri(measure)),
    )
    if not rows:
        raise not_found("measure", id)
    row = rows[0]
    return MeasureDetail(
        id=local_id(measure),
        iri=measure,
        notation=row.get("notation"),
        ordinal=int(row["ordinal"]) if row.get("ordinal") else None,
        label_zh=row.get("label_zh"),
        label_en=row.get("label_en"),
        text=row.get("text"),
        span=span(row),
        area=ref(row, "area", zh="area_label_zh", en="area_label_en"),
        section=ref(row, "section", "section_notation", "section_label_zh", "section_label_en")
        if row.get("section")
        else None,
        targets=targets_of(targets, baselines_by_target(baselines)),
        assignments=assignments_of(assignments),
        policy_actions=policy_actions_of(policies),
    )


@router.get("/targets", response_model=TargetPage, responses=NOT_FOUND, summary="Targets")
async def list_targets(
    request: Request,
    response: Response,
    service: Service,
    year: Annotated[int | None, Query(ge=1000, le=9999, description="The target's year.")] = None,
    area: Annotated[
        str | None,
        Query(pattern=r"^(area/)?[0-9]+$", description="The focus area: 2 or area/2."),
    ] = None,
    comparator: Annotated[Comparator | None, Query(description="The comparator.")] = None,
    has_baseline: Annotated[
        bool | None, Query(description="Only targets with (true) or without (false) a baseline.")
    ] = None,
    document: DocumentFilter = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> TargetPage:
    """The plan's targets in the order of the text, each with its report, indicator, value,
    unit, comparator, commitment, measure, area, baselines (surface, value, year,
    comparability) and the results later reports state for its year, met or not."""
    bindings: dict[str, Term] = {}
    if year is not None:
        bindings["year"] = ox.Literal(f"{year:04d}", datatype=ox.NamedNode(XSD + "gYear"))
    if comparator is not None:
        bindings["comparator"] = ox.Literal(comparator)
    if area is not None:
        bindings["area"] = iri(await resolve(service, "area", area, "area"))
    rows, baselines, results = await asyncio.gather(
        select(service, "api-targets", **bindings),
        select(service, "baseline"),
        select(service, "result"),
    )
    items = targets_of(rows, baselines_by_target(baselines), results_by_target(results))
    if has_baseline is not None:
        items = [t for t in items if bool(t.baselines) == has_baseline]
    if document is not None:
        items = [t for t in items if t.document == document]
    page = paged(request, response, items, limit, offset)
    return TargetPage(items=page, total=len(items), limit=limit, offset=offset)


@router.get("/targets/{id:path}", response_model=Target, responses=NOT_FOUND, summary="A target")
async def get_target(
    service: Service,
    id: Annotated[str, Path(description="The target: 2-2-1-1 or target/2-2-1-1.")],
) -> Target:
    """A target with its indicator, value, unit, comparator, commitment, measure, area,
    baselines and results."""
    target = await resolve(service, "target", id)
    rows, baselines, results = await asyncio.gather(
        select(service, "api-targets", target=iri(target)),
        select(service, "baseline", target=iri(target)),
        select(service, "result", target=iri(target)),
    )
    if not rows:
        raise not_found("target", id)
    return targets_of(rows, baselines_by_target(baselines), results_by_target(results))[0]


@router.get("/indicators", response_model=IndicatorPage, summary="Indicators")
async def list_indicators(
    request: Request, response: Response, service: Service, limit: Limit = 50, offset: Offset = 0
) -> IndicatorPage:
    """The indicators, each with how many targets and achievements measure it."""
    rows = first_rows(await select(service, "api-indicators"), "indicator")
    items = sorted(
        (
            IndicatorSummary(
                id=local_id(row["indicator"]),
                iri=row["indicator"],
                label_zh=row.get("label_zh"),
                label_en=row.get("label_en"),
                targets=int(row["targets"]),
                achievements=int(row["achievements"]),
            )
            for row in rows
        ),
        key=lambda item: natural(item.id),
    )
    page = paged(request, response, items, limit, offset)
    return IndicatorPage(items=page, total=len(items), limit=limit, offset=offset)


@router.get(
    "/indicators/{id:path}",
    response_model=IndicatorDetail,
    responses=NOT_FOUND,
    summary="An indicator",
)
async def get_indicator(
    service: Service,
    id: Annotated[str, Path(description="The indicator: 11 or indicator/11.")],
) -> IndicatorDetail:
    """An indicator with its achievements and targets side by side, and each target set against
    its baselines (which may measure another indicator: see their comparability)."""
    indicator = await resolve(service, "indicator", id)
    node, targets, achievements, baselines = await asyncio.gather(
        select(service, "node", node=iri(indicator)),
        select(service, "api-targets", indicator=iri(indicator)),
        select(service, "api-achievements", indicator=iri(indicator)),
        select(service, "baseline"),
    )
    about = describe(indicator, node)
    if about.type != "Indicator":
        raise not_found("indicator", id)
    shaped = targets_of(targets, baselines_by_target(baselines))
    return IndicatorDetail(
        id=about.id,
        iri=about.iri,
        label_zh=about.label_zh,
        label_en=about.label_en,
        achievements=[
            Achievement(
                id=local_id(row["achievement"]),
                iri=row["achievement"],
                label=row.get("label"),
                indicator=Ref(id=about.id, iri=about.iri, label_zh=about.label_zh),
                value=number(row["value"]),
                value_high=number(row["value_high"]) if row.get("value_high") else None,
                unit=row.get("unit"),
                comparator=row["comparator"],
                year=int(row["year"]),
                change=row.get("change"),
                surface=row["surface"],
                span=Span(start=int(row["start"]), end=int(row["end"]), text=row["surface"])
                if row.get("start")
                else None,
                headline=ref(row, "headline", "headline_notation", "headline_label")
                if row.get("headline")
                else None,
            )
            for row in achievements
        ],
        targets=shaped,
        comparisons=[
            Comparison(
                target=TargetBrief(
                    id=t.id,
                    iri=t.iri,
                    surface=t.surface,
                    value=t.value,
                    unit=t.unit,
                    comparator=t.comparator,
                    commitment=t.commitment,
                    year=t.year,
                ),
                baseline=b,
            )
            for t in shaped
            for b in t.baselines
        ],
    )


@router.get("/units", response_model=UnitPage, summary="Units")
async def list_units(
    request: Request, response: Response, service: Service, limit: Limit = 50, offset: Offset = 0
) -> UnitPage:
    """The organisations and units the plan names, each with the units it belongs to, how many
    times the text names it, and how many measures it has a role in (and which roles)."""
    units, assignments = await asyncio.gather(
        select(service, "export-units"), select(service, "api-assignments")
    )
    measures: dict[str, set[str]] = defaultdict(set)
    roles: dict[str, set[str]] = defaultdict(set)
    for row in assignments:
        measures[row["unit"]].add(row["measure"])
        roles[row["unit"]].add(name(row["role"]))
    items = [
        UnitSummary(
            id=row["id"],
            iri=row["iri"],
            type=row["type"],
            label_zh=row["label_zh"] or None,
            label_en=row["label_en"] or None,
            unit_of=row["parent"].split(),
            mentions=int(row["mentions"]),
            measures=len(measures[row["iri"]]),
            roles=sorted(roles[row["iri"]]),
        )
        for row in shape_rows("units", units)
    ]
    page = paged(request, response, items, limit, offset)
    return UnitPage(items=page, total=len(items), limit=limit, offset=offset)


@router.get("/units/{id:path}", response_model=UnitDetail, responses=NOT_FOUND, summary="A unit")
async def get_unit(
    service: Service,
    id: Annotated[str, Path(description="The unit: bureau or unit/bureau.")],
) -> UnitDetail:
    """A unit: the units it belongs to, where the text names it, and the measures it owns
    (the bureau), leads, joins or has a stated role in, by role."""
    unit = await resolve(service, "unit", id)
    rows, assignments = await asyncio.gather(
        select(service, "export-units", iri=iri(unit)),
        select(service, "api-assignments", unit=iri(unit)),
    )
    if not rows:
        raise not_found("unit", id)
    row = shape_rows("units", rows)[0]
    parents = sorted({r["parent"] for r in rows if r.get("parent")}, key=natural)
    described = await asyncio.gather(*(select(service, "node", node=iri(p)) for p in parents))
    shaped = assignments_of(assignments)
    by_role: dict[str, list[str]] = defaultdict(list)
    for a in shaped:
        if a.measure.id not in by_role[a.role]:
            by_role[a.role].append(a.measure.id)
    mentions = {(int(r["start"]), int(r["end"]), r["text"]) for r in rows if r.get("start")}
    return UnitDetail(
        id=row["id"],
        iri=row["iri"],
        type=row["type"],
        label_zh=row["label_zh"] or None,
        label_en=row["label_en"] or None,
        unit_of=[
            Ref(id=step.id, iri=step.iri, label_zh=step.label_zh, label_en=step.label_en)
            for step in (describe(p, d) for p, d in zip(parents, described, strict=True))
        ],
        mentions=[Span(start=s, end=e, text=t) for s, e, t in sorted(mentions)],
        assignments=shaped,
        roles=dict(by_role),
    )


@router.get("/search", response_model=SearchPage, summary="Search")
async def search(
    request: Request,
    response: Response,
    service: Service,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=200,
            pattern=r"\S",
            description="The text to look for (Chinese or English, case-insensitive).",
        ),
    ],
    document: DocumentFilter = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> SearchPage:
    """Text search over measures (titles and full text), targets (indicators and surfaces),
    units, policy instruments and the framework's labels. A match in a label ranks before a
    match in text only, then more occurrences, then a shorter label."""
    index = await text_index(request, service)
    hits = rank(index.find(q), q)
    if document is not None:  # units are shared by every report: they stay
        hits = [hit for hit in hits if hit.document in {document, None}]
    page = paged(request, response, hits, limit, offset)
    return SearchPage(q=q, items=page, total=len(hits), limit=limit, offset=offset)


CORPUS_ROWS = 10_000_000  # the search corpus is read once, whole, to build the index


async def text_index(request: Request, service: Service) -> TextIndex:
    """The app's text index, built on first use from the search corpus and kept: the dataset
    is read-only."""
    index: TextIndex | None = getattr(request.app.state, "text_index", None)
    if index is None:
        corpus, labels = await asyncio.gather(
            service.rows(load_query("search-corpus").text, max_rows=CORPUS_ROWS),
            service.rows(load_query("search-labels").text, max_rows=CORPUS_ROWS),
        )
        named: dict[str, dict[str, str]] = defaultdict(dict)
        for row in labels.rows:
            if row.get("lang") in {"zh", "en"}:
                named[row["node"]].setdefault(f"label_{row['lang']}", row["label"])
        rows = [{**row, **named.get(row["node"], {})} for row in corpus.rows]
        index = request.app.state.text_index = TextIndex(rows)
    return index


@router.get("/gaps", response_model=Gaps, summary="Gaps")
async def get_gaps(service: Service) -> Gaps:
    """What a planner should look at: targets without a baseline, measures without a target,
    and measures no unit but the bureau itself answers for (as ``policykg gaps``)."""
    results = await asyncio.gather(*(select(service, query) for query, _ in GAPS.values()))
    report = gaps_from_rows(dict(zip(GAPS, results, strict=True)), iri=True)
    return Gaps(
        targets_without_baseline=[GapItem(**r) for r in report["targets_without_baseline"]],
        measures_without_target=[GapItem(**r) for r in report["measures_without_target"]],
        measures_bureau_only=[GapItem(**r) for r in report["measures_bureau_only"]],
        counts={key: len(rows) for key, rows in report.items()},
    )
