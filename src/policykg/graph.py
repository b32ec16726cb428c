"""Turn a parsed plan into RDF: the only module that writes triples.

What the text states goes into the report's ``stated`` named graph, every node with
``prov:wasDerivedFrom`` a span (``nif:beginIndex``, ``nif:endIndex``, ``nif:anchorOf``); what a
curator inferred goes into its ``curated`` graph, every link reified with its ``pk:rationale``; each
imported
task breakdown table gets a graph of its own. IRIs are deterministic and readable::

    https://w3id.org/policykg/id/szamr-2024/measure/2-3-2
    https://w3id.org/policykg/id/szamr-2024/span/5712-5790
    https://w3id.org/policykg/id/unit/bureau

>>> iri("szamr-2024", "measure/2-3-2")
rdflib.term.URIRef('https://w3id.org/policykg/id/szamr-2024/measure/2-3-2')
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path

from rdflib import RDF, SKOS, XSD, ConjunctiveGraph, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG, OWL, PROV

from policykg.assignments import Table
from policykg.crossyear import Result
from policykg.curated import CuratedBaseline, Curation
from policykg.errors import InputError
from policykg.model import Assignment, Baseline, Link, Plan, Span

__all__ = [
    "BASE",
    "CV",
    "ELI",
    "NIF",
    "PK",
    "PREFIXES",
    "assignments_graph_iri",
    "build_dataset",
    "curated_graph_iri",
    "decimal_text",
    "document_iri",
    "iri",
    "read_dataset",
    "results_dataset",
    "results_graph_iri",
    "stated_graph_iri",
    "union_graph",
    "unit_iri",
]

BASE = "https://w3id.org/policykg/id/"
PK = Namespace("https://w3id.org/policykg/ontology#")
NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
CV = Namespace("http://data.europa.eu/m8g/")
QUDT = Namespace("http://qudt.org/schema/qudt/")

PREFIXES: dict[str, str] = {
    "pk": str(PK),
    "skos": str(SKOS),
    "prov": str(PROV),
    "nif": str(NIF),
    "org": str(ORG),
    "dct": str(DCTERMS),
    "eli": str(ELI),
    "cv": str(CV),
    "qudt": str(QUDT),
    "xsd": str(XSD),
    "rdf": str(RDF),
}

INSTRUMENT_TYPES = {
    "law": PK.Law,
    "regulation": PK.Regulation,
    "plan": PK.Plan,
    "policy": PK.PolicyDocument,
    "standard": PK.Standard,
    "guide": PK.Guide,
    "list": PK.List,
}
LEGAL_KINDS = frozenset({"law", "regulation"})

ZH = "zh"
EN = "en"


def union_graph(data: Graph) -> Graph:
    """One plain graph of all the triples of a dataset (or the graph itself).

    rdflib 7 deprecates, with a warning, most lookups on a Dataset; a plain graph has none.
    """
    if not isinstance(data, ConjunctiveGraph):
        return data
    union = Graph()
    for prefix, namespace in data.namespaces():
        union.bind(prefix, namespace)
    union.addN((s, p, o, union) for s, p, o, _ in data.quads((None, None, None, None)))
    return union


def read_dataset(source: Path | bytes, format: str = "trig") -> Dataset:
    """Parse TriG (or another RDF format) into a Dataset.

    rdflib's ``Dataset.parse`` calls rdflib's own deprecated ``default_context``; that warning
    is about rdflib's internals, not ours, so it is silenced here and only here.
    """
    dataset = Dataset()
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", r"(Dataset\..*|ConjunctiveGraph) is deprecated", DeprecationWarning
        )
        if isinstance(source, Path):
            dataset.parse(source, format=format)
        else:
            dataset.parse(data=source, format=format)
    return dataset


def document_iri(document: str) -> URIRef:
    """The IRI of a report."""
    return URIRef(f"{BASE}{document}")


def iri(document: str, local: str) -> URIRef:
    """The IRI of a node of a report, from its local id (``measure/2-3-2``)."""
    return URIRef(f"{BASE}{document}/{local}")


def unit_iri(unit: str) -> URIRef:
    """Units are shared by every report: ``unit/bureau`` → ``…/id/unit/bureau``."""
    return URIRef(f"{BASE}{unit}")


def stated_graph_iri(document: str) -> URIRef:
    """The named graph of what the report's text states."""
    return iri(document, "graph/stated")


