"""Link a plan's targets to the results a later report states for the same indicator and year.

One report sets 2024's targets; the next year's report reviews 2024. When both are built
together, a target is linked to each achievement of another report by the same publisher that
measures the same indicator (the same Chinese phrase), in the same unit, for the target's year,
and the link says whether the result met the target, from the target's comparator. Reports
whose publisher is not known (no curated layer names it) are linked to none: two cities'
reports share indicator phrases, not results. The link is
*extracted* (found by matching indicator phrases, not stated by either text) and carries its
rationale; nothing is linked across different units or years.

>>> from policykg.model import QuantityNode, Span
>>> def q(doc_kind, value, year, comparator="≥"):
...     kind = "target" if doc_kind == "target" else "achievement"
...     return QuantityNode(f"{kind}/1", kind, "m", "indicator/1", year, "x", Span(0, 1),
...                         value, None, "户", None, comparator, None, None, None)
>>> attainment(q("target", 2500, 2024), q("achievement", 3100, 2024))
'met'
>>> attainment(q("target", 2500, 2024), q("achievement", 2000, 2024))
'not-met'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from policykg.model import Plan, QuantityNode

__all__ = ["Attainment", "Result", "attainment", "results"]

Attainment = Literal["met", "not-met", "undetermined"]


@dataclass(frozen=True)
class Result:
    """A target of one report and the achievement another report states for its year."""

    target_document: str
    target: str  # a quantity id in the target's document
    result_document: str
    achievement: str
    indicator: str  # the shared phrase
    target_indicator: str  # its indicator node in each document
    result_indicator: str
    attainment: Attainment
    rationale: str


def attainment(target: QuantityNode, result: QuantityNode) -> Attainment:
    """Whether ``result`` meets ``target``, by the target's comparator.

    A range is met inside it; ≈ (左右) and = within 5 %; a rank (第3名) at that place or better.
    """
    value, goal = result.value, target.value
    match target.comparator:
        case "≥":
            met = value >= goal
        case ">":
            met = value > goal
        case "≤":
            met = value <= goal
        case "<":
            met = value < goal
        case "range":
            met = goal <= value <= (target.value_high if target.value_high is not None else goal)
        case "≈" | "=":
            met = abs(value - goal) <= 0.05 * abs(goal)
        case "rank":
            met = value <= goal
        case _:
            return "undetermined"
    return "met" if met else "not-met"


def results(plans: Sequence[Plan]) -> list[Result]:
    """Every (target, later result) pair across the given reports, in a stable order."""
    labels = {(plan.document, node.id): node.label for plan in plans for node in plan.indicators}
    achieved: dict[tuple[str, str, int, str], list[tuple[str, QuantityNode]]] = {}
    known = [plan for plan in plans if plan.publisher is not None]
    for plan in known:
        for q in plan.quantities:
            if q.kind == "achievement":
                label = labels[(plan.document, q.indicator)]
                key = (plan.publisher or "", label, q.year, q.unit)
                achieved.setdefault(key, []).append((plan.document, q))
    found = []
    for plan in known:
        for target in plan.quantities:
            if target.kind != "target":
                continue
            label = labels[(plan.document, target.indicator)]
            key = (plan.publisher or "", label, target.year, target.unit)
            for document, result in achieved.get(key, []):
                if document == plan.document:
                    continue
                verdict = attainment(target, result)
                found.append(
                    Result(
                        plan.document,
                        target.id,
                        document,
                        result.id,
                        label,
                        target.indicator,
                        result.indicator,
                        verdict,
                        f"both measure {label} in {target.unit} for {target.year}: the target "
                        f"{target.surface} ({plan.document}) and the result {result.surface} "
                        f"({document}); {verdict} by the comparator {target.comparator}",
                    )
                )
    return sorted(
        found, key=lambda r: (r.target_document, r.target, r.result_document, r.achievement)
    )
