"""The plan as plain data: what the parser reads off the text, before any RDF is written.

Ids are document-local paths (``measure/2-3-2``, ``area/2``, ``unit/bureau``); the graph module
turns them into IRIs. Every stated thing carries the spans of the text it comes from.

>>> Span(3, 5).anchor("0123456")
'34'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from policykg.segment import Span

__all__ = [
    "Assignment",
    "Baseline",
    "Evidence",
    "FrameworkNode",
    "Group",
    "Headline",
    "IndicatorNode",
    "Link",
    "Measure",
    "Plan",
    "PolicyAction",
    "QuantityNode",
    "SectionNode",
    "Span",
    "UnitNode",
]

Evidence = Literal["stated", "extracted", "curated"]


@dataclass(frozen=True)
class FrameworkNode:
    """A node of the 1146810 framework: work line, project, aim, build, requirement, area, list."""

    id: str  # "workline", "project", "aim/1", "build/3", "requirement/6", "area/2", "tasklist/4"
    kind: str  # the ontology class: "WorkLine", "Project", "Aim", "Build", …
    ordinal: int
    label: str | None  # the zh name, None for a member the text counts but does not name
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class Group:
    """A numbered group of the framework (the 4 builds, 6 requirements …)."""

    id: str  # "builds", "requirements", "areas", "tasklists"
    kind: str  # "BuildCollection", …
    digit: str  # the code's digit that defines it: "4", "6", "8", "10"
    members: tuple[str, ...]
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class Link:
    """A relation between two nodes, with its evidence: the span that states it, or a rationale."""

    subject: str
    predicate: str  # "partOf", "contributesTo", "treatedIn"
    object: str
    evidence: Evidence
    spans: tuple[Span, ...] = ()
    rationale: str | None = None


@dataclass(frozen=True)
class SectionNode:
    """A part or a section of the text."""

    id: str  # "part/2", "section/2-3"
    kind: str  # "Part" or "Section"
    ordinal: int
    parent: str | None  # the part of a section; None for a part (its parent is the document)
    label: str
    span: Span
    title_span: Span


@dataclass(frozen=True)
class Headline:
    """A ``——`` headline paragraph of the summary."""

    id: str  # "headline/1-7-1"
    section: str
    ordinal: int
    headline: str
    text: str
    span: Span


@dataclass(frozen=True)
class Measure:
    """A ``一是…`` measure of the plan, in exactly one focus area."""

    id: str  # "measure/2-3-2"
    section: str
    area: str
    ordinal: int
    title: str
    text: str
    span: Span


@dataclass(frozen=True)
class UnitNode:
    """An organisation the text names, with every place it names it."""

    id: str  # "unit/bureau"
    kind: Literal["organization", "unit"]
    label: str
    label_en: str
    unit_of: str | None
    mentions: tuple[Span, ...]


@dataclass(frozen=True)
class Assignment:
    """A unit's responsibility for a measure: owner, lead, cooperating, or a role the text gives."""

    id: str
    task: str  # a measure id
    unit: str  # a unit id
    role: str  # "owner", "lead", "cooperating", "supported", …
    evidence: Evidence
    role_text: str | None = None
    spans: tuple[Span, ...] = ()
    deadline: str | None = None  # ISO date
    table: str | None = None  # the task breakdown table it came from
    row: int | None = None


@dataclass(frozen=True)
class PolicyAction:
    """An action the text takes on a policy instrument (出台, 修订 …), where it says so."""

    id: str  # "policy-action/1"
    instrument: str  # "policy/1"
    title: str
    kind: str  # law | regulation | plan | policy | standard | guide | list
    action: str
    status: Literal["done", "planned"]
    year: int
    named_in: str  # a headline or measure id
    span: Span  # the action through the title
    title_span: Span


@dataclass(frozen=True)
class QuantityNode:
    """A target (stated in a measure) or an achievement (stated in a headline)."""

    id: str  # "target/2-2-1-1": the n-th quantity of measure 2-2-1
    kind: Literal["target", "achievement"]
    stated_in: str  # the measure or headline id
    indicator: str  # "indicator/3"
    year: int
    surface: str
    span: Span
    value: float
    value_high: float | None
    unit: str
    qudt_unit: str | None
    comparator: str
    commitment: str | None  # targets only: committed | stretch
    change: str | None
    streak: int | None


@dataclass(frozen=True)
class IndicatorNode:
    """What quantities measure, named by a short Chinese phrase."""

    id: str
    label: str


@dataclass(frozen=True)
class Baseline:
    """A 2024 target set against the earlier achievement of the same indicator."""

    target: str
    achievement: str
    comparability: Literal["same", "different"]
    evidence: Evidence
    rationale: str


@dataclass
class Plan:
    """Everything the parser read off one report."""

    document: str  # "szamr-2024"
    title: str
    publisher: str | None  # a unit id; None when the report's publisher is not known
    text: str
    sha256: str
    code: str  # "1146810"
    code_spans: tuple[Span, ...]
    sections: list[SectionNode] = field(default_factory=list)
    headlines: list[Headline] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)
    framework: list[FrameworkNode] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    units: list[UnitNode] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    policies: list[PolicyAction] = field(default_factory=list)
    references: list[tuple[str, str]] = field(default_factory=list)  # (measure, unit) it names
    quantities: list[QuantityNode] = field(default_factory=list)
    indicators: list[IndicatorNode] = field(default_factory=list)
    baselines: list[Baseline] = field(default_factory=list)
    years: dict[str, int] = field(default_factory=dict)  # of the summary and plan parts
    title_span: Span | None = None  # the title line of the text, where it has one
