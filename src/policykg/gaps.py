"""What a planner should look at: targets without a baseline, measures without a target, and
measures that no unit but the bureau itself answers for.

>>> from policykg.paths import graphs_dir
>>> from policykg.store import Store
>>> store = Store.from_files(sorted(graphs_dir().glob("*.trig")))
>>> report = find_gaps(store)
>>> sorted(report)
['measures_bureau_only', 'measures_without_target', 'targets_without_baseline']
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from policykg.export import local_id
from policykg.queries import load_query
from policykg.store import Store

__all__ = ["GAPS", "find_gaps", "gaps_from_rows", "render_json", "render_text"]

GAPS = {
    "targets_without_baseline": ("gaps-targets-without-baseline", "targets without a baseline"),
    "measures_without_target": ("gaps-measures-without-target", "measures without any target"),
    "measures_bureau_only": (
        "gaps-measures-bureau-only",
        "measures whose only responsible unit is the bureau itself",
    ),
}

Gaps = dict[str, list[dict[str, str]]]


def find_gaps(store: Store) -> Gaps:
    """Each kind of gap with its rows: id, label (the indicator for a target), surface, parent."""
    return gaps_from_rows(
        {key: store.query(load_query(q).text).rows for key, (q, _) in GAPS.items()}
    )


def gaps_from_rows(
    results: Mapping[str, Sequence[Mapping[str, str]]], *, iri: bool = False
) -> Gaps:
    """The gap report from each gap query's rows (keyed as :data:`GAPS`); ``iri`` keeps each
    node's IRI beside its local id.

    >>> row = {"iri": "https://w3id.org/policykg/id/szamr-2024/measure/2-1-3", "label": "x"}
    >>> gaps_from_rows({"measures_without_target": [row]})["measures_without_target"]
    [{'label': 'x', 'id': 'measure/2-1-3'}]
    """
    report: Gaps = {}
    for key in GAPS:
        report[key] = []
        for row in results.get(key, ()):
            out = {k: (local_id(v) if k in {"iri", "parent"} else v) for k, v in row.items()}
            out["id"] = out.pop("iri")
            if iri:
                out["iri"] = row["iri"]
            report[key].append(out)
    return report


def render_json(report: Gaps) -> str:
    """The gaps as one JSON object of lists."""
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"


def render_text(report: Gaps) -> str:
    """The gaps as three headed lists, each with its count."""
    lines = []
    for key, (_, title) in GAPS.items():
        rows = report[key]
        lines.append(f"{title}: {len(rows)}")
        for row in rows:
            detail = "  ".join(
                row[k] for k in ("label", "surface", "parent", "notation") if row.get(k)
            )
            lines.append(f"  {row['id']}  {detail}")
    return "\n".join(lines) + "\n"
