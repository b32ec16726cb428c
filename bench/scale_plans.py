"""Synthetic plans shaped like the real one: N copies of a built graph, each its own document.

Every copy is the real graph's quads with the document part of each IRI rewritten
(``/id/szamr-2024/…`` → ``/id/plan-{k}/…``, the named graphs too), so each level of the plan
(framework nodes, measures, headlines, targets, achievements, indicators, spans, links…) has
exactly the real counts in every copy. The responsible units (``/id/unit/…``) stay shared: every
copy names the same units, as plans of one city would. Text varies so that no two plans store the
same strings and a text search is not trivial:

- every text literal of a plan's own nodes (labels, full texts, span anchors, headlines, value
  texts, rationales, titles, role texts) ends with the plan's tag ``〔k〕``;
- "个转企" (individual businesses converted to enterprises) is kept in one plan in ten
  (k ≡ 1 mod 10) and reads "个体转企业" in the others, so a search for it finds 1 in 10 plans.

    .venv/bin/python bench/scale_plans.py 100 /tmp/plans-100.nq   # N-Quads of plans 1..100
"""

from __future__ import annotations

import argparse
import collections
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "graphs" / "szamr-2024.trig"
ID = "https://w3id.org/policykg/id/"
UNITS = ID + "unit/"
MARK = "\ue000K\ue000"  # stands for the plan number in a template (private-use characters)
NEEDLE = "个转企"
NEAR_MISS = "个体转企业"
EVERY = 10  # a plan k with k % EVERY == 1 keeps NEEDLE

SKOS = "http://www.w3.org/2004/02/skos/core#"
PK = "https://w3id.org/policykg/ontology#"
VARIED = {  # text predicates whose literals get the plan's tag
    SKOS + "prefLabel",
    SKOS + "altLabel",
    "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#anchorOf",
    PK + "fullText",
    PK + "headline",
    PK + "valueText",
    PK + "rationale",
    PK + "roleText",
    "http://purl.org/dc/terms/title",
}
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@dataclass(frozen=True)
class Templates:
    """The N-Quads of one plan with MARK for its number: with and without the search needle."""

    document: str
    hit: str
    miss: str
    quads: int
    shared_quads: int  # quads about the shared units (the same triples in every plan)
    census: dict[str, int]  # rdf:type (short name) → nodes of that type in one plan
    graphs: dict[str, int]  # named graph (short name) → quads in one plan

    def plan(self, k: int) -> str:
        """The N-Quads of plan k."""
        return (self.hit if k % EVERY == 1 else self.miss).replace(MARK, str(k))

    def hits(self, n: int) -> int:
        """How many of plans 1..n keep the needle."""
        return sum(1 for k in range(1, n + 1) if k % EVERY == 1)


def _short(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def templates(source: Path = SOURCE) -> Templates:
    """Read a built plan (TriG) and make the per-plan templates."""
    quads = list(ox.parse(path=str(source), format=ox.RdfFormat.TRIG))
    documents = {
        q.graph_name.value[len(ID) :].split("/", 1)[0]
        for q in quads
        if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value.startswith(ID)
    }
    if len(documents) != 1:
        raise SystemExit(f"expected the graph of one document, found {sorted(documents)}")
    document = documents.pop()
    own = ID + document + "/"

    census: collections.Counter[str] = collections.Counter()
    graphs: collections.Counter[str] = collections.Counter()
    shared = 0
    out: list[ox.Quad] = []
    for q in quads:
        subject, obj = q.subject, q.object
        graphs[_short(q.graph_name.value)] += 1
        if q.predicate.value == RDF_TYPE:
            census[_short(obj.value)] += 1
        if isinstance(subject, ox.NamedNode) and subject.value.startswith(UNITS):
            shared += 1
        elif (
            isinstance(obj, ox.Literal)
            and q.predicate.value in VARIED
            and isinstance(subject, ox.NamedNode)
            and subject.value.startswith(own)
        ):
            text = obj.value + f"〔{MARK}〕"
            obj = ox.Literal(text, language=obj.language) if obj.language else ox.Literal(text)
        out.append(ox.Quad(subject, q.predicate, obj, q.graph_name))
    text = ox.serialize(out, format=ox.RdfFormat.N_QUADS).decode("utf-8")
    for old, new in (
        (f"/id/{document}/", f"/id/plan-{MARK}/"),
        (f"/id/{document}>", f"/id/plan-{MARK}>"),
        (f'"{document}"', f'"plan-{MARK}"'),
    ):
        text = text.replace(old, new)
    if MARK not in text:
        raise SystemExit("the serialiser escaped the plan mark: the templates would be wrong")
    if document in text:
        raise SystemExit(f"the document id {document!r} is left somewhere the rewrite missed")
    if NEEDLE not in text:
        raise SystemExit(f"the source has no {NEEDLE!r}: the search benchmark needs one")
    return Templates(
        document=document,
        hit=text,
        miss=text.replace(NEEDLE, NEAR_MISS),
        quads=len(quads),
        shared_quads=shared,
        census=dict(census.most_common()),
        graphs=dict(graphs),
    )


def write_plans(path: Path, plans: Iterable[int], tpl: Templates) -> int:
    """Write the N-Quads of the given plans to path; the bytes written."""
    size = 0
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for k in plans:
            size += out.write(tpl.plan(k))
    return path.stat().st_size if size else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("plans", type=int, help="how many plans (1..N)")
    parser.add_argument("out", type=Path, help="the N-Quads file to write")
    parser.add_argument("--source", type=Path, default=SOURCE, help="a built plan (TriG)")
    args = parser.parse_args(argv)
    tpl = templates(args.source)
    size = write_plans(args.out, range(1, args.plans + 1), tpl)
    print(
        f"{args.plans} plans, {args.plans * tpl.quads:,} quads, {size / 1e6:.1f} MB → {args.out}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
