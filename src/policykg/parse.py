"""Parse a segmented work report into a :class:`~policykg.model.Plan`: plain data, no RDF.

The summary part's sections hold ``——`` headlines; the plan part holds the framework code in its
preamble and, in its sections, the measures, one focus area per section in order. Units and policy
instruments are found in the headlines and measures that name them.

>>> from policykg.paths import graphs_dir
>>> source = graphs_dir() / "sources" / "shenzhen-amr-2023-summary-2024-plan.txt"
>>> plan = parse_plan(source.read_text(encoding="utf-8"), "szamr-2024")
>>> len(plan.headlines), len(plan.measures), plan.code
(33, 29, '1146810')
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from policykg import policies, quantities, units
from policykg.errors import InputError
from policykg.framework import read_framework
from policykg.model import (
    Assignment,
    Baseline,
    FrameworkNode,
    Headline,
    IndicatorNode,
    Link,
    Measure,
    Plan,
    PolicyAction,
    QuantityNode,
    SectionNode,
    Span,
    UnitNode,
)
from policykg.segment import Part, Section, Segmented, segment

__all__ = ["OWNER_CLAUSE", "parse_plan", "parse_segmented"]

YEAR = re.compile(r"(?P<year>(?:19|20)\d\d)年")
PLAN_TITLE = re.compile(
    r"(?:19|20)\d\d年.*(?:工作安排|重点工作|工作任务|工作部署|工作计划|主要任务)"
)
SUMMARY_TITLE = re.compile(r"总结|回顾")
REPORT_TITLE = re.compile(r"报告|总结|安排|计划|要点")

OWNER_CLAUSE = re.compile(
    r"""
    经                  # "after"
    (?P<organ>[^,，。]{1,12}?)  # the body that decided: 局党组
    研究决定            # "studied and decided"
    """,
    re.VERBOSE,
)


def parse_plan(
    text: str,
    document: str,
    *,
    source: str | None = None,
    title: str | None = None,
    publisher: str | None = "bureau",
    lexicon: Sequence[units.Unit] | None = None,
) -> Plan:
    """Segment and parse a report; raises InputError (with the line) on an unexpected structure."""
    return parse_segmented(
        segment(text, source), document, title=title, publisher=publisher, lexicon=lexicon
    )


def parse_segmented(
    seg: Segmented,
    document: str,
    *,
    title: str | None = None,
    publisher: str | None = "bureau",
    lexicon: Sequence[units.Unit] | None = None,
) -> Plan:
    """Parse a segmented report into a Plan.

    The plan part is the part whose opening paragraphs define a framework code (“N”是指…), else
    the last part whose title names a year's work (2026年工作安排, 2026年重点工作). Without a code,
    each of its sections is a focus area. The summary part is the first other part whose title
    reviews (总结, 回顾). Other parts are kept in the tree; their items are not read.
    ``publisher`` None: the report's publisher is not known, so no unit owns its measures.
    """
    text = seg.text
    plan_part = _plan_part(seg)
    summary_part = _summary_part(seg, plan_part)
    coded = _defines_code(seg, plan_part)
    plan = Plan(
        document=document,
        title=title or "",
        publisher=f"unit/{publisher}" if publisher else None,
        text=text,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        code="",
        code_spans=(plan_part.title,),
        title_span=_title_line(seg),
    )
    if coded:
        framework = read_framework(text, plan_part.preamble, seg.source)
        plan.code, plan.code_spans = framework.code, framework.code_spans
        plan.framework, plan.groups = list(framework.nodes), list(framework.groups)
        plan.links = list(framework.links)
        areas = [node for node in framework.nodes if node.kind == "FocusArea"]
        if len(plan_part.sections) != len(areas):
            raise InputError(
                f"the framework names {len(areas)} focus areas, so the plan part should have "
                f"{len(areas)} sections （一）…; it has {len(plan_part.sections)}",
                line=seg.line_of(plan_part.heading),
                source=seg.source,
            )
    else:  # no code: the plan's sections are its focus areas
        if not plan_part.sections:
            raise InputError(
                "expected the plan part to set out its work in sections （一）…; found none",
                line=seg.line_of(plan_part.heading),
                source=seg.source,
            )
        plan.framework = [
            FrameworkNode(
                f"area/{s.ordinal}", "FocusArea", s.ordinal, seg.text_of(s.title), (s.title,)
            )
            for s in plan_part.sections
        ]
    plan.years = {f"{plan_part.ordinal}": _part_year(seg, plan_part)}
    if summary_part is not None:
        year = _title_year(seg, summary_part)
        plan.years[f"{summary_part.ordinal}"] = year or plan.years[f"{plan_part.ordinal}"] - 1
    for part in seg.parts:
        part_id = f"part/{part.ordinal}"
        plan.sections.append(
            SectionNode(
                part_id, "Part", part.ordinal, None, seg.text_of(part.title), part.span, part.title
            )
        )
        for section in part.sections:
            section_id = f"section/{part.ordinal}-{section.ordinal}"
            plan.sections.append(
                SectionNode(
                    section_id,
                    "Section",
                    section.ordinal,
                    part_id,
                    seg.text_of(section.title),
                    section.span,
                    section.title,
                )
            )
            if part is plan_part:
                _read_measures(seg, part, section, plan)
        if part is summary_part:
            _read_headlines(seg, part, plan)
    _read_units(seg, plan, plan_part, lexicon)
    _read_policies(seg, plan)
    _read_quantities(seg, plan)
    return plan


def _title_line(seg: Segmented) -> Span | None:
    """The report's title, when its first line before the first part is one: 政府工作报告."""
    if not seg.front:
        return None
    first = seg.text_of(seg.front[0])
    if len(first) <= 40 and REPORT_TITLE.search(first) and not first.endswith(("。", "：", ":")):
        return seg.front[0]
    return None


