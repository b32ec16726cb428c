"""Export the framework, measures, units or policy instruments as rows, JSON or CSV.

Every export has the fields ``id`` (the local id: ``measure/2-2-1``), ``iri``, ``type`` (the
class's local name), ``label_zh``, ``label_en`` (curated; empty where none), ``parent`` (the local
ids of the node's parents, space-separated: a measure's focus area, a unit's organisation, the
headline or measure naming a policy), ``start`` and ``end`` (the first span, in code points) and
``text`` (that span's exact text). Units add ``mentions`` (how many times the text names them);
policies add ``action``, ``status`` (done/planned), ``year`` and ``instrument_type``; a policy row
is one action on an instrument.

``quantities`` has fields of its own: ``id, iri, kind`` (target or achievement), ``indicator,
value, value_high, unit, comparator`` (≥ > ≤ < = ≈ range rank), ``commitment`` (committed or
stretch, targets only), ``year, change`` (increase or decrease, for changes), ``surface, start,
end`` (the quantity's exact text and span), ``parent`` (the measure or headline) and ``section``.

>>> from policykg.paths import graphs_dir
>>> from policykg.store import Store
>>> store = Store.from_files(sorted(graphs_dir().glob("*.trig")))
>>> rows = export_rows(store, "framework")
>>> [(r["id"], r["label_zh"]) for r in rows[:2]]
[('workline', '作风提升年'), ('project', '强基工程')]
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from typing import Literal

from policykg.graph import BASE
from policykg.queries import load_query
from policykg.store import Store

__all__ = [
    "EXPORTS",
    "FIELDS",
    "Format",
    "document_of",
    "export_rows",
    "fields_of",
    "local_id",
    "qualified_id",
    "render",
    "shape_rows",
]

FIELDS = ("id", "iri", "type", "label_zh", "label_en", "parent", "start", "end", "text")
EXTRA: dict[str, tuple[str, ...]] = {
    "units": ("mentions",),
    "policies": ("action", "status", "year", "instrument_type"),
}
QUANTITY_FIELDS = (
    "id", "iri", "kind", "indicator", "value", "value_high", "unit", "comparator", "commitment",
    "year", "change", "surface", "start", "end", "parent", "section",
)  # fmt: skip
EXPORTS = ("framework", "measures", "units", "policies", "quantities")
Format = Literal["json", "csv"]


def local_id(iri: str) -> str:
    """The local id of a node IRI: ``…/id/szamr-2024/measure/2-2-1`` → ``measure/2-2-1``.

    >>> local_id("https://w3id.org/policykg/id/unit/bureau"), local_id("urn:x")
    ('unit/bureau', 'urn:x')
    """
    if not iri.startswith(BASE):
        return iri
    rest = iri[len(BASE) :]
    return rest if rest.startswith("unit/") else rest.partition("/")[2] or rest


def qualified_id(iri: str) -> str:
    """A node's id with its document: ``…/id/szamr-2024/measure/2-2-1`` →
    ``szamr-2024/measure/2-2-1``, which the API resolves in any number of reports.

    >>> qualified_id("https://w3id.org/policykg/id/szamr-2024/measure/2-2-1")
    'szamr-2024/measure/2-2-1'
    """
    return iri.removeprefix(BASE)


def document_of(iri: str) -> str | None:
    """The document id of a node IRI; None for a shared node (a unit) or another IRI.

    >>> document_of("https://w3id.org/policykg/id/szamr-2024/measure/2-2-1")
    'szamr-2024'
    >>> document_of("https://w3id.org/policykg/id/unit/bureau") is None
    True
    """
    if not iri.startswith(BASE):
        return None
    first = iri[len(BASE) :].partition("/")[0]
    return None if first in {"unit", "cross-year"} else first


def _type_name(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def fields_of(what: str) -> tuple[str, ...]:
    """The fields of an export, in order."""
    return QUANTITY_FIELDS if what == "quantities" else FIELDS + EXTRA.get(what, ())


def export_rows(store: Store, what: str) -> list[dict[str, str]]:
    """The rows of one export (framework, measures, units, policies or quantities)."""
    _check(what)
    return shape_rows(what, store.query(load_query(f"export-{what}").text).rows)


def shape_rows(what: str, rows: Sequence[Mapping[str, str]]) -> list[dict[str, str]]:
    """The rows of one export from the rows of its query (``export-framework`` …): one row per
    node (per action for policies), parents and mentions gathered.

    >>> shape_rows("measures", [{"iri": "urn:m", "type": "urn:t#Measure", "label_zh": "措施",
    ...     "parent": "urn:a", "start": "1", "end": "3", "text": "一是"}])[0]["parent"]
    'urn:a'
    """
    _check(what)
    if what == "quantities":
        return [_quantity_row(r) for r in rows]
    if what == "policies":
        return [_row(r, what, [r["parent"]], r, 1) for r in rows]
    grouped: dict[str, list[Mapping[str, str]]] = {}
    for row in rows:
        grouped.setdefault(row["iri"], []).append(row)
    shaped = []
    for group in grouped.values():
        parents = sorted({r["parent"] for r in group if "parent" in r}, key=_natural)
        spans = [r for r in group if "start" in r]
        first = min(spans, key=lambda r: int(r["start"])) if spans else group[0]
        mentions = len({r["start"] for r in spans})
        shaped.append(_row(group[0], what, parents, first, mentions))
    return shaped


def _check(what: str) -> None:
    if what not in EXPORTS:
        raise ValueError(f"unknown export {what!r}: expected one of {', '.join(EXPORTS)}")


def _quantity_row(row: Mapping[str, str]) -> dict[str, str]:
    out = {field: row.get(field, "") for field in QUANTITY_FIELDS}
    out["id"] = local_id(row["iri"])
    out["parent"] = local_id(row["parent"])
    out["section"] = local_id(row["section"])
    return out


def _natural(iri: str) -> tuple[object, ...]:
    return tuple(int(p) if p.isdigit() else p for p in iri.replace("-", "/").split("/"))


def _row(
    row: Mapping[str, str],
    what: str,
    parents: Sequence[str],
    span: Mapping[str, str],
    mentions: int,
) -> dict[str, str]:
    out = {
        "id": local_id(row["iri"]),
        "iri": row["iri"],
        "type": _type_name(row["type"]),
        "label_zh": row.get("label_zh", ""),
        "label_en": row.get("label_en", ""),
        "parent": " ".join(local_id(p) for p in parents),
        "start": span.get("start", ""),
        "end": span.get("end", ""),
        "text": span.get("text", ""),
    }
    if what == "units":
        out["mentions"] = str(mentions)
    if what == "policies":
        out["action"] = row["action"]
        out["status"] = _type_name(row["status"])
        out["year"] = row["year"]
        out["instrument_type"] = _type_name(row["instrument_type"])
    return out


def render(rows: Sequence[dict[str, str]], fields: Sequence[str], fmt: Format) -> str:
    """Rows as JSON (an array of objects; start/end as numbers) or CSV (a header row first).

    >>> print(render([{"id": "a", "start": "3"}], ["id", "start"], "csv"), end="")
    id,start
    a,3
    """
    if fmt == "json":
        data = [{k: _json_value(k, r.get(k, "")) for k in fields} for r in rows]
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=list(fields), extrasaction="ignore", lineterminator="\n"
    )
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _json_value(field: str, text: str) -> object:
    """Numbers as JSON numbers, empty optional fields as null, the rest as strings."""
    if field in {"start", "end", "mentions", "year"}:
        return int(text) if text else None
    if field in {"value", "value_high"}:
        if not text:
            return None
        number = float(text)
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    if field in {"value_high", "commitment", "change"} and not text:
        return None
    return text
