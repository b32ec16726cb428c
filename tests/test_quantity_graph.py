"""Targets, achievements, indicators and baselines in the built graph, and the commands on them."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from quantity_eval import TABLES, report_path
from rdflib import RDF, SKOS, XSD, Graph, Literal, URIRef
from rdflib.namespace import PROV
from typer.testing import CliRunner

from policykg.build import BuildResult
from policykg.cli import app
from policykg.export import QUANTITY_FIELDS
from policykg.graph import NIF, PK, QUDT, curated_graph_iri, iri, stated_graph_iri, union_graph

DOC = "szamr-2024"
runner = CliRunner()


@pytest.fixture(scope="module")
def g(built: BuildResult) -> Graph:
    return union_graph(built.dataset)


def quantities(g: Graph, kind: URIRef) -> dict[str, URIRef]:
    """Quantities of a kind by 'item-surface' (with a counter for repeated surfaces)."""
    found: dict[str, URIRef] = {}
    for node in sorted(g.subjects(RDF.type, kind)):
        key = f"{str(g.value(node, PK.statedIn)).rsplit('/', 1)[-1]} {g.value(node, PK.valueText)}"
        while key in found:
            key += "+"
        found[key] = node
    return found


def test_targets_with_value_unit_comparator_and_commitment(g: Graph) -> None:
    targets = quantities(g, PK.Target)
    assert len(targets) >= 19
    t = targets["2-2-1 不少于2500户"]
    assert g.value(t, QUDT.value) == Literal("2500.0", datatype=XSD.decimal)
    assert g.value(t, PK.unitText) == Literal("户", lang="zh")
    assert g.value(t, PK.comparator) == Literal("≥")
    assert g.value(t, PK.commitment) == Literal("committed")
    assert g.value(t, PK.year) == Literal("2024", datatype=XSD.gYear)
    assert g.value(t, PK.partOf) == iri(DOC, "measure/2-2-1")
    assert (t, SKOS.broader, iri(DOC, "measure/2-2-1")) in g
    financing = targets["2-2-4 不少于1700亿元"]
    assert g.value(financing, QUDT.value).toPython() == Decimal("170000000000")
    assert str(g.value(financing, QUDT.unit)) == "http://qudt.org/vocab/currency/CNY"
    rank = [targets["2-3-2 保十冲五"], targets["2-3-2 保十冲五+"]]
    assert sorted(
        (g.value(r, QUDT.value).toPython(), str(g.value(r, PK.commitment))) for r in rank
    ) == [
        (Decimal("5"), "stretch"),
        (Decimal("10"), "committed"),
    ]
    assert all(g.value(r, PK.comparator) == Literal("≤") for r in rank)
    assert g.value(targets["2-7-2 不低于20%"], PK.unitText) == Literal("%", lang="zh")


def test_achievements_carry_no_commitment(g: Graph) -> None:
    achievements = quantities(g, PK.Achievement)
    assert len(achievements) >= 120
    a = achievements["1-3-1 422.6万户"]
    assert g.value(a, QUDT.value).toPython() == Decimal("4226000")
    assert g.value(a, PK.commitment) is None
    assert g.value(a, PK.year) == Literal("2023", datatype=XSD.gYear)
    change = achievements["1-5-2 增长18%"]
    assert g.value(change, PK.change) == Literal("increase")
    drop = achievements["1-6-3 下降3个百分点"]
    assert g.value(drop, PK.change) == Literal("decrease")
    assert g.value(drop, PK.unitText) == Literal("个百分点", lang="zh")


def test_every_quantity_span_is_exact(g: Graph, source_text: str) -> None:
    nodes = list(g.subjects(RDF.type, PK.Target)) + list(g.subjects(RDF.type, PK.Achievement))
    assert len(nodes) > 140
    for node in nodes:
        span = g.value(node, PROV.wasDerivedFrom)
        begin, end = int(g.value(span, NIF.beginIndex)), int(g.value(span, NIF.endIndex))
        assert source_text[begin:end] == str(g.value(node, PK.valueText))
        item = g.value(node, PK.statedIn)
        item_span = g.value(item, PROV.wasDerivedFrom)
        assert (
            int(g.value(item_span, NIF.beginIndex))
            <= begin
            < end
            <= int(g.value(item_span, NIF.endIndex))
        )


def test_indicators_are_shared_by_target_and_baseline(g: Graph) -> None:
    targets = quantities(g, PK.Target)
    achievements = quantities(g, PK.Achievement)
    t, a = targets["2-2-1 不少于2500户"], achievements["1-3-1 3582户"]
    assert g.value(t, PK.measures) == g.value(a, PK.measures)
    assert g.value(g.value(t, PK.measures), SKOS.prefLabel) == Literal("新增个转企户数", lang="zh")
    assert set(g.subjects(RDF.type, PK.Indicator)) == set(g.objects(None, PK.measures))


def baselines(built: BuildResult) -> dict[tuple[str, str], tuple[str, str]]:
    g = union_graph(built.dataset)
    found = {}
    for statement in g.subjects(RDF.predicate, PK.baseline):
        t, a = g.value(statement, RDF.subject), g.value(statement, RDF.object)
        assert (t, PK.baseline, a) in g
        key = (str(g.value(t, PK.valueText)), str(g.value(a, PK.valueText)))
        value = (
            str(g.value(statement, PK.comparability)),
            str(g.value(statement, PK.evidence)).rsplit("#")[-1],
        )
        found[key] = value
    return found


def test_baselines_with_comparability(built: BuildResult) -> None:
    found = baselines(built)
    assert found[("不少于2500户", "3582户")] == ("same", "curated")
    assert found[("不少于1700亿元", "2505亿元")] == ("same", "curated")
    assert found[("保十冲五", "第12名")] == ("same", "curated")
    assert found[("9.4批次/千人", "9.4批次/千人")][0] == "same"
    assert found[("不少于2500家", "超过1万家")] == ("different", "curated")
    assert not any(b == "1700亿元" for _, b in found)  # 农产品进出口总额 is a false friend
    curated = built.dataset.graph(curated_graph_iri(DOC))
    for statement in curated.subjects(RDF.predicate, PK.baseline):
        assert str(curated.value(statement, PK.rationale)).strip()


def test_an_automatic_baseline_needs_the_same_indicator_and_unit(built: BuildResult) -> None:
    plan = built.plan
    by_id = {q.id: q for q in plan.quantities}
    assert plan.baselines, "the extractor's indicator phrases pair some targets by themselves"
    for baseline in plan.baselines:
        target, achievement = by_id[baseline.target], by_id[baseline.achievement]
        assert target.indicator == achievement.indicator and target.unit == achievement.unit
        assert achievement.year < target.year and baseline.evidence == "extracted"
    stated = built.dataset.graph(stated_graph_iri(DOC))
    assert all(
        stated.value(s, PK.evidence) == PK.extracted
        for s in stated.subjects(RDF.predicate, PK.baseline)
    )


def test_export_quantities(built: BuildResult) -> None:
    result = runner.invoke(app, ["export", "quantities", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert rows and all(list(row) == list(QUANTITY_FIELDS) for row in rows)
    row = next(r for r in rows if r["surface"] == "不少于2500户")
    assert row["kind"] == "target" and row["value"] == 2500 and row["unit"] == "户"
    assert row["comparator"] == "≥" and row["commitment"] == "committed" and row["year"] == 2024
    assert row["parent"] == "measure/2-2-1" and row["section"] == "section/2-2"
    assert row["indicator"] == "新增个转企户数"
    kinds = {r["kind"] for r in rows}
    assert kinds == {"target", "achievement"}
    csv_out = runner.invoke(app, ["export", "quantities", "--format", "csv"]).stdout
    assert csv_out.splitlines()[0] == ",".join(QUANTITY_FIELDS)
    assert len(csv_out.splitlines()) == len(rows) + 1


def test_trace_from_a_target_shows_its_path_and_baseline() -> None:
    result = runner.invoke(app, ["trace", "target/2-2-1-1", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [s["id"] for s in data["paths"][0]] == [
        "target/2-2-1-1", "measure/2-2-1", "area/2", "build/3", "project", "workline",
    ]  # fmt: skip
    [baseline] = data["baselines"]
    assert baseline["surface"] == "3582户" and baseline["year"] == "2023"
    assert baseline["comparability"] == "same" and baseline["evidence"]["kind"] == "curated"
    text = runner.invoke(app, ["trace", "target/2-2-1-1"]).stdout
    assert "baseline:" in text and "3582户 (2023)" in text


def test_gaps() -> None:
    result = runner.invoke(app, ["gaps", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    without = {row["id"] for row in report["targets_without_baseline"]}
    assert "target/2-1-2-1" in without  # 不少于800件 维权援助: the summary has no such figure
    assert "target/2-2-1-1" not in without
    no_target = {row["id"] for row in report["measures_without_target"]}
    assert "measure/2-8-1" in no_target and "measure/2-2-1" not in no_target
    bureau_only = {row["id"] for row in report["measures_bureau_only"]}
    assert "measure/2-2-1" in bureau_only
    assert "measure/2-3-1" not in bureau_only  # 发挥省局经营者集中深圳窗口作用
    assert "measure/2-4-2" not in bureau_only  # 支持河套…, 支持前海…
    text = runner.invoke(app, ["gaps"]).stdout
    assert text.startswith("targets without a baseline: ")


def test_extract_any_report() -> None:
    path = report_path(TABLES / "ningxia-2026.tsv")
    result = runner.invoke(app, ["extract", str(path), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    text = path.read_text(encoding="utf-8")
    assert len(rows) > 150
    assert all(text[r["start"] : r["end"]] == r["surface"] for r in rows)
    kinds = {r["kind"] for r in rows}
    assert {"achievement", "target"} <= kinds
    assert all(r["commitment"] in {"committed", "stretch"} for r in rows if r["kind"] == "target")
    assert all(r["commitment"] is None for r in rows if r["kind"] != "target")


def test_extract_a_text_without_structure(tmp_path: Path) -> None:
    path = tmp_path / "plain.txt"
    path.write_text("全年新增企业不少于2500户，比上年增长18%。", encoding="utf-8")
    result = runner.invoke(app, ["extract", str(path), "--format", "csv"])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == ",".join(QUANTITY_FIELDS)
    assert [line.split(",")[2] for line in lines[1:]] == ["other"] * (len(lines) - 1)
    assert len(lines) == 3


def test_extract_reports_unreadable_input(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00bad")
    result = runner.invoke(app, ["extract", str(bad)])
    assert result.exit_code == 2
    assert "cannot read as UTF-8" in result.stderr
