"""Many reports: the genre's structural variants, several reports built into one dataset, and
targets linked to the results a later report states."""

from __future__ import annotations

from pathlib import Path

import pytest
from quantity_eval import TABLES, report_path
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS
from typer.testing import CliRunner

from policykg.build import build_all, default_source
from policykg.cli import app
from policykg.errors import InputError
from policykg.graph import BASE, PK, read_dataset, results_graph_iri
from policykg.parse import parse_plan
from policykg.segment import segment

NINGXIA = report_path(TABLES / "ningxia-2026.tsv")  # found where the quantity tests find it
SHANXI = report_path(TABLES / "shanxi-2026.tsv")
SYNTHETIC = Path(__file__).parent / "fixtures" / "szamr-2025-synthetic.txt"


def test_ningxia_section_titles_running_into_their_paragraph_are_cut_at_the_full_stop() -> None:
    text = NINGXIA.read_text(encoding="utf-8")
    plan = parse_plan(text, "ningxia-2026", publisher=None)
    areas = [n for n in plan.framework if n.kind == "FocusArea"]
    assert len(areas) == 6
    assert plan.code == ""
    assert areas[0].label == "着力贯彻新发展理念，在全面推动经济提质增效上开新局"
    assert text[areas[0].spans[0].start : areas[0].spans[0].end] == areas[0].label
    # the measures are the 一是… items of the plan part, per section
    per_area = [sum(m.area == a.id for m in plan.measures) for a in areas]
    assert per_area == [5, 3, 3, 3, 3, 8]
    first = plan.measures[0]
    assert first.id == "measure/3-1-1"
    assert first.title == "坚定实施扩大内需战略，在加快推动消费投资增长上实现新突破"
    assert text[first.span.start : first.span.end].startswith("一是坚定实施扩大内需战略")
    # the closing address after the last section is not a measure
    assert not any(m.text.startswith("各位代表") for m in plan.measures)
    assert plan.years == {"3": 2026, "1": 2025}
    assert plan.title_span is not None and plan.title_span.anchor(text) == "政府工作报告"
    assert plan.units == [] and plan.assignments == []  # no lexicon for this publisher


def test_shanxi_measures_led_by_short_sentences_and_headlines_under_a_part() -> None:
    text = SHANXI.read_text(encoding="utf-8")
    plan = parse_plan(text, "shanxi-2026", publisher=None)
    areas = [n for n in plan.framework if n.kind == "FocusArea"]
    assert [a.label for a in areas][:2] == ["着力实施扩大内需战略", "着力推动能源转型"]
    assert len(areas) == 10
    titles = [m.title for m in plan.measures if m.area == "area/1"]
    assert titles == ["大力提振消费", "扩大有效投资", "主动服务和融入全国统一大市场"]
    # the paragraph of 15 民生实事 (一是…十五是) stays one measure, after six led by a sentence
    livelihood = [m for m in plan.measures if m.area == "area/9"]
    assert len(livelihood) == 7
    assert livelihood[-1].text.startswith("悠悠万事，民生为大。")
    assert "十五是" in livelihood[-1].text
    # the review's —— headlines stand straight under part 一, and its year is the plan's last
    assert [h.id for h in plan.headlines][:2] == ["headline/1-1", "headline/1-2"]
    assert {h.section for h in plan.headlines} == {"part/1"}
    assert plan.headlines[0].headline == "经济运行稳中有进"
    assert plan.years == {"3": 2026, "1": 2025}
    for measure in plan.measures:
        assert text[measure.span.start : measure.span.end] == measure.text


def test_a_plan_section_without_measures_fails_naming_its_line() -> None:
    text = "标题报告\n一、2024年工作总结\n(一)甲\n——甲。\n二、2025年工作安排\n"
    text += "(一)乙\n(二)丙\n一是丁。\n"
    with pytest.raises(InputError) as error:
        parse_plan(text, "x", publisher=None)
    assert error.value.line == 6
    assert "expected measures" in str(error.value)


def test_a_plan_part_without_sections_fails_naming_its_line() -> None:
    text = "标题报告\n一、2024年工作总结\n——甲。\n二、2025年工作安排\n一是丁。\n"
    with pytest.raises(InputError) as error:
        parse_plan(text, "x", publisher=None)
    assert error.value.line == 4
    assert "sections" in str(error.value)


def test_a_section_title_ending_its_line_with_a_full_stop_keeps_its_line() -> None:
    seg = segment("一、2025年工作安排\n（一）着力扩大内需。\n一是提振消费。\n")
    section = seg.parts[0].sections[0]
    assert seg.text_of(section.title) == "着力扩大内需。"
    assert [seg.text_of(i.span) for i in section.items] == ["一是提振消费。"]


