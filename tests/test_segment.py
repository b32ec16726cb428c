"""The segmenter: parts, sections, items and sentences with exact spans, and its traps."""

from __future__ import annotations

from pathlib import Path

import pytest
from quantity_eval import TABLES, report_path

from policykg.errors import InputError
from policykg.segment import Span, chinese_numeral, segment

OTHER_REPORTS = [  # found where the quantity tests find them (beside the repository, or /work)
    report_path(TABLES / "ningxia-2026.tsv"),
    report_path(TABLES / "shanxi-2026.tsv"),
]


def test_parts_sections_and_items_of_the_report(source_text: str) -> None:
    seg = segment(source_text)
    assert [seg.text_of(p.title) for p in seg.parts] == ["2023年工作总结", "2024年工作安排"]
    summary, plan = seg.parts
    assert [len(s.items) for s in summary.sections] == [4, 3, 3, 3, 4, 4, 4, 4, 4]
    assert all(i.kind == "headline" for s in summary.sections for i in s.items)
    assert [len(s.items) for s in plan.sections] == [4, 4, 3, 3, 5, 3, 3, 4]
    assert all(i.kind == "measure" for s in plan.sections for i in s.items)
    assert [i.ordinal for i in plan.sections[4].items] == [1, 2, 3, 4, 5]
    assert len(plan.preamble) == 9  # 总体思路, the main-line paragraph, the code and 6 definitions


def test_section_title_running_into_its_first_headline(source_text: str) -> None:
    """（七）全力建设…示范区——超大城市供应体系持续完善。… holds a title and a headline."""
    seg = segment(source_text)
    seventh = seg.parts[0].sections[6]
    assert seg.text_of(seventh.title) == "全力建设农业科技创新先行示范区"
    assert seg.text_of(seventh.heading) == "(七)全力建设农业科技创新先行示范区"
    first = seventh.items[0]
    assert seg.text_of(first.title) == "超大城市供应体系持续完善"
    assert seg.text_of(first.span).startswith("——超大城市供应体系持续完善。超额完成2.9万亩")
    assert first.span.start == seventh.heading.end


def test_every_span_is_exact_and_inside_its_parent(source_text: str) -> None:
    seg = segment(source_text)
    items = list(seg.items())
    assert len(items) == 62
    for part, section, item in items:
        assert part.span.start <= section.span.start <= item.span.start < item.span.end
        assert item.span.end <= section.span.end <= part.span.end
        assert item.body.start >= item.span.start and item.body.end == item.span.end
        assert "".join(seg.text_of(s) for s in item.sentences) == seg.text_of(item.body)
        assert seg.text_of(item.title) == seg.text_of(item.sentences[0]).rstrip("。")
        assert "\n" not in seg.text_of(item.span)


def test_measure_spans_start_with_their_marker(source_text: str) -> None:
    seg = segment(source_text)
    marks = "一二三四五"
    for _, _, item in seg.items():
        if item.kind == "measure":
            assert seg.text_of(item.span).startswith(marks[item.ordinal - 1] + "是")
            assert not seg.text_of(item.body).startswith(marks[item.ordinal - 1] + "是")


def test_full_width_punctuation_and_inline_measures() -> None:
    text = (
        "一、2024年工作安排\n（一）聚焦发展。\n"
        "一是加快转型。推动升级。二是扩大内需，促进消费！三是深化改革\n"
    )
    seg = segment(text)
    section = seg.parts[0].sections[0]
    assert seg.text_of(section.title) == "聚焦发展。"
    assert [(i.kind, i.ordinal, seg.text_of(i.title)) for i in section.items] == [
        ("measure", 1, "加快转型"),
        ("measure", 2, "扩大内需，促进消费"),
        ("measure", 3, "深化改革"),
    ]
    assert [seg.text_of(s) for s in section.items[0].sentences] == [
        "一是加快转型。"[2:],
        "推动升级。",
    ]


def test_a_marker_that_does_not_count_on_is_not_a_measure() -> None:
    seg = segment("一、安排\n(一)标题\n一是甲。三是乙。\n")
    items = seg.parts[0].sections[0].items
    assert [(i.kind, i.ordinal) for i in items] == [("measure", 1)]
    assert seg.text_of(items[0].span) == "一是甲。三是乙。"


def test_text_without_parts_names_line_and_expectation() -> None:
    with pytest.raises(InputError) as error:
        segment("没有结构的文字\n第二行\n", source="x.txt")
    assert str(error.value).startswith("x.txt:1: expected a part heading")


def test_parts_out_of_order_are_an_error_naming_the_line() -> None:
    with pytest.raises(InputError) as error:
        segment("一、甲\n(一)乙\n——丙。\n三、丁\n")
    assert error.value.line == 4
    assert "expected part number 2" in str(error.value)


def test_chinese_numerals() -> None:
    assert [chinese_numeral(n) for n in ("一", "十", "十一", "二十", "九十九")] == [
        1,
        10,
        11,
        20,
        99,
    ]
    with pytest.raises(ValueError):
        chinese_numeral("百一")
    with pytest.raises(ValueError):
        Span(3, 2)


@pytest.mark.parametrize("path", OTHER_REPORTS, ids=lambda p: p.name)
def test_other_reports_segment_with_exact_spans(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    seg = segment(text)
    assert len(seg.parts) >= 3
    items = list(seg.items())
    assert items, "the report's sections hold items"
    for _, _, item in items:
        assert seg.text_of(item.span).strip() == seg.text_of(item.span)
        assert "".join(seg.text_of(s) for s in item.sentences) == seg.text_of(item.body)


def test_other_reports_are_there() -> None:
    assert len(OTHER_REPORTS) == 2
