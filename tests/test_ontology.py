"""The ontology, the SHACL shapes and their examples (ontology/), and policykg.validate."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyshacl
import pytest
from rdflib import OWL, RDF, RDFS, SKOS, XSD, BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH

from policykg.paths import graphs_dir, ontology_dir
from policykg.validate import ValidationReport, load_ontology, load_shapes, validate

PK = Namespace("https://w3id.org/policykg/ontology#")
NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
ORG = Namespace("http://www.w3.org/ns/org#")
PROV = Namespace("http://www.w3.org/ns/prov#")
CV = Namespace("http://data.europa.eu/m8g/")

EXAMPLES = ontology_dir() / "examples"
VALID = sorted((EXAMPLES / "valid").glob("*.ttl"))
INVALID = sorted((EXAMPLES / "invalid").glob("*.ttl"))
SOURCE = graphs_dir() / "sources" / "shenzhen-amr-2023-summary-2024-plan.txt"

OWN_TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)

REQUIRED_CLASSES = [
    "SourceDocument",
    "Span",
    "Part",
    "Section",
    "Headline",
    "Framework",
    "WorkLine",
    "Project",
    "Build",
    "Requirement",
    "FocusArea",
    "TaskList",
    "Measure",
    "Aim",
    "Indicator",
    "Target",
    "Achievement",
    "BuildCollection",
    "RequirementCollection",
    "FocusAreaCollection",
    "TaskListCollection",
    "PolicyInstrument",
    "PolicyAction",
    "Assignment",
    "Role",
    "EvidenceKind",
    "PolicyStatus",
    "InstrumentType",
]

REQUIRED_PROPERTIES = [
    "partOf",
    "contributesTo",
    "hasAim",
    "treatedIn",
    "ordinal",
    "headline",
    "fullText",
    "unnamed",
    "mention",
    "task",
    "unit",
    "role",
    "roleText",
    "deadline",
    "instrument",
    "action",
    "status",
    "year",
    "namedIn",
    "instrumentType",
    "evidence",
    "rationale",
    "sha256",
    "charCount",
    "sourceTable",
    "sourceRow",
    "group",
    "measures",
    "baseline",
    "comparator",
    "commitment",
    "valueText",
]

CONTROLLED = {
    PK.EvidenceKind: "stated extracted curated",
    PK.PolicyStatus: "done planned",
    PK.Role: (
        "owner lead cooperating supported urged encouraged leveraged regulated site instructed"
    ),
    PK.InstrumentType: "Law Regulation Plan PolicyDocument Standard Guide List",
}


def _langs(graph: Graph, subject: URIRef, predicate: URIRef) -> set[str]:
    return {
        o.language or ""
        for o in graph.objects(subject, predicate)
        if isinstance(o, Literal) and str(o).strip()
    }


def _expected_shape(path: Path) -> URIRef:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: pk:"), f"{path.name}: first line is {first!r}"
    return PK[first.removeprefix("# expect: pk:").strip()]


# --- the ontology ------------------------------------------------------------------------------


def test_every_own_term_has_zh_and_en_labels_and_an_en_comment() -> None:
    ontology = load_ontology()
    own = {
        s
        for t in OWN_TERM_TYPES
        for s in ontology.subjects(RDF.type, t)
        if isinstance(s, URIRef) and s.startswith(str(PK))
    }
    assert len(own) >= 55, sorted(own)
    missing = [
        (str(term), what)
        for term in sorted(own)
        for what, predicate, lang in (
            ("rdfs:label@zh", RDFS.label, "zh"),
            ("rdfs:label@en", RDFS.label, "en"),
            ("rdfs:comment@en", RDFS.comment, "en"),
        )
        if lang not in _langs(ontology, term, predicate)
    ]
    assert missing == []


def test_the_readme_terms_are_declared_with_the_right_kind() -> None:
    ontology = load_ontology()
    classes = {s for s in ontology.subjects(RDF.type, OWL.Class)}
    properties = {
        s
        for t in (OWL.ObjectProperty, OWL.DatatypeProperty)
        for s in ontology.subjects(RDF.type, t)
    }
    assert {PK[c] for c in REQUIRED_CLASSES} - classes == set()
    assert {PK[p] for p in REQUIRED_PROPERTIES} - properties == set()
    assert (PK.partOf, RDF.type, OWL.ObjectProperty) in ontology
    assert (PK.deadline, RDFS.range, XSD.date) in ontology
    assert (PK.unnamed, RDFS.range, XSD.boolean) in ontology


@pytest.mark.parametrize(
    ("subject", "predicate", "obj"),
    [
        (ORG.OrganizationalUnit, RDFS.subClassOf, ORG.Organization),
        (PK.partOf, RDFS.subPropertyOf, SKOS.broader),
        (PK.Span, RDFS.subClassOf, NIF.String),
        (PK.SourceDocument, RDFS.subClassOf, NIF.Context),
        (PK.SourceDocument, RDFS.subClassOf, PROV.Entity),
        (PK.Assignment, RDFS.subClassOf, CV.Participation),
        (PK.Framework, RDFS.subClassOf, SKOS.ConceptScheme),
        *[
            (PK[c], RDFS.subClassOf, SKOS.Collection)
            for c in ("BuildCollection", "RequirementCollection", "FocusAreaCollection")
        ],
        (PK.TaskListCollection, RDFS.subClassOf, SKOS.Collection),
        *[
            (PK[c], RDFS.subClassOf, SKOS.Concept)
            for c in [
                "WorkLine",
                "Project",
                "Build",
                "Requirement",
                "FocusArea",
                "TaskList",
                "Measure",
                "Aim",
            ]
        ],
        (PK.measures, RDFS.range, PK.Indicator),
        (PK.baseline, RDFS.domain, PK.Target),
        (PK.baseline, RDFS.range, PK.Achievement),
        (PK.group, RDFS.domain, PK.Framework),
    ],
)
def test_axiom(subject: URIRef, predicate: URIRef, obj: URIRef) -> None:
    assert (subject, predicate, obj) in load_ontology()


@pytest.mark.parametrize("cls", sorted(CONTROLLED))
def test_controlled_individuals_are_typed_and_labelled(cls: URIRef) -> None:
    ontology = load_ontology()
    expected = {PK[name] for name in CONTROLLED[cls].split()}
    assert set(ontology.subjects(RDF.type, cls)) == expected
    for individual in expected:
        assert _langs(ontology, individual, SKOS.prefLabel) == {"zh", "en"}, individual
        assert _langs(ontology, individual, RDFS.label) == {"zh", "en"}, individual


# --- the shapes --------------------------------------------------------------------------------


def test_shapes_have_no_blank_node_shapes() -> None:
    shapes = load_shapes()
    property_shapes = set(shapes.subjects(SH.path, None))
    assert len(property_shapes) >= 60
    assert [s for s in property_shapes if not isinstance(s, URIRef)] == []
    referenced = [
        o
        for p in (SH.property, SH.node, SH.qualifiedValueShape, SH["not"])
        for o in shapes.objects(None, p)
    ]
    for p in (SH["or"], SH.xone, SH["and"]):
        for head in shapes.objects(None, p):
            referenced += list(Collection(shapes, head))
    assert len(referenced) >= 60
    assert [o for o in referenced if not isinstance(o, URIRef)] == []
    typed = [s for t in (SH.NodeShape, SH.PropertyShape) for s in shapes.subjects(RDF.type, t)]
    assert [s for s in typed if not isinstance(s, URIRef)] == []
    assert set(referenced) | property_shapes <= set(typed)


def test_shape_names_follow_the_convention() -> None:
    shapes = load_shapes()
    node_shapes = {str(s) for s in shapes.subjects(RDF.type, SH.NodeShape)}
    assert all(s.startswith(str(PK)) and s.endswith("Shape") for s in node_shapes)
    for prop in shapes.subjects(RDF.type, SH.PropertyShape):
        owner, _, name = str(prop).rpartition("-")
        assert owner in node_shapes and name, prop
        assert (prop, SH.path, None) in shapes, prop
    for node, _, prop in shapes.triples((None, SH.property, None)):
        assert str(prop).startswith(f"{node}-"), (node, prop)


def test_every_pk_term_the_shapes_use_is_declared_in_the_ontology() -> None:
    shapes, ontology = load_shapes(), load_ontology()
    shape_iris = {s for t in (SH.NodeShape, SH.PropertyShape) for s in shapes.subjects(RDF.type, t)}
    used = {
        node
        for triple in shapes
        for node in triple
        if isinstance(node, URIRef) and node.startswith(str(PK)) and node not in shape_iris
    }
    assert PK.FocusArea in used and PK.partOf in used
    assert {n for n in used if (n, RDF.type, None) not in ontology} == set()


# --- the examples ------------------------------------------------------------------------------


def test_example_globs_are_not_empty() -> None:
    assert len(VALID) >= 2
    assert len(INVALID) >= 6


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_valid_example_conforms(path: Path) -> None:
    report = validate(Graph().parse(path, format="turtle"))
    assert report.conforms, report.summary()
    assert report.violations == ()


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_invalid_example_fails_for_its_stated_reason_only(path: Path) -> None:
    expected = _expected_shape(path)
    assert (expected, RDF.type, None) in load_shapes(), f"no shape {expected}"
    report = validate(Graph().parse(path, format="turtle"))
    assert not report.conforms
    assert report.violations
    assert {v.shape for v in report.violations} == {str(expected)}, report.summary()


def test_invalid_examples_cover_the_main_rules() -> None:
    expected = {_expected_shape(p) for p in INVALID}
    assert {
        PK["MeasureShape-partOf"],
        PK["MeasureShape-wasDerivedFrom"],
        PK["MeasureShape-prefLabel"],
        PK["SpanShape-beginBeforeEnd"],
        PK["SpanShape-anchorOf"],
        PK["BuildCollectionShape-member"],
        PK.TaskListShape,
        PK["AssignmentShape-role"],
        PK["AssignmentShape-unit"],
    } <= expected


def test_valid_example_spans_are_the_source_text() -> None:
    raw = SOURCE.read_bytes()
    text = raw.decode("utf-8")
    checked = 0
    for path in VALID:
        graph = Graph().parse(path, format="turtle")
        for doc in graph.subjects(RDF.type, PK.SourceDocument):
            assert graph.value(doc, PK.sha256) == Literal(hashlib.sha256(raw).hexdigest())
            assert graph.value(doc, PK.charCount) == Literal(len(text))
        for span in graph.subjects(RDF.type, PK.Span):
            begin = graph.value(span, NIF.beginIndex)
            end = graph.value(span, NIF.endIndex)
            anchor = graph.value(span, NIF.anchorOf)
            assert isinstance(begin, Literal) and isinstance(end, Literal)
            assert text[int(begin) : int(end)] == str(anchor), span
            assert str(span).endswith(f"/span/{begin}-{end}")
            checked += 1
    assert checked >= 50


# --- policykg.validate -------------------------------------------------------------------------


def _plan() -> Graph:
    return Graph().parse(EXAMPLES / "valid" / "plan-minimal.ttl", format="turtle")


def test_units_pass_sh_class_organization_only_through_the_ontology() -> None:
    """Without the ontology mixed in, an org:OrganizationalUnit is not an org:Organization."""
    conforms, results, _ = pyshacl.validate(
        _plan(), shacl_graph=load_shapes(), inference="none", advanced=True
    )
    assert not conforms
    failing = {
        (str(results.value(r, SH.sourceShape)), str(results.value(r, SH.focusNode)))
        for r in results.subjects(RDF.type, SH.ValidationResult)
    }
    assignment = (
        "https://w3id.org/policykg/id/szamr-2024/assignment/2-1-2/cooperating/district-bureaus"
    )
    assert (str(PK["AssignmentShape-unit"]), assignment) in failing
    assert validate(_plan()).conforms


def test_a_dataset_is_validated_as_the_union_of_its_graphs() -> None:
    plan = _plan()
    dataset = Dataset()
    stated = dataset.graph(URIRef("https://w3id.org/policykg/id/szamr-2024/graph/stated"))
    table = dataset.graph(URIRef("https://w3id.org/policykg/id/szamr-2024/graph/assignments/t"))
    assignments = set(plan.subjects(RDF.type, PK.Assignment))
    for s, p, o in plan:
        (table if s in assignments else stated).add((s, p, o))
    assert len(table) > 0 and len(stated) > 0
    assert validate(dataset).conforms
    alone = validate(table)  # the assignments' measures and units are in the other graph
    assert {v.shape for v in alone.violations} == {
        str(PK["AssignmentShape-task"]),
        str(PK["AssignmentShape-unit"]),
    }


def test_report_is_sorted_deterministic_and_summarised() -> None:
    graph = _plan()
    measure = URIRef("https://w3id.org/policykg/id/szamr-2024/measure/2-1-1")
    graph.remove((measure, PROV.wasDerivedFrom, None))
    graph.add((measure, PK.partOf, URIRef("https://w3id.org/policykg/id/szamr-2024/focus-area/2")))
    graph.add((BNode(), RDF.type, PK.Span))
    first, second = validate(graph), validate(graph)
    assert first == second
    keys = [(v.shape, v.focus, v.path or "", v.message) for v in first.violations]
    assert keys == sorted(keys)
    shapes = {v.shape.removeprefix(str(PK)) for v in first.violations}
    assert {"MeasureShape-partOf", "MeasureShape-wasDerivedFrom", "SpanShape-anchorOf"} <= shapes
    partof = next(v for v in first.violations if v.shape == str(PK["MeasureShape-partOf"]))
    assert partof.focus == str(measure)
    assert partof.path == str(PK.partOf)
    summary = first.summary(limit=2).splitlines()
    assert summary[0] == f"does not conform: {len(first.violations)} violations"
    assert len(summary) == 4 and summary[-1] == f"  … and {len(first.violations) - 2} more"
    assert summary[1].startswith(
        "  pk:MeasureShape-partOf  id:szamr-2024/measure/2-1-1  pk:partOf: "
    )


def test_shapes_and_ontology_are_loaded_once() -> None:
    assert load_shapes() is load_shapes()
    assert load_ontology() is load_ontology()
    assert ValidationReport(True, ()).summary() == "conforms"