def _defines_code(seg: Segmented, part: Part) -> bool:
    return any("是指" in seg.text_of(p) for p in part.preamble)


def _plan_part(seg: Segmented) -> Part:
    for part in seg.parts:
        if _defines_code(seg, part):
            return part
    planned = [p for p in seg.parts if PLAN_TITLE.search(seg.text_of(p.title))]
    if planned:
        return planned[-1]
    last = seg.parts[-1]
    raise InputError(
        "expected a part that sets out the year's work: its title naming the year and the work "
        "(such as 二、2024年工作安排 or 三、2026年重点工作), or its opening paragraphs defining a "
        "framework code (“N”是指…); found none",
        line=seg.line_of(last.heading),
        source=seg.source,
    )


def _summary_part(seg: Segmented, plan_part: Part) -> Part | None:
    for part in seg.parts:
        if part is not plan_part and SUMMARY_TITLE.search(seg.text_of(part.title)):
            return part
    return None


def _title_year(seg: Segmented, part: Part) -> int | None:
    match = YEAR.search(seg.text_of(part.title))
    return int(match["year"]) if match else None


def _part_year(seg: Segmented, part: Part) -> int:
    year = _title_year(seg, part)
    if year is None:
        raise InputError(
            "expected the part title to name its year (such as 2024年工作安排)",
            line=seg.line_of(part.heading),
            source=seg.source,
        )
    return year


def _read_measures(seg: Segmented, part: Part, section: Section, plan: Plan) -> None:
    section_id = f"section/{part.ordinal}-{section.ordinal}"
    area = f"area/{section.ordinal}"
    plan.links.append(Link(area, "treatedIn", section_id, "extracted", (section.heading,)))
    starts = {p.span.start for p in section.paragraphs}
    measures = [item for item in section.items if item.kind == "measure"]
    if not any(item.span.start in starts for item in measures):
        # no paragraph opens with 一是: each paragraph, led by its short first sentence, is a
        # measure (an inline 一是…十五是 list stays inside the paragraph that holds it)
        measures = list(section.paragraphs)
    if not measures:
        raise InputError(
            "expected measures (一是…、二是… or paragraphs) in this section of the plan; "
            "found none",
            line=seg.line_of(section.heading),
            source=seg.source,
        )
    for item in measures:
        measure_id = f"measure/{part.ordinal}-{section.ordinal}-{item.ordinal}"
        plan.measures.append(
            Measure(
                measure_id,
                section_id,
                area,
                item.ordinal,
                seg.text_of(item.title),
                seg.text_of(item.span),
                item.span,
            )
        )
        plan.links.append(
            Link(measure_id, "partOf", area, "extracted", (item.span, section.heading))
        )