def test_build_all_links_a_target_to_the_later_reports_result() -> None:
    built = build_all([default_source(), SYNTHETIC])
    assert [r.plan.document for r in built.results] == ["szamr-2024", "szamr-2025-synthetic"]
    pairs = {(r.target, r.achievement, r.attainment) for r in built.links}
    assert pairs == {
        ("target/2-2-1-1", "achievement/1-1-1-1", "met"),  # ≥2500户 against 3100户
        ("target/2-5-1-1", "achievement/1-1-2-1", "not-met"),  # 16.6万批次 against 15万批次
    }
    data = read_dataset(built.files["cross-year.trig"])
    g = data.graph(results_graph_iri())
    target = URIRef(f"{BASE}szamr-2024/target/2-2-1-1")
    result = URIRef(f"{BASE}szamr-2025-synthetic/achievement/1-1-1-1")
    assert (target, PK.result, result) in g
    (statement,) = g.subjects(RDF.subject, target)
    assert g.value(statement, PK.attainment) == PK.met
    assert g.value(statement, PK.evidence) == PK.extracted
    assert "3100户" in str(g.value(statement, PK.rationale))
    # the two reports' indicators of one phrase are one indicator
    first = URIRef(f"{BASE}szamr-2024/indicator/11")
    assert (first, SKOS.exactMatch, URIRef(f"{BASE}szamr-2025-synthetic/indicator/1")) in g
    # each report keeps its own document IRI and named graphs
    names = {
        str(graph.identifier)
        for graph in read_dataset(built.files["szamr-2025-synthetic.trig"]).graphs()
        if len(graph)
    }
    assert names == {
        f"{BASE}szamr-2025-synthetic/graph/stated",
        f"{BASE}szamr-2025-synthetic/graph/curated",  # its publisher, from the layer beside it
    }
    title = Literal("2024年工作总结和2025年工作安排", lang="zh")
    stated = read_dataset(built.files["szamr-2025-synthetic.trig"]).graph(
        URIRef(f"{BASE}szamr-2025-synthetic/graph/stated")
    )
    assert (URIRef(f"{BASE}szamr-2025-synthetic"), SKOS.prefLabel, title) in stated
    assert "szamr-2024.trig" in built.files and "sources/szamr-2025-synthetic.txt" in built.files


def test_reports_of_another_or_an_unknown_publisher_are_not_linked(tmp_path: Path) -> None:
    # the same text without a curated layer: its publisher is not known, so its 3100户 is not
    # the bureau's result, however alike the indicator phrases
    copy = tmp_path / "another-city-2025.txt"
    copy.write_bytes(SYNTHETIC.read_bytes())
    built = build_all([default_source(), copy])
    assert built.results[1].plan.publisher is None
    assert [q.surface for q in built.results[1].plan.quantities][:1] == ["3100户"]
    assert built.links == []


def test_one_report_alone_links_nothing_across_years() -> None:
    built = build_all([SYNTHETIC])
    assert built.links == []
    assert "cross-year.trig" not in built.files


def test_two_reports_of_one_id_are_refused(tmp_path: Path) -> None:
    copy = tmp_path / SYNTHETIC.name
    copy.write_bytes(SYNTHETIC.read_bytes())
    with pytest.raises(InputError) as error:
        build_all([SYNTHETIC, copy])
    assert "szamr-2025-synthetic" in str(error.value)


def test_tables_need_one_report() -> None:
    with pytest.raises(InputError) as error:
        build_all([default_source(), SYNTHETIC], [Path("tasks.csv")])
    assert "one report" in str(error.value)


def test_a_report_without_a_title_is_refused_before_validation(tmp_path: Path) -> None:
    source = tmp_path / "untitled.txt"
    source.write_text("\n".join(SYNTHETIC.read_text(encoding="utf-8").splitlines()[1:]) + "\n")
    with pytest.raises(InputError) as error:
        build_all([source])
    assert "no title" in str(error.value)


def test_cli_builds_three_reports_and_a_failing_one_writes_nothing(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "graphs"
    result = runner.invoke(
        app, ["build", str(default_source()), str(NINGXIA), str(SHANXI), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "12/12" in result.stderr  # the progress bar: 4 steps for each of 3 reports
    assert "report       ningxia-2026-government-work-report" in result.stdout
    assert "framework    no code: 10 FocusArea" in result.stdout
    names = sorted(p.name for p in out.glob("*.trig"))
    assert names == [
        "ningxia-2026-government-work-report.trig",
        "shanxi-2026-government-work-report.trig",
        "szamr-2024.trig",
    ]
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    broken = tmp_path / "broken.txt"
    broken.write_text("没有任何结构的文本。\n", encoding="utf-8")
    failed = runner.invoke(app, ["build", str(NINGXIA), str(broken), "--out", str(out)])
    assert failed.exit_code == 2
    assert f"policykg: {broken}:1: expected a part heading" in failed.stderr
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_a_numbered_list_under_a_plan_section_gives_one_measure_an_item() -> None:
    text = "某局2025年工作要点\n一、2025年工作安排\n（一）优化营商环境\n"
    text += "1.深化商事制度改革。新增经营主体不少于10万户。\n2.推进信用监管。\n"
    plan = parse_plan(text, "x", publisher=None)
    assert [(m.id, m.title) for m in plan.measures] == [
        ("measure/1-1-1", "1.深化商事制度改革"),
        ("measure/1-1-2", "2.推进信用监管"),
    ]
    (target,) = [q for q in plan.quantities if q.kind == "target"]
    assert (target.stated_in, target.surface, target.year) == (
        "measure/1-1-1",
        "不少于10万户",
        2025,
    )
    assert plan.headlines == []  # a plan with no summary part
