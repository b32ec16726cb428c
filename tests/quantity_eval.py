"""Measure :func:`policykg.quantities.extract` against a hand-checked annotation table.

A table (``tests/data/quantities/*.tsv``, format in ``CONVENTIONS.md`` there) gives each
quantity by line, occurrence and surface; :func:`load_table` resolves those to absolute
``[start, end)`` offsets in the report and :func:`score` matches extracted quantities to them
on (start, end, value, value_high, unit, comparator), values with a relative tolerance of 1e-9.
Commitment, change and indicator are carried along but not scored.

>>> import tempfile
>>> report = "一、总结\\n新增“个转企”3582户,增长18%。\\n"
>>> with tempfile.TemporaryDirectory() as folder:
...     table = Path(folder) / "t.tsv"
...     _ = table.write_text(
...         "line\\toccurrence\\tsurface\\tvalue\\tvalue_high\\tunit\\tcomparator\\t"
...         "commitment\\tchange\\tnote\\n"
...         "2\\t1\\t3582户\\t3582\\t\\t户\\t=\\t\\t\\t\\n", encoding="utf-8")
...     rows = load_table(table, report)
>>> rows[0].start, rows[0].end, report[rows[0].start:rows[0].end]
(12, 17, '3582户')
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from policykg.quantities import Quantity

ROOT = Path(__file__).resolve().parents[1]
TABLES = ROOT / "tests" / "data" / "quantities"

REPORT_DIRS: tuple[Path, ...] = (
    ROOT / "graphs" / "sources",
    ROOT / "graphs" / "sources" / "other-reports",
    ROOT.parent / "shared" / "sources" / "other-reports",
    ROOT.parent / "shared" / "sources",
    Path("/work/shared/sources/other-reports"),
)
"""Where the reports are looked for: this repository, then shared/ beside it."""

REPORTS: dict[str, str] = {
    "szamr-2024": "shenzhen-amr-2023-summary-2024-plan.txt",
    "ningxia-2026": "ningxia-2026-government-work-report.txt",
    "shanxi-2026": "shanxi-2026-government-work-report.txt",
}
"""Table name (the file name without ``.tsv``) → the report it annotates."""

COLUMNS = (
    "line",
    "occurrence",
    "surface",
    "value",
    "value_high",
    "unit",
    "comparator",
    "commitment",
    "change",
    "note",
)


@dataclass(frozen=True)
class Expected:
    """One row of an annotation table, resolved to ``[start, end)`` in its report."""

    line: int
    occurrence: int
    surface: str
    start: int
    end: int
    value: float
    value_high: float | None
    unit: str
    comparator: str
    commitment: str
    change: str
    note: str
    indicator: str = ""


@dataclass(frozen=True)
class Score:
    """Precision and recall of an extraction against a table, with what was missed."""

    precision: float
    recall: float
    f1: float
    tp: int
    fp: int
    fn: int
    misses: list[Expected] = field(default_factory=list)
    extras: list[Quantity] = field(default_factory=list)


def report_path(table: Path) -> Path:
    """The report a table annotates, found in :data:`REPORT_DIRS`."""
    name = REPORTS.get(table.stem)
    if name is None:
        raise ValueError(f"no report is known for table {table.name}")
    for folder in REPORT_DIRS:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"report {name} for {table.name} is in none of {REPORT_DIRS}")


def _float(cell: str) -> float | None:
    cell = cell.strip()
    return float(cell) if cell else None


def load_table(path: Path, text: str | None = None) -> list[Expected]:
    """The rows of ``path`` with absolute offsets into its report (or into ``text``).

    Raises :class:`ValueError` naming the row when its surface is not found on its line.
    """
    if text is None:
        text = report_path(path).read_text(encoding="utf-8")
    starts = [0]
    for index, char in enumerate(text):
        if char == "\n":
            starts.append(index + 1)
    rows: list[Expected] = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path.name}: missing columns {missing}")
        for number, row in enumerate(reader, start=2):
            if not (row.get("line") or "").strip():
                continue
            line = int(row["line"])
            occurrence = int(row["occurrence"] or 1)
            surface = row["surface"]
            if not 1 <= line <= len(starts):
                raise ValueError(f"{path.name} row {number}: line {line} is not in the report")
            line_start = starts[line - 1]
            line_end = text.find("\n", line_start)
            if line_end == -1:
                line_end = len(text)
            at = line_start - 1
            for _ in range(occurrence):
                at = text.find(surface, at + 1, line_end)
                if at == -1:
                    raise ValueError(
                        f"{path.name} row {number}: {surface!r} (occurrence {occurrence}) "
                        f"is not on line {line}"
                    )
            value = _float(row["value"])
            if value is None:
                raise ValueError(f"{path.name} row {number}: no value")
            rows.append(
                Expected(
                    line=line,
                    occurrence=occurrence,
                    surface=surface,
                    start=at,
                    end=at + len(surface),
                    value=value,
                    value_high=_float(row["value_high"] or ""),
                    unit=(row["unit"] or "").strip(),
                    comparator=(row["comparator"] or "").strip(),
                    commitment=(row["commitment"] or "").strip(),
                    change=(row["change"] or "").strip(),
                    note=(row["note"] or "").strip(),
                    indicator=(row.get("indicator") or "").strip(),
                )
            )
    return rows


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def matches(found: Quantity, expected: Expected) -> bool:
    """Whether an extracted quantity is the expected one (span, value, unit, comparator)."""
    return (
        found.start == expected.start
        and found.end == expected.end
        and found.unit == expected.unit
        and found.comparator == expected.comparator
        and _close(found.value, expected.value)
        and _close(found.value_high, expected.value_high)
    )


def score(extracted: Sequence[Quantity], expected: Sequence[Expected]) -> Score:
    """Match each expected row to at most one extracted quantity, and count.

    >>> score([], []).f1
    1.0
    """
    unused = list(extracted)
    misses: list[Expected] = []
    for row in expected:
        for index, candidate in enumerate(unused):
            if matches(candidate, row):
                del unused[index]
                break
        else:
            misses.append(row)
    tp = len(expected) - len(misses)
    fp = len(unused)
    fn = len(misses)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(precision, recall, f1, tp, fp, fn, misses, unused)