def _read_headlines(seg: Segmented, part: Part, plan: Plan) -> None:
    """The summary's items: its ``——`` headlines, in its sections or straight under the part;
    a summary written without any is read paragraph by paragraph."""
    groups = [(f"part/{part.ordinal}", f"{part.ordinal}", part.lead)]
    groups += [
        (f"section/{part.ordinal}-{s.ordinal}", f"{part.ordinal}-{s.ordinal}", s.items)
        for s in part.sections
    ]
    marked = any(item.kind == "headline" for _, _, items in groups for item in items)
    if not marked:
        groups = [(f"part/{part.ordinal}", f"{part.ordinal}", part.paragraphs)]
        groups += [
            (f"section/{part.ordinal}-{s.ordinal}", f"{part.ordinal}-{s.ordinal}", s.paragraphs)
            for s in part.sections
        ]
    for parent, path, items in groups:
        chosen = [item for item in items if item.kind == ("headline" if marked else "paragraph")]
        if marked and parent.startswith("section/") and not chosen:
            raise InputError(
                "expected headline paragraphs starting with —— in this section of the summary",
                line=seg.line_of(items[0].span) if items else seg.line_of(part.heading),
                source=seg.source,
            )
        for n, item in enumerate(chosen, 1):
            plan.headlines.append(
                Headline(
                    f"headline/{path}-{n}",
                    parent,
                    n,
                    seg.text_of(item.title),
                    seg.text_of(item.span),
                    item.span,
                )
            )


def _read_units(
    seg: Segmented, plan: Plan, plan_part: Part, lexicon: Sequence[units.Unit] | None
) -> None:
    if plan.publisher is None:  # a units lexicon is the publisher's: without one, no units
        return
    text = seg.text
    lexicon = tuple(lexicon) if lexicon is not None else units.load_lexicon()
    known = {unit.id for unit in lexicon}
    if plan.publisher.removeprefix("unit/") not in known:
        raise InputError(f"the publisher {plan.publisher!r} is not in the units lexicon")
    mentions = units.find_units(text, lexicon)
    by_unit: dict[str, list[Span]] = {}
    for mention in mentions:
        by_unit.setdefault(mention.unit_id, []).append(Span(mention.start, mention.end))
    # The lexicon may serve other reports: keep the units this one names, the publisher, and
    # the organisations they are units of.
    parents = {unit.id: unit.unit_of for unit in lexicon}
    keep = {plan.publisher.removeprefix("unit/"), *by_unit}
    for unit_id in list(keep):
        while parents.get(unit_id):
            unit_id = parents[unit_id] or ""
            keep.add(unit_id)
    for unit in lexicon:
        spans = by_unit.get(unit.id, [])
        if unit.id not in keep:
            continue
        plan.units.append(
            UnitNode(
                f"unit/{unit.id}",
                "unit" if unit.kind == "unit" else "organization",
                unit.zh,
                unit.en,
                f"unit/{unit.unit_of}" if unit.unit_of else None,
                tuple(spans),
            )
        )
    owner = _owner_clause(seg, plan_part)
    for measure in plan.measures:
        suffix = measure.id.removeprefix("measure/")
        plan.assignments.append(
            Assignment(
                f"assignment/{suffix}-owner",
                measure.id,
                plan.publisher,
                "owner",
                "stated" if owner else "extracted",
                role_text=text[owner.start : owner.end] if owner else None,
                spans=(owner,) if owner else (),
            )
        )
        for mention in mentions:
            if not measure.span.start <= mention.start < measure.span.end:
                continue
            plan.references.append((measure.id, f"unit/{mention.unit_id}"))
            if mention.role is None:
                continue  # named, but not as responsible for anything: a reference only
            plan.assignments.append(
                Assignment(
                    f"assignment/{suffix}-{mention.unit_id}-{mention.start}",
                    measure.id,
                    f"unit/{mention.unit_id}",
                    mention.role,
                    "stated",
                    role_text=mention.role_text,
                    spans=(Span(mention.start, mention.end),),
                )
            )


