"""Build a report's dataset: read, parse, import tables, write RDF, validate, serialise, write.

Nothing is written until the whole dataset is built and conforms to the shapes; then the files are
replaced as one atomic change (:mod:`policykg.atomic`), so a failed or killed build leaves the
last good ``graphs/`` as it was. Two builds of the same input give byte-identical files.

>>> from policykg.paths import graphs_dir
>>> result = build(graphs_dir() / "sources" / "shenzhen-amr-2023-summary-2024-plan.txt")
>>> sorted(result.files)  # doctest: +NORMALIZE_WHITESPACE
['sources/shenzhen-amr-2023-summary-2024-plan.txt',
 'szamr-2024.jsonld', 'szamr-2024.trig', 'szamr-2024.ttl']
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset

from policykg import crossyear
from policykg.assignments import Table, load_table
from policykg.atomic import write_files
from policykg.curated import Curation, find_curation
from policykg.errors import BuildError, InputError
from policykg.graph import PREFIXES, build_dataset, results_dataset, union_graph
from policykg.model import Plan
from policykg.parse import parse_plan
from policykg.units import load_lexicon
from policykg.validate import ValidationReport, validate

__all__ = [
    "BuildResult",
    "BuildSet",
    "build",
    "build_all",
    "check",
    "default_source",
    "document_id",
    "write",
]

Progress = Callable[[str], None]
STEPS = ("parse", "graph", "shacl", "serialise")  # build() reports each step once per report


@dataclass
class BuildResult:
    """A built dataset, its files (name → bytes) and what the build measured."""

    plan: Plan
    dataset: Dataset
    report: ValidationReport
    files: dict[str, bytes]
    seconds: dict[str, float] = field(default_factory=dict)
    tables: list[Table] = field(default_factory=list)

    def triples_per_graph(self) -> dict[str, int]:
        """The number of triples in each named graph, by graph IRI."""
        return {
            str(graph.identifier): len(graph)
            for graph in sorted(self.dataset.graphs(), key=lambda g: str(g.identifier))
            if len(graph)
        }


@dataclass
class BuildSet:
    """Several reports built into one dataset: each report's result, the targets linked to the
    results the other reports state (:mod:`policykg.crossyear`), and every file to write."""

    results: list[BuildResult]
    links: list[crossyear.Result]
    files: dict[str, bytes]


RESULTS_FILE = "cross-year"  # graphs/cross-year.{trig,ttl,jsonld}: the links between reports


def build_all(
    sources: Sequence[Path],
    assignments: Sequence[Path] = (),
    progress: Progress | None = None,
) -> BuildSet:
    """Build several reports into one dataset; nothing is returned unless every one builds.

    Each report keeps its document IRI and named graphs. Targets are linked to the results
    other reports state for their year (``cross-year.trig``, written only when there are
    links). Task breakdown tables name the measures of one report, so they need one source.
    """
    if not sources:
        raise InputError("no report to build")
    if assignments and len(sources) > 1:
        raise InputError(
            "task breakdown tables name the measures of one report: build that report alone "
            "with --assignments"
        )
    results: list[BuildResult] = []
    owners: dict[str, Path] = {}
    for source in sources:
        result = build(source, assignments, progress)
        document = result.plan.document
        if document in owners:
            raise InputError(
                f"two reports have the document id {document!r}: {owners[document]} and {source}",
                source=str(source),
            )
        owners[document] = source
        results.append(result)
    links = crossyear.results([r.plan for r in results])
    files: dict[str, bytes] = {}
    for result in results:
        files.update(result.files)
    if links:
        files.update(serialise(results_dataset(links), RESULTS_FILE))
    return BuildSet(results, links, files)


def default_source() -> Path:
    """The report policykg ships: ``graphs/sources/shenzhen-amr-2023-summary-2024-plan.txt``."""
    from policykg.paths import graphs_dir

    return graphs_dir() / "sources" / "shenzhen-amr-2023-summary-2024-plan.txt"


def document_id(source: Path, curation: Curation | None) -> str:
    """The report's id: its curated id, else a slug of its file name.

    >>> document_id(Path("Ningxia 2026 report.txt"), None)
    'ningxia-2026-report'
    """
    if curation is not None:
        return curation.document
    return re.sub(r"[^0-9a-z]+", "-", source.stem.lower()).strip("-") or "report"


def build(
    source: Path,
    assignments: Sequence[Path] = (),
    progress: Progress | None = None,
) -> BuildResult:
    """Build the dataset of a report and its task breakdown tables, in memory.

    Raises InputError for a text or table that is not of the expected form and BuildError when
    the graph does not conform to the shapes.
    """
    say = progress or (lambda _: None)
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    try:
        raw = source.read_bytes()
    except OSError as error:
        raise InputError(f"cannot read the report: {error.strerror}", source=str(source)) from error
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            f"not UTF-8 text (byte {error.start}: {error.reason})", source=str(source)
        ) from error
    curation = find_curation(source)
    document = document_id(source, curation)
    say(f"parsing {source.name} as {document}")
    plan = parse_plan(
        text,
        document,
        source=str(source),
        title=curation.title if curation else None,
        publisher=curation.publisher if curation else None,
        lexicon=load_lexicon(),
    )
    if not plan.title and plan.title_span is None:
        raise InputError(
            "the report has no title: give it a title line before its first part "
            "(such as 2024年工作总结和2025年工作安排), or a curated layer "
            "(ontology/curated/*.yaml) whose source.title names it",
            line=1,
            source=str(source),
        )
    tables = _tables(plan, assignments)
    seconds["parse"] = time.perf_counter() - started
    say(f"writing the graph of {document}")
    started = time.perf_counter()
    dataset = build_dataset(plan, curation, tables)
    seconds["graph"] = time.perf_counter() - started
    say(f"validating {document} against ontology/shapes.ttl")
    started = time.perf_counter()
    report = validate(dataset)
    seconds["shacl"] = time.perf_counter() - started
    if not report.conforms:
        raise BuildError("the graph does not conform to the shapes:\n" + report.summary())
    say(f"serialising {document}")
    started = time.perf_counter()
    files = {f"sources/{source.name}": raw, **serialise(dataset, document)}
    seconds["serialise"] = time.perf_counter() - started
    return BuildResult(plan, dataset, report, files, seconds, tables)


def _tables(plan: Plan, paths: Sequence[Path]) -> list[Table]:
    measures = {m.id for m in plan.measures}
    units: dict[str, str] = {}
    for unit in load_lexicon():
        units[unit.id] = f"unit/{unit.id}"
        units[unit.zh] = f"unit/{unit.id}"
        for form in unit.forms:
            units[form] = f"unit/{unit.id}"
    tables = []
    for path in paths:
        tables.append(load_table(path, measures, units))
    names = [t.name for t in tables]
    if len(set(names)) != len(names):
        raise InputError(f"two tables share a name: {', '.join(names)}")
    return tables


def serialise(dataset: Dataset, document: str) -> dict[str, bytes]:
    """The dataset as TriG (all named graphs), Turtle (their union) and JSON-LD (with a context)."""
    union = union_graph(dataset)
    # rdflib writes a dataset's graphs in its store's (set) order: write one graph at a time,
    # sorted by name; a concatenation of TriG documents is a TriG document.
    chunks = []
    for graph in sorted(dataset.graphs(), key=lambda g: str(g.identifier)):
        if len(graph):
            single = Dataset()
            for prefix, namespace in PREFIXES.items():
                single.bind(prefix, namespace)
            target = single.graph(graph.identifier)
            for triple in graph:
                target.add(triple)
            chunks.append(single.serialize(format="trig", encoding="utf-8"))
    trig = b"".join(chunks)
    turtle = union.serialize(format="turtle", encoding="utf-8")
    jsonld = dataset.serialize(format="json-ld", context=PREFIXES, encoding="utf-8")
    parsed = json.loads(jsonld)
    canonical = json.dumps(_sorted_jsonld(parsed), ensure_ascii=False, indent=1, sort_keys=True)
    return {
        f"{document}.trig": trig,
        f"{document}.ttl": turtle,
        f"{document}.jsonld": (canonical + "\n").encode("utf-8"),
    }


def _sorted_jsonld(node: object) -> object:
    """Sort JSON-LD arrays by their canonical text so the file does not depend on set order."""
    if isinstance(node, dict):
        return {key: _sorted_jsonld(value) for key, value in node.items()}
    if isinstance(node, list):
        items = [_sorted_jsonld(item) for item in node]
        return sorted(items, key=lambda item: json.dumps(item, ensure_ascii=False, sort_keys=True))
    return node


def write(result: BuildResult | BuildSet, out: Path) -> list[Path]:
    """Write the built files under ``out`` as one atomic change (see :mod:`policykg.atomic`):
    after a crash or ``kill -9`` at any moment, ``out`` holds the previous build, byte for byte."""
    return write_files(out, result.files)


def check(result: BuildResult | BuildSet, out: Path) -> list[str]:
    """The files under ``out`` that differ from a fresh build (missing ones included)."""
    stale = []
    for name, content in sorted(result.files.items()):
        target = out / name
        if not target.exists():
            stale.append(f"{name}: missing")
        elif target.read_bytes() != content:
            stale.append(f"{name}: differs from a fresh build")
    return stale
