"""Reading the framework code off its definitions, and the errors for a text that lacks them."""

from __future__ import annotations

import pytest

from policykg.errors import InputError
from policykg.framework import Framework, read_framework
from policykg.parse import parse_plan
from policykg.segment import segment


def framework_of(text: str) -> Framework:
    seg = segment(text)
    return read_framework(text, seg.parts[-1].preamble)


def test_names_come_with_spans_at_their_places(source_text: str) -> None:
    fw = framework_of(source_text)
    assert fw.code == "1146810"
    assert [source_text[s.start : s.end] for s in fw.code_spans] == ["1146810"]
    for node in fw.nodes:
        assert node.spans, node.id
        if node.label is not None:
            assert all(source_text[s.start : s.end] == node.label for s in node.spans), node.id
    unnamed = [n for n in fw.nodes if n.label is None]
    assert [n.id for n in unnamed] == [f"tasklist/{k}" for k in range(4, 11)]
    assert {source_text[s.start : s.end] for n in unnamed for s in n.spans} == {"10项"}


def test_stated_and_extracted_links(source_text: str) -> None:
    fw = framework_of(source_text)
    links = {(link.subject, link.predicate, link.object): link for link in fw.links}
    assert links["project", "partOf", "workline"].evidence == "stated"
    assert links["build/4", "partOf", "project"].evidence == "stated"
    assert links["requirement/6", "partOf", "workline"].evidence == "extracted"
    assert links["tasklist/10", "partOf", "workline"].evidence == "extracted"
    assert not any(s.startswith("area/") for s, _, _ in links)  # areas → builds are curated
    assert sum(p == "hasAim" for _, p, _ in links) == 6


def drop_line(text: str, start: str) -> str:
    lines = text.split("\n")
    kept = [line for line in lines if not line.startswith(start)]
    assert len(kept) == len(lines) - 1
    return "\n".join(kept)


def test_a_missing_definition_is_named(source_text: str) -> None:
    text = drop_line(source_text, "“6”是指")
    with pytest.raises(InputError) as error:
        parse_plan(text, "x", source="plan.txt")
    message = str(error.value)
    assert "Requirement" in message and "是指" in message
    assert error.value.source == "plan.txt" and error.value.line is not None


def test_a_code_that_does_not_match_its_definitions(source_text: str) -> None:
    text = source_text.replace("密码是“1146810”", "密码是“1146910”")
    with pytest.raises(InputError) as error:
        parse_plan(text, "x")
    assert "'1146810'" in str(error.value) and "'1146910'" in str(error.value)
    assert error.value.line == 46


def test_a_count_that_the_names_do_not_fill(source_text: str) -> None:
    text = source_text.replace("业务建设和干部队伍建设四个方面", "业务建设四个方面").replace(
        "一体推进党的建设、作风建设、业务建设、干部队伍建设", "一体推进党的建设、作风建设、业务建设"
    )
    with pytest.raises(InputError) as error:
        parse_plan(text, "x")
    assert "counts 4 members but the text lists 3" in str(error.value)
    assert error.value.line == 49


def test_plan_sections_must_match_the_focus_areas(source_text: str) -> None:
    start = source_text.index("(八)聚焦新时代模范机关建设")
    with pytest.raises(InputError) as error:
        parse_plan(source_text[:start], "x")
    assert "8 focus areas" in str(error.value) and "it has 7" in str(error.value)
    assert error.value.line == 43


def test_a_plan_without_the_code_block_takes_its_sections_as_focus_areas(
    source_text: str,
) -> None:
    start = source_text.index("2024年深圳市场监管系统的高质量发展密码")
    end = source_text.index("(一)聚焦赋能新型工业化")
    plan = parse_plan(source_text[:start] + source_text[end:], "x")
    assert plan.code == ""
    assert [n.kind for n in plan.framework] == ["FocusArea"] * 8
    assert plan.framework[1].label == "聚焦提升经营主体发展质量,着力在激发市场活力上下功夫"
    assert len(plan.measures) == 29
    assert {m.area for m in plan.measures} == {f"area/{n}" for n in range(1, 9)}


def test_a_plan_part_must_name_the_years_work_or_define_a_code(source_text: str) -> None:
    start = source_text.index("2024年深圳市场监管系统的高质量发展密码")
    end = source_text.index("(一)聚焦赋能新型工业化")
    text = (source_text[:start] + source_text[end:]).replace("二、2024年工作安排", "二、工作思路")
    with pytest.raises(InputError) as error:
        parse_plan(text, "x")
    assert "framework code" in str(error.value)
    assert "2024年工作安排" in str(error.value)
    assert error.value.line == text[: text.index("二、工作思路")].count("\n") + 1
