"""Quantity rows for any Chinese policy text: what ``policykg extract`` prints.

The text need not be the report policykg is built for. Where it has the genre's structure (一、
parts, （一） sections, —— headlines, 一是 measures), each quantity gets the part's kind — results
in a summary part (总结, 回顾, 成就) are achievements, figures in a plan part (安排, 重点工作, 任务,
目标) are targets — and the item and section that state it; elsewhere its kind is ``other``.

>>> rows = rows_from_text("一、2024年工作安排\\n(一)发展\\n一是新增企业不少于2500户。\\n")
>>> [(r["kind"], r["value"], r["unit"], r["comparator"], r["parent"]) for r in rows]
[('target', '2500', '户', '≥', 'measure/1-1-1')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from policykg.errors import InputError
from policykg.graph import decimal_text
from policykg.quantities import extract
from policykg.segment import Part, Segmented, Span, segment

__all__ = ["part_kind", "rows_from_text"]

SUMMARY = re.compile(r"总结|回顾|成就|成绩|进展")  # a part that reports results
PLAN = re.compile(r"安排|重点|任务|计划|目标|部署|思路|要求")  # a part that sets out work to do

YEAR = re.compile(r"((?:19|20)\d\d)年")


@dataclass(frozen=True)
class _Region:
    span: Span
    kind: str
    parent: str
    section: str
    year: int | None


def part_kind(title: str) -> str:
    """``achievement`` for a summary part, ``target`` for a plan part, else ``other``.

    >>> part_kind("2023年工作总结"), part_kind("2026年重点工作"), part_kind("附件")
    ('achievement', 'target', 'other')
    """
    if SUMMARY.search(title):
        return "achievement"
    if PLAN.search(title):
        return "target"
    return "other"


def rows_from_text(text: str) -> list[dict[str, str]]:
    """One row per quantity, with the fields of ``policykg export quantities`` (iri empty)."""
    try:
        regions = _regions(segment(text))
    except InputError:  # no structure: every quantity is of kind other
        regions = []
    rows = []
    for n, q in enumerate(extract(text), 1):
        region = next((r for r in regions if r.span.start <= q.start < r.span.end), None)
        kind = region.kind if region else "other"
        year = q.year or (region.year if region else None)
        rows.append(
            {
                "id": f"quantity/{n}",
                "iri": "",
                "kind": kind,
                "indicator": q.indicator,
                "value": decimal_text(q.value),
                "value_high": "" if q.value_high is None else decimal_text(q.value_high),
                "unit": q.unit,
                "comparator": q.comparator,
                "commitment": q.commitment if kind == "target" else "",
                "year": "" if year is None else str(year),
                "change": q.change or "",
                "surface": q.surface,
                "start": str(q.start),
                "end": str(q.end),
                "parent": region.parent if region else "",
                "section": region.section if region else "",
            }
        )
    return rows


def _regions(seg: Segmented) -> list[_Region]:
    regions = []
    for part in seg.parts:
        title = seg.text_of(part.title)
        kind = part_kind(title)
        match = YEAR.search(title)
        year = int(match[1]) if match else None
        part_id = f"part/{part.ordinal}"
        regions.append(_Region(part.heading, kind, part_id, "", year))
        regions += [_Region(p, kind, part_id, "", year) for p in part.preamble]
        regions += _section_regions(part, kind, year)
    return regions


def _section_regions(part: Part, kind: str, year: int | None) -> list[_Region]:
    regions = []
    for section in part.sections:
        section_id = f"section/{part.ordinal}-{section.ordinal}"
        regions.append(_Region(section.heading, kind, section_id, section_id, year))
        for item in section.items:
            item_id = f"{item.kind}/{part.ordinal}-{section.ordinal}-{item.ordinal}"
            regions.append(_Region(item.span, kind, item_id, section_id, year))
    return regions