def curated_graph_iri(document: str) -> URIRef:
    """The named graph of the curator's inferences about the report."""
    return iri(document, "graph/curated")


def assignments_graph_iri(document: str, table: str) -> URIRef:
    """The named graph of one imported task breakdown table."""
    return iri(document, f"graph/assignments/{table}")


def results_graph_iri() -> URIRef:
    """The named graph of targets linked to the results later reports state (pk:result)."""
    return URIRef(f"{BASE}cross-year/graph/results")


def results_dataset(results: Sequence[Result]) -> Dataset:
    """Each target linked to a later report's result for its year: ``pk:result``, reified with
    its evidence (extracted), rationale and ``pk:attainment``; the two documents' indicators of
    one phrase linked by ``skos:exactMatch``.

    >>> from policykg.crossyear import Result
    >>> link = Result("a-2024", "target/2-1-1-1", "a-2025", "achievement/1-1-1-1", "个转企",
    ...               "indicator/1", "indicator/4", "met", "both measure 个转企 …")
    >>> data = results_dataset([link])
    >>> g = data.graph(results_graph_iri())
    >>> (iri("a-2024", "target/2-1-1-1"), PK.result, iri("a-2025", "achievement/1-1-1-1")) in g
    True
    """
    dataset = Dataset()
    for prefix, namespace in PREFIXES.items():
        dataset.bind(prefix, namespace)
    g = dataset.graph(results_graph_iri())
    for r in results:
        target, result = iri(r.target_document, r.target), iri(r.result_document, r.achievement)
        g.add((target, PK.result, result))
        name = f"{r.target_document}/{_slug(r.target)}--{r.result_document}/{_slug(r.achievement)}"
        statement = URIRef(f"{BASE}cross-year/result/{name}")
        g.add((statement, RDF.type, RDF.Statement))
        g.add((statement, RDF.subject, target))
        g.add((statement, RDF.predicate, PK.result))
        g.add((statement, RDF.object, result))
        g.add((statement, PK.evidence, PK.extracted))
        g.add((statement, PK.rationale, Literal(r.rationale, lang=EN)))
        g.add((statement, PK.attainment, PK[r.attainment]))
        first = iri(r.target_document, r.target_indicator)
        second = iri(r.result_document, r.result_indicator)
        g.add((first, SKOS.exactMatch, second))
        g.add((second, SKOS.exactMatch, first))
    return dataset


def build_dataset(
    plan: Plan,
    curation: Curation | None = None,
    tables: Sequence[Table] = (),
) -> Dataset:
    """The report as an RDF dataset: stated, curated and one graph per assignment table."""
    dataset = Dataset()
    for prefix, namespace in PREFIXES.items():
        dataset.bind(prefix, namespace)
    writer = _Writer(plan, dataset, curation.baselines if curation else ())
    writer.stated()
    if curation is not None:
        writer.curated(curation)
    for table in tables:
        writer.table(table)
    return dataset


