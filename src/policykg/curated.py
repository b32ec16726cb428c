"""Load the curator's layer: what the text implies but does not state, each link with a rationale.

One YAML file per report under ``ontology/curated/`` (``{document}.yaml``): the report's file and
published title, English labels, and links such as focus area → build. It lands in the report's
curated named graph, never mixed with what the text states.

>>> curation = load_curation(curated_path("szamr-2024"))
>>> curation.source_file, curation.labels_en["area/2"]
('shenzhen-amr-2023-summary-2024-plan.txt', 'Stimulating market vitality')
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from policykg.errors import InputError
from policykg.model import Link
from policykg.paths import ontology_dir

__all__ = [
    "PREDICATES",
    "CuratedBaseline",
    "Curation",
    "curated_path",
    "find_curation",
    "load_curation",
]

PREDICATES = frozenset({"partOf", "contributesTo"})


@dataclass(frozen=True)
class CuratedBaseline:
    """A baseline a curator decides: each quantity named by the item stating it and its surface."""

    target_in: str  # "measure/2-3-2"
    target: str  # "不少于2500家"
    baseline_in: str  # "headline/1-8-4"
    baseline: str  # "超过1万家"
    comparability: Literal["same", "different"]
    rationale: str


@dataclass(frozen=True)
class Curation:
    """A report's curated layer."""

    document: str
    source_file: str
    title: str | None
    title_en: str | None
    publisher: str | None
    source_rationale: str | None
    labels_en: dict[str, str]
    links: tuple[Link, ...]
    same_instruments: tuple[tuple[str, str, str], ...] = ()  # (title, title, rationale)
    baselines: tuple[CuratedBaseline, ...] = ()


def curated_path(document: str) -> Path:
    """The curated layer's file for a document id."""
    return ontology_dir() / "curated" / f"{document}.yaml"


def find_curation(source: Path) -> Curation | None:
    """The curated layer whose ``source.file`` names this source file, if there is one: in
    ``ontology/curated/``, or beside the source as ``{stem}.curated.yaml``."""
    beside = source.with_name(f"{source.stem}.curated.yaml")
    if beside.is_file():
        return load_curation(beside)
    for path in sorted((ontology_dir() / "curated").glob("*.yaml")):
        data = _read(path)
        if isinstance(data.get("source"), dict) and data["source"].get("file") == source.name:
            return load_curation(path)
    return None


def load_curation(path: Path) -> Curation:
    """Read and check a curated layer; a malformed file is an InputError naming the entry."""
    data = _read(path)
    where = str(path)
    document = data.get("document")
    source = data.get("source")
    if not isinstance(document, str) or not isinstance(source, dict):
        raise InputError("expected 'document' (an id) and a 'source' mapping", source=where)
    labels = data.get("labels_en") or {}
    if not isinstance(labels, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in labels.items()
    ):
        raise InputError("expected 'labels_en' to map node ids to English labels", source=where)
    links = []
    for n, entry in enumerate(data.get("links") or [], 1):
        if not isinstance(entry, dict) or set(entry) != {
            "subject",
            "predicate",
            "object",
            "rationale",
        }:
            raise InputError(
                f"links entry {n}: expected exactly subject, predicate, object, rationale",
                source=where,
            )
        if entry["predicate"] not in PREDICATES:
            raise InputError(
                f"links entry {n}: predicate {entry['predicate']!r} is not one of "
                + ", ".join(sorted(PREDICATES)),
                source=where,
            )
        if not str(entry["rationale"]).strip():
            raise InputError(f"links entry {n}: a curated link needs a rationale", source=where)
        links.append(
            Link(
                str(entry["subject"]),
                str(entry["predicate"]),
                str(entry["object"]),
                "curated",
                rationale=str(entry["rationale"]).strip(),
            )
        )
    same = []
    for n, entry in enumerate(data.get("same_instruments") or [], 1):
        titles = entry.get("titles") if isinstance(entry, dict) else None
        rationale = str(entry.get("rationale", "")).strip() if isinstance(entry, dict) else ""
        if not isinstance(titles, list) or len(titles) != 2 or not rationale:
            raise InputError(
                f"same_instruments entry {n}: expected two titles and a rationale", source=where
            )
        same.append((str(titles[0]), str(titles[1]), rationale))
    baselines = []
    for n, entry in enumerate(data.get("baselines") or [], 1):
        keys = {"target_in", "target", "baseline_in", "baseline", "comparability", "rationale"}
        if not isinstance(entry, dict) or set(entry) != keys:
            raise InputError(
                f"baselines entry {n}: expected exactly " + ", ".join(sorted(keys)), source=where
            )
        if (
            entry["comparability"] not in {"same", "different"}
            or not str(entry["rationale"]).strip()
        ):
            raise InputError(
                f"baselines entry {n}: comparability is same or different, "
                "and a rationale is needed",
                source=where,
            )
        baselines.append(
            CuratedBaseline(
                str(entry["target_in"]),
                str(entry["target"]),
                str(entry["baseline_in"]),
                str(entry["baseline"]),
                entry["comparability"],
                str(entry["rationale"]).strip(),
            )
        )
    return Curation(
        document=document,
        source_file=str(source.get("file", "")),
        title=_opt(source.get("title")),
        title_en=_opt(source.get("title_en")),
        publisher=_opt(source.get("publisher")),
        source_rationale=_opt(source.get("rationale")),
        labels_en=dict(labels),
        links=tuple(links),
        same_instruments=tuple(same),
        baselines=tuple(baselines),
    )


def _opt(value: object) -> str | None:
    return None if value is None else str(value)


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise InputError(f"cannot read the curated layer: {error}", source=str(path)) from error
    if not isinstance(data, dict):
        raise InputError("expected a YAML mapping", source=str(path))
    return data