def _owner_clause(seg: Segmented, plan_part: Part) -> Span | None:
    """The clause that makes the bureau the owner of its plan: 经局党组研究决定."""
    for para in plan_part.preamble:
        match = OWNER_CLAUSE.search(seg.text, para.start, para.end)
        if match:
            return Span(match.start(), match.end())
    return None


def _read_policies(seg: Segmented, plan: Plan) -> None:
    """Policy actions in headlines (done, in the summary's year) and measures (planned)."""
    text = seg.text
    years = plan.years
    titles: dict[str, str] = {}
    items = [(h.id, h.span) for h in plan.headlines] + [(m.id, m.span) for m in plan.measures]
    for item_id, span in items:
        planned = item_id.startswith("measure/")
        year = years[item_id.split("/")[1].split("-")[0]]
        for found in policies.find_policies(text, span.start, span.end):
            instrument = titles.setdefault(found.title, f"policy/{len(titles) + 1}")
            plan.policies.append(
                PolicyAction(
                    f"policy-action/{len(plan.policies) + 1}",
                    instrument,
                    found.title,
                    found.kind,
                    found.action,
                    "planned" if planned else "done",
                    year,
                    item_id,
                    Span(found.start, found.end),
                    Span(found.title_start, found.title_end),
                )
            )


def _read_quantities(seg: Segmented, plan: Plan) -> None:
    """Targets in measures, achievements in headlines, one indicator per distinct phrase, and the
    baseline of each target: the earlier achievement of the same indicator."""
    text = seg.text
    years = plan.years
    indicators: dict[str, str] = {}
    items: list[tuple[str, Span, bool]] = [(h.id, h.span, False) for h in plan.headlines]
    items += [(m.id, m.span, True) for m in plan.measures]
    for item_id, span, is_target in items:
        path = item_id.split("/", 1)[1]
        for n, found in enumerate(quantities.extract(text, span.start, span.end), 1):
            label = found.indicator or f"{found.unit}数量"
            indicator = indicators.setdefault(label, f"indicator/{len(indicators) + 1}")
            node = QuantityNode(
                id=f"{'target' if is_target else 'achievement'}/{path}-{n}",
                kind="target" if is_target else "achievement",
                stated_in=item_id,
                indicator=indicator,
                year=found.year or years[path.split("-")[0]],
                surface=found.surface,
                span=Span(found.start, found.end),
                value=found.value,
                value_high=found.value_high,
                unit=found.unit,
                qudt_unit=found.qudt_unit,
                comparator=found.comparator,
                commitment=found.commitment if is_target else None,
                change=found.change,
                streak=found.streak,
            )
            plan.quantities.append(node)
            if is_target:
                plan.links.append(Link(node.id, "partOf", item_id, "extracted", (node.span,)))
    plan.indicators = [IndicatorNode(iid, label) for label, iid in indicators.items()]
    labels = {iid: label for label, iid in indicators.items()}
    achieved: dict[str, list[QuantityNode]] = {}
    for q in plan.quantities:
        if q.kind == "achievement":
            achieved.setdefault(q.indicator, []).append(q)
    for target in plan.quantities:
        if target.kind != "target":
            continue
        for earlier in achieved.get(target.indicator, []):
            if earlier.year < target.year and earlier.unit == target.unit:
                plan.baselines.append(
                    Baseline(
                        target.id,
                        earlier.id,
                        "same",
                        "extracted",
                        f"both measure {labels[target.indicator]} in {earlier.unit}: "
                        f"{earlier.surface} ({earlier.year}) and {target.surface} ({target.year})",
                    )
                )