class _Writer:
    def __init__(
        self, plan: Plan, dataset: Dataset, baselines: Sequence[CuratedBaseline] = ()
    ) -> None:
        self.plan = plan
        self.doc = plan.document
        self.doc_iri = document_iri(plan.document)
        self.stated_graph = dataset.graph(stated_graph_iri(plan.document))
        self.curated_graph = dataset.graph(curated_graph_iri(plan.document))
        self.dataset = dataset
        # resolved before anything is written: a curated baseline wins over an extracted one
        self.curated_baselines = self._resolve_baselines(baselines)

    def node(self, local: str) -> URIRef:
        if local == "document":
            return self.doc_iri
        return unit_iri(local) if local.startswith("unit/") else iri(self.doc, local)

    def span(self, graph: Graph, span: Span) -> URIRef:
        node = iri(self.doc, f"span/{span.start}-{span.end}")
        graph.add((node, RDF.type, PK.Span))
        graph.add((node, NIF.beginIndex, Literal(span.start, datatype=XSD.nonNegativeInteger)))
        graph.add((node, NIF.endIndex, Literal(span.end, datatype=XSD.nonNegativeInteger)))
        graph.add((node, NIF.anchorOf, Literal(span.anchor(self.plan.text))))
        graph.add((node, NIF.referenceContext, self.doc_iri))
        return node

    def derived(self, graph: Graph, subject: URIRef, spans: Iterable[Span]) -> None:
        for span in spans:
            graph.add((subject, PROV.wasDerivedFrom, self.span(graph, span)))

    def link(self, link: Link, graph: Graph, predicate: URIRef | None = None) -> URIRef:
        """Write a link and its reification: evidence, spans and, when curated, rationale."""
        subject, obj = self.node(link.subject), self.node(link.object)
        predicate = predicate or PK[link.predicate]
        graph.add((subject, predicate, obj))
        if link.predicate == "partOf":
            graph.add((subject, SKOS.broader, obj))
        name = f"{_slug(link.subject)}--{link.predicate}--{_slug(link.object)}"
        statement = iri(self.doc, f"link/{name}")
        graph.add((statement, RDF.type, RDF.Statement))
        graph.add((statement, RDF.subject, subject))
        graph.add((statement, RDF.predicate, predicate))
        graph.add((statement, RDF.object, obj))
        graph.add((statement, PK.evidence, PK[link.evidence]))
        if link.rationale:
            graph.add((statement, PK.rationale, Literal(link.rationale, lang=EN)))
        self.derived(graph, statement, link.spans)
        return statement

    def stated(self) -> None:
        g, plan, doc = self.stated_graph, self.plan, self.doc_iri
        g.add((doc, RDF.type, PK.SourceDocument))
        g.add((doc, DCTERMS.identifier, Literal(plan.document)))
        g.add((doc, PK.sha256, Literal(plan.sha256)))
        g.add((doc, PK.charCount, Literal(len(plan.text))))
        g.add((doc, DCTERMS.language, Literal(ZH)))
        if plan.title_span and not plan.title:  # a curated title wins
            title = Literal(plan.title_span.anchor(plan.text), lang=ZH)
            g.add((doc, DCTERMS.title, title))
            g.add((doc, SKOS.prefLabel, title))
            self.derived(g, doc, [plan.title_span])
        self.structure(g)
        self.framework(g)
        for link in plan.links:
            self.link(link, g)
        self.units(g)
        for assignment in plan.assignments:
            self.assignment(g, assignment)
        for measure, unit in plan.references:
            g.add((self.node(measure), DCTERMS.references, self.node(unit)))
        self.policies(g)
        self.quantities(g)

    def structure(self, g: Graph) -> None:
        plan = self.plan
        for section in plan.sections:
            node = self.node(section.id)
            g.add((node, RDF.type, PK[section.kind]))
            g.add((node, SKOS.prefLabel, Literal(section.label, lang=ZH)))
            g.add((node, PK.ordinal, Literal(section.ordinal)))
            g.add((node, SKOS.notation, Literal("P" + section.id.split("/")[1].replace("-", "."))))
            parent = self.node(section.parent) if section.parent else self.doc_iri
            g.add((node, DCTERMS.isPartOf, parent))
            self.derived(g, node, [section.title_span])
        for headline in plan.headlines:
            node = self.node(headline.id)
            g.add((node, RDF.type, PK.Headline))
            g.add((node, SKOS.prefLabel, Literal(headline.headline, lang=ZH)))
            g.add((node, PK.headline, Literal(headline.headline, lang=ZH)))
            g.add((node, PK.fullText, Literal(headline.text, lang=ZH)))
            g.add((node, PK.ordinal, Literal(headline.ordinal)))
            g.add((node, SKOS.notation, Literal(_notation(headline.id))))
            g.add((node, DCTERMS.isPartOf, self.node(headline.section)))
            self.derived(g, node, [headline.span])
        scheme = self.node("framework")
        for measure in plan.measures:
            node = self.node(measure.id)
            g.add((node, RDF.type, PK.Measure))
            g.add((node, RDF.type, SKOS.Concept))
            g.add((node, SKOS.inScheme, scheme))
            g.add((node, SKOS.prefLabel, Literal(measure.title, lang=ZH)))
            g.add((node, PK.fullText, Literal(measure.text, lang=ZH)))
            g.add((node, PK.ordinal, Literal(measure.ordinal)))
            g.add((node, SKOS.notation, Literal(_notation(measure.id))))
            g.add((node, DCTERMS.isPartOf, self.node(measure.section)))
            self.derived(g, node, [measure.span])

    def framework(self, g: Graph) -> None:
        plan = self.plan
        scheme = self.node("framework")
        g.add((scheme, RDF.type, SKOS.ConceptScheme))
        if plan.code:  # a framework code: 1146810
            g.add((scheme, RDF.type, PK.Framework))
            g.add((scheme, SKOS.notation, Literal(plan.code)))
            g.add((scheme, SKOS.prefLabel, Literal(plan.code, lang=ZH)))
        else:  # no code: the plan part's title names the scheme of its focus areas
            label = plan.code_spans[0].anchor(plan.text)
            g.add((scheme, SKOS.prefLabel, Literal(label, lang=ZH)))
        g.add((scheme, DCTERMS.source, self.doc_iri))
        self.derived(g, scheme, plan.code_spans)
        for fnode in plan.framework:
            node = self.node(fnode.id)
            g.add((node, RDF.type, PK[fnode.kind]))
            g.add((node, RDF.type, SKOS.Concept))
            g.add((node, SKOS.inScheme, scheme))
            g.add((node, PK.ordinal, Literal(fnode.ordinal)))
            if fnode.label is None:
                g.add((node, PK.unnamed, Literal(True)))
            else:
                g.add((node, SKOS.prefLabel, Literal(fnode.label, lang=ZH)))
            if fnode.kind == "WorkLine":
                g.add((node, SKOS.topConceptOf, scheme))
                g.add((scheme, SKOS.hasTopConcept, node))
            self.derived(g, node, fnode.spans)
        for group in plan.groups:
            node = self.node(group.id)
            g.add((node, RDF.type, PK[group.kind]))
            g.add((node, RDF.type, SKOS.Collection))
            g.add((node, SKOS.notation, Literal(group.digit)))
            g.add((scheme, PK.group, node))
            for member in group.members:
                g.add((node, SKOS.member, self.node(member)))
            self.derived(g, node, group.spans)

    def units(self, g: Graph) -> None:
        text = self.plan.text
        for unit in self.plan.units:
            node = self.node(unit.id)
            g.add(
                (
                    node,
                    RDF.type,
                    ORG.OrganizationalUnit if unit.kind == "unit" else ORG.Organization,
                )
            )
            target = g if unit.label in text else self.curated_graph
            target.add((node, SKOS.prefLabel, Literal(unit.label, lang=ZH)))
            for form in sorted({span.anchor(text) for span in unit.mentions} - {unit.label}):
                g.add((node, SKOS.altLabel, Literal(form, lang=ZH)))
            for span in unit.mentions:
                g.add((node, PK.mention, self.span(g, span)))
            self.derived(g, node, unit.mentions[:1])

    def assignment(self, g: Graph, assignment: Assignment) -> None:
        node = self.node(assignment.id)
        g.add((node, RDF.type, PK.Assignment))
        g.add((node, PK.task, self.node(assignment.task)))
        g.add((node, PK.unit, self.node(assignment.unit)))
        g.add((node, PK.role, PK[assignment.role]))
        g.add((node, PK.evidence, PK[assignment.evidence]))
        if assignment.role_text:
            g.add((node, PK.roleText, Literal(assignment.role_text, lang=ZH)))
        if assignment.deadline:
            g.add((node, PK.deadline, Literal(assignment.deadline, datatype=XSD.date)))
        if assignment.table is not None:
            g.add((node, PK.sourceTable, Literal(assignment.table)))
        if assignment.row is not None:
            g.add((node, PK.sourceRow, Literal(assignment.row)))
        self.derived(g, node, assignment.spans)

    def policies(self, g: Graph) -> None:
        seen: set[str] = set()
        for action in self.plan.policies:
            instrument = self.node(action.instrument)
            if action.instrument not in seen:
                seen.add(action.instrument)
                g.add((instrument, RDF.type, PK.PolicyInstrument))
                if action.kind in LEGAL_KINDS:
                    g.add((instrument, RDF.type, ELI.LegalResource))
                g.add((instrument, DCTERMS.title, Literal(action.title, lang=ZH)))
                g.add((instrument, SKOS.prefLabel, Literal(action.title, lang=ZH)))
                g.add((instrument, PK.instrumentType, INSTRUMENT_TYPES[action.kind]))
                self.derived(g, instrument, [action.title_span])
            node = self.node(action.id)
            g.add((node, RDF.type, PK.PolicyAction))
            g.add((node, PK.instrument, instrument))
            g.add((node, PK.action, Literal(action.action, lang=ZH)))
            g.add((node, PK.status, PK[action.status]))
            g.add((node, PK.year, Literal(str(action.year), datatype=XSD.gYear)))
            g.add((node, PK.namedIn, self.node(action.named_in)))
            self.derived(g, node, [action.span])

    def quantities(self, g: Graph) -> None:
        labels = {}
        for indicator in self.plan.indicators:
            node = self.node(indicator.id)
            labels[indicator.id] = indicator.label
            g.add((node, RDF.type, PK.Indicator))
            g.add((node, RDF.type, SKOS.Concept))
            g.add((node, SKOS.prefLabel, Literal(indicator.label, lang=ZH)))
        for q in self.plan.quantities:
            node = self.node(q.id)
            g.add((node, RDF.type, PK.Target if q.kind == "target" else PK.Achievement))
            g.add((node, RDF.type, SKOS.Concept))
            label = f"{labels[q.indicator]} {q.surface}"
            g.add((node, SKOS.prefLabel, Literal(label, lang=ZH)))
            g.add((node, QUDT.value, _decimal_literal(q.value)))
            if q.value_high is not None:
                g.add((node, PK.valueHigh, _decimal_literal(q.value_high)))
            if q.unit:
                g.add((node, PK.unitText, Literal(q.unit, lang=ZH)))
            if q.qudt_unit:
                g.add((node, QUDT.unit, URIRef(q.qudt_unit)))
            g.add((node, PK.comparator, Literal(q.comparator)))
            if q.commitment:
                g.add((node, PK.commitment, Literal(q.commitment)))
            if q.change:
                g.add((node, PK.change, Literal(q.change)))
            if q.streak is not None:
                g.add((node, PK.streak, Literal(q.streak)))
            g.add((node, PK.year, Literal(str(q.year), datatype=XSD.gYear)))
            g.add((node, PK.valueText, Literal(q.surface)))
            g.add((node, PK.measures, self.node(q.indicator)))
            g.add((node, PK.statedIn, self.node(q.stated_in)))
            self.derived(g, node, [q.span])
        curated = {(b.target, b.achievement) for b in self.curated_baselines}
        for baseline in self.plan.baselines:
            if (baseline.target, baseline.achievement) not in curated:  # a curator's word wins
                self.baseline(g, baseline)

    def baseline(self, g: Graph, baseline: Baseline) -> None:
        link = Link(
            baseline.target,
            "baseline",
            baseline.achievement,
            baseline.evidence,
            (),
            baseline.rationale,
        )
        statement = self.link(link, g)
        g.add((statement, PK.comparability, Literal(baseline.comparability)))

    def curated(self, curation: Curation) -> None:
        g, doc = self.curated_graph, self.doc_iri
        for title, lang in ((curation.title, ZH), (curation.title_en, EN)):
            if title:
                g.add((doc, DCTERMS.title, Literal(title, lang=lang)))
                g.add((doc, SKOS.prefLabel, Literal(title, lang=lang)))
        if curation.publisher:
            rationale = curation.source_rationale or "the report's publisher"
            link = Link(
                "document", "publisher", f"unit/{curation.publisher}", "curated", (), rationale
            )
            self.link(link, g, DCTERMS.publisher)
        for local, label in sorted(curation.labels_en.items()):
            g.add((self.node(local), SKOS.prefLabel, Literal(label, lang=EN)))
        for link in curation.links:
            self.link(link, g)
        measured = {q.id: q.indicator for q in self.plan.quantities}
        for baseline in self.curated_baselines:
            self.baseline(g, baseline)
            first, second = measured[baseline.target], measured[baseline.achievement]
            if baseline.comparability == "same" and first != second:  # one indicator, two phrases
                g.add((self.node(first), SKOS.exactMatch, self.node(second)))
                g.add((self.node(second), SKOS.exactMatch, self.node(first)))
        instruments = {action.title: action.instrument for action in self.plan.policies}
        for first, second, rationale in curation.same_instruments:
            missing = [title for title in (first, second) if title not in instruments]
            if missing:
                raise InputError(
                    "the curated layer names policy instruments the text does not: "
                    + ", ".join(missing)
                )
            link = Link(instruments[first], "sameAs", instruments[second], "curated", (), rationale)
            self.link(link, g, OWL.sameAs)
        for unit in self.plan.units:
            node = self.node(unit.id)
            g.add((node, SKOS.prefLabel, Literal(unit.label_en, lang=EN)))
            if unit.unit_of:
                g.add((self.node(unit.unit_of), ORG.hasUnit, node))
                rationale = f"{unit.label} is an organ of its parent, as the units lexicon records"
                link = Link(unit.id, "unitOf", unit.unit_of, "curated", (), rationale)
                self.link(link, g, ORG.unitOf)

    def _resolve_baselines(self, entries: Sequence[CuratedBaseline]) -> list[Baseline]:
        """A curated baseline names each quantity by the item that states it and its surface
        (保十冲五 is two targets with one surface: the entry applies to both)."""
        found: dict[tuple[str, str], list[str]] = {}
        for q in self.plan.quantities:
            found.setdefault((q.stated_in, q.surface), []).append(q.id)
        resolved = []
        for entry in entries:
            sides = []
            for item, surface in (
                (entry.target_in, entry.target),
                (entry.baseline_in, entry.baseline),
            ):
                if (item, surface) not in found:
                    raise InputError(
                        f"the curated layer names a quantity {surface!r} in {item} that the "
                        "extractor does not find there"
                    )
                sides.append(found[item, surface])
            for target in sides[0]:
                for achievement in sides[1]:
                    resolved.append(
                        Baseline(
                            target, achievement, entry.comparability, "curated", entry.rationale
                        )
                    )
        return resolved

    def table(self, table: Table) -> None:
        g = self.dataset.graph(assignments_graph_iri(self.doc, table.name))
        for unit in table.units:  # units the table names that the lexicon does not know
            node = self.node(unit.id)
            g.add((node, RDF.type, ORG.Organization))
            g.add((node, SKOS.prefLabel, Literal(unit.label, lang=ZH)))
        for assignment in table.assignments:
            self.assignment(g, assignment)


def _slug(local: str) -> str:
    return local.replace("/", "-")


def _notation(local: str) -> str:
    """``measure/2-3-2`` → ``P2.3.2``."""
    return "P" + local.split("/", 1)[1].replace("-", ".")


def decimal_text(value: float) -> str:
    """A float as an xsd:decimal lexical form, without exponent or trailing zeros.

    >>> decimal_text(250500000000.0), decimal_text(99.48), decimal_text(0.1), decimal_text(2500.0)
    ('250500000000', '99.48', '0.1', '2500')
    """
    text = f"{value:.10f}".rstrip("0").rstrip(".")
    return text if text not in {"", "-0"} else "0"


def _decimal_literal(value: float) -> Literal:
    """An xsd:decimal in its canonical form (``2500.0``), as Turtle writes and reads it back."""
    text = decimal_text(value)
    return Literal(text if "." in text else f"{text}.0", datatype=XSD.decimal)
