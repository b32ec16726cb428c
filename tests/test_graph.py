"""The built graph: the framework, the measures and headlines, units, policies and exact spans."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from rdflib import RDF, SKOS, XSD, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, ORG, PROV

from policykg.build import BuildResult, check
from policykg.graph import (
    NIF,
    PK,
    curated_graph_iri,
    iri,
    read_dataset,
    stated_graph_iri,
    union_graph,
    unit_iri,
)
from policykg.paths import graphs_dir

DOC = "szamr-2024"


def node(local: str) -> URIRef:
    return iri(DOC, local)


def plain(graph: Graph) -> Graph:
    """A named graph of a Dataset copied into a plain Graph (rdflib's compare warns otherwise)."""
    copy = Graph()
    for triple in graph:
        copy.add(triple)
    return copy


def labels(built: BuildResult, kind: URIRef) -> list[str | None]:
    ds = union_graph(built.dataset)
    found = []
    for subject in sorted(set(ds.subjects(RDF.type, kind))):
        ordinal = ds.value(subject, PK.ordinal)
        zh = [
            o
            for o in ds.objects(subject, SKOS.prefLabel)
            if isinstance(o, Literal) and o.language == "zh"
        ]
        found.append((int(ordinal), str(zh[0]) if zh else None))
    return [label for _, label in sorted(found)]


def test_framework_1146810_from_the_text(built: BuildResult) -> None:
    ds = union_graph(built.dataset)
    scheme = node("framework")
    assert ds.value(scheme, SKOS.notation) == Literal("1146810")
    assert labels(built, PK.WorkLine) == ["作风提升年"]
    assert labels(built, PK.Project) == ["强基工程"]
    assert labels(built, PK.Aim) == [
        "一年打基础",
        "两年上台阶",
        "三年大提升",
        "建一流队伍",
        "创一流业绩",
        "树一流形象",
    ]
    assert labels(built, PK.Build) == ["党的建设", "作风建设", "业务建设", "干部队伍建设"]
    assert labels(built, PK.Requirement) == [
        "讲政治",
        "转作风",
        "强监管",
        "保安全",
        "促发展",
        "惠民生",
    ]
    assert labels(built, PK.FocusArea) == [
        "赋能产业发展", "激发市场活力", "扩大消费需求", "深化改革创新",
        "统筹发展安全", "强化农产品和动物安全", "提升综合效能", "夯实工作基础",
    ]  # fmt: skip
    assert labels(built, PK.TaskList) == ["揭榜挂帅", "大调研", "风险排查"] + [None] * 7
    unnamed = set(ds.subjects(PK.unnamed, Literal(True)))
    assert unnamed == {node(f"tasklist/{n}") for n in range(4, 11)}


def test_groups_are_complete_collections(built: BuildResult) -> None:
    ds = union_graph(built.dataset)
    expected = {"builds": (PK.BuildCollection, 4), "requirements": (PK.RequirementCollection, 6)}
    expected |= {"areas": (PK.FocusAreaCollection, 8), "tasklists": (PK.TaskListCollection, 10)}
    for local, (kind, count) in expected.items():
        group = node(local)
        assert (group, RDF.type, kind) in ds
        assert (node("framework"), PK.group, group) in ds
        assert len(set(ds.objects(group, SKOS.member))) == count
        assert ds.value(group, SKOS.notation) == Literal(str(count))


def test_focus_areas_are_the_plan_sections_in_order(built: BuildResult) -> None:
    ds = union_graph(built.dataset)
    for n in range(1, 9):
        assert ds.value(node(f"area/{n}"), PK.treatedIn) == node(f"section/2-{n}")


def test_measures_and_headlines(built: BuildResult, source_text: str) -> None:
    ds = union_graph(built.dataset)
    measures = sorted(set(ds.subjects(RDF.type, PK.Measure)))
    assert len(measures) == 29
    per_area = [
        len(set(ds.subjects(PK.partOf, node(f"area/{n}"))) & set(measures)) for n in range(1, 9)
    ]
    assert per_area == [4, 4, 3, 3, 5, 3, 3, 4]
    headlines = set(ds.subjects(RDF.type, PK.Headline))
    assert len(headlines) == 33
    sections = {
        s
        for s in ds.subjects(RDF.type, PK.Section)
        if ds.value(s, DCTERMS.isPartOf) == node("part/1")
    }
    assert len(sections) == 9
    m = node("measure/2-2-1")
    assert Literal("持续提升商事登记便利度", lang="zh") in set(ds.objects(m, SKOS.prefLabel))
    assert ds.value(m, SKOS.notation) == Literal("P2.2.1")
    assert ds.value(m, PK.ordinal) == Literal(1)
    text = str(ds.value(m, PK.fullText))
    assert text.startswith("一是持续提升商事登记便利度。") and "新增“个转企”不少于2500户" in text
    h = node("headline/1-7-1")
    assert ds.value(h, PK.headline) == Literal("超大城市供应体系持续完善", lang="zh")
    assert ds.value(h, DCTERMS.isPartOf) == node("section/1-7")


def test_every_span_is_exact(built: BuildResult, source_text: str) -> None:
    ds = union_graph(built.dataset)
    spans = set(ds.subjects(RDF.type, PK.Span))
    assert len(spans) > 200
    for span in spans:
        begin = int(ds.value(span, NIF.beginIndex))
        end = int(ds.value(span, NIF.endIndex))
        assert 0 <= begin < end <= len(source_text)
        assert source_text[begin:end] == str(ds.value(span, NIF.anchorOf)), span
        assert ds.value(span, NIF.referenceContext) == URIRef(f"https://w3id.org/policykg/id/{DOC}")
        assert str(span).endswith(f"/span/{begin}-{end}")


def test_every_stated_node_points_at_a_span(built: BuildResult) -> None:
    stated = built.dataset.graph(stated_graph_iri(DOC))
    kinds = [PK.Part, PK.Section, PK.Headline, PK.Measure, PK.WorkLine, PK.Project, PK.Aim]
    kinds += [PK.Build, PK.Requirement, PK.FocusArea, PK.TaskList, PK.Framework, PK.PolicyAction]
    kinds += [PK.PolicyInstrument]
    checked = 0
    for kind in kinds:
        for subject in stated.subjects(RDF.type, kind):
            spans = list(stated.objects(subject, PROV.wasDerivedFrom))
            assert spans and all((s, RDF.type, PK.Span) in stated for s in spans), subject
            checked += 1
    assert checked > 150


def test_broader_reaches_the_work_line_from_every_measure(built: BuildResult) -> None:
    result = union_graph(built.dataset).query(
        """
        SELECT ?m WHERE {
          ?m a pk:Measure .
          FILTER EXISTS { ?m skos:broader+ ?top . ?top a pk:WorkLine }
        }""",
        initNs={"pk": PK, "skos": SKOS},
    )
    assert len(list(result)) == 29


def test_curated_links_live_in_the_curated_graph_with_a_rationale(built: BuildResult) -> None:
    curated = built.dataset.graph(curated_graph_iri(DOC))
    stated = built.dataset.graph(stated_graph_iri(DOC))
    assert (node("area/2"), PK.partOf, node("build/3")) in curated
    assert (node("area/2"), PK.partOf, node("build/3")) not in stated
    assert (node("area/2"), SKOS.broader, node("build/3")) in curated
    assert (node("area/2"), PK.contributesTo, node("requirement/5")) in curated
    statements = list(curated.subjects(RDF.type, RDF.Statement))
    assert len(statements) >= 24
    for statement in statements:
        assert curated.value(statement, PK.evidence) == PK.curated
        assert str(curated.value(statement, PK.rationale)).strip()
    assert Literal("Stimulating market vitality", lang="en") in set(
        curated.objects(node("area/2"), SKOS.prefLabel)
    )
    assert not set(stated.objects(node("area/2"), SKOS.prefLabel)) & {
        Literal("Stimulating market vitality", lang="en")
    }


def test_stated_links_carry_their_evidence(built: BuildResult, source_text: str) -> None:
    stated = built.dataset.graph(stated_graph_iri(DOC))
    link = node("link/project--partOf--workline")
    assert stated.value(link, PK.evidence) == PK.stated
    span = stated.value(link, PROV.wasDerivedFrom)
    assert str(stated.value(span, NIF.anchorOf)) == "以此为主线,以强基工程为抓手"
    build_link = node("link/build-3--partOf--project")
    anchor = str(stated.value(stated.value(build_link, PROV.wasDerivedFrom), NIF.anchorOf))
    assert "这是落实“强基工程”的具体举措" in anchor


def test_units_and_the_bureau_owning_every_measure(built: BuildResult) -> None:
    ds = union_graph(built.dataset)
    bureau = unit_iri("unit/bureau")
    assert (bureau, RDF.type, ORG.Organization) in ds
    assert Literal("深圳市市场监督管理局", lang="zh") in set(ds.objects(bureau, SKOS.prefLabel))
    owned = {
        ds.value(a, PK.task)
        for a in ds.subjects(PK.role, PK.owner)
        if ds.value(a, PK.unit) == bureau and ds.value(a, PK.evidence) == PK.stated
    }
    assert owned == set(ds.subjects(RDF.type, PK.Measure))
    owner = next(iter(ds.subjects(PK.role, PK.owner)))
    assert str(ds.value(ds.value(owner, PROV.wasDerivedFrom), NIF.anchorOf)) == "经局党组研究决定"
    party_group = unit_iri("unit/bureau-party-group")
    assert (party_group, RDF.type, ORG.OrganizationalUnit) in ds
    assert (party_group, ORG.unitOf, bureau) in built.dataset.graph(curated_graph_iri(DOC))
    assert len(set(ds.objects(party_group, PK.mention))) == 3


def test_actors_named_in_a_measure_with_their_stated_role(built: BuildResult) -> None:
    ds = union_graph(built.dataset)
    roles = {
        (
            str(ds.value(a, PK.task)).rsplit("/", 1)[-1],
            str(ds.value(a, PK.unit)).rsplit("/", 1)[-1],
            ds.value(a, PK.role),
        )
        for a in ds.subjects(RDF.type, PK.Assignment)
        if ds.value(a, PK.role) != PK.owner
    }
    assert ("2-3-1", "merger-review-window", PK.leveraged) in roles
    assert ("2-4-2", "hetao", PK.supported) in roles
    assert ("2-4-2", "qianhai", PK.supported) in roles
    assert ("2-2-4", "districts", PK.urged) in roles
    assert ("2-1-3", "testing-bodies", PK.encouraged) in roles
    assert ("2-5-5", "supervision-offices", PK.site) in roles
    named = set(ds.objects(node("measure/2-1-2"), DCTERMS.references))
    assert unit_iri("unit/overseas-ip-dispute-centre-sz") in named


def test_policy_instruments_with_action_and_status(built: BuildResult) -> None:
    ds = union_graph(built.dataset)
    found = {}
    for action in ds.subjects(RDF.type, PK.PolicyAction):
        instrument = ds.value(action, PK.instrument)
        title = str(ds.value(instrument, DCTERMS.title))
        found[title] = (
            str(ds.value(action, PK.action)),
            ds.value(action, PK.status),
            ds.value(action, PK.year),
            str(ds.value(action, PK.namedIn)).rsplit("/", 2)[-2:],
        )
    year = lambda y: Literal(y, datatype=XSD.gYear)  # noqa: E731
    assert found["高标准建设质量强市实施方案"] == (
        "出台",
        PK.done,
        year("2023"),
        ["headline", "1-4-1"],
    )
    assert found["特区社会信用条例"][:3] == ("推动出台", PK.done, year("2023"))
    assert found["特区计量条例"][:3] == ("修订", PK.done, year("2023"))
    assert found["公司法"][:3] == ("依照", PK.planned, year("2024"))
    assert found["知识产权强市建设纲领性文件"] == (
        "出台",
        PK.planned,
        year("2024"),
        ["measure", "2-1-1"],
    )
    assert found["打造全球著名品牌之都三年行动方案"][:2] == ("出台", PK.planned)
    assert found["特区反不正当竞争条例"][:2] == ("立法", PK.planned)
    assert "铁拳行动" not in found and "清源" not in found
    laws = {
        str(ds.value(i, DCTERMS.title))
        for i in ds.subjects(RDF.type, URIRef("http://data.europa.eu/eli/ontology#LegalResource"))
    }
    assert {"公司法", "特区社会信用条例", "特区计量条例"} <= laws


def test_document_records_the_source_hash(built: BuildResult, source_path: Path) -> None:
    ds = union_graph(built.dataset)
    doc = URIRef(f"https://w3id.org/policykg/id/{DOC}")
    assert str(ds.value(doc, PK.sha256)) == hashlib.sha256(source_path.read_bytes()).hexdigest()
    assert (doc, RDF.type, PK.SourceDocument) in ds
    assert (
        built.files["sources/shenzhen-amr-2023-summary-2024-plan.txt"] == source_path.read_bytes()
    )


def test_the_graph_conforms_to_the_shapes(built: BuildResult) -> None:
    assert built.report.conforms, built.report.summary()


def test_committed_graphs_match_a_fresh_build(built: BuildResult) -> None:
    assert check(built, graphs_dir()) == []


def test_serialisations_hold_the_same_graph(built: BuildResult) -> None:
    trig, ttl, jsonld = (built.files[f"{DOC}.{ext}"] for ext in ("trig", "ttl", "jsonld"))
    from_trig = read_dataset(trig, "trig")
    from_jsonld = read_dataset(jsonld, "json-ld")
    names = {str(g.identifier) for g in from_trig.graphs() if len(g)}
    assert names == {str(stated_graph_iri(DOC)), str(curated_graph_iri(DOC))}
    for name in names:
        expected = plain(built.dataset.graph(URIRef(name)))
        assert isomorphic(plain(from_trig.graph(URIRef(name))), expected)
        assert isomorphic(plain(from_jsonld.graph(URIRef(name))), expected)
    turtle = Graph().parse(data=ttl, format="turtle")
    assert len(turtle) == len({t for g in built.dataset.graphs() for t in g})


@pytest.mark.parametrize("ext", ["trig", "ttl", "jsonld"])
def test_no_blank_nodes(built: BuildResult, ext: str) -> None:
    assert b"_:" not in built.files[f"{DOC}.{ext}"]


def test_an_instrument_named_two_ways_is_one_by_curation(built: BuildResult) -> None:
    from rdflib.namespace import OWL

    curated = built.dataset.graph(curated_graph_iri(DOC))
    ds = union_graph(built.dataset)
    pairs = {
        (str(ds.value(a, DCTERMS.title)), str(ds.value(b, DCTERMS.title)))
        for a, b in curated.subject_objects(OWL.sameAs)
    }
    assert pairs == {("特区消保条例", "特区消费者权益保护条例")}
    stated = built.dataset.graph(stated_graph_iri(DOC))
    assert not list(stated.subject_objects(OWL.sameAs))
