"""Import a task breakdown table (任务分解表): who leads and who joins each measure, by when.

A UTF-8 CSV file with a header row and the columns

``measure``
    the measure's id: ``2-3-2``, ``measure/2-3-2`` or its notation ``P2.3.2``;
``lead_unit``
    the lead unit (牵头单位): a unit id of the lexicon (``bureau``), or a unit's name;
``cooperating_units``
    the cooperating units (配合单位), separated by ``;``, ``；`` or ``、``; may be empty;
``deadline``
    the deadline (完成时限) as ``YYYY-MM-DD``; may be empty.

Every row becomes an assignment in the table's own named graph. Every problem is reported with
its row (the file's line number) and column, and a table with any problem imports nothing.

>>> import io
>>> table = read_table(io.StringIO("measure,lead_unit,cooperating_units,deadline\\n"
...     "2-2-1,登记注册处,信用监管处;各区,2024-06-30\\n"), "demo", {"measure/2-2-1"}, {})
>>> [(a.role, a.unit, a.deadline) for a in table.assignments]  # doctest: +NORMALIZE_WHITESPACE
[('lead', 'unit/登记注册处', '2024-06-30'),
 ('cooperating', 'unit/信用监管处', '2024-06-30'),
 ('cooperating', 'unit/各区', '2024-06-30')]
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from policykg.errors import InputError
from policykg.model import Assignment, UnitNode

__all__ = ["COLUMNS", "Table", "load_table", "read_table", "table_name"]

COLUMNS = ("measure", "lead_unit", "cooperating_units", "deadline")

MEASURE_ID = re.compile(
    r"""
    ^(?:measure/|P)?            # an optional prefix: measure/2-3-2 or the notation P2.3.2
    (?P<path>\d+[-.]\d+[-.]\d+)$ # part, section and ordinal, joined by - or .
    """,
    re.VERBOSE,
)
SEPARATORS = re.compile(r"[;；、\n]")
UNSAFE_IN_IRI = re.compile(r"[\s<>\"{}|\\^`/#?%]")


def _iri_safe(name: str) -> str:
    """A name as an IRI path segment: unsafe characters percent-encoded, so distinct names stay
    distinct.

    >>> _iri_safe("科技处/法规处"), _iri_safe("科技处-法规处")
    ('科技处%2F法规处', '科技处-法规处')
    """
    return UNSAFE_IN_IRI.sub(lambda m: "".join(f"%{b:02X}" for b in m[0].encode()), name)


@dataclass(frozen=True)
class Table:
    """An imported task breakdown table: its name, its assignments, and the units it introduced."""

    name: str
    assignments: tuple[Assignment, ...]
    units: tuple[UnitNode, ...]


def table_name(path: Path) -> str:
    """The table's name in IRIs: its file stem, with unsafe characters replaced.

    >>> table_name(Path("tables/2024 任务分解表.csv"))
    '2024-任务分解表'
    """
    return UNSAFE_IN_IRI.sub("-", path.stem)


def load_table(path: Path, measures: Collection[str], units: Mapping[str, str]) -> Table:
    """Read a table from a file; see :func:`read_table`."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return read_table(handle, table_name(path), measures, units, source=str(path))
    except UnicodeDecodeError as error:
        raise InputError(f"not UTF-8 text: {error}", source=str(path)) from error
    except OSError as error:
        raise InputError(f"cannot read the table: {error.strerror}", source=str(path)) from error


def read_table(
    handle: TextIO,
    name: str,
    measures: Collection[str],
    units: Mapping[str, str],
    source: str | None = None,
) -> Table:
    """Read a table: ``measures`` are the known measure ids, ``units`` maps names to unit ids.

    Raises InputError listing every bad cell by row and column; nothing is returned then.
    """
    reader = csv.DictReader(handle)
    header = reader.fieldnames or []
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        raise InputError(
            f"row 1: missing column(s) {', '.join(missing)}; expected the header "
            + ",".join(COLUMNS),
            source=source,
        )
    problems: list[str] = []
    assignments: list[Assignment] = []
    new_units: dict[str, UnitNode] = {}

    def unit_id(name: str) -> str:
        if name in units:
            return units[name]
        local = f"unit/{_iri_safe(name)}"
        new_units.setdefault(local, UnitNode(local, "organization", name, "", None, ()))
        return local

    next_line = reader.line_num + 1  # a record's row is the line on which it starts
    for row in reader:
        line, next_line = next_line, reader.line_num + 1
        where = f"row {line}"
        measure_cell = (row.get("measure") or "").strip()
        lead = (row.get("lead_unit") or "").strip()
        cooperating = [u.strip() for u in SEPARATORS.split(row.get("cooperating_units") or "")]
        deadline_cell = (row.get("deadline") or "").strip()
        match = MEASURE_ID.match(measure_cell)
        measure = f"measure/{match['path'].replace('.', '-')}" if match else None
        if measure is None or measure not in measures:
            problems.append(
                f"{where}, column measure: unknown measure {measure_cell!r} "
                "(expected an id such as 2-3-2 of a measure of this plan)"
            )
        if not lead:
            problems.append(f"{where}, column lead_unit: the lead unit is empty")
        deadline = None
        if deadline_cell:
            try:
                deadline = dt.date.fromisoformat(deadline_cell).isoformat()
                if not re.fullmatch(r"\d{4}-\d\d-\d\d", deadline_cell):
                    raise ValueError(deadline_cell)
            except ValueError:
                problems.append(
                    f"{where}, column deadline: {deadline_cell!r} is not a date (YYYY-MM-DD)"
                )
        if problems or measure is None:
            continue
        roles = [("lead", lead)] + [("cooperating", u) for u in cooperating if u]
        for n, (role, unit_name) in enumerate(roles):
            assignments.append(
                Assignment(
                    id=f"assignment/{name}/{line}-{n}",
                    task=measure,
                    unit=unit_id(unit_name),
                    role=role,
                    evidence="stated",
                    role_text="牵头单位" if role == "lead" else "配合单位",
                    deadline=deadline,
                    table=name,
                    row=line,
                )
            )
    if problems:
        raise InputError("; ".join(problems), source=source)
    if not assignments:
        raise InputError("the table has no rows", source=source)
    return Table(name, tuple(assignments), tuple(new_units.values()))
