"""SHACL validation of a plan graph against ``ontology/shapes.ttl``.

:func:`validate` runs pyshacl with the ontology (``ontology/policykg.ttl``) mixed into the data
graph, so that ``sh:class`` checks see the ontology's ``rdfs:subClassOf`` axioms without any
inference, and with SHACL advanced features on (two span checks use SPARQL targets). The result
is a :class:`ValidationReport` of :class:`Violation` values, sorted, so that two runs over the
same graph give the same report.

A :class:`rdflib.Dataset` is validated as the union of all its graphs. It is flattened into one
plain graph first: handed a Dataset, pyshacl goes through ``Dataset.default_context``, which
rdflib 7.6 deprecates with a warning on every triple lookup.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pyshacl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, SH, SKOS
from rdflib.term import Node

from policykg.graph import union_graph
from policykg.paths import ontology_dir

__all__ = ["ValidationReport", "Violation", "load_ontology", "load_shapes", "validate"]

_COMPACT = (
    ("pk:", "https://w3id.org/policykg/ontology#"),
    ("id:", "https://w3id.org/policykg/id/"),
    ("sh:", str(SH)),
    ("skos:", str(SKOS)),
    ("prov:", str(PROV)),
    ("nif:", "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"),
    ("org:", str(ORG)),
    ("dct:", str(DCTERMS)),
)


@dataclass(frozen=True)
class Violation:
    """One SHACL validation result."""

    focus: str
    """IRI of the focus node (``_:id`` for a blank node)."""
    path: str | None
    """IRI of the result path, None when there is none (a node-level rule) or it is not an IRI."""
    shape: str
    """IRI of the ``sh:sourceShape``: the rule that failed, e.g. ``…#MeasureShape-partOf``."""
    message: str
    """The result message(s), joined with ``"; "``."""

    def line(self) -> str:
        """One human-readable line: shape, focus node, path and message."""
        path = _compact(self.path) if self.path is not None else "-"
        return f"{_compact(self.shape)}  {_compact(self.focus)}  {path}: {self.message}"


@dataclass(frozen=True)
class ValidationReport:
    """Whether a graph conforms to the shapes, and every violation if it does not."""

    conforms: bool
    violations: tuple[Violation, ...]

    def summary(self, limit: int = 20) -> str:
        """A human-readable report: a head line, then one line per violation (at most ``limit``).

        >>> ValidationReport(True, ()).summary()
        'conforms'
        """
        if self.conforms:
            return "conforms"
        count = len(self.violations)
        lines = [f"does not conform: {count} violation{'' if count == 1 else 's'}"]
        lines += [f"  {v.line()}" for v in self.violations[:limit]]
        if count > limit:
            lines.append(f"  … and {count - limit} more")
        return "\n".join(lines)


@cache
def load_shapes() -> Graph:
    """The SHACL shapes graph, ``ontology/shapes.ttl`` (parsed once; do not modify it)."""
    return Graph().parse(ontology_dir() / "shapes.ttl", format="turtle")


@cache
def load_ontology() -> Graph:
    """The OWL ontology, ``ontology/policykg.ttl`` (parsed once; do not modify it)."""
    return Graph().parse(ontology_dir() / "policykg.ttl", format="turtle")


def validate(data: Graph) -> ValidationReport:
    """Validate ``data`` (a Graph, or a Dataset: the union of its graphs) against the shapes.

    >>> from rdflib import Graph
    >>> validate(Graph()).conforms
    True
    >>> span = '''
    ... @prefix pk: <https://w3id.org/policykg/ontology#> .
    ... @prefix nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#> .
    ... <urn:example:span> a pk:Span ; nif:anchorOf "市场监管" .
    ... '''
    >>> report = validate(Graph().parse(data=span, format="turtle"))
    >>> report.conforms
    False
    >>> [v.shape.split("#")[1] for v in report.violations]
    ['SpanShape-beginIndex', 'SpanShape-endIndex', 'SpanShape-referenceContext']
    >>> print(report.summary(limit=1))  # doctest: +NORMALIZE_WHITESPACE
    does not conform: 3 violations
      pk:SpanShape-beginIndex  urn:example:span  nif:beginIndex:
        Less than 1 values on <urn:example:span>->nif:beginIndex
      … and 2 more
    """
    conforms, results, _text = pyshacl.validate(
        data_graph=union_graph(data),
        shacl_graph=load_shapes(),
        ont_graph=load_ontology(),
        inference="none",
        advanced=True,
        allow_warnings=False,
    )
    if not isinstance(results, Graph):  # pragma: no cover - pyshacl returns a Graph here
        raise TypeError(f"pyshacl returned a {type(results).__name__}, not a results graph")
    violations = {_violation(results, result) for result in _results(results)}
    ordered = sorted(violations, key=lambda v: (v.shape, v.focus, v.path or "", v.message))
    return ValidationReport(conforms=bool(conforms), violations=tuple(ordered))


def _results(results: Graph) -> list[Node]:
    return list(results.subjects(RDF.type, SH.ValidationResult))


def _violation(results: Graph, result: Node) -> Violation:
    shape = results.value(result, SH.sourceShape)
    path = results.value(result, SH.resultPath)
    messages = sorted(str(m) for m in results.objects(result, SH.resultMessage))
    return Violation(
        focus=_node_id(results.value(result, SH.focusNode)),
        path=str(path) if isinstance(path, URIRef) else None,
        shape=_node_id(shape),
        message="; ".join(messages),
    )


def _node_id(node: Node | None) -> str:
    if isinstance(node, URIRef):
        return str(node)
    if isinstance(node, BNode):
        return f"_:{node}"
    if isinstance(node, Literal):
        return node.n3()
    return ""


def _compact(iri: str) -> str:
    for prefix, namespace in _COMPACT:
        if iri.startswith(namespace):
            return prefix + iri[len(namespace) :]
    return iri
